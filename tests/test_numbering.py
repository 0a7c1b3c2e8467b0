"""Documents and codes number themselves (issue 13, item 3): a quotation, contract, order,
receivable or ticket saved without a number, a customer or product without a code, takes the next
one of its kind from the pattern in Settings; a typed one is kept; numbers are never used twice
(a deleted record's number is not given again) and a record that is not saved gives its number
back. Simultaneous creation: ``tests/test_races.py``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import today
from app.extensions import db
from app.models import Customer, PolicySetting, Product, Quotation
from app.models.numbering import DocumentSequence, NumberedKind
from app.models.policy import PolicyKey
from tests.conftest import employee
from tests.factories import count, make
from tests.test_scope_leaks import model_form

YEAR = today().year


def last_drawn(app, kind: NumberedKind, period: int) -> int:
    with app.app_context():
        return db.session.scalar(select(DocumentSequence.last).where(
            DocumentSequence.kind == kind, DocumentSequence.period == period)) or 0


def next_quotation(app, ahead: int = 1) -> str:
    return f"QT{YEAR}-{last_drawn(app, NumberedKind.quotation, YEAR) + ahead:04d}"


def quotation_body(app) -> dict:
    with app.app_context():
        customer = make(Customer, employee("sales1")).id
    day = today()
    return {"customer": customer, "issued_on": day.isoformat(),
            "valid_until": (day + timedelta(days=30)).isoformat()}


def test_a_quotation_posted_without_a_number_takes_the_next_one(app, apis):
    body, expected = quotation_body(app), next_quotation(app)
    resp = apis("sales1").post("/api/v1/quotation/", json=body)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert resp.json["result"]["number"] == expected
    second = apis("sales1").post("/api/v1/quotation/", json={**body, "number": None})
    assert second.status_code == 201 and second.json["result"]["number"] == next_quotation(app, 0)
    assert second.json["result"]["number"] == f"QT{YEAR}-{int(expected[-4:]) + 1:04d}"


def test_the_add_form_may_leave_the_number_empty(app, browsers):
    sales = browsers("sales1")
    form = model_form(sales.get("/quotationview/add").get_data(as_text=True))
    assert "number" in form.fields
    body, expected = quotation_body(app), next_quotation(app)
    resp = sales.post("/quotationview/add", data={**body, "number": "", "status": "draft", "note": ""})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Quotation.number).where(
            Quotation.customer_id == body["customer"])) == expected


def test_an_edit_may_not_clear_the_number(app, browsers):
    with app.app_context():
        q = make(Quotation, employee("sales1"))
        pk, number, version = q.id, q.number, q.version
    sales = browsers("sales1")
    resp = sales.post(f"/quotationview/edit/{pk}", data={
        "number": "", "customer": q.customer_id, "issued_on": q.issued_on.isoformat(),
        "valid_until": q.valid_until.isoformat(), "status": "draft", "note": "", "version": version})
    assert resp.status_code == 200  # the form again, with the field's error
    with app.app_context():
        assert db.session.get(Quotation, pk).number == number


def test_an_api_edit_may_not_clear_the_number(app, apis):
    with app.app_context():
        q = make(Quotation, employee("sales1"))
        pk, number = q.id, q.number
    for bad in ("", None, "   "):
        resp = apis("sales1").put(f"/api/v1/quotation/{pk}", json={"number": bad})
        assert resp.status_code == 422 and set(resp.json["message"]) == {"number"}, resp.json
        with app.app_context():
            assert db.session.get(Quotation, pk).number == number


def test_a_typed_code_is_kept_and_an_empty_one_is_drawn(app, apis):
    with app.app_context():
        owner = employee("sales1").id
    body = {"name": "编号客户", "owner": owner, "credit_limit": "100.00", "payment_terms_days": 30}
    typed = apis("sales1").post("/api/v1/customer/", json={**body, "code": "KH-ZH-01"})
    assert typed.status_code == 201 and typed.json["result"]["code"] == "KH-ZH-01"
    expected = f"C{last_drawn(app, NumberedKind.customer, 0) + 1:05d}"
    drawn = apis("sales1").post("/api/v1/customer/", json=body)
    assert drawn.status_code == 201 and drawn.json["result"]["code"] == expected
    with app.app_context():
        assert last_drawn(app, NumberedKind.customer, 0) == int(expected[1:])


def test_products_number_themselves_too(app, apis):
    expected = f"P{last_drawn(app, NumberedKind.product, 0) + 1:05d}"
    resp = apis("admin").post("/api/v1/product/", json={
        "name": "液压泵", "unit": "台", "list_price": "1200.00", "unit_cost": "800.00"})
    assert resp.status_code == 201 and resp.json["result"]["code"] == expected


def test_a_number_typed_before_is_passed_over(app, apis):
    body, taken = quotation_body(app), next_quotation(app)
    with app.app_context():
        make(Quotation, employee("sales1"), number=taken)
    resp = apis("sales1").post("/api/v1/quotation/", json=body)
    assert resp.status_code == 201
    assert resp.json["result"]["number"] == f"QT{YEAR}-{int(taken[-4:]) + 1:04d}"


def test_a_deleted_documents_number_is_never_given_again(app, apis):
    body = quotation_body(app)
    first = apis("sales1").post("/api/v1/quotation/", json=body).json
    assert apis("sales1").delete(f"/api/v1/quotation/{first['id']}").status_code == 200
    again = apis("sales1").post("/api/v1/quotation/", json=body).json["result"]["number"]
    assert again != first["result"]["number"]
    assert int(again[-4:]) == int(first["result"]["number"][-4:]) + 1


def test_a_record_not_saved_gives_its_number_back(app):
    """No gaps: the counter is raised in the creating transaction and rolled back with it."""
    with app.app_context():
        before = last_drawn(app, NumberedKind.quotation, YEAR)
        q = make(Quotation, employee("sales1"), commit=False, number=None)
        db.session.flush()
        assert q.number == f"QT{YEAR}-{before + 1:04d}"
        db.session.rollback()
    assert last_drawn(app, NumberedKind.quotation, YEAR) == before


def test_a_changed_pattern_numbers_the_next_records(app, browsers, apis):
    admin = browsers("admin")
    fields = {f"value.{k.name}": p for k, p in (
        (NumberedKind.quotation, "BJ{YY}/{###}"), (NumberedKind.contract, "CT{YYYY}-{####}"),
        (NumberedKind.order, "SO{YYYY}-{####}"), (NumberedKind.receivable, "AR{YYYY}-{####}"),
        (NumberedKind.ticket, "ST{YYYY}-{####}"), (NumberedKind.customer, "C{#####}"),
        (NumberedKind.product, "P{#####}"))}
    page = admin.get("/settings/").get_data(as_text=True)
    assert 'name="value.quotation" value="QT{YYYY}-{####}"' in page  # starts from what is in force
    resp = admin.post("/settings/", data={"key": "number_patterns", **fields})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    resp = apis("sales1").post("/api/v1/quotation/", json=quotation_body(app))
    assert resp.status_code == 201
    assert resp.json["result"]["number"] == f"BJ{YEAR % 100:02d}/{last_drawn(app, NumberedKind.quotation, YEAR):03d}"


GOOD = {"quotation": "QT{YYYY}-{####}", "contract": "CT{YYYY}-{####}", "order": "SO{YYYY}-{####}",
        "receivable": "AR{YYYY}-{####}", "ticket": "ST{YYYY}-{####}", "customer": "C{#####}",
        "product": "P{#####}"}


@pytest.mark.parametrize(("kind", "pattern"), [
    ("quotation", "QT{YYYY}"),  # no counter
    ("quotation", "QT-2026"),  # no counter
    ("contract", "{####}-{###}"),  # two counters
    ("order", "SO{YYYYY}-{####}"),  # unknown placeholder
    ("order", "SO{MM}-{####}"),
    ("receivable", "AR {####}"),  # a blank
    ("receivable", "AR:{####}"),  # the stored text's separators
    ("ticket", "ST,{####}"),
    ("ticket", "ST{####"),  # a lone brace
    ("customer", "CUSTOMERS{YYYY}-{####}"),  # 9 + 4 + 1 + 7 digits > customer.code's 20
    ("product", "P{###########}"),  # eleven digits
    ("quotation", "QT\x00{####}"),  # cannot be stored (PostgreSQL refused it: a 500)
    ("quotation", "QT\u202e{####}"),  # a direction mark: numbers that look alike
    ("contract", "CT\u200b{####}"),  # a zero-width space
], ids=lambda v: v if isinstance(v, str) and v.isalpha() else None)
def test_a_bad_pattern_is_refused_and_nothing_changes(app, browsers, kind, pattern):
    fields = {f"value.{k}": v for k, v in {**GOOD, kind: pattern}.items()}
    resp = browsers("admin").post("/settings/", data={"key": "number_patterns", **fields})
    assert resp.status_code == 422
    assert 'id="setting-number_patterns" class="danger"' in resp.get_data(as_text=True)
    assert count(app, PolicySetting, PolicySetting.key == PolicyKey.number_patterns) == 0


def test_a_pattern_needs_its_counter_in_chinese_too(app, browsers):
    from tests.test_settings import _translated

    fields = {f"value.{k}": v for k, v in {**GOOD, "quotation": "QT{YYYY}"}.items()}
    resp = browsers("admin").post("/settings/", data={"key": "number_patterns", **fields})
    html = resp.get_data(as_text=True)
    assert _translated(app, "A pattern needs one counter such as {####}.") in html


def test_product_codes_count_on_across_years(app):
    """A pattern without a year counts in period 0: a new year does not start it again."""
    with app.app_context():
        p = make(Product, employee("admin"), commit=False, code="")
        db.session.flush()
        assert p.code.startswith("P") and last_drawn(app, NumberedKind.product, 0) >= 1
        assert last_drawn(app, NumberedKind.product, YEAR) == 0
        db.session.rollback()
