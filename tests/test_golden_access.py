"""Golden access cells: what the regulation insists on, written by hand, not read from the matrix.

``test_access_matrix.py`` checks that the portal does what ``app/security/matrix.py`` says; this file
checks that what it does is what the regulation (``regulation.en.md``) and the domain notes demand,
so a wrong cell in the matrix is caught too. Each test cites its clause. Reads and writes are
asserted through the REST API; the approve verb has no endpoint yet, so it is asserted through the
security manager and the row scope the portal resolves for the user (what an approval action will
call), plus the status field that an approval would set.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import (
    Contract,
    Customer,
    LeaveRequest,
    Payment,
    Receivable,
    SalesOrder,
)
from tests.conftest import employee, factory_today
from tests.factories import count, fresh, make

DAY = factory_today()  # receivables due on it are open, not yet overdue


@pytest.fixture(scope="module")
def rows(app):
    out = {}
    with app.app_context():
        for user in ("sales1", "sales2", "sales3"):
            emp = employee(user)
            cust = make(Customer, emp)
            rec = make(Receivable, emp, customer_id=cust.id, amount=Decimal("1000"), issued_on=DAY,
                       due_date=DAY)
            out[user] = {
                "customer": cust.id,
                "order": make(SalesOrder, emp, customer_id=cust.id, order_date=DAY).id,
                "receivable": rec.id,
                "payment": make(Payment, emp, receivable_id=rec.id, paid_on=DAY,
                                amount=Decimal("10")).id,
                "contract": make(Contract, emp, customer_id=cust.id, amount=Decimal("5000")).id,
                "leave": make(LeaveRequest, emp, start_date=DAY, end_date=DAY).id,
            }
    return out


def approval(app, username, entity, model=None, pk=None):
    """(has can_approve on the entity, approve scope, may approve the given row)."""
    from flask import g
    from flask_login import login_user

    from app.models import User
    from app.security.scope import current_actor, in_scope

    with app.test_request_context():
        user = db.session.query(User).filter_by(username=username).one()
        login_user(user)
        g.user = user
        allowed = app.appbuilder.sm.has_access("can_approve", entity)
        scope = current_actor().scope(entity, "approve")
        row_ok = in_scope(db.session.get(model, pk), "approve") if model is not None else None
        return allowed, scope, row_ok


# --- 4.2.1 and the issue: HR does not touch customers, orders or payments -------------------------


@pytest.mark.parametrize("resource", ["customer", "salesorder", "payment"])
def test_hr_cannot_read_customers_orders_payments(apis, rows, resource):
    # 4.2.1 customer information is a business secret; HR has no business reason to read it.
    key = {"customer": "customer", "salesorder": "order", "payment": "payment"}[resource]
    client = apis("hr1")
    assert client.get(f"/api/v1/{resource}/").status_code == 403
    assert client.get(f"/api/v1/{resource}/{rows['sales1'][key]}").status_code == 403


def test_hr_cannot_write_customers(app, apis, rows):
    # 4.2.1: nor change them.
    pk = rows["sales1"]["customer"]
    before = fresh(app, Customer, pk, "name", "updated_at")
    client = apis("hr1")
    assert client.put(f"/api/v1/customer/{pk}", json={"name": "人事改"}).status_code == 403
    n = count(app, Customer)
    resp = client.post("/api/v1/customer/", json={"code": "HR-X", "name": "人事建"})
    assert resp.status_code == 403
    assert count(app, Customer) == n
    assert fresh(app, Customer, pk, "name", "updated_at") == before


# --- 2.5, 3.3: finance owns collection; customers belong to their salesperson ---------------------


def test_finance_writes_payments_of_any_team(app, apis, rows):
    # 2.5.1 payments are settled and recorded by finance, for every salesperson's customers.
    pk = rows["sales2"]["payment"]
    resp = apis("finance1").put(f"/api/v1/payment/{pk}", json={"amount": "25.00"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert fresh(app, Payment, pk, "amount") == {"amount": Decimal("25.00")}


def test_finance_writes_receivables(app, apis, rows):
    # 2.5.1, 3.3.3: finance maintains receivables across teams (the status follows payments and
    # the collection steps, never typed in).
    pk = rows["sales3"]["receivable"]
    resp = apis("finance1").put(f"/api/v1/receivable/{pk}", json={"amount": "123456.00"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert fresh(app, Receivable, pk, "amount")["amount"] == Decimal("123456.00")
    resp = apis("finance1").put(f"/api/v1/receivable/{pk}", json={"status": "paid"})
    assert resp.status_code in (400, 422)
    assert fresh(app, Receivable, pk, "status")["status"].name != "paid"


def test_finance_reads_but_cannot_write_customers(app, apis, rows):
    # 2.5.1 finance must see whom it collects from; 2.2.1 / 4.2.1 the customer record is the
    # salesperson's: finance does not edit it.
    pk = rows["sales2"]["customer"]
    client = apis("finance1")
    assert client.get(f"/api/v1/customer/{pk}").status_code == 200
    before = fresh(app, Customer, pk, "name", "credit_limit", "updated_at")
    resp = client.put(f"/api/v1/customer/{pk}", json={"credit_limit": "999999"})
    assert resp.status_code == 403
    assert fresh(app, Customer, pk, "name", "credit_limit", "updated_at") == before


def test_salesperson_cannot_write_payments_or_receivables(app, apis, rows):
    # 2.5.1 / 3.3: a salesperson chases payment (dunning) but does not book it; otherwise they could
    # mark their own receivables as paid.
    client = apis("sales1")
    own = rows["sales1"]
    n_pay, n_rec = count(app, Payment), count(app, Receivable)
    resp = client.post("/api/v1/payment/", json={"receivable": own["receivable"], "paid_on": DAY.isoformat(),
                                                "amount": "990", "method": "cash"})
    assert resp.status_code == 403
    resp = client.put(f"/api/v1/payment/{own['payment']}", json={"amount": "990"})
    assert resp.status_code == 403
    resp = client.put(f"/api/v1/receivable/{own['receivable']}", json={"status": "paid"})
    assert resp.status_code == 403
    resp = client.post("/api/v1/receivable/", json={"number": "S1-R", "customer": own["customer"],
                                                   "amount": "1", "issued_on": DAY.isoformat(),
                                                   "due_date": DAY.isoformat(), "status": "open"})
    assert resp.status_code == 403
    assert (count(app, Payment), count(app, Receivable)) == (n_pay, n_rec)
    assert fresh(app, Payment, own["payment"], "amount") == {"amount": Decimal("10.00")}
    assert fresh(app, Receivable, own["receivable"], "status")["status"].name == "open"
    # but reading their own is allowed (2.5.2 they chase what is overdue)
    assert client.get(f"/api/v1/receivable/{own['receivable']}").status_code == 200


# --- 4.2.1: one salesperson's customers are not another's ----------------------------------------


@pytest.mark.parametrize("other", ["sales2", "sales3"])
def test_salesperson_cannot_read_another_salespersons_customer(apis, rows, other):
    # 4.2.1 even a teammate (sales3) does not see sales1's customers; only the supervisor does.
    client = apis("sales1")
    assert client.get(f"/api/v1/customer/{rows[other]['customer']}").status_code == 404
    assert client.get(f"/api/v1/salesorder/{rows[other]['order']}").status_code == 404
    assert client.get(f"/api/v1/customer/{rows['sales1']['customer']}").status_code == 200


# --- 3.1.7: contract approval --------------------------------------------------------------------


def test_supervisor_approves_own_teams_contracts_only(app, rows):
    # 3.1.7 contracts are signed after the approval process; the team's supervisor approves first.
    allowed, scope, row_ok = approval(app, "supervisor1", "Contract", Contract, rows["sales1"]["contract"])
    assert allowed and scope == "team" and row_ok
    assert approval(app, "supervisor1", "Contract", Contract, rows["sales2"]["contract"])[2] is False


def test_finance_approves_contracts_of_every_team(app, apis, rows):
    # 3.1.7 with domain.md: above the threshold finance approves after the supervisor, for all teams;
    # finance does not draft or edit contracts (2.3.2 is the salesperson's duty).
    allowed, scope, row_ok = approval(app, "finance1", "Contract", Contract, rows["sales2"]["contract"])
    assert allowed and scope == "all" and row_ok
    pk = rows["sales2"]["contract"]
    before = fresh(app, Contract, pk, "amount", "status", "updated_at")
    assert apis("finance1").put(f"/api/v1/contract/{pk}", json={"amount": "1"}).status_code == 403
    assert fresh(app, Contract, pk, "amount", "status", "updated_at") == before


def test_salesperson_cannot_approve_contracts(app, apis, rows):
    # 3.1.7, domain.md "nobody approves their own contract": no approve right, and the status an
    # approval sets cannot be written directly on one's own contract either.
    allowed, scope, _ = approval(app, "sales1", "Contract")
    assert not allowed and scope is None
    pk = rows["sales1"]["contract"]
    before = fresh(app, Contract, pk, "status", "updated_at")
    resp = apis("sales1").put(f"/api/v1/contract/{pk}", json={"status": "approved"})
    assert 400 <= resp.status_code < 500
    assert fresh(app, Contract, pk, "status", "updated_at") == before


# --- 4.1.2: leave -------------------------------------------------------------------------------


def test_salesperson_applies_for_own_leave(app, apis):
    # 4.1.2 apply in advance: every salesperson files their own request.
    with app.app_context():
        me = employee("sales1").id
    n = count(app, LeaveRequest)
    body = {"employee": me, "leave_type": "personal", "start_date": (DAY + timedelta(days=30)).isoformat(),
            "end_date": (DAY + timedelta(days=30)).isoformat(), "days": 1, "reason": "办事"}
    resp = apis("sales1").post("/api/v1/leaverequest/", json=body)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert count(app, LeaveRequest) == n + 1
    assert fresh(app, LeaveRequest, resp.json["id"], "employee_id") == {"employee_id": me}


def test_salesperson_cannot_approve_own_leave(app, apis, rows):
    # 4.1.2 "never leave one's post without approval": the applicant cannot grant it.
    allowed, scope, _ = approval(app, "sales1", "LeaveRequest")
    assert not allowed and scope is None
    pk = rows["sales1"]["leave"]
    before = fresh(app, LeaveRequest, pk, "status", "updated_at")
    resp = apis("sales1").put(f"/api/v1/leaverequest/{pk}", json={"status": "approved"})
    assert 400 <= resp.status_code < 500
    assert fresh(app, LeaveRequest, pk, "status", "updated_at") == before


def test_hr_owns_leave_approval_for_everyone(app, apis, rows):
    # 4.1.2 with domain.md "HR sees all": HR reads and decides every leave request, any team.
    pk = rows["sales2"]["leave"]
    allowed, scope, row_ok = approval(app, "hr1", "LeaveRequest", LeaveRequest, pk)
    assert allowed and scope == "all" and row_ok
    client = apis("hr1")
    assert client.get(f"/api/v1/leaverequest/{pk}").status_code == 200
    apis("sales2").post(f"/api/v1/workflow/leaverequest/{pk}/submit", json={})
    resp = client.post(f"/api/v1/workflow/leaverequest/{pk}/approve", json={})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert fresh(app, LeaveRequest, pk, "status")["status"].name == "approved"


def test_supervisor_sees_and_approves_team_leave_only(app, apis, rows):
    # 4.1.2 with domain.md "approver is the supervisor": team A's requests, not team B's.
    client = apis("supervisor1")
    assert client.get(f"/api/v1/leaverequest/{rows['sales1']['leave']}").status_code == 200
    assert client.get(f"/api/v1/leaverequest/{rows['sales2']['leave']}").status_code == 404
    allowed, scope, row_ok = approval(app, "supervisor1", "LeaveRequest", LeaveRequest,
                                      rows["sales3"]["leave"])
    assert allowed and scope == "team" and row_ok
    assert approval(app, "supervisor1", "LeaveRequest", LeaveRequest, rows["sales2"]["leave"])[2] is False
