"""Activities (``models.activities``): a user's planned ones, and the customers nobody follows up
(2.2.2), each through the reader's scope."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import exists
from sqlalchemy.orm import selectinload

from .. import models as m
from .. import policy
from ..models.activities import SUBJECTS, ActivityStatus
from ..models.policy import PolicyKey
from ..security.scope import prime_references, scoped

MAX_MINE = 300  # planned activities on "My activities" (the oldest due first)


def planned_for(employee_id: int | None) -> list:
    """The employee's planned activities, the earliest due first, with the records they are about
    (one query per kind of record: the customer is joined) and their readability decided."""
    if employee_id is None:
        return []
    A = m.Activity  # noqa: N806
    rows = (scoped("Activity").filter(A.assignee_id == employee_id, A.status == ActivityStatus.planned)
            .options(*(selectinload(getattr(A, rel)) for rel, _col in SUBJECTS if rel != "customer"))
            .order_by(A.due_date, A.id).limit(MAX_MINE).all())
    prime_references(A, rows)  # whether each record they are about may be shown: a query per kind
    return rows


def without_follow_up_query(day: date):
    """2.2.2: customers not lost with no planned activity and no visit within the policy's days
    (``follow_up_days``), the longest unattended first (by code)."""
    C, A, V = m.Customer, m.Activity, m.Visit  # noqa: N806
    since = day - timedelta(days=policy.get(PolicyKey.follow_up_days))
    return scoped("Customer").filter(
        C.stage != m.customers.Stage.lost,
        ~exists().where(A.customer_id == C.id, A.status == ActivityStatus.planned),
        ~exists().where(V.customer_id == C.id, V.visit_date >= since),
    ).order_by(C.code)
