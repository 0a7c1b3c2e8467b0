"""One document becomes the next (issue 13, item 1): an accepted quotation its contract, a signed
contract its orders (all or part of it), through the API and the pages; prices from the product;
the chain on every record page; refusals (wrong state, too much, out of scope) change nothing.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Contract,
    ContractLine,
    Customer,
    OrderLine,
    Product,
    Quotation,
    QuotationLine,
    SalesOrder,
)
from tests.conftest import employee, factory_today
from tests.factories import count, make

TODAY = factory_today()


def wf(resource, pk, step):
    return f"/api/v1/workflow/{resource}/{pk}/{step}"


@pytest.fixture()
def goods(app):
    """Two products (list prices 100.00 and 250.50) and a customer of sales1."""
    with app.app_context():
        pump = make(Product, employee("admin"), list_price=Decimal("100.00"), unit_cost=Decimal("60.00"))
        valve = make(Product, employee("admin"), list_price=Decimal("250.50"), unit_cost=Decimal("100.00"))
        customer = make(Customer, employee("sales1"))
        return {"pump": pump.id, "valve": valve.id, "customer": customer.id}


def accepted_quotation(app, apis, goods, lines=(("pump", "10"), ("valve", "2"))) -> int:
    """A quotation posted by sales1 with lines priced from the products, sent and accepted."""
    sales = apis("sales1")
    day = TODAY.isoformat()
    resp = sales.post("/api/v1/quotation/", json={"customer": goods["customer"], "issued_on": day,
                                                  "valid_until": day})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    pk = resp.json["id"]
    for product, qty in lines:
        line = sales.post("/api/v1/quotationline/", json={"quotation": pk, "product": goods[product], "qty": qty})
        assert line.status_code == 201, line.get_data(as_text=True)
    for step in ("send", "accept"):
        assert sales.post(wf("quotation", pk, step), json={}).status_code == 200
    return pk


def signed(apis, pk):
    assert apis("sales1").post(wf("contract", pk, "submit"), json={}).status_code == 200
    assert apis("supervisor1").post(wf("contract", pk, "approve"), json={}).status_code == 200
    resp = apis("sales1").post(wf("contract", pk, "sign"), json={"sign_date": TODAY.isoformat()})
    assert resp.status_code == 200, resp.get_data(as_text=True)


def lines_of(app, model, parent_col, pk):
    with app.app_context():
        rows = db.session.scalars(select(model).where(parent_col == pk).order_by(model.id)).all()
        return [(r.product_id, Decimal(r.qty), Decimal(r.unit_price)) for r in rows]


def test_a_line_without_a_price_takes_the_products_list_price(app, apis, goods):
    pk = accepted_quotation(app, apis, goods)
    assert lines_of(app, QuotationLine, QuotationLine.quotation_id, pk) == [
        (goods["pump"], Decimal("10"), Decimal("100.00")), (goods["valve"], Decimal("2"), Decimal("250.50"))]
    with app.app_context():
        assert db.session.get(Quotation, pk).total == Decimal("1501.00")


def test_a_typed_price_is_kept(app, apis, goods):
    with app.app_context():
        q = make(Quotation, employee("sales1"), customer_id=goods["customer"]).id
    resp = apis("sales1").post("/api/v1/quotationline/", json={
        "quotation": q, "product": goods["pump"], "qty": "3", "unit_price": "88.00"})
    assert resp.status_code == 201 and resp.json["result"]["unit_price"] == "88.00"


def test_quotation_to_contract_to_orders_through_the_api(app, apis, goods):
    q = accepted_quotation(app, apis, goods)
    resp = apis("sales1").post(f"/api/v1/documents/quotation/{q}/contract")
    assert resp.status_code == 201, resp.get_data(as_text=True)
    c = resp.json["id"]
    with app.app_context():
        contract = db.session.get(Contract, c)
        assert contract.number == resp.json["number"] and contract.number.startswith("CT")
        assert (contract.customer_id, contract.quotation_id, contract.status.name) == (goods["customer"], q, "draft")
        assert contract.amount == Decimal("1501.00")
    assert lines_of(app, ContractLine, ContractLine.contract_id, c) == lines_of(
        app, QuotationLine, QuotationLine.quotation_id, q)
    # One contract per quotation.
    again = apis("sales1").post(f"/api/v1/documents/quotation/{q}/contract")
    assert again.status_code == 409 and count(app, Contract, Contract.quotation_id == q) == 1
    # Not before it is signed.
    early = apis("sales1").post(f"/api/v1/documents/contract/{c}/order")
    assert early.status_code == 409 and count(app, SalesOrder, SalesOrder.contract_id == c) == 0
    signed(apis, c)
    # Part of it: 4 pumps.
    first = apis("sales1").post(f"/api/v1/documents/contract/{c}/order",
                                json={"quantities": {str(goods["pump"]): "4"}})
    assert first.status_code == 201, first.get_data(as_text=True)
    assert first.json["number"].startswith("SO")
    assert lines_of(app, OrderLine, OrderLine.order_id, first.json["id"]) == [
        (goods["pump"], Decimal("4"), Decimal("100.00"))]
    with app.app_context():
        o = db.session.get(SalesOrder, first.json["id"])
        assert (o.customer_id, o.contract_id, o.status.name) == (goods["customer"], c, "received")
        assert o.lines[0].unit_cost == Decimal("60.00") and o.total == Decimal("400.00")
    # The rest: 6 pumps and 2 valves.
    rest = apis("sales1").post(f"/api/v1/documents/contract/{c}/order")
    assert rest.status_code == 201
    assert lines_of(app, OrderLine, OrderLine.order_id, rest.json["id"]) == [
        (goods["pump"], Decimal("6"), Decimal("100.00")), (goods["valve"], Decimal("2"), Decimal("250.50"))]
    done = apis("sales1").post(f"/api/v1/documents/contract/{c}/order")
    assert done.status_code == 409 and count(app, SalesOrder, SalesOrder.contract_id == c) == 2
    # Lines typed on an order of the contract may not order more than it sells.
    over = apis("sales1").post("/api/v1/orderline/", json={
        "order": first.json["id"], "product": goods["pump"], "qty": "1"})
    assert over.status_code == 422 and set(over.json["message"]) == {"qty"}
    with app.app_context():
        other = make(Product, employee("admin")).id
    stranger = apis("sales1").post("/api/v1/orderline/", json={
        "order": first.json["id"], "product": other, "qty": "1"})
    assert stranger.status_code == 422 and set(stranger.json["message"]) == {"product"}
    # A cancelled order gives its quantities back.
    assert apis("sales1").post(wf("salesorder", first.json["id"], "cancel"),
                               json={"comment": "客户改单"}).status_code == 200
    again = apis("sales1").post(f"/api/v1/documents/contract/{c}/order")
    assert again.status_code == 201
    assert lines_of(app, OrderLine, OrderLine.order_id, again.json["id"]) == [
        (goods["pump"], Decimal("4"), Decimal("100.00"))]


def test_a_contracts_lines_make_its_amount(app, apis, goods):
    q = accepted_quotation(app, apis, goods, lines=(("pump", "1"),))
    c = apis("sales1").post(f"/api/v1/documents/quotation/{q}/contract").json["id"]
    resp = apis("sales1").post("/api/v1/contractline/", json={"contract": c, "product": goods["valve"], "qty": "4"})
    assert resp.status_code == 201
    with app.app_context():
        assert db.session.get(Contract, c).amount == Decimal("1102.00")  # 100 + 4 × 250.50
    typed = apis("sales1").put(f"/api/v1/contract/{c}", json={"amount": "5000000"})
    assert typed.status_code == 422 and set(typed.json["message"]) == {"amount"}
    with app.app_context():
        assert db.session.get(Contract, c).amount == Decimal("1102.00")
    signed(apis, c)
    late = apis("sales1").post("/api/v1/contractline/", json={"contract": c, "product": goods["pump"], "qty": "1"})
    assert late.status_code in (409, 422)
    assert count(app, ContractLine, ContractLine.contract_id == c) == 2


@pytest.mark.parametrize("bad", [{"pump": "11"}, {"pump": "-1"}, {"pump": "abc"}, {"pump": "0"}, {},
                                 {"pump": "1e400"}, {"pump": "0.0001"}])
def test_an_order_beyond_what_is_left_is_refused_and_nothing_is_written(app, apis, goods, bad):
    q = accepted_quotation(app, apis, goods, lines=(("pump", "10"),))
    c = apis("sales1").post(f"/api/v1/documents/quotation/{q}/contract").json["id"]
    signed(apis, c)
    body = {"quantities": {str(goods[k]): v for k, v in bad.items()}}
    resp = apis("sales1").post(f"/api/v1/documents/contract/{c}/order", json=body)
    assert resp.status_code == 422, resp.get_data(as_text=True)
    assert count(app, SalesOrder, SalesOrder.contract_id == c) == 0


def test_conversions_respect_scope_and_rights(app, apis, goods):
    q = accepted_quotation(app, apis, goods)
    for user, status in (("sales2", 404), ("supervisor2", 404), ("hr1", 404), ("finance1", 403)):
        resp = apis(user).post(f"/api/v1/documents/quotation/{q}/contract")
        assert resp.status_code == status, (user, resp.status_code)
    assert count(app, Contract, Contract.quotation_id == q) == 0
    assert apis("sales1").post(f"/api/v1/documents/quotation/{q}/contract").status_code == 201
    assert apis("sales2").post("/api/v1/documents/quotation/999999999/contract").status_code == 404


def test_a_draft_quotation_does_not_become_a_contract(app, apis, goods):
    with app.app_context():
        q = make(Quotation, employee("sales1"), customer_id=goods["customer"]).id
    resp = apis("sales1").post(f"/api/v1/documents/quotation/{q}/contract")
    assert resp.status_code == 409 and resp.json["message"]
    assert count(app, Contract, Contract.quotation_id == q) == 0


def test_the_pages_make_the_contract_and_a_part_order(app, apis, browsers, goods):
    q = accepted_quotation(app, apis, goods)
    sales = browsers("sales1")
    page = sales.get(f"/quotationview/show/{q}").get_data(as_text=True)
    assert 'id="make-contract"' in page
    assert 'id="make-contract"' not in browsers("finance1").get(f"/quotationview/show/{q}").get_data(as_text=True)
    form = sales.get(f"/documents/quotation/{q}/contract")
    assert form.status_code == 200 and "1,501.00" in form.get_data(as_text=True)
    resp = sales.post(f"/documents/quotation/{q}/contract")
    assert resp.status_code == 302
    c = int(re.search(r"/contractview/show/(\d+)", resp.headers["Location"]).group(1))
    html = sales.get(f"/contractview/show/{c}").get_data(as_text=True)
    assert 'id="document-chain"' in html and f"/quotationview/show/{q}" in html
    assert 'id="make-order"' not in html
    signed(apis, c)
    html = sales.get(f"/contractview/show/{c}").get_data(as_text=True)
    assert 'id="make-order"' in html and 'id="contract-remaining"' in html
    form = sales.get(f"/documents/contract/{c}/order").get_data(as_text=True)
    assert f'name="qty-{goods["pump"]}"' in form
    # Too many pumps: the form again, with the field's error, and nothing written.
    bad = sales.post(f"/documents/contract/{c}/order", data={f"qty-{goods['pump']}": "50",
                                                            f"qty-{goods['valve']}": "2"})
    assert bad.status_code == 422 and count(app, SalesOrder, SalesOrder.contract_id == c) == 0
    assert 'value="50"' in bad.get_data(as_text=True)  # the input is kept
    resp = sales.post(f"/documents/contract/{c}/order", data={f"qty-{goods['pump']}": "3",
                                                             f"qty-{goods['valve']}": ""})
    assert resp.status_code == 302
    o = int(re.search(r"/salesorderview/show/(\d+)", resp.headers["Location"]).group(1))
    assert lines_of(app, OrderLine, OrderLine.order_id, o) == [(goods["pump"], Decimal("3"), Decimal("100.00"))]
    html = sales.get(f"/contractview/show/{c}").get_data(as_text=True)
    left = dict(re.findall(r'data-product="(\d+)">.*?class="text-right left">([^<]*)<', html, re.S))
    assert left[str(goods["pump"])].strip() in ("7", "7.000") and left[str(goods["valve"])].strip() in ("2", "2.000")
    order_page = sales.get(f"/salesorderview/show/{o}").get_data(as_text=True)
    assert f"/contractview/show/{c}" in order_page and f"/quotationview/show/{q}" in order_page


def test_another_salesperson_cannot_open_the_conversion_pages(app, apis, browsers, goods):
    q = accepted_quotation(app, apis, goods)
    other = browsers("sales2")
    assert other.get(f"/documents/quotation/{q}/contract").status_code == 404
    assert other.post(f"/documents/quotation/{q}/contract").status_code == 404
    assert count(app, Contract, Contract.quotation_id == q) == 0


# --- found by a red-team pass: rows moved between documents, contracts of other customers ----------


def contract_lines(app, c):
    with app.app_context():
        return db.session.scalars(select(ContractLine.id).where(ContractLine.contract_id == c)).all()


def test_a_signed_contracts_lines_stay_on_it(app, apis, goods):
    q1, q2 = accepted_quotation(app, apis, goods), accepted_quotation(app, apis, goods)
    signed_c = apis("sales1").post(f"/api/v1/documents/quotation/{q1}/contract").json["id"]
    draft = apis("sales1").post(f"/api/v1/documents/quotation/{q2}/contract").json["id"]
    signed(apis, signed_c)
    line = contract_lines(app, signed_c)[0]
    resp = apis("sales1").put(f"/api/v1/contractline/{line}", json={"contract": draft})
    assert resp.status_code == 422 and set(resp.json["message"]) == {"contract"}
    assert line in contract_lines(app, signed_c)
    with app.app_context():
        from app.models import PaymentInstalment
        inst = db.session.scalar(select(PaymentInstalment.id).where(PaymentInstalment.contract_id == signed_c))
    resp = apis("sales1").put(f"/api/v1/paymentinstalment/{inst}", json={"contract": draft})
    assert resp.status_code == 422
    with app.app_context():
        assert db.session.get(PaymentInstalment, inst).contract_id == signed_c
    # A sent quotation's line does not move to a draft either.
    with app.app_context():
        draft_q = make(Quotation, employee("sales1"), customer_id=goods["customer"]).id
        qline = db.session.scalar(select(QuotationLine.id).where(QuotationLine.quotation_id == q1))
    assert apis("sales1").put(f"/api/v1/quotationline/{qline}", json={"quotation": draft_q}).status_code == 422


def test_an_order_keeps_its_contract_and_its_customer(app, apis, goods):
    big_q = accepted_quotation(app, apis, goods, lines=(("pump", "10"),))
    small_q = accepted_quotation(app, apis, goods, lines=(("pump", "1"),))
    big = apis("sales1").post(f"/api/v1/documents/quotation/{big_q}/contract").json["id"]
    small = apis("sales1").post(f"/api/v1/documents/quotation/{small_q}/contract").json["id"]
    signed(apis, big)
    signed(apis, small)
    o = apis("sales1").post(f"/api/v1/documents/contract/{big}/order").json["id"]
    resp = apis("sales1").put(f"/api/v1/salesorder/{o}", json={"contract": small})
    assert resp.status_code == 422 and set(resp.json["message"]) == {"contract"}
    with app.app_context():
        assert db.session.get(SalesOrder, o).contract_id == big
        other = make(Customer, employee("sales1")).id
    resp = apis("sales1").post("/api/v1/salesorder/", json={
        "customer": other, "contract": big, "order_date": TODAY.isoformat()})
    assert resp.status_code == 422 and set(resp.json["message"]) == {"contract"}
    assert count(app, SalesOrder, SalesOrder.contract_id == big) == 1


@pytest.mark.parametrize("qty", ["1e999999999999999999", "1e-999999999999999999", "١٠", "1_0", "1e1"])
def test_odd_numbers_are_refused_not_a_500(app, apis, goods, qty):
    q = accepted_quotation(app, apis, goods, lines=(("pump", "20"),))
    c = apis("sales1").post(f"/api/v1/documents/quotation/{q}/contract").json["id"]
    signed(apis, c)
    resp = apis("sales1").post(f"/api/v1/documents/contract/{c}/order", json={"quantities": {str(goods["pump"]): qty}})
    assert resp.status_code == 422, resp.get_data(as_text=True)
    line = apis("sales1").post("/api/v1/contractline/", json={"contract": c, "product": goods["pump"], "qty": qty})
    assert 400 <= line.status_code < 500
    assert count(app, SalesOrder, SalesOrder.contract_id == c) == 0


def test_products_not_on_the_contract_are_refused_in_the_quantities(app, apis, goods):
    q = accepted_quotation(app, apis, goods, lines=(("pump", "2"),))
    c = apis("sales1").post(f"/api/v1/documents/quotation/{q}/contract").json["id"]
    signed(apis, c)
    resp = apis("sales1").post(f"/api/v1/documents/contract/{c}/order",
                               json={"quantities": {str(goods["pump"]): "1", str(goods["valve"]): "1"}})
    assert resp.status_code == 422 and count(app, SalesOrder, SalesOrder.contract_id == c) == 0
