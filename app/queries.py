"""The domain's scoped queries: what the work lists and the dashboards count and list, as SQL
through the user's scope (``security.scope``). No URLs and no formatting here: the views build
rows and links from these, and a counter and the list it opens share one query.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from . import models as m
from . import policy
from .extensions import db
from .models.history import ChangeAction, ChangeLog
from .models.policy import PolicyKey
from .registry import BY_NAME
from .rules import may_sign
from .security.scope import current_actor, scope_clause, scoped
from .services import collection
from .workflow.definitions import WORKFLOWS


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


def return_visits_due(day):
    """2.2.2: visits whose next follow-up falls due within the window and has not happened yet
    (the list here and the dashboard's count)."""
    window = policy.get(PolicyKey.return_visit_window_days)
    later = aliased(m.Visit)
    return scoped("Visit").filter(
        m.Visit.next_date.is_not(None), m.Visit.next_date <= day + timedelta(days=window),
        ~select(later.id).where(later.customer_id == m.Visit.customer_id,
                                later.visit_date > m.Visit.visit_date).exists(),
    )


def late_orders_query(day):
    """3.2: orders past their promised date and not delivered (nor cancelled)."""
    return scoped("SalesOrder").filter(
        m.SalesOrder.promised_date < day, m.SalesOrder.status.not_in(m.orders.OrderStatus.finished()))


def due_this_week_query(day):
    """3.3.1: receivables falling due in the next seven days."""
    return scoped("Receivable").filter(
        m.Receivable.status.in_(m.receivables.ReceivableStatus.not_yet_due()), m.Receivable.due_date >= day,
        m.Receivable.due_date <= day + timedelta(days=7))


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
