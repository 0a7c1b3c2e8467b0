"""Rules spanning rows hold when requests arrive at the same time (issue 8, item 3).

Each race starts the portal on loopback on the test database (``tests.live.serve``), releases its
requests together from threads (a barrier), repeats for ``ROUNDS`` rounds on fresh rows, and
checks both sides: the losers are refused with 409 or 422 (never 500), and the data obeys the rule
afterwards (nothing lost, nothing counted twice).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
import requests
from sqlalchemy import func, select

from app.clock import today as clock_today
from app.extensions import db
from app.jobs import run_daily
from app.models import (
    ChangeLog,
    Customer,
    LeaveRequest,
    OrderLine,
    OrderReview,
    Payment,
    Product,
    Quotation,
    Receivable,
    SalesOrder,
    SettlementNotice,
    Visit,
)
from app.models.orders import Department, Feasibility, OrderStatus
from app.services.collection import derive_status
from tests.conftest import employee, factory_today
from tests.factories import count, make
from tests.live import ROOT, SECRET, gunicorn, serve

# Racing requests on live servers and several connections: each sees only committed rows.
pytestmark = pytest.mark.commits

ROUNDS = 4
TODAY = factory_today()
REFUSED = (409, 422)


@pytest.fixture(scope="module")
def live(app):
    with serve(app) as base:
        yield base


def fire(calls):
    """Run each call in its own thread, all released at once; their results (or exceptions)."""
    barrier = threading.Barrier(len(calls))
    out = [None] * len(calls)

    def run(i):
        barrier.wait()
        try:
            out[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - reported by the test as a failure
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return out


def poster(base, headers, path, body, method="post", extra=None):
    def call():
        resp = requests.request(method, base + path, json=body, headers={**headers, **(extra or {})},
                                timeout=60)
        return resp.status_code, resp.json() if resp.headers.get("content-type", "").startswith(
            "application/json") else resp.text
    return call


def statuses(results):
    for r in results:
        assert not isinstance(r, Exception), r
    return [r[0] for r in results]


def receivable(app, owner="sales1", amount="1000.00", due=None):
    with app.app_context():
        return make(Receivable, employee(owner), amount=Decimal(amount),
                    issued_on=TODAY - timedelta(days=10), due_date=due or TODAY + timedelta(days=20)).id


def paid_and_status(app, pk):
    with app.app_context():
        db.session.expire_all()
        rec = db.session.get(Receivable, pk)
        paid = db.session.scalar(select(func.coalesce(func.sum(Payment.amount), 0))
                                 .where(Payment.receivable_id == pk))
        return Decimal(paid), rec.amount, rec.status.name, rec.due_date


# --- payments ----------------------------------------------------------------------------------


def test_simultaneous_payments_never_exceed_the_outstanding_amount(app, apis, live):
    """Six payments of 300 against 1,000 at once: exactly three are booked, the others refused."""
    fin = apis("finance1").headers
    for _ in range(ROUNDS):
        pk = receivable(app)
        body = {"receivable": pk, "paid_on": TODAY.isoformat(), "amount": "300.00"}
        got = statuses(fire([poster(live, fin, "/api/v1/payment/", body) for _ in range(6)]))
        assert set(got) <= {201, *REFUSED}, got
        assert got.count(201) == 3, got
        paid, amount, status, due = paid_and_status(app, pk)
        assert paid == Decimal("900.00") <= amount
        assert count(app, Payment, Payment.receivable_id == pk) == 3
        assert status == derive_status(amount, paid, due, TODAY, "open") == "partially_paid"


def test_simultaneous_payments_across_gunicorn_workers(app, apis):
    """The same race against the portal as production runs it: two gunicorn worker processes
    with four threads each, so the lock must hold across processes (SQLite: the database file)."""
    fin = apis("finance1").headers
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], workers=2, threads=4) as base:
        for _ in range(2):
            pk = receivable(app, amount="1000.00")
            body = {"receivable": pk, "paid_on": TODAY.isoformat(), "amount": "250.00"}
            got = statuses(fire([poster(base, fin, "/api/v1/payment/", body) for _ in range(8)]))
            assert got.count(201) == 4 and set(got) <= {201, *REFUSED}, got
            paid, amount, status, due = paid_and_status(app, pk)
            assert paid == amount and status == "paid"


def test_payment_racing_a_status_change_is_refused_cleanly(app, apis, live):
    """A payment and a write-off request on one receivable at once: both succeed in some order,
    or the payment is refused because the receivable awaits write-off; never a 500."""
    fin, admin = apis("finance1").headers, apis("admin").headers
    for _ in range(ROUNDS):
        pk = receivable(app, owner="sales3")
        pay = poster(live, fin, "/api/v1/payment/",
                     {"receivable": pk, "paid_on": TODAY.isoformat(), "amount": "400.00"})
        step = poster(live, admin, f"/api/v1/workflow/receivable/{pk}/request_write_off",
                      {"comment": "客户破产"})
        pay_status, step_status = statuses(fire([pay, step]))
        assert pay_status in (201, *REFUSED) and step_status in (200, 409), (pay_status, step_status)
        paid, amount, status, due = paid_and_status(app, pk)
        assert paid == (Decimal("400.00") if pay_status == 201 else 0)
        if step_status == 200:
            assert status == "write_off_pending"
        else:
            assert status == derive_status(amount, paid, due, TODAY, "open")


# --- leave ---------------------------------------------------------------------------------------


def test_simultaneous_overlapping_leave_requests_store_exactly_one(app, apis, live):
    me = apis("sales3").headers
    with app.app_context():
        emp = employee("sales3").id
    for r in range(ROUNDS):
        start = date(2096, 1, 5) + timedelta(days=40 * r)
        calls = [poster(live, me, "/api/v1/leaverequest/", {
            "employee": emp, "leave_type": "annual", "start_date": (start + timedelta(days=i)).isoformat(),
            "end_date": (start + timedelta(days=i + 5)).isoformat(), "days": "3", "reason": "探亲"})
            for i in range(4)]
        got = statuses(fire(calls))
        assert got.count(201) == 1 and set(got) <= {201, *REFUSED}, got
        assert count(app, LeaveRequest, LeaveRequest.employee_id == emp,
                     LeaveRequest.start_date >= start,
                     LeaveRequest.start_date <= start + timedelta(days=10)) == 1


# --- the daily job -------------------------------------------------------------------------------


def _job_rows(app, day):
    """Four receivables due within the notice period of ``day`` and two already overdue."""
    with app.app_context():
        owner = employee("sales2")
        cust = make(Customer, owner)
        due = [make(Receivable, owner, customer=cust, amount=Decimal("500.00"),
                    issued_on=day - timedelta(days=20), due_date=day + timedelta(days=1 + i)).id
               for i in range(4)]
        late = [make(Receivable, owner, customer=cust, amount=Decimal("500.00"),
                     issued_on=day - timedelta(days=40), due_date=day - timedelta(days=3 + i)).id
                for i in range(2)]
        return due, late


def _notices(app, ids):
    with app.app_context():
        rows = db.session.execute(
            select(SettlementNotice.receivable_id, SettlementNotice.due_date, Receivable.due_date)
            .join(Receivable, Receivable.id == SettlementNotice.receivable_id)
            .where(SettlementNotice.receivable_id.in_(ids))).all()
        return rows


def _run_job(app, day):
    def call():
        with app.app_context():
            try:
                return run_daily(day)
            finally:
                db.session.remove()
    return call


def test_two_daily_jobs_at_once_write_each_notice_once(app):
    for r in range(ROUNDS):
        day = date(2034, 1, 10) + timedelta(days=60 * r)
        due, late = _job_rows(app, day)
        results = fire([_run_job(app, day), _run_job(app, day)])
        for res in results:
            assert isinstance(res, dict), res
        assert sum(res["notices"] for res in results) >= len(due)
        rows = _notices(app, due + late)
        assert sorted(rid for rid, _d, _r in rows) == sorted(due)  # one per receivable, none late
        assert all(notice_due == rec_due for _rid, notice_due, rec_due in rows)
        with app.app_context():
            assert {db.session.get(Receivable, pk).status.name for pk in late} == {"overdue"}
        again = _run_job(app, day)()
        assert again["notices"] == 0 and again["overdue"] == 0
        assert len(_notices(app, due)) == len(due)


def test_two_daily_job_commands_at_once(app):
    """The real command, twice in two processes: both exit cleanly, each notice is written once."""
    day = date(2036, 3, 10)
    due, _late = _job_rows(app, day)
    env = {"APP_ENV": "testing", "SECRET_KEY": SECRET,
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}
    import os

    cmd = [sys.executable, "-m", "flask", "--app", "run:app", "jobs", "daily", "--date", day.isoformat()]
    procs = [subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert len(_notices(app, due)) == len(due)


def test_a_notice_for_the_same_due_date_is_refused_by_the_database(app):
    """Idempotent by constraint, not only by the job's check: a second notice for one receivable
    and due date cannot be stored, whoever writes it."""
    from sqlalchemy.exc import IntegrityError

    day = date(2037, 5, 1)
    due, _late = _job_rows(app, day)
    _run_job(app, day)()
    with app.app_context():
        rec = db.session.get(Receivable, due[0])
        db.session.add(SettlementNotice(receivable=rec, sent_on=day, due_date=rec.due_date))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
    assert len(_notices(app, [due[0]])) == 1


# --- unique values -------------------------------------------------------------------------------


def test_two_simultaneous_posts_of_one_customer_code(app, apis, live):
    me = apis("sales1").headers
    with app.app_context():
        owner = employee("sales1").id
    for r in range(ROUNDS):
        code = f"RACE-{r}-{TODAY:%m%d}"
        body = {"code": code, "name": "同时客户", "owner": owner, "credit_limit": "100.00",
                "payment_terms_days": 30}
        results = fire([poster(live, me, "/api/v1/customer/", body) for _ in range(3)])
        got = statuses(results)
        assert got.count(201) == 1 and set(got) <= {201, *REFUSED}, got
        for status, payload in results:
            if status != 201:
                assert "message" in payload and "IntegrityError" not in str(payload)
        assert count(app, Customer, Customer.code == code) == 1


def _numbers_of_new_quotations(base, headers, customer, n):
    day = TODAY.isoformat()
    body = {"customer": customer, "issued_on": day, "valid_until": day}
    results = fire([poster(base, headers, "/api/v1/quotation/", body) for _ in range(n)])
    assert statuses(results) == [201] * n, results
    return [r[1]["result"]["number"] for r in results]


def _consecutive(numbers, prefix):
    assert all(n.startswith(prefix) for n in numbers), numbers
    counters = sorted(int(n.removeprefix(prefix)) for n in numbers)
    assert counters == list(range(counters[0], counters[0] + len(numbers))), counters


def test_fifty_simultaneous_quotations_take_fifty_consecutive_numbers(app, apis):
    """Issue 13: fifty quotations posted at once through two gunicorn workers (four threads
    each) get fifty distinct, consecutive numbers of the year's sequence: none twice, none
    skipped."""
    with app.app_context():
        customer = make(Customer, employee("sales1")).id
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], workers=2, threads=4) as base:
        numbers = _numbers_of_new_quotations(base, apis("sales1").headers, customer, 50)
    _consecutive(numbers, f"QT{clock_today().year}-")
    assert count(app, Quotation, Quotation.number.in_(numbers)) == 50


# --- orders and workflow steps -------------------------------------------------------------------


def _order_ready_to_schedule(app):
    with app.app_context():
        owner = employee("sales1")
        order = make(SalesOrder, owner, status=OrderStatus.under_review, order_date=TODAY)
        for dept in Department:
            db.session.add(OrderReview(order=order, department=dept, verdict=Feasibility.feasible,
                                        reviewed_on=TODAY))
        product = make(Product, owner, commit=False)
        db.session.commit()
        return order.id, product.id


def test_an_order_line_racing_the_schedule_step(app, apis, live):
    """A line added while the order is being scheduled: either the line came first (both
    succeed, the line's history before the step's) or it is refused; never a line after."""
    sales, sup = apis("sales1").headers, apis("supervisor1").headers
    for _ in range(ROUNDS):
        order_id, product_id = _order_ready_to_schedule(app)
        line = poster(live, sales, "/api/v1/orderline/",
                      {"order": order_id, "product": product_id, "qty": "2", "unit_price": "10",
                       "unit_cost": "6"})
        step = poster(live, sup, f"/api/v1/workflow/salesorder/{order_id}/schedule", {})
        (line_status, line_body), (step_status, _body) = fire([line, step])
        assert line_status in (201, *REFUSED) and step_status in (200, 409), (line_status, step_status)
        assert count(app, OrderLine, OrderLine.order_id == order_id) == (1 if line_status == 201 else 0)
        with app.app_context():
            status = db.session.get(SalesOrder, order_id).status
            assert (status is OrderStatus.scheduled) == (step_status == 200)
            if line_status == 201 and step_status == 200:
                line_at = db.session.scalar(select(ChangeLog.id).where(
                    ChangeLog.entity == "OrderLine", ChangeLog.row_id == line_body["id"],
                    ChangeLog.action == "create"))
                step_at = db.session.scalar(select(ChangeLog.id).where(
                    ChangeLog.entity == "SalesOrder", ChangeLog.row_id == order_id,
                    ChangeLog.action == "transition"))
                assert line_at < step_at


def test_two_decisions_on_one_leave_request_at_once(app, apis, live):
    """The supervisor approves while HR rejects: exactly one decision is taken and recorded."""
    sup, hr = apis("supervisor1").headers, apis("hr1").headers
    for r in range(ROUNDS):
        start = date(2097, 2, 1) + timedelta(days=30 * r)
        with app.app_context():
            pk = make(LeaveRequest, employee("sales1"), start_date=start, end_date=start + timedelta(days=2),
                      days=Decimal(2)).id
        assert apis("sales1").post(f"/api/v1/workflow/leaverequest/{pk}/submit", json={}).status_code == 200
        approve = poster(live, sup, f"/api/v1/workflow/leaverequest/{pk}/approve", {})
        reject = poster(live, hr, f"/api/v1/workflow/leaverequest/{pk}/reject", {"comment": "人手不足"})
        got = statuses(fire([approve, reject]))
        assert sorted(got) == [200, 409], got
        with app.app_context():
            status = db.session.get(LeaveRequest, pk).status.name
            decisions = db.session.scalars(select(ChangeLog.step).where(
                ChangeLog.entity == "LeaveRequest", ChangeLog.row_id == pk,
                ChangeLog.action == "transition", ChangeLog.step != "submit")).all()
        assert status == ("approved" if got[0] == 200 else "rejected")
        assert decisions == ["approve" if got[0] == 200 else "reject"]


@pytest.mark.parametrize(("model", "field"), [(Customer, "region"), (Visit, "summary")])
def test_simultaneous_updates_of_one_row(app, apis, live, model, field):
    """Three PUTs of one row at once (no If-Match): each wins in turn or finds its version gone
    (409); never a 500, and never a new row (FAB's shared schema once loaded a transient one)."""
    me = apis("sales1").headers
    resource = model.__name__.lower()
    for r in range(ROUNDS):
        with app.app_context():
            pk = make(model, employee("sales1")).id
        before = count(app, model)
        calls = [poster(live, me, f"/api/v1/{resource}/{pk}", {field: f"改{r}{i}"}, method="put")
                 for i in range(3)]
        results = fire(calls)
        got = statuses(results)
        assert set(got) <= {200, 409} and 200 in got, results
        assert count(app, model) == before
        with app.app_context():
            value = getattr(db.session.get(model, pk), field)
        assert value in {f"改{r}{i}" for i, s in enumerate(got) if s == 200}


def test_two_administrators_saving_one_new_setting_at_once(app, login):
    """Both insert the same setting key (unique): one is saved, the other saved after it or
    refused with 409; never a 500, one row."""
    from app.models import PolicySetting
    from app.models.policy import PolicyKey

    admins = [login("admin"), login("admin")]
    url = "/settings/"
    for r in range(ROUNDS):
        forms = [{"key": "return_visit_window_days", "value": "7", "note": f"并发{r}{i}",
                  "csrf_token": a.token(url)} for i, a in enumerate(admins)]
        got = fire([lambda a=a, f=f: a.client.post(url, data=f).status_code
                    for a, f in zip(admins, forms, strict=True)])
        assert set(got) <= {302, 409} and 302 in got, got
        assert count(app, PolicySetting, PolicySetting.key == PolicyKey.return_visit_window_days) == 1
        assert admins[0].post(url, data={"key": "return_visit_window_days", "value": ""}).status_code == 302
        assert count(app, PolicySetting, PolicySetting.key == PolicyKey.return_visit_window_days) == 0
