"""The inbox: a user's notifications, worded in the reader's language when read, each showing its
record only while the reader may still read it (the scope is asked again at reading time, in one
query per entity on a page: an entry about a row the reader lost shows nothing of it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..display import record_url
from ..extensions import db
from ..labels import DUNNING_LABELS
from ..models.notifications import Notification
from ..registry import BY_NAME
from ..security.scope import scoped
from ..workflow.definitions import WORKFLOWS

# Why an entry came, per kind: what the inbox and the e-mail say (placeholders from its params).
REASONS = {
    "approval_requested": _l("Waiting for your decision"),
    "decided": _l("Your request was decided: %(step)s"),
    "signoff_requested": _l("Your department's sign-off is needed (3.2.2)"),
    "step_taken": _l("Step taken: %(step)s"),
    "return_visit_due": _l("Return visit due on %(date)s (2.2.2)"),
    "quotation_expiring": _l("Quotation valid until %(date)s (3.1.5)"),
    "promise_due": _l("The customer promised to pay by %(date)s (3.3.2)"),
    "dunning_level": _l("Overdue %(days)s days: dunning level %(level)s, %(action)s (3.3.2)"),
    "ticket_due_soon": _l("Ticket due on %(date)s (3.4)"),
    "ticket_overdue": _l("Ticket past its due date of %(date)s (3.4)"),
    "certificate_expiring": _l("Certificate expires on %(date)s (5.4.3)"),
    "attendance_exception": _l("Attendance exception on %(date)s (4.1.1)"),
    "late_leave": _l("Leave requested with less notice than required (4.1.2)"),
}
MSG_HIDDEN_RECORD = _l("A record you can no longer open")


def reason(kind: str, entity_name: str, params: dict) -> str:
    """The entry's reason in the current language."""
    template = REASONS.get(kind)
    if template is None:
        return kind
    values = {}
    if "step" in params:
        wf = WORKFLOWS.get(entity_name)
        step = wf.by_name.get(params["step"]) if wf else None
        values["step"] = str(step.label) if step else params["step"]
    if "date" in params:
        try:
            values["date"] = format_date(date.fromisoformat(params["date"]), "medium")
        except (TypeError, ValueError):
            values["date"] = str(params["date"])
    if "level" in params:
        values["level"] = params["level"]
        values["action"] = str(DUNNING_LABELS.get(params.get("action"), params.get("action", "")))
        values["days"] = params.get("days", "")
    try:
        return str(template) % values if values else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)


@dataclass
class Entry:
    id: int
    kind: str
    reason: str
    entity_label: str
    label: str | None  # the record's name, None when the reader may not read it
    url: str | None
    created_at: datetime
    read: bool


def unread_count(user_id: int) -> int:
    """The navbar's badge (read from the index on user, read time and id alone)."""
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def entries(user_id: int, offset: int, limit: int, unread_only: bool = False) -> tuple[list[Entry], int]:
    """A page of the user's entries, newest first, and how many there are."""
    where = [Notification.user_id == user_id]
    if unread_only:
        where.append(Notification.read_at.is_(None))
    total = db.session.scalar(select(func.count(Notification.id)).where(*where)) or 0
    rows = db.session.scalars(select(Notification).where(*where).order_by(Notification.id.desc())
                              .offset(offset).limit(limit)).all()
    return [*described(rows)], total


def described(rows) -> list[Entry]:
    """The entries of ``rows`` with their records' names where the reader may read them: one
    query per entity (the scope and the names together)."""
    ids: dict[str, set[int]] = {}
    for n in rows:
        ids.setdefault(n.entity, set()).add(n.row_id)
    labels: dict[tuple[str, int], str] = {}
    for name, row_ids in ids.items():
        entity = BY_NAME.get(name)
        if entity is None:
            continue
        for obj in scoped(entity, pinned=True).filter(entity.model.id.in_(sorted(row_ids))):
            labels[(name, obj.id)] = str(obj)
    out = []
    for n in rows:
        entity = BY_NAME.get(n.entity)
        label = labels.get((n.entity, n.row_id))
        out.append(Entry(
            n.id, n.kind, reason(n.kind, n.entity, n.params or {}),
            str(entity.label) if entity else n.entity, label,
            record_url(n.entity, n.row_id) if label is not None else None, n.created_at,
            n.read_at is not None))
    return out
