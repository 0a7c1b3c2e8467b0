"""A list's quick bar: a quick search (literal text, within the scope), rows of one owner (a
receivable's salesperson), and favourites saved per user, shared with a team, deleted by their
owner only."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import openpyxl
from sqlalchemy import func, select

from app.extensions import db
from app.models import Customer, Receivable, SavedFilter
from tests.conftest import employee
from tests.factories import make


def rows(html, entity="customerview") -> set[str]:
    return set(re.findall(rf'href="/{entity}/show/(\d+)"', html))


def saved(app, **where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SavedFilter).filter_by(**where))


def test_quick_search_is_literal_and_scoped(app, login):
    with app.app_context():
        a = make(Customer, employee("sales1"), name="快速搜索甲_100%公司").id
        b = make(Customer, employee("sales1"), name="快速搜索乙公司").id
        c = make(Customer, employee("sales2"), name="快速搜索丙公司").id
    client = login("sales1")
    found = rows(client.get("/customerview/list/?q=快速搜索").get_data(as_text=True))
    assert {str(a), str(b)} <= found and str(c) not in found
    assert rows(client.get("/customerview/list/?q=_100%25").get_data(as_text=True)) == {str(a)}
    assert rows(client.get("/customerview/list/?q=%25").get_data(as_text=True)) >= {str(a)}
    assert str(b) not in rows(client.get("/customerview/list/?q=%25").get_data(as_text=True))
    assert client.get("/customerview/list/?q=" + "x" * 3000).status_code == 200
    # The export takes the same rows.
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/customerview/export.xlsx?q=快速搜索").data)).active
    names = {cell for row in sheet.iter_rows(values_only=True) for cell in row}
    assert {"快速搜索甲_100%公司", "快速搜索乙公司"} <= names and "快速搜索丙公司" not in names


def test_receivables_by_salesperson(app, login, org):
    with app.app_context():
        r1 = make(Receivable, employee("sales1"), amount=Decimal("10.00")).id
        r3 = make(Receivable, employee("sales3"), amount=Decimal("10.00")).id
    sup = login("supervisor1")
    mine = rows(sup.get(f"/receivableview/list/?owner={org.employees['sales1']}&psize_ReceivableView=100")
                .get_data(as_text=True), "receivableview")
    assert str(r1) in mine and str(r3) not in mine
    # Naming someone outside the reader's scope shows none of their rows.
    other = rows(login("sales1").get(f"/receivableview/list/?owner={org.employees['sales3']}")
                 .get_data(as_text=True), "receivableview")
    assert str(r3) not in other
    for bad in ("abc", "-1", "99999999999999", "1 OR 1=1"):
        assert sup.get(f"/receivableview/list/?owner={bad}").status_code == 200


def test_favourites_saved_shared_and_deleted_by_their_owner(app, login):
    s1 = login("sales1")
    page = s1.get("/customerview/list/?q=甲").get_data(as_text=True)
    assert 'id="favourite-save"' in page
    resp = s1.post("/favourites/Customer/save", data={"name": "我的甲客户", "query": "q=甲&page_CustomerView=3",
                                                      "share": "1"}, token_from="/customerview/list/")
    assert resp.status_code == 302 and "q=" in resp.headers["Location"] and "page_" not in resp.headers["Location"]
    with app.app_context():
        row = db.session.scalar(select(SavedFilter).where(SavedFilter.name == "我的甲客户"))
        assert row.query == "q=%E7%94%B2" and row.team_id is not None
        fid = row.id
    # Shared with the team: sales3 sees it, sales2 of another team does not.
    assert f'data-id="{fid}"' in login("sales3").get("/customerview/list/").get_data(as_text=True)
    assert f'data-id="{fid}"' not in login("sales2").get("/customerview/list/").get_data(as_text=True)
    # Only its owner deletes it; a bad name or entity changes nothing.
    assert login("sales3").post(f"/favourites/{fid}/delete", token_from="/customerview/list/").status_code == 404
    before = saved(app)
    for name in ("", " ", "x" * 81, "坏\x00名"):
        s1.post("/favourites/Customer/save", data={"name": name, "query": "q=1"}, token_from="/customerview/list/")
    assert s1.post("/favourites/NoSuch/save", data={"name": "n"}, token_from="/customerview/list/").status_code == 404
    assert login("hr1").post("/favourites/Customer/save", data={"name": "n"},
                             token_from="/").status_code == 404  # HR reads no customers
    assert s1.client.post("/favourites/Customer/save", data={"name": "无令牌"}).status_code == 400
    assert saved(app) == before
    assert s1.post(f"/favourites/{fid}/delete", token_from="/customerview/list/").status_code == 302
    assert saved(app, id=fid) == 0


def test_receivables_by_customer(app, login):
    with app.app_context():
        one = make(Customer, employee("sales1"))
        other = make(Customer, employee("sales1"))
        r1 = make(Receivable, employee("sales1"), customer=one, amount=Decimal("10.00")).id
        r2 = make(Receivable, employee("sales1"), customer=other, amount=Decimal("10.00")).id
        one_id = one.id
    client = login("sales1")
    shown = rows(client.get(f"/receivableview/list/?_flt_0_customer={one_id}").get_data(as_text=True), "receivableview")
    assert str(r1) in shown and str(r2) not in shown
    # Another salesperson naming sales1's customer sees none of its receivables.
    assert rows(login("sales2").get(f"/receivableview/list/?_flt_0_customer={one_id}").get_data(as_text=True),
                "receivableview") == set()
