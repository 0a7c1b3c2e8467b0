"""The domain's scoped queries: what the work lists and the dashboards count and list, as SQL
through the user's scope (``security.scope``). No URLs and no formatting here: the views build
rows and links from these, and a counter and the list it opens share one query.

A function named ``*_query`` returns the list's query, ordered as the list shows it; ``count``
and ``fetch`` run it (a counter, one page of the list, every row for the export). The others
return plain values: rows of model objects, numbers, dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from . import models as m
from . import policy
from .extensions import db
from .models.history import ChangeAction, ChangeLog
from .models.policy import PolicyKey
from .presets import preset
from .registry import BY_NAME
from .rules import may_sign
from .security.scope import current_actor, scope_clause, scoped
from .services import collection
from .services.sql import days_between
from .workflow.definitions import WORKFLOWS
from .workflow.engine import requester


@dataclass(frozen=True)
class Window:
    """Which rows of a list to fetch: ``limit`` rows from ``offset`` (``None``: all of them), and
    whether to count them all as well (a pager's total, the work lists' index)."""

    offset: int = 0
    limit: int | None = None
    counted: bool = False


def count(query) -> int:
    """How many rows a list's query has (its order does not matter to the count)."""
    return query.order_by(None).count()


def fetch(query, window: Window) -> tuple[list, int | None]:
    """The rows of ``query`` in ``window``, and their total when the window asks for it (else
    None). A window of no rows runs only the count."""
    total = count(query) if window.counted else None
    if window.limit == 0:
        return [], total
    if window.offset:
        query = query.offset(window.offset)
    if window.limit is not None:
        query = query.limit(window.limit)
    return query.all(), total


def approval_steps(wf, actor):
    return [s for s in wf.steps if s.verb == "approve" and s.approval and s.open_to(actor.roles)]


def decision_queries(actor):
    """(entity name, entity, workflow, query) of the records waiting for the user's decision: in
    the states an approval step open to the user's roles starts from, in the user's approve scope,
    not anchored on the user themself. Who requested each is checked by the callers."""
    for name, wf in WORKFLOWS.items():
        entity = BY_NAME[name]
        steps = approval_steps(wf, actor)
        if not steps or not actor.may(name, "approve"):
            continue
        states = sorted({st for s in steps for st in s.source})
        query = scoped(name, "approve").filter(getattr(entity.model, wf.field).in_(states))
        if entity.anchor and actor.employee_id:
            query = query.filter(~scope_clause(entity, frozenset({actor.employee_id})))
        yield name, entity, wf, query


def signable_departments(actor) -> set:
    """3.2.2: the required departments whose missing sign-off the user can record."""
    if not actor.may("OrderReview", "write"):
        return set()
    return {d for d in policy.get(PolicyKey.order_review_departments) if may_sign(actor, d)}


def count_waiting_for_me() -> int:
    """How many rows ``approvals`` lists, in one SQL statement (the navbar badge on every page):
    the same queries, with "not requested by the user" as a subquery on the change history."""
    actor = current_actor()
    counts = []
    for name, entity, _wf, query in decision_queries(actor):
        if actor.user_id is not None:
            latest = (select(ChangeLog.user_id).where(
                ChangeLog.entity == name, ChangeLog.row_id == entity.model.id,
                ChangeLog.action.in_([ChangeAction.create, ChangeAction.transition]))
                .order_by(ChangeLog.id.desc()).limit(1).correlate(entity.model).scalar_subquery())
            query = query.filter(func.coalesce(latest, -1) != actor.user_id)
        counts.append(query.with_entities(func.count(entity.model.id)).scalar_subquery())
    required = signable_departments(actor)
    if required:
        signed = (select(func.count(func.distinct(m.OrderReview.department))).where(
            m.OrderReview.order_id == m.SalesOrder.id, m.OrderReview.department.in_(sorted(required, key=str)))
            .correlate(m.SalesOrder).scalar_subquery())
        counts.append(scoped("SalesOrder").filter(m.SalesOrder.status == m.orders.OrderStatus.under_review, signed < len(required))
                      .with_entities(func.count(m.SalesOrder.id)).scalar_subquery())
    if not counts:
        return 0
    total = counts[0]
    for c in counts[1:]:
        total = total + c
    return int(db.session.execute(select(total)).scalar() or 0)


def return_visits_query(day):
    """2.2.2: visits whose next follow-up falls due within the window and has not happened yet
    (the work list and the dashboard's count), the earliest follow-up first."""
    window = policy.get(PolicyKey.return_visit_window_days)
    later = aliased(m.Visit)
    return scoped("Visit").filter(
        m.Visit.next_date.is_not(None), m.Visit.next_date <= day + timedelta(days=window),
        ~select(later.id).where(later.customer_id == m.Visit.customer_id,
                                later.visit_date > m.Visit.visit_date).exists(),
    ).order_by(m.Visit.next_date)


def late_orders_query(day):
    """3.2: orders past their promised date and not delivered (nor cancelled), the most
    days late first."""
    return scoped("SalesOrder").filter(
        m.SalesOrder.promised_date < day, m.SalesOrder.status.not_in(m.orders.OrderStatus.finished())
    ).order_by(m.SalesOrder.promised_date)


def due_this_week_query(day):
    """3.3.1: receivables falling due in the next seven days, the soonest first."""
    return scoped("Receivable").filter(
        m.Receivable.status.in_(m.receivables.ReceivableStatus.not_yet_due()), m.Receivable.due_date >= day,
        m.Receivable.due_date <= day + timedelta(days=7)).order_by(m.Receivable.due_date)


def unpaid_with_outstanding():
    """The user's unpaid receivables joined to their payments, and the SQL expression of what
    is still outstanding on each (the aging list, the finance dashboard)."""
    paid = m.receivables.paid_per_receivable()
    base = scoped("Receivable").filter(m.Receivable.status.in_(m.receivables.ReceivableStatus.unpaid())).outerjoin(
        paid, paid.c.receivable_id == m.Receivable.id)
    return base, m.Receivable.amount - func.coalesce(paid.c.paid, 0)


def outstanding_by_bucket(day) -> dict[str, tuple[int, object]]:
    """2.5.3: {bucket: (receivables, outstanding)} in one aggregate query."""
    base, left = unpaid_with_outstanding()
    bucket = collection.bucket_case(m.Receivable.due_date, day)
    return {b: (n, s) for b, n, s in base.with_entities(bucket, func.count(), func.sum(left))
            .group_by(bucket).all()}


def waiting_for_decision(actor, limit: int) -> list[tuple]:
    """(entity name, entity, workflow, records, who requested each) of the records waiting for
    the user's decision (``decision_queries``, at most ``limit`` per entity), without those the
    user requested."""
    out = []
    for name, entity, wf, query in decision_queries(actor):
        found = query.order_by(entity.model.id).limit(limit).all()
        by = requester(name, [o.id for o in found])
        mine = [o for o in found if actor.user_id is None or by.get(o.id) != actor.user_id]
        out.append((name, entity, wf, mine, by))
    return out


def sign_offs_missing(actor, limit: int) -> tuple[list[tuple], dict]:
    """3.2.2: the orders under review (at most ``limit``) missing a sign-off the user can record,
    each with the departments missing, and who requested each order."""
    required = signable_departments(actor)
    if not required:
        return [], {}
    orders = scoped("SalesOrder").filter(m.SalesOrder.status == m.orders.OrderStatus.under_review).limit(limit).all()
    done: dict[int, set] = {}
    for oid, dept in db.session.execute(select(m.OrderReview.order_id, m.OrderReview.department)
                                        .where(m.OrderReview.order_id.in_([o.id for o in orders]))):
        done.setdefault(oid, set()).add(dept)
    waiting = [(o, required - done.get(o.id, set())) for o in orders]
    waiting = [(o, missing) for o, missing in waiting if missing]
    return waiting, requester("SalesOrder", [o.id for o, _ in waiting])


def in_approval_states(actor, limit: int) -> list[tuple]:
    """(entity name, entity, workflow, records, who requested each) of the records the user can
    read that are in a state an approval step starts from (whoever may decide), at most ``limit``
    per entity."""
    out = []
    for name, wf in WORKFLOWS.items():
        entity = BY_NAME[name]
        steps = [s for s in wf.steps if s.verb == "approve" and s.approval]
        if not steps or not actor.may(name, "read"):
            continue
        states = sorted({st for s in steps for st in s.source})
        found = scoped(name).filter(getattr(entity.model, wf.field).in_(states)).order_by(
            entity.model.id).limit(limit).all()
        out.append((name, entity, wf, found, requester(name, [o.id for o in found])))
    return out


def employee_names(user_ids) -> dict[int, str]:
    """{user id: the name of the employee who signs in as that user} for the given logins."""
    users = {u for u in user_ids if u}
    if not users:
        return {}
    return dict(db.session.execute(select(m.Employee.user_id, m.Employee.name)
                                   .where(m.Employee.user_id.in_(users))).all())


def overdue_in_bucket_query(day, bucket: str):
    """2.5.3: the user's unpaid receivables in one aging bucket (``collection.BUCKETS``), oldest
    due first."""
    lo, hi = next((lo, hi) for b, lo, hi in collection.BUCKETS if b == bucket)
    query = scoped("Receivable").filter(m.Receivable.status.in_(m.receivables.ReceivableStatus.unpaid()),
                                        m.Receivable.due_date <= day - timedelta(days=lo))
    if hi is not None:
        query = query.filter(m.Receivable.due_date >= day - timedelta(days=hi))
    return query.order_by(m.Receivable.due_date)


def collection_totals_by_period(periods) -> list[tuple]:
    """2.5.3: (collected, due) of each (first day, last day) period, over the receivables in the
    user's scope (``collection.collection_totals``)."""
    ids = scoped("Receivable").with_entities(m.Receivable.id).scalar_subquery()
    return [collection.collection_totals(db.session, m, ids, start, end) for start, end in periods]


def collection_todo_query(day):
    """3.3.2: the user's overdue receivables still being collected, most overdue first, each with
    its last dunning contact and how many dunning records it has: rows (receivable, last, n)."""
    last = (select(m.DunningRecord.receivable_id, func.max(m.DunningRecord.contacted_on).label("last"),
                   func.count().label("n")).group_by(m.DunningRecord.receivable_id).subquery())
    return (scoped("Receivable").filter(m.Receivable.status.in_(m.receivables.ReceivableStatus.collecting()),
                                         m.Receivable.due_date < day)
            .outerjoin(last, last.c.receivable_id == m.Receivable.id)
            .add_columns(last.c.last, last.c.n).order_by(m.Receivable.due_date))


def _overdue_tickets(day):
    return scoped("ServiceTicket").filter(m.ServiceTicket.status != m.service.TicketStatus.closed,
                                          m.ServiceTicket.due_date < day)


def overdue_tickets_by_severity(day) -> dict:
    """3.4: {severity: how many open tickets are past their due date} (severities without any
    are left out)."""
    return dict(_overdue_tickets(day).with_entities(m.ServiceTicket.severity, func.count())
                .group_by(m.ServiceTicket.severity).all())


def overdue_tickets_query(day):
    """3.4: open tickets past their due date, by severity, then oldest due first."""
    return _overdue_tickets(day).order_by(m.ServiceTicket.severity, m.ServiceTicket.due_date)


def recurring_causes(day, limit: int) -> list[tuple]:
    """2.6.2, 3.4.7: (category, product name or None, tickets, actions not yet verified) of the
    root-cause categories seen on more than one ticket per product in the last twelve months,
    the most frequent first."""
    since = day - timedelta(days=365)
    return (scoped("RootCause").join(m.ServiceTicket, m.RootCause.ticket_id == m.ServiceTicket.id)
            .outerjoin(m.Product, m.ServiceTicket.product_id == m.Product.id)
            .filter(m.ServiceTicket.reported_on >= since)
            .with_entities(m.RootCause.category, m.Product.name, func.count(),
                           func.sum(func.cast(~m.RootCause.verified, db.Integer)))
            .group_by(m.RootCause.category, m.Product.name)
            .having(func.count() > 1).order_by(func.count().desc()).limit(limit).all())


def attendance_exceptions_query(day):
    """4.1.1: late, left early and absent days (the ``exceptions`` preset), the latest first."""
    return scoped("Attendance").filter(preset("Attendance", "exceptions").condition(day)).order_by(
        m.Attendance.work_date.desc())


def late_leave_query():
    """4.1.2: leave requests submitted with less notice than the policy asks, the latest start
    first."""
    notice = policy.get(PolicyKey.leave_notice_days)
    return scoped("LeaveRequest").filter(
        m.LeaveRequest.submitted_on.is_not(None),
        days_between(m.LeaveRequest.start_date, m.LeaveRequest.submitted_on) < notice,
    ).order_by(m.LeaveRequest.start_date.desc())
