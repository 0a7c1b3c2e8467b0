"""Receivables and payments (2.5, 3.3): what is due, outstanding, collected and overdue, in
aggregate queries; the formulas on these figures are in ``app.services.collection``."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import case, cast, desc, func, select

from .. import models as m
from ..extensions import db
from ..security.scope import scope_condition, scoped
from ..services import collection
from ..services.collection import RiskFigures, days_overdue


def due_this_week_query(day):
    """3.3.1: receivables falling due in the next seven days, the soonest first."""
    return scoped("Receivable").filter(
        m.Receivable.status.in_(m.receivables.ReceivableStatus.not_yet_due()), m.Receivable.due_date >= day,
        m.Receivable.due_date <= day + timedelta(days=7)).order_by(m.Receivable.due_date)


def unpaid_with_outstanding():
    """The user's unpaid receivables, and the SQL expression of what is still outstanding on
    each (the aging list, the finance dashboard). What was paid is summed per receivable of these
    rows (an index lookup each), not grouped over every payment first."""
    paid = m.receivables.paid_on_receivable()
    base = scoped("Receivable").filter(m.Receivable.status.in_(m.receivables.ReceivableStatus.unpaid()))
    return base, m.Receivable.amount - func.coalesce(paid, 0)


def outstanding_by_bucket(day) -> dict[str, tuple[int, object]]:
    """2.5.3: {bucket: (receivables, outstanding)} in one aggregate query."""
    base, left = unpaid_with_outstanding()
    bucket = collection.bucket_case(m.Receivable.due_date, day)
    return {b: (n, s) for b, n, s in base.with_entities(bucket, func.count(), func.sum(left))
            .group_by(bucket).all()}


def overdue_in_bucket_query(day, bucket: str):
    """2.5.3: the user's unpaid receivables in one aging bucket (``collection.BUCKETS``), oldest
    due first."""
    lo, hi = next((lo, hi) for b, lo, hi in collection.BUCKETS if b == bucket)
    query = scoped("Receivable").filter(m.Receivable.status.in_(m.receivables.ReceivableStatus.unpaid()),
                                        m.Receivable.due_date <= day - timedelta(days=lo))
    if hi is not None:
        query = query.filter(m.Receivable.due_date >= day - timedelta(days=hi))
    return query.order_by(m.Receivable.due_date)


def collection_totals(in_scope, start: date, end: date) -> tuple[Decimal, Decimal]:
    """2.5.3 collection rate inputs for a period, in two aggregate queries: (collected, due)
    (``collection.collection_rate`` divides them).

    Due = the amounts of the receivables falling due within [start, end]; collected = what was
    paid on those receivables by ``end``. ``in_scope`` is the user's row scope of receivables
    (``scope_condition``), so that the database starts from the period's receivables (their
    due-date index) and from the owner's customers. Written-off receivables count as due and
    uncollected (they were not collected)."""
    R, P = m.Receivable, m.Payment  # noqa: N806
    in_period = (in_scope, R.due_date >= start, R.due_date <= end)
    # A sum over no rows is the column's zero (0.00), not the integer 0, on both databases.
    due = db.session.scalar(select(func.coalesce(func.sum(R.amount), cast(0, R.amount.type))).where(*in_period))
    collected = db.session.scalar(
        select(func.coalesce(func.sum(P.amount), cast(0, P.amount.type)))
        .join(R, P.receivable_id == R.id)
        .where(*in_period, P.paid_on <= end))
    return Decimal(collected), Decimal(due)


def collection_totals_by_period(periods) -> list[tuple]:
    """2.5.3: (collected, due) of each (first day, last day) period, over the receivables in the
    user's scope (``collection_totals``)."""
    in_scope = scope_condition("Receivable")
    return [collection_totals(in_scope, start, end) for start, end in periods]


def collection_todo_query(day):
    """3.3.2: the user's overdue receivables still being collected, most overdue first, each with
    its last dunning contact and how many dunning records it has: rows (receivable, last, n)."""
    last = (select(m.DunningRecord.receivable_id, func.max(m.DunningRecord.contacted_on).label("last"),
                   func.count().label("n")).group_by(m.DunningRecord.receivable_id).subquery())
    return (scoped("Receivable").filter(m.Receivable.status.in_(m.receivables.ReceivableStatus.collecting()),
                                         m.Receivable.due_date < day)
            .outerjoin(last, last.c.receivable_id == m.Receivable.id)
            .add_columns(last.c.last, last.c.n).order_by(m.Receivable.due_date))


def overdue_by_owner(day, limit: int) -> list[tuple]:
    """2.5.3: (salesperson's name, outstanding past due) of the user's unpaid receivables, by the
    owner of their customer, the largest first (at most ``limit``)."""
    base, left = unpaid_with_outstanding()
    owner = m.Employee
    return (base.join(m.Customer, m.Receivable.customer_id == m.Customer.id)
            .join(owner, m.Customer.owner_id == owner.id)
            .filter(m.Receivable.due_date < day)
            .with_entities(owner.name, func.sum(left).label("overdue")).group_by(owner.name)
            .order_by(desc("overdue")).limit(limit).all())


def risky_customers(limit: int) -> list:
    """3.3.3: the user's customers not rated green, red first, by code (at most ``limit``)."""
    red_first = case((m.Customer.risk_level == "red", 0), else_=1)
    return (scoped("Customer").filter(m.Customer.risk_level != "green")
            .order_by(red_first, m.Customer.code).limit(limit).all())


def customer_risk_figures(today: date, window_months: int) -> dict[int, RiskFigures]:
    """3.3.3: every customer with money outstanding or late payments, with the figures of
    ``collection.risk``, in three aggregate queries (outstanding and overdue, late payments,
    credit limits). Not scoped: the daily job rates every customer."""
    R, P, C = m.Receivable, m.Payment, m.Customer  # noqa: N806
    paid = m.receivables.paid_per_receivable()
    left = R.amount - func.coalesce(paid.c.paid, 0)
    rows = db.session.execute(
        select(
            R.customer_id,
            func.sum(left),
            func.sum(case((R.due_date < today, left), else_=0)),
            func.min(case((R.due_date < today, R.due_date), else_=None)),
        )
        .outerjoin(paid, paid.c.receivable_id == R.id)
        .where(R.status.not_in(m.receivables.ReceivableStatus.closed()), left > 0)
        .group_by(R.customer_id)
    ).all()
    since = today - timedelta(days=round(window_months * 365 / 12))
    last_paid = (select(P.receivable_id, func.max(P.paid_on).label("last"))
                 .group_by(P.receivable_id).subquery())
    late = dict(db.session.execute(
        select(R.customer_id, func.count())
        .join(last_paid, last_paid.c.receivable_id == R.id)
        .where(R.status == m.receivables.ReceivableStatus.paid, last_paid.c.last > R.due_date,
               last_paid.c.last >= since)
        .group_by(R.customer_id)
    ).all())
    ids = {r[0] for r in rows} | set(late)
    limits = dict(db.session.execute(
        select(C.id, C.credit_limit).where(C.id.in_(ids))
    ).all()) if ids else {}
    by_customer = {r[0]: r for r in rows}
    out = {}
    for cid in ids:
        row = by_customer.get(cid)
        outstanding = Decimal(row[1] or 0) if row else Decimal(0)
        overdue = Decimal(row[2] or 0) if row else Decimal(0)
        oldest = row[3] if row else None
        if isinstance(oldest, str):  # SQLite returns MIN(date) of a CASE as text
            oldest = date.fromisoformat(oldest)
        out[cid] = RiskFigures(outstanding, overdue, days_overdue(oldest, today) if oldest else 0,
                               Decimal(limits.get(cid) or 0), late.get(cid, 0))
    return out
