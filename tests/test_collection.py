"""Collection figures on hand-computed cases (2.5, 3.3), day boundaries included."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.services import collection as c
from app.services import conduct

TODAY = date(2026, 6, 30)
LEVELS = (15, 30, 60, 90)  # the policy default


def due(days_overdue: int) -> date:
    return TODAY - timedelta(days=days_overdue)


@pytest.mark.parametrize(("days", "bucket"), [
    (-5, "not_due"), (0, "not_due"), (1, "d1_30"), (30, "d1_30"), (31, "d31_60"), (60, "d31_60"),
    (61, "d61_90"), (90, "d61_90"), (91, "d90_plus"), (400, "d90_plus"),
])
def test_aging_bucket_boundaries(days, bucket):
    assert c.aging_bucket(due(days), TODAY) == bucket


def test_due_today_is_not_overdue():
    assert c.days_overdue(TODAY, TODAY) == 0
    assert c.derive_status(Decimal("100"), Decimal("0"), TODAY, TODAY, "open") == "open"
    assert c.derive_status(Decimal("100"), Decimal("0"), due(1), TODAY, "open") == "overdue"


@pytest.mark.parametrize(("days", "level"), [
    (0, None), (1, "phone"), (15, "phone"), (16, "email_letter"), (30, "email_letter"),
    (31, "visit"), (60, "visit"), (61, "escalation"), (90, "escalation"), (91, "legal_review"),
])
def test_dunning_level_boundaries(days, level):
    assert c.dunning_level(days, LEVELS) == level


@pytest.mark.parametrize(("amount", "paid", "days", "current", "status"), [
    ("1000", "0", -3, "open", "open"),
    ("1000", "400", -3, "open", "partially_paid"),  # partial payment before the due date
    ("1000", "400", 10, "partially_paid", "overdue"),  # partial and late: overdue
    ("1000", "1000", 10, "overdue", "paid"),  # paid in full settles it, late or not
    ("1000", "999.99", 0, "open", "partially_paid"),
    ("1000", "0", 100, "in_legal", "in_legal"),  # decisions are kept
    ("1000", "0", 100, "written_off", "written_off"),
])
def test_status_from_payments(amount, paid, days, current, status):
    assert c.derive_status(Decimal(amount), Decimal(paid), due(days), TODAY, current) == status


def test_collection_rate():
    # Due in the period: 300,000; collected: 120,000 + 75,000 = 195,000 -> 65.00 %
    assert c.collection_rate(Decimal("195000"), Decimal("300000")) == Decimal("65.00")
    assert c.collection_rate(Decimal("1"), Decimal("3")) == Decimal("33.33")
    assert c.collection_rate(Decimal("0"), Decimal("0")) is None


def test_aging_sql_matches_python(app):
    """The SQL bucket expression puts every boundary day where the Python function does."""
    from sqlalchemy import literal, select

    from app.extensions import db

    with app.app_context():
        for days in (0, 1, 30, 31, 60, 61, 90, 91):
            expr = c.bucket_case(literal(due(days)), TODAY)
            assert db.session.scalar(select(expr)) == c.aging_bucket(due(days), TODAY), days


def fig(outstanding="0", overdue="0", days=0, limit="0", late=0):
    return c.RiskFigures(Decimal(outstanding), Decimal(overdue), days, Decimal(limit), late)


@pytest.mark.parametrize(("figures", "level", "codes"), [
    (fig("10000", "0", 0, "50000"), "green", []),
    (fig("10000", "2000", 20, "50000"), "green", []),  # 20 % overdue, 20 days: fine
    (fig("10000", "3000", 20, "50000"), "green", []),  # exactly 30 %: not above
    (fig("10000", "3001", 20, "50000"), "yellow", ["overdue_share"]),
    (fig("10000", "100", 60, "50000"), "green", []),  # 60 days: not yet red
    (fig("10000", "100", 61, "50000"), "red", ["overdue_days"]),
    (fig("60000", "0", 0, "50000"), "yellow", ["over_limit"]),
    (fig("60000", "0", 0, "0"), "green", []),  # no credit limit set: not checked
    (fig("0", "0", 0, "0", late=1), "green", []),
    (fig("0", "0", 0, "0", late=2), "yellow", ["late_payments"]),
    (fig("60000", "60000", 95, "50000", late=3), "red",
     ["overdue_days", "overdue_share", "over_limit", "late_payments"]),
])
def test_risk_levels(figures, level, codes):
    got_level, reasons = c.risk(figures, c.RiskRules())
    assert got_level == level
    assert [code for code, _ in reasons] == codes


@pytest.mark.parametrize(("days", "dunnings", "allowed"), [
    (90, 5, False), (91, 2, False), (91, 3, True), (200, 3, True),
])
def test_legal_action_needs_repeated_dunning_and_90_days(days, dunnings, allowed):
    assert c.legal_allowed(days, dunnings, 90, 3) is allowed


@pytest.mark.parametrize(("check_in", "check_out", "current", "status"), [
    ("08:55", "18:05", "normal", "normal"),
    ("09:00", "18:00", "normal", "normal"),  # on the minute is on time
    ("09:01", "18:00", "normal", "late"),
    ("08:50", "17:59", "normal", "left_early"),
    ("09:30", "17:00", "normal", "late"),  # both: late is recorded
    (None, None, "normal", "absent"),
    (None, None, "on_leave", "on_leave"),  # leave and business trips are kept
])
def test_attendance_status_from_the_clock(check_in, check_out, current, status):
    from datetime import time

    def t(s):
        return (time.fromisoformat(s) if s else None)
    assert conduct.attendance_status(t(check_in), t(check_out), time(9), time(18), current) == status


def test_late_leave_submission():
    start = date(2026, 7, 10)
    assert conduct.late_submission(date(2026, 7, 9), start, 1) is False
    assert conduct.late_submission(date(2026, 7, 10), start, 1) is True
    assert conduct.late_submission(None, start, 1) is False


def test_collection_totals_in_sql_with_partial_payments(app):
    """Hand-computed: three receivables fall due in March (1,000 + 2,000 + 500 = 3,500); by
    31 March 600 + 2,000 were paid on them (an April payment and a February-due one do not
    count): 2,600 ÷ 3,500 = 74.29 %. February and March together (a period overlapping March,
    asked in the same two queries): 4,200 due, 3,300 collected; April: nothing due."""

    from app import models as m
    from app.extensions import db
    from app.queries.collection import collection_totals_by_period
    from tests.conftest import employee
    from tests.factories import make

    with app.app_context():
        owner = employee("sales2")
        cust = make(m.Customer, owner)
        start, end = date(2033, 3, 1), date(2033, 3, 31)

        def rec(amount, due_on, *payments):
            r = make(m.Receivable, owner, customer=cust, amount=Decimal(amount),
                     issued_on=due_on - timedelta(days=30), due_date=due_on)
            for paid_on, value in payments:
                db.session.add(m.Payment(receivable=r, paid_on=paid_on, amount=Decimal(value)))
            db.session.commit()
            return r.id

        ids = [
            rec("1000", date(2033, 3, 5), (date(2033, 3, 10), "600"), (date(2033, 4, 2), "400")),
            rec("2000", date(2033, 3, 31), (date(2033, 3, 31), "2000")),
            rec("500", date(2033, 3, 1)),
            rec("700", date(2033, 2, 28), (date(2033, 3, 3), "700")),
        ]
        periods = [(start, end), (date(2033, 2, 1), end), (date(2033, 4, 1), date(2033, 4, 30))]
        (collected, due), both, april = collection_totals_by_period(periods, m.Receivable.id.in_(ids))
        assert (collected, due) == (Decimal("2600.00"), Decimal("3500.00"))
        assert c.collection_rate(collected, due) == Decimal("74.29")
        assert both == (Decimal("3300.00"), Decimal("4200.00"))
        assert april == (Decimal("0.00"), Decimal("0.00"))


@pytest.mark.parametrize(("a", "b", "days"), [
    (date(2026, 3, 1), date(2026, 2, 28), 1), (date(2026, 1, 1), date(2025, 1, 1), 365),
    (date(2026, 5, 10), date(2026, 5, 10), 0), (date(2026, 5, 1), date(2026, 5, 8), -7),
])
def test_days_between_in_sql(app, a, b, days):
    from sqlalchemy import literal, select

    from app.extensions import db
    from app.services.sql import days_between

    with app.app_context():
        assert db.session.scalar(select(days_between(literal(a), literal(b)))) == days
