"""The annual training plan's year page (5.1–5.3): the plan and its items, the enrolment and
assessment counts, the budget used and the topics attended, through the user's scope."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import case, func, select, true

from ..extensions import db
from ..models import Employee, Enrolment, TrainingItem, TrainingPlan
from ..models.people import EmployeeStatus, Position
from ..models.training import ItemStatus
from ..security.scope import current_actor, scoped

SPENT = (ItemStatus.held, ItemStatus.assessed)  # items whose cost counts as budget used


def plan(year: int):
    """The user's plan of that year, or None."""
    return scoped("TrainingPlan").filter(TrainingPlan.year == year).one_or_none()


def latest_year() -> int | None:
    """The latest year the user has a plan of."""
    return scoped("TrainingPlan").with_entities(func.max(TrainingPlan.year)).scalar()


def years() -> list[int]:
    """The years the user has plans of, oldest first."""
    return [y for (y,) in scoped("TrainingPlan").with_entities(TrainingPlan.year).order_by(TrainingPlan.year)]


def plan_exists(year: int) -> bool:
    """Whether any plan of that year exists, whoever may read it (a year has one plan)."""
    return db.session.scalar(select(TrainingPlan.id).where(TrainingPlan.year == year)) is not None


def items(plan_id: int) -> list[TrainingItem]:
    """The user's items of the plan, by month, start date and id."""
    return scoped("TrainingItem").filter(TrainingItem.plan_id == plan_id).order_by(
        TrainingItem.month, TrainingItem.start_date, TrainingItem.id).all()


def items_to_copy(plan_id: int) -> list[TrainingItem]:
    """The user's items of the plan that were not cancelled, by month and id."""
    return scoped("TrainingItem").filter(
        TrainingItem.plan_id == plan_id, TrainingItem.status != ItemStatus.cancelled,
    ).order_by(TrainingItem.month, TrainingItem.id).all()


def _readable_enrolments():
    """The enrolments the user may read (own, team or all), as a subquery."""
    return scoped("Enrolment").with_entities(
        Enrolment.item_id, Enrolment.employee_id, Enrolment.attended, Enrolment.score, Enrolment.passed,
    ).subquery()


def enrolment_counts(plan_id: int) -> dict[int, tuple[int, int, int, int]]:
    """5.3: {item id: (enrolled, attended, assessed, passed)} of the plan's items that have
    enrolments, in one grouped query over the enrolments the user may read."""
    enr = _readable_enrolments()
    rows = db.session.execute(
        select(enr.c.item_id, func.count(),
               func.count(case((enr.c.attended == true(), 1))),
               func.count(enr.c.score),
               func.count(case((enr.c.passed == true(), 1))))
        .where(enr.c.item_id.in_(select(TrainingItem.id).where(TrainingItem.plan_id == plan_id)))
        .group_by(enr.c.item_id)
    ).all()
    return {item_id: tuple(rest) for item_id, *rest in rows}


def budget_used(plan_id: int) -> Decimal:
    """The cost of the plan's items held or assessed (one aggregate query)."""
    return scoped("TrainingItem").filter(
        TrainingItem.plan_id == plan_id, TrainingItem.status.in_(SPENT),
    ).with_entities(func.coalesce(func.sum(TrainingItem.cost), 0)).scalar() or Decimal("0")


def salespeople() -> list[Employee]:
    """Active salespeople the user may read, limited to those whose enrolments the user may read
    too (a salesperson sees their team as employees but only their own enrolments)."""
    actor = current_actor()
    if not actor.may("Enrolment", "read"):
        return []
    query = scoped("Employee").filter(Employee.position == Position.salesperson,
                                       Employee.status == EmployeeStatus.active)
    allowed = actor.employees("Enrolment", "read")
    if allowed is not None:
        query = query.filter(Employee.id.in_(sorted(allowed)))
    return query.order_by(Employee.number).all()


def attended_topics(plan_id: int, employee_ids) -> list[tuple]:
    """(employee id, topic) of the topics of 5.1.2 each employee attended on the plan's items that
    were not cancelled (one grouped query over the readable enrolments)."""
    enr = _readable_enrolments()
    return db.session.execute(
        select(enr.c.employee_id, TrainingItem.topic)
        .join(TrainingItem, TrainingItem.id == enr.c.item_id)
        .where(TrainingItem.plan_id == plan_id, TrainingItem.status != ItemStatus.cancelled,
               enr.c.attended == true(), enr.c.employee_id.in_(list(employee_ids)))
        .group_by(enr.c.employee_id, TrainingItem.topic)
    ).all()
