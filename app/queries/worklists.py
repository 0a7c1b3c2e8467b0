"""The work lists' queries that are not about receivables (``queries.collection``): the records
waiting for the user's decision (the navbar badge too), return visits, late orders, overdue
tickets and recurring causes, attendance exceptions and late leave requests."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from .. import models as m
from .. import policy
from ..extensions import db
from ..models.history import ChangeAction, ChangeLog
from ..models.policy import PolicyKey
from ..presets import preset
from ..registry import BY_NAME
from ..rules import may_sign
from ..security.scope import current_actor, scope_clause, scoped
from ..services.sql import days_between, rarely
from ..workflow.definitions import WORKFLOWS
from ..workflow.engine import requester


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
        counts.append(scoped("SalesOrder").filter(rarely(m.SalesOrder.status == m.orders.OrderStatus.under_review),
                                                  signed < len(required))
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
        m.SalesOrder.promised_date < day, rarely(m.SalesOrder.status.in_(m.orders.OrderStatus.unfinished()))
    ).order_by(m.SalesOrder.promised_date)


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

