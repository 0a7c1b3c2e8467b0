"""The calendar's events between two days: visits made, return visits due (2.2.2), planned
activities, promised payment dates (3.3.2), leave (4.1.2) and training sessions (5.1), each
through the reader's read scope and, for the anchored ones, of the chosen employees only (one
statement per kind, at most ``MAX_PER_KIND`` each)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from .. import models as m
from ..extensions import db
from ..models.activities import ActivityStatus
from ..models.conduct import LeaveStatus
from ..registry import BY_NAME
from ..security.scope import current_actor, scope_clause, scope_condition, scoped

MAX_PER_KIND = 500


@dataclass
class Event:
    kind: str  # visit, return_visit, activity, promise, leave, training
    start: date
    end: date  # the same day but for leave and multi-day training
    label: str
    entity: str
    row_id: int


def _rows(entity_name: str, employees: frozenset[int] | None, *where, model=None):
    """A statement on ``entity_name``'s rows in the reader's scope, of ``employees`` (None: all)."""
    entity = BY_NAME[entity_name]
    conditions = [scope_condition(entity, "read"), *where]
    if employees is not None and entity.anchor is not None:
        conditions.append(scope_clause(entity, employees))
    return select(model or entity.model).where(*conditions).limit(MAX_PER_KIND)


def events(start: date, end: date, employees: frozenset[int] | None) -> list[Event]:
    """Every event from ``start`` to ``end`` (inclusive) the reader may see, of ``employees``."""
    actor = current_actor()
    out: list[Event] = []
    V = m.Visit  # noqa: N806
    if actor.may("Visit", "read"):
        for v in db.session.scalars(_rows("Visit", employees, V.visit_date.between(start, end))):
            out.append(Event("visit", v.visit_date, v.visit_date, str(v.customer), "Visit", v.id))
        later = aliased(V)
        due = _rows("Visit", employees, V.next_date.between(start, end),
                    ~select(later.id).where(later.customer_id == V.customer_id,
                                            later.visit_date > V.visit_date).exists())
        for v in db.session.scalars(due):
            out.append(Event("return_visit", v.next_date, v.next_date, str(v.customer), "Visit", v.id))
    A = m.Activity  # noqa: N806
    if actor.may("Activity", "read"):
        for a in db.session.scalars(_rows("Activity", employees, A.status == ActivityStatus.planned,
                                          A.due_date.between(start, end))):
            out.append(Event("activity", a.due_date, a.due_date, a.subject, "Activity", a.id))
    D = m.DunningRecord  # noqa: N806
    if actor.may("DunningRecord", "read"):
        for d in db.session.scalars(_rows("DunningRecord", employees, D.promised_date.between(start, end))):
            out.append(Event("promise", d.promised_date, d.promised_date, str(d.receivable), "DunningRecord", d.id))
    L = m.LeaveRequest  # noqa: N806
    if actor.may("LeaveRequest", "read"):
        for lr in db.session.scalars(_rows("LeaveRequest", employees,
                                           L.status.in_([LeaveStatus.submitted, LeaveStatus.approved]),
                                           L.start_date <= end, L.end_date >= start)):
            out.append(Event("leave", lr.start_date, lr.end_date, lr.employee.display_name, "LeaveRequest", lr.id))
    T = m.TrainingItem  # noqa: N806
    if actor.may("TrainingItem", "read"):  # sessions are the company's: not one employee's
        for t in db.session.scalars(_rows("TrainingItem", None, T.start_date.is_not(None),
                                          or_(T.start_date.between(start, end),
                                              and_(T.start_date <= end, T.end_date >= start)))):
            out.append(Event("training", t.start_date, t.end_date or t.start_date, t.title, "TrainingItem", t.id))
    return sorted(out, key=lambda e: (e.start, e.kind, e.label))


def people(employee_ids) -> list:
    """The employees of ``employee_ids`` the reader may see, by number (the calendar's choice)."""
    return scoped("Employee").filter(m.Employee.id.in_(sorted(employee_ids))).order_by(m.Employee.number).all()
