"""What falls due on a day, over every row (the daily job tells each row's people: ``app.notify``
decides who may hear of it). Each window reaches back a week, so that a day the job did not run
is caught up the next, and no further: a row first seen long past its date is not news."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from .. import models as m
from .. import policy
from ..extensions import db
from ..models.policy import PolicyKey
from ..presets import preset
from ..services import collection
from ..services.sql import days_between

CATCH_UP = timedelta(days=7)
TICKET_SOON = timedelta(days=1)  # 3.4: a ticket is "near its due time" the day before
CERTIFICATE_AHEAD = timedelta(days=90)  # 5.4.3: certificates expiring within 90 days


def return_visits(day: date):
    """2.2.2: visits whose follow-up falls due within the policy's window, none made since."""
    window = timedelta(days=policy.get(PolicyKey.return_visit_window_days))
    later = aliased(m.Visit)
    return db.session.scalars(select(m.Visit).where(
        m.Visit.next_date.between(day - CATCH_UP, day + window),
        ~exists().where(later.customer_id == m.Visit.customer_id, later.visit_date > m.Visit.visit_date),
    ).order_by(m.Visit.id)).all()


def quotations_expiring(day: date):
    """3.1.5: sent quotations whose validity ends within the coming week (the list's preset)."""
    return db.session.scalars(select(m.Quotation).where(
        preset("Quotation", "expiring").condition(day)).order_by(m.Quotation.id)).all()


def promises_due(day: date):
    """3.3.2: payment dates customers promised that have come, on receivables still open."""
    R, D = m.Receivable, m.DunningRecord  # noqa: N806
    return db.session.execute(select(D, R).join(R, R.id == D.receivable_id).where(
        D.promised_date.between(day - CATCH_UP, day),
        R.status.in_(m.receivables.ReceivableStatus.collecting())).order_by(D.id)).all()


def dunning_levels(day: date):
    """3.3.2: each overdue receivable with its days overdue and the dunning level they reach
    (1-based index and name)."""
    R = m.Receivable  # noqa: N806
    level_days = policy.get(PolicyKey.dunning_level_days)
    out = []
    for rec in db.session.scalars(select(R).where(
            R.status.in_(m.receivables.ReceivableStatus.collecting()), R.due_date < day).order_by(R.id)):
        days = (day - rec.due_date).days
        level = collection.dunning_level(days, level_days)
        if level is not None:
            out.append((rec, days, collection.DUNNING_LEVELS.index(level) + 1, level))
    return out


def tickets_due(day: date):
    """3.4: open tickets due today or tomorrow, and those past their due date (a week back)."""
    T = m.ServiceTicket  # noqa: N806
    open_ = T.status != m.service.TicketStatus.closed
    soon = db.session.scalars(select(T).where(open_, T.due_date.between(day, day + TICKET_SOON)).order_by(T.id)).all()
    late = db.session.scalars(select(T).where(open_, T.due_date.between(day - CATCH_UP, day - timedelta(days=1)))
                              .order_by(T.id)).all()
    return soon, late


def certificates_expiring(day: date):
    """5.4.3: certificates expiring within 90 days."""
    C = m.Certification  # noqa: N806
    return db.session.scalars(select(C).where(C.expires_on.between(day, day + CERTIFICATE_AHEAD))
                              .order_by(C.id)).all()


def attendance_exceptions(day: date):
    """4.1.1: late, left-early and absent days of the past week."""
    A = m.Attendance  # noqa: N806
    return db.session.scalars(select(A).where(
        A.status.in_(m.conduct.AttendanceStatus.exceptions()), A.work_date.between(day - CATCH_UP, day))
        .order_by(A.id)).all()


def late_leave(day: date):
    """4.1.2: leave requests submitted this week with less notice than the policy asks."""
    L = m.LeaveRequest  # noqa: N806
    notice = policy.get(PolicyKey.leave_notice_days)
    return db.session.scalars(select(L).where(
        L.submitted_on.between(day - CATCH_UP, day),
        days_between(L.start_date, L.submitted_on) < notice).order_by(L.id)).all()
