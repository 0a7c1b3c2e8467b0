"""The navbar's search: finds a customer by part of its Chinese name, contacts by phone, records by
number; only within the reader's scope; wildcards, quotes and long text are plain text."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import Contact, Contract, Customer
from tests.conftest import employee
from tests.factories import make


def hits(client, q) -> list[str]:
    resp = client.get("/search/", query_string={"q": q})
    assert resp.status_code == 200
    return re.findall(r'class="list-group-item search-hit" href="[^"]+">([^<]+)</a>', resp.get_data(as_text=True))


@pytest.fixture(scope="module")
def rows(app):
    with app.app_context():
        mine = make(Customer, employee("sales1"), name="广州市明辉五金制品有限公司")
        theirs = make(Customer, employee("sales2"), name="杭州明辉包装材料有限公司")
        odd = make(Customer, employee("sales1"), name="100%_纯铜\\配件厂")
        db.session.add(Contact(customer=mine, name="陈先生", phone="13800138000"))
        contract = make(Contract, employee("sales1"), customer=mine)
        db.session.commit()
        return {"mine": mine.name, "theirs": theirs.name, "odd": odd.name, "contract": contract.number}


def test_part_of_a_chinese_name_finds_only_customers_in_scope(app, login, rows):
    sales1 = login("sales1")
    found = hits(sales1, "明辉")
    assert rows["mine"] in " ".join(found) and rows["theirs"] not in " ".join(found)
    # sales2's customer is not even named in the page's body.
    assert rows["theirs"] not in sales1.get("/search/?q=明辉").get_data(as_text=True)
    assert rows["theirs"] in " ".join(hits(login("sales2"), "明辉"))
    assert rows["theirs"] in " ".join(hits(login("supervisor2"), "杭州明辉"))
    assert rows["mine"] not in " ".join(hits(login("supervisor2"), "明辉"))


def test_numbers_and_phones(app, login, rows):
    sales1 = login("sales1")
    assert any(rows["contract"] in h for h in hits(sales1, rows["contract"]))
    assert any(rows["contract"] in h for h in hits(sales1, rows["contract"].lower()))  # any case
    assert any("陈先生" in h for h in hits(sales1, "13800138000"[3:]))
    assert hits(login("sales2"), "13800138000") == []
    # HR reads no customers or contracts: nothing of them is found.
    assert hits(login("hr1"), rows["contract"]) == []


@pytest.mark.parametrize("q", ["%", "_", "%%", "\\", "' OR 1=1 --", "明辉%' --", "x" * 5000, "\x00明辉", "明'辉"])
def test_wildcards_and_sql_are_plain_text(app, login, rows, q):
    found = hits(login("sales1"), q)
    if q in ("%", "_", "\\"):  # only the customers whose names hold them
        assert found and all(any(ch in h for ch in q) for h in found)
    elif q == "\x00明辉":
        assert any(rows["mine"] in h for h in found)  # the control character is dropped
    else:
        assert found == []


def test_the_wildcard_customer_is_found_by_its_literal_name(app, login, rows):
    assert any(rows["odd"] in h for h in hits(login("sales1"), "100%_纯铜\\"))
    assert hits(login("sales1"), "100%_纯铜\\配件厂X") == []


def test_empty_search_and_the_navbar_box(app, login):
    page = login("sales1").get("/search/?q=").get_data(as_text=True)
    assert 'id="search-q"' in page and "search-hit" not in page
    assert 'id="nav-search"' in login("sales1").get("/").get_data(as_text=True)
