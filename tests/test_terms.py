"""Payment terms as data (issue 13, item 2): a contract's instalments raise its receivables at the
events they count from, in the step's transaction, and the receivables of a contract come to its
amount to the cent. The walk: quotation → contract → orders → shipment → delivery → receivables →
payments, with the amounts checked at each step.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Contract, OrderReview, PaymentInstalment, Receivable
from app.models.orders import Department, Feasibility
from tests.conftest import factory_today
from tests.factories import count
from tests.test_documents import accepted_quotation, goods, signed, wf  # noqa: F401 (goods: fixture)

TODAY = factory_today()


def receivables(app, contract_id):
    with app.app_context():
        rows = db.session.scalars(select(Receivable).where(Receivable.contract_id == contract_id)
                                  .order_by(Receivable.id)).all()
        return [(r.order_id, Decimal(r.amount), r.due_date, r.status.name, r.number) for r in rows]


def instalments(app, c):
    with app.app_context():
        return db.session.scalars(select(PaymentInstalment).where(PaymentInstalment.contract_id == c)).all()


def contract_of(app, apis, goods, lines=(("pump", "10"), ("valve", "2"))):  # noqa: F811
    q = accepted_quotation(app, apis, goods, lines=lines)
    resp = apis("sales1").post(f"/api/v1/documents/quotation/{q}/contract")
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.json["id"]


def deliver(app, apis, order_id, day):
    """An order through review (every department's sign-off), production, shipment and delivery."""
    sales = apis("sales1")
    assert sales.post(wf("salesorder", order_id, "review"), json={}).status_code == 200
    with app.app_context():
        for dept in Department:
            if dept is not Department.technical:
                db.session.add(OrderReview(order_id=order_id, department=dept, verdict=Feasibility.feasible,
                                           reviewed_on=day))
        db.session.commit()
    for step in ("schedule", "produce"):
        assert sales.post(wf("salesorder", order_id, step), json={}).status_code == 200
    ship = sales.post("/api/v1/shipment/", json={"order": order_id, "carrier": "顺丰", "shipped_on": day.isoformat()})
    assert ship.status_code == 201, ship.get_data(as_text=True)
    assert sales.post(wf("salesorder", order_id, "ship"), json={}).status_code == 200
    resp = sales.post(wf("salesorder", order_id, "deliver"), json={"delivered_date": day.isoformat()})
    assert resp.status_code == 200, resp.get_data(as_text=True)


def test_a_contract_made_from_a_quotation_takes_the_customers_terms(app, apis, goods):  # noqa: F811
    c = contract_of(app, apis, goods)
    (only,) = instalments(app, c)
    with app.app_context():
        days = db.session.get(Contract, c).customer.payment_terms_days
    assert (only.share, only.amount, only.basis.name, only.days) == (Decimal("100.00"), None, "delivery", days)


def test_quotation_to_payments_with_instalments(app, apis, browsers, goods):  # noqa: F811
    c = contract_of(app, apis, goods)  # 10 × 100.00 + 2 × 250.50 = 1,501.00
    sales = apis("sales1")
    (default,) = instalments(app, c)
    assert sales.delete(f"/api/v1/paymentinstalment/{default.id}").status_code == 200
    # 30 % when signed; 70 % thirty days after each delivery, entered on the page.
    assert sales.post("/api/v1/paymentinstalment/", json={
        "contract": c, "share": "30", "basis": "signing", "days": 0}).status_code == 201
    page = browsers("sales1").post("/paymentinstalmentview/add", data={
        "contract": c, "share": "70", "amount": "", "basis": "delivery", "days": "30",
        "method": "bank_transfer", "note": ""})
    assert page.status_code == 302, page.get_data(as_text=True)
    signed(apis, c)
    # Signing raised the first receivable, in the step's transaction.
    (first,) = receivables(app, c)
    assert first[:4] == (None, Decimal("450.30"), TODAY, "open") and first[4].startswith("AR")
    # Order 4 pumps, then the rest; deliver both.
    o1 = sales.post(f"/api/v1/documents/contract/{c}/order",
                    json={"quantities": {str(goods["pump"]): "4"}}).json["id"]
    o2 = sales.post(f"/api/v1/documents/contract/{c}/order").json["id"]
    deliver(app, apis, o1, TODAY)
    rows = receivables(app, c)
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [(o1, Decimal("280.00"), TODAY + timedelta(days=30))]
    later = TODAY + timedelta(days=3)
    deliver(app, apis, o2, later)
    rows = receivables(app, c)
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        (o1, Decimal("280.00"), TODAY + timedelta(days=30)), (o2, Decimal("770.70"), later + timedelta(days=30))]
    assert sum(r[1] for r in rows) == Decimal("1501.00")  # the contract's amount, to the cent
    # Finance books the payments; each receivable is paid.
    with app.app_context():
        ids = db.session.scalars(select(Receivable.id).where(Receivable.contract_id == c)).all()
    for pk, (_o, amount, *_rest) in zip(ids, rows, strict=True):
        resp = apis("finance1").post("/api/v1/payment/", json={
            "receivable": pk, "paid_on": TODAY.isoformat(), "amount": str(amount), "method": "bank_transfer"})
        assert resp.status_code == 201, resp.get_data(as_text=True)
    assert {r[3] for r in receivables(app, c)} == {"paid"}


def test_shares_that_do_not_add_up_stop_the_submission(app, apis, goods):  # noqa: F811
    c = contract_of(app, apis, goods)
    sales = apis("sales1")
    (default,) = instalments(app, c)
    assert sales.put(f"/api/v1/paymentinstalment/{default.id}", json={"share": "60"}).status_code == 200
    resp = sales.post(wf("contract", c, "submit"), json={})
    assert resp.status_code == 409 and resp.json["message"]
    with app.app_context():
        assert db.session.get(Contract, c).status.name == "draft"
    # An amount making up the rest: 40 % of 1,501.00 is 600.40.
    assert sales.post("/api/v1/paymentinstalment/", json={
        "contract": c, "amount": "600.40", "basis": "shipment", "days": 10}).status_code == 201
    assert sales.post(wf("contract", c, "submit"), json={}).status_code == 200


@pytest.mark.parametrize(("body", "field"), [
    ({"share": "101"}, "share"),
    ({"share": "0"}, "share"),
    ({"share": "-5"}, "share"),
    ({"share": "1"}, "share"),  # 100 % is taken already: more than the contract
    ({"amount": "0.01"}, "amount"),
    ({"share": "10", "amount": "10"}, "share"),
    ({}, "share"),
    ({"share": "10", "days": -1}, "days"),
    ({"share": "10", "basis": "whenever"}, "basis"),
])
def test_instalments_beyond_the_contract_are_refused(app, apis, goods, body, field):  # noqa: F811
    c = contract_of(app, apis, goods)
    before = count(app, PaymentInstalment, PaymentInstalment.contract_id == c)
    resp = apis("sales1").post("/api/v1/paymentinstalment/", json={"contract": c, "basis": "delivery", **body})
    assert resp.status_code == 422, resp.get_data(as_text=True)
    assert field in resp.json["message"], resp.json
    assert count(app, PaymentInstalment, PaymentInstalment.contract_id == c) == before


def test_a_signed_contracts_terms_do_not_change(app, apis, goods):  # noqa: F811
    c = contract_of(app, apis, goods)
    signed(apis, c)
    (inst,) = instalments(app, c)
    resp = apis("sales1").put(f"/api/v1/paymentinstalment/{inst.id}", json={"days": 5})
    assert resp.status_code in (409, 422)
    assert instalments(app, c)[0].days == inst.days


def test_receivables_are_raised_once_per_event(app, apis, goods):  # noqa: F811
    """A contract whose 100 % is due at signing: one receivable, whatever happens next."""
    c = contract_of(app, apis, goods, lines=(("pump", "1"),))
    (inst,) = instalments(app, c)
    assert apis("sales1").put(f"/api/v1/paymentinstalment/{inst.id}",
                              json={"basis": "signing", "days": 15}).status_code == 200
    signed(apis, c)
    o = apis("sales1").post(f"/api/v1/documents/contract/{c}/order").json["id"]
    deliver(app, apis, o, TODAY)
    rows = receivables(app, c)
    assert [(r[0], r[1], r[2]) for r in rows] == [(None, Decimal("100.00"), TODAY + timedelta(days=15))]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Receivable).where(
            Receivable.instalment_id == inst.id)) == 1
