"""Records every create, update and delete of a business record in ``change_log``.

A SQLAlchemy ``after_flush`` hook sees each flushed row of a registry entity with its attribute
history, whatever wrote it (a form, the API, a command), and inserts the entries on the same
connection, so they commit or roll back with the change itself.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache

from flask import g, has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import Numeric, bindparam, event, func, insert, inspect, select
from sqlalchemy.orm import RelationshipDirection, Session

from .display import MSG_HIDDEN, formatter_for
from .extensions import db
from .models import Employee, User
from .models.base import utcnow
from .models.history import ChangeAction, ChangeLog, ChangeSource
from .registry import BY_MODEL, BY_NAME
from .security.scope import current_actor, readable_ids, scoped

_TRANSITIONS = "portal_transitions"  # session.info: {(entity, id): (step, comment)}


def note_transition(session: Session, entity_name: str, row_id: int, step: str, comment=None) -> None:
    """The next flush of this row records a workflow step (``step``, with its comment) rather than
    a plain update; called by the workflow engine only, for users' steps and the daily job's."""
    session.info.setdefault(_TRANSITIONS, {})[(entity_name, row_id)] = (step, comment)


def forget_transitions(session: Session) -> None:
    """Drop the noted steps (the change they belonged to was rolled back)."""
    session.info.pop(_TRANSITIONS, None)


def _json(value):
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, (date, datetime, time, Decimal)):
        return str(value)
    return value


def _columns(obj):
    return [c.key for c in obj.__table__.columns
            if c.key not in ("id", "created_at", "updated_at", "version")]


def _diff(obj, action: ChangeAction) -> dict:
    state = inspect(obj)
    if action is ChangeAction.update:
        out = {}
        for key in _columns(obj):
            hist = state.attrs[key].history
            if hist.has_changes():
                old = hist.deleted[0] if hist.deleted else None
                new = hist.added[0] if hist.added else None
                if old != new:
                    out[key] = [_json(old), _json(new)]
        return out
    values = {key: _json(getattr(obj, key)) for key in _columns(obj)}
    if action is ChangeAction.create:
        return {k: [None, v] for k, v in values.items() if v is not None}
    return {k: [v, None] for k, v in values.items() if v is not None}


def _who():
    """(user id, username, source) of whoever is writing now."""
    if not has_request_context():
        return None, None, "cli"

    actor = current_actor()
    source = g.get("portal_change_source") or ("api" if request.path.startswith("/api/") else "ui")
    return actor.user_id, actor.username, source


def _after_flush(session, _flush_context):
    transitions = session.info.get(_TRANSITIONS, {})
    entries = []
    for objs, action in ((session.new, ChangeAction.create), (session.dirty, ChangeAction.update),
                         (session.deleted, ChangeAction.delete)):
        for obj in objs:
            entity = BY_MODEL.get(type(obj))
            if entity is None:
                continue
            changes = _diff(obj, action)
            if action is ChangeAction.update and not changes:
                continue
            # Per object: a transition does not change how the next dirty object is recorded.
            kind, step, comment = action, None, None
            if action is ChangeAction.update and (entity.name, obj.id) in transitions:
                kind = ChangeAction.transition
                step, comment = transitions.pop((entity.name, obj.id))
            entries.append((entity.name, obj.id, kind, changes, step, comment))
    if not entries:
        return
    with session.no_autoflush:
        user_id, username, source = _who()
    now = utcnow()
    session.connection().execute(insert(ChangeLog.__table__), [
        {"at": now, "user_id": user_id, "username": username, "source": source, "entity": name,
         "row_id": row_id, "action": action.name, "changes": changes, "step": step,
         "comment": comment}
        for name, row_id, action, changes, step, comment in entries
    ])


def record_update(session: Session, entity_name: str, row_id: int, changes: dict) -> None:
    """Record an update of a row the flush hook does not see (one without a registry entry: a
    policy setting, whose history is kept under its key), as whoever is writing now."""
    user_id, username, source = _who()
    session.execute(insert(ChangeLog.__table__).values(
        at=utcnow(), user_id=user_id, username=username, source=source, entity=entity_name,
        row_id=row_id, action=ChangeAction.update.name, changes=changes))


def install() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


def current_record(entity_name: str, row_id: int) -> tuple:
    """Conditions selecting the history of the record that has this id now: SQLite may give a
    deleted record's id to a new one, so entries before the latest creation belong to another."""
    born = (select(func.coalesce(func.max(ChangeLog.id), 0))
            .where(ChangeLog.entity == entity_name, ChangeLog.row_id == row_id,
                   ChangeLog.action == ChangeAction.create).scalar_subquery())
    return ChangeLog.entity == entity_name, ChangeLog.row_id == row_id, ChangeLog.id >= born


def _referenced_names(entity, rows) -> dict[str, dict[int, str]]:
    """Names of the records the history's foreign keys point at, one query per column, and only
    those the user may read (others stay as ``#id``)."""
    out: dict[str, dict[int, str]] = {}
    for rel in inspect(entity.model).relationships:
        target = BY_MODEL.get(rel.mapper.class_)
        if rel.direction is not RelationshipDirection.MANYTOONE or target is None:
            continue
        key = next(iter(rel.local_columns)).key
        ids = {v for row in rows for v in row.changes.get(key, ()) if isinstance(v, int)}
        if ids:
            query = scoped(target)
            out[key] = {obj.id: str(obj) for obj in query.filter(target.model.id.in_(ids))}
    out.update(_login_names(entity, rows))
    return out


def _login_names(entity, rows) -> dict[str, dict[int, str]]:
    """References to FAB's accounts (an employee's login) read as the login, not its id."""
    out = {}
    for col in entity.model.__table__.columns:
        if not any(fk.column.table is User.__table__ for fk in col.foreign_keys):
            continue
        ids = {v for row in rows for v in row.changes.get(col.key, ()) if isinstance(v, int)}
        if ids:
            out[col.key] = dict(db.session.execute(
                select(User.id, User.username).where(User.id.in_(ids))).all())
    return out


def actor_names(rows) -> dict[int | None, str]:
    """Who wrote each entry, as the reader may see it: the login of an employee the reader may
    read (or of an account that is no employee, like a system administrator); otherwise hidden,
    as any reference to a row outside the reader's scope is. One query for all the entries."""
    user_ids = {row.user_id for row in rows if row.user_id is not None}
    employees = dict(db.session.execute(
        select(Employee.user_id, Employee.id).where(Employee.user_id.in_(user_ids))).all()) if user_ids else {}
    readable = readable_ids(BY_NAME["Employee"], employees.values())
    names: dict[int | None, str] = {}
    for row in rows:
        hidden = row.user_id in employees and employees[row.user_id] not in readable
        names[row.user_id] = str(MSG_HIDDEN) if hidden else (row.username or "—")
    return names


OWN_SCREEN = _l("(changed; see its own page)")


def described(entity, rows) -> list[list[tuple]]:
    """Each entry's changes as (translated field label, old, new) shown as the record page shows
    values: enum labels, amounts, the names of referenced records (``#id`` when not readable)."""
    table = entity.model.__table__.columns
    # The columns, and what is recorded beside them (an attachment added or removed).
    keys = {*table.keys(), *(k for row in rows for k in row.changes)}
    labels = entity.column_labels([k.removesuffix("_id") for k in keys])
    names = _referenced_names(entity, rows)

    def show(key, value):
        if key in entity.own_screen and value is not None:
            return str(OWN_SCREEN)  # nested settings: shown by their own screen, never as raw data
        if key in names and value is not None:
            return names[key].get(value, f"#{value}")
        col = table.get(key)
        if col is not None and isinstance(col.type, Numeric) and isinstance(value, str):
            value = Decimal(value)  # stored as text in JSON; shown like the record page shows it
        return formatter_for(entity.model, key)(value)

    return [[(labels.get(key.removesuffix("_id"), key), show(key, old), show(key, new))
             for key, (old, new) in sorted(row.changes.items())] for row in rows]


HISTORY_LIMIT = 100  # entries a record page shows


@dataclass
class RecordLog:
    """A record's newest entries (newest first), whether they are all of its entries, and who
    wrote each as the reader may see it: what the record page's history and its workflow
    timeline both show, read in one statement."""

    rows: list
    complete: bool
    who: dict


@cache
def _log_statement(limit: int):
    """A record's newest ``limit`` entries, built once (every record page asks; building the
    statement cost as much as running it on SQLite)."""
    return (select(ChangeLog).where(*current_record(bindparam("entity"), bindparam("row_id")))
            .order_by(ChangeLog.at.desc(), ChangeLog.id.desc()).limit(limit))


def record_log(entity_name: str, row_id: int, limit: int = HISTORY_LIMIT) -> RecordLog:
    rows = db.session.scalars(_log_statement(limit + 1), {"entity": entity_name, "row_id": row_id}).all()
    rows, complete = rows[:limit], len(rows) <= limit
    return RecordLog(rows, complete, actor_names(rows))


def history_of(entity, row_id: int, limit: int = HISTORY_LIMIT, log: RecordLog | None = None):
    """The record's history, newest first, with translated field labels and enum values; from
    ``log`` when the page has read it already."""
    log = log or record_log(entity.name, row_id, limit)
    rows = log.rows[:limit]
    return [{"at": row.at, "who": log.who[row.user_id], "action": row.action.label,
             "source": ChangeSource[row.source].label if row.source in ChangeSource.__members__ else row.source,
             "fields": fields, "comment": row.comment}
            for row, fields in zip(rows, described(entity, rows), strict=True)]
