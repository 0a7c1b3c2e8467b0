"""Receivables and payments (2.5, 3.3): what is due, outstanding, collected and overdue, in
aggregate queries; the formulas on these figures are in ``app.services.collection``."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, cast, desc, func, select

from .. import models as m
from ..extensions import db
from ..security.scope import scope_condition, scoped
from ..services import collection
from ..services.collection import RiskFigures, days_overdue
from ..services.sql import rarely


def due_this_week_query(day):
    """3.3.1: receivables falling due in the next seven days, the soonest first."""
    return scoped("Receivable").filter(
        rarely(m.Receivable.status.in_(m.receivables.ReceivableStatus.not_yet_due())), m.Receivable.due_date >= day,
        m.Receivable.due_date <= day + timedelta(days=7)).order_by(m.Receivable.due_date)


def unpaid_with_outstanding():
    """The user's unpaid receivables, and the SQL expression of what is still outstanding on
    each (the aging list, the finance dashboard). What was paid is the row's ``amount_paid``,
    summed per receivable of these rows (an index lookup each), not grouped over every payment
    first."""
    base = scoped("Receivable").filter(rarely(m.Receivable.status.in_(m.receivables.ReceivableStatus.unpaid())))
    return base, m.Receivable.amount - m.Receivable.amount_paid


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


def collection_totals_by_period(periods, in_scope=None) -> list[tuple]:
    """2.5.3 collection rate inputs of each (first day, last day) period over the receivables in
    the user's scope: [(collected, due)] (``collection.collection_rate`` divides them), in two
    aggregate queries whatever the number of periods (they may overlap: a year to date).

    Due = the amounts of the receivables falling due within the period; collected = what was paid
    on those receivables by the period's last day. Written-off receivables count as due and
    uncollected (they were not collected). Both queries read only the receivables due within the
    periods (the due-date index) and in the user's scope (``scope_condition``, or the condition
    ``in_scope`` on receivables)."""
    periods = list(periods)
    if not periods:
        return []
    R, P = m.Receivable, m.Payment  # noqa: N806
    within = (scope_condition("Receivable") if in_scope is None else in_scope, R.due_date >= min(s for s, _e in periods),
              R.due_date <= max(e for _s, e in periods))
    zero = cast(0, R.amount.type)  # a sum over no rows is the column's zero (0.00) on both databases

    def in_period(start, end):
        return and_(R.due_date >= start, R.due_date <= end)

    due = db.session.execute(select(*(
        func.coalesce(func.sum(case((in_period(s, e), R.amount))), zero) for s, e in periods)).where(*within)).one()
    collected = db.session.execute(select(*(
        func.coalesce(func.sum(case((and_(in_period(s, e), P.paid_on <= e), P.amount))), zero) for s, e in periods))
        .select_from(P).join(R, P.receivable_id == R.id).where(*within)).one()
    return [(Decimal(c), Decimal(d)) for c, d in zip(collected, due, strict=True)]


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
    # The overdue receivables first, on their own (a materialised CTE: the database starts from
    # their status and due date), then summed per owner. Joined or grouped by customer in one
    # statement, SQLite went through every customer's receivables instead (550 ms of 1,000,000
    # orders' receivables against 75 ms).
    overdue = (base.filter(m.Receivable.due_date < day)
               .with_entities(m.Receivable.customer_id.label("customer_id"), left.label("left"))
               .cte("overdue").prefix_with("MATERIALIZED"))
    owner = m.Employee
    return db.session.execute(
        select(owner.name, func.sum(overdue.c.left).label("overdue")).select_from(overdue)
        .join(m.Customer, m.Customer.id == overdue.c.customer_id)
        .join(owner, m.Customer.owner_id == owner.id)
        .group_by(owner.name).order_by(desc("overdue")).limit(limit)).all()


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
