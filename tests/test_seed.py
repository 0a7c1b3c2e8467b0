"""``flask seed demo``: a complete, valid, idempotent demo factory.

The seed runs on its own migrated SQLite database (not the shared session ``app`` fixture, whose
small fixed organisation other tests rely on: seeding would add thousands of rows and reset the
passwords of its users).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from app.appraisal import scorecards
from app.extensions import db
from app.models import (
    Attendance,
    Contract,
    Customer,
    DunningRecord,
    Employee,
    LeaveRequest,
    LegalCase,
    Payment,
    Penalty,
    Quotation,
    Receivable,
    Reward,
    SalesOrder,
    ServiceTicket,
    TrainingItem,
    User,
    Visit,
)
from app.models.appraisal import AppraisalCycle, AppraisalRating, AppraisalResult, CycleStatus
from app.models.base import Model
from app.models.conduct import AttendanceStatus, LeaveStatus
from app.models.contracts import ContractStatus
from app.models.customers import QuotationStatus, Stage
from app.models.orders import OrderStatus
from app.models.receivables import ReceivableStatus
from app.models.rewards import PenaltyKind, RewardKind
from app.models.service import Severity, TicketKind, TicketStatus
from app.models.training import Method, Topic
from app.rules import check_item
from app.validation import ValidationFailure
from tests.conftest import csrf_from, demo_app, factory_today

# The demo factory is a second app on a database of its own, seeded for real.
pytestmark = pytest.mark.commits

DEMO_PASSWORD = "Demo-pass-123"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    from app.seed import seed_demo

    app, first = demo_app(tmp_path_factory, "seed", DEMO_PASSWORD)
    with app.app_context():
        second = seed_demo(DEMO_PASSWORD)
        db.session.remove()
    return app, first, second


@pytest.fixture()
def seeded_ctx(seeded):
    app = seeded[0]
    with app.app_context():
        yield
        db.session.remove()


def _values(column) -> set:
    return set(db.session.scalars(select(column).distinct()))


def test_second_run_creates_nothing(seeded):
    _, first, second = seeded
    assert first == second
    assert first["customer"] >= 200
    assert first["product"] == 20
    assert first["team"] == 3
    assert first["sales_order"] > 200
    assert all(first[t] > 0 for t in first), [t for t, n in first.items() if n == 0]


def test_demo_logins_roles_and_teams(seeded, seeded_ctx):
    roles = {"admin": "Admin", "sales1": "Salesperson", "sales2": "Salesperson", "sales3": "Salesperson",
             "supervisor1": "Supervisor", "finance1": "Finance", "hr1": "HR"}
    emp = {}
    for username, role in roles.items():
        user = db.session.scalar(select(User).where(User.username == username))
        assert [r.name for r in user.roles] == [role]
        emp[username] = db.session.scalar(select(Employee).where(Employee.user_id == user.id))
        assert emp[username] is not None, username
    assert emp["sales1"].team_id == emp["sales3"].team_id != emp["sales2"].team_id
    assert emp["sales1"].team.supervisor_id == emp["supervisor1"].id
    assert emp["admin"].number == "E0001" and emp["admin"].team_id is None


def test_demo_password_logs_in(seeded):
    client = seeded[0].test_client()
    page = client.get("/login/")
    resp = client.post("/login/", data={"username": "sales1", "password": DEMO_PASSWORD,
                                        "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert resp.status_code == 302
    assert client.get("/customerview/list/").status_code == 200


def test_every_row_passes_the_field_rules(seeded, seeded_ctx):
    errors = []
    for mapper in Model.registry.mappers:
        cls = mapper.class_
        if not cls.__module__.startswith("app.models"):
            continue
        for obj in db.session.scalars(select(cls).options(lazyload("*"))):  # columns only
            try:
                check_item(obj)
            except ValidationFailure as exc:
                errors.append(f"{cls.__name__} {obj.id}: {exc}")
    assert not errors, errors[:10]


@pytest.mark.parametrize(("column", "enum"), [
    (Customer.stage, Stage), (Quotation.status, QuotationStatus), (Contract.status, ContractStatus),
    (SalesOrder.status, OrderStatus), (Receivable.status, ReceivableStatus),
    (ServiceTicket.kind, TicketKind), (ServiceTicket.severity, Severity),
    (ServiceTicket.status, TicketStatus), (Attendance.status, AttendanceStatus),
    (LeaveRequest.status, LeaveStatus), (TrainingItem.topic, Topic), (TrainingItem.method, Method),
    (Reward.kind, RewardKind), (Penalty.kind, PenaltyKind),
])
def test_every_state_is_shown(seeded, seeded_ctx, column, enum):
    assert _values(column) == set(enum)


def test_receivables_cover_every_aging_bucket_and_stay_consistent(seeded, seeded_ctx):
    today = factory_today()
    buckets = set()
    for rec in db.session.scalars(select(Receivable)):
        paid = sum((p.amount for p in rec.payments), Decimal(0))
        assert Decimal(0) <= paid <= rec.amount
        overdue = (today - rec.due_date).days
        if rec.status is ReceivableStatus.paid:
            assert paid == rec.amount
        elif rec.status is ReceivableStatus.write_off_pending:  # asked for, finance to decide
            assert overdue > 90 and paid < rec.amount
        elif rec.status in (ReceivableStatus.in_legal, ReceivableStatus.written_off):
            assert overdue > 90 and paid < rec.amount
            assert db.session.scalar(select(func.count()).where(LegalCase.receivable_id == rec.id)) == 1
            dunnings = select(func.count()).where(DunningRecord.receivable_id == rec.id)
            assert db.session.scalar(dunnings) >= 3
        else:
            assert paid < rec.amount
            expected = (ReceivableStatus.overdue if overdue > 0 else
                        ReceivableStatus.partially_paid if paid else ReceivableStatus.open)
            assert rec.status is expected, rec.number
            buckets.add(0 if overdue <= 0 else min((overdue - 1) // 30 + 1, 4))
    assert buckets == {0, 1, 2, 3, 4}
    assert db.session.scalar(select(func.min(Payment.amount))) > 0


def test_return_visits_due_and_late_orders(seeded, seeded_ctx):
    today = factory_today()
    due = select(func.count()).where(Visit.next_date >= today,
                                     Visit.next_date <= date.fromordinal(today.toordinal() + 14))
    assert db.session.scalar(due) > 0
    late = select(func.count()).where(
        SalesOrder.promised_date < today,
        SalesOrder.status.not_in([OrderStatus.delivered, OrderStatus.cancelled]))
    assert db.session.scalar(late) > 0


def test_nobody_rates_or_approves_themselves(seeded, seeded_ctx):
    assert not db.session.scalar(select(func.count()).where(
        AppraisalRating.evaluator_id == AppraisalRating.employee_id))
    assert not db.session.scalar(select(func.count()).where(
        LeaveRequest.approver_id == LeaveRequest.employee_id))
    for contract in db.session.scalars(select(Contract)):
        assert all(a.approver_id != contract.customer.owner_id for a in contract.approvals)


def test_missing_role_is_reported(seeded, seeded_ctx, monkeypatch):
    from flask import current_app

    from app.seed import seed_demo

    sm = current_app.appbuilder.sm
    real = sm.find_role
    monkeypatch.setattr(sm, "find_role", lambda name: None if name == "HR" else real(name))
    with pytest.raises(RuntimeError, match="flask roles sync"):
        seed_demo(DEMO_PASSWORD)


def test_demo_logins_store_given_and_family_name_where_fab_expects_them(seeded, seeded_ctx):
    """FAB's first name is the given name (名), its last name the family name (姓); a login seeded
    the old way (family name as first name) is put right by the next run."""
    from app.display import fab_full_name
    from app.seed import seed_demo

    def sales1():
        return db.session.scalar(select(User).where(User.username == "sales1"))

    user = sales1()
    emp = db.session.scalar(select(Employee).where(Employee.user_id == user.id))
    assert user.last_name + user.first_name == emp.name and len(user.last_name) == 1
    assert fab_full_name(user) == emp.name
    user.first_name, user.last_name = emp.name[0], emp.name[1:]  # the old seed's order
    db.session.commit()
    seed_demo(DEMO_PASSWORD)
    db.session.expire_all()
    assert (sales1().first_name, sales1().last_name) == (emp.name[1:], emp.name[0])


def test_demo_data_scorecards(seeded, seeded_ctx):
    """Against the demo factory: every appraisee of every cycle gets a consistent card."""
    for cycle in db.session.scalars(select(AppraisalCycle)):
        cards = scorecards(cycle)
        assert len(cards) >= 12
        for card in cards:
            assert card.final is None or Decimal(0) <= card.final <= Decimal(100)
            present = [ln for ln in card.lines if ln.score is not None]
            if present and card.quantitative is not None:
                total = sum(ln.weight for ln in present)
                expected = sum(ln.score * ln.weight for ln in present) / total
                assert abs(card.quantitative - expected) <= Decimal("0.01")
        if cycle.status is CycleStatus.closed:  # the seed froze it
            assert db.session.scalar(select(AppraisalResult.id).where(
                AppraisalResult.cycle_id == cycle.id).limit(1)) is not None
