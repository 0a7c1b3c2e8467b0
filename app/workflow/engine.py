"""Moves a record along its workflow: the one place where a status or stage changes.

``apply`` checks, in this order, that the step exists (404), that the record is in one of the
step's source states (409), that the user holds the step's right over the row and one of its
roles, and for approvals that the record and the request are not their own (403), that the
fields and comment the step needs are given and valid (422) and that the step's precondition
holds (409). Then it sets the fields and the state, runs the step's effect, and commits, the
change-history hook recording a ``transition`` entry with the step and comment. Any refusal
rolls back: the record, its history and its figures are unchanged.

``apply_as_system`` takes a step for the application itself (the daily job expiring quotations):
the same checks and changes but the rights, which a job does not hold as a person does, and no
commit, so that the job stays one transaction; a refusal undoes that step only.

The record is locked and read again before any check (``app.locks.lock``): of two steps taken at
once on one record (two approvers, a step and a payment, the order being scheduled while a line
is added) the second sees what the first did and is refused with 409, never a 500; a commit
refused by another writer is a 409 too.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, Enum, Integer, Numeric, false, inspect, select

from .. import locks, notify
from ..clock import today
from ..extensions import db
from ..history import RecordLog, actor_names, current_record, forget_transitions, note_transition
from ..models.history import ChangeAction, ChangeLog
from ..registry import BY_NAME, Entity
from ..rules import check_item
from ..security.scope import anchor_employee_id, current_actor, in_scope
from ..validation import MSG_BAD_CHARACTER, MSG_REQUIRED, ValidationFailure, storable_text

# definitions.REQUIRED is a step's comment mode ("required"), not a message: imported by its module.
from . import definitions
from .definitions import WORKFLOWS, Context, Step, Workflow


class TransitionError(Exception):
    def __init__(self, status: int, message, errors: dict | None = None):
        self.status = status
        self.errors = errors or {}
        super().__init__(str(message))


def workflow_of(entity: Entity | str) -> Workflow | None:
    return WORKFLOWS.get(entity if isinstance(entity, str) else entity.name)


def state_of(wf: Workflow, obj) -> str:
    value = getattr(obj, wf.field)
    return value.name if value is not None else ""


def is_locked(entity: Entity, obj) -> bool:
    """Whether the record's state forbids editing and deleting it (``Workflow.locked``)."""
    wf = workflow_of(entity)
    if wf is None or not wf.locked:
        return False
    hist = inspect(obj).attrs[wf.field].history
    stored = hist.deleted[0] if hist.deleted else getattr(obj, wf.field)  # the state as loaded
    return stored is not None and stored.name in wf.locked


def derived_columns(entity: Entity) -> set[str]:
    """Columns no form or API body may set: the workflow state and the fields its steps set
    (changed only by the engine), the row version, and the entity's ``readonly``."""
    out = {"version", *entity.readonly, *entity.own_screen}
    wf = WORKFLOWS.get(entity.name)
    if wf:
        out.add(wf.field)
        out.update(f for step in wf.steps for f in step.fields)
    return out


def form_columns(entity: Entity) -> list[str]:
    """The record columns a form or API body may set: all but the derived ones."""
    derived = derived_columns(entity)
    by_rel = {rel.key: [c.key for c in rel.local_columns] for rel in inspect(entity.model).relationships}
    return [c for c in entity.record_columns()
            if c not in derived and not set(by_rel.get(c, ())) & derived]


def parent_locked(entity: Entity, obj) -> bool:
    """Whether the record a row hangs off forbids changing it (``Entity.parent_lock``)."""
    lock = entity.parent_lock
    return lock is not None and children_locked(entity, getattr(obj, lock[0], None))


def children_locked(entity: Entity, parent) -> bool:
    """Whether ``parent``'s state forbids adding or changing its rows of ``entity`` (a sent
    quotation's lines): ``Entity.parent_lock``, and only for the parent the lock names."""
    lock = entity.parent_lock
    if lock is None or parent is None:
        return False
    rel, open_states = lock
    if getattr(entity.model, rel).property.mapper.class_ is not type(parent):
        return False
    wf = workflow_of(parent.__class__.__name__)
    return wf is not None and state_of(wf, parent) not in open_states


def locked_clause(entity: Entity):
    """SQL condition true for rows of ``entity`` that may not be edited or deleted now: their own
    state is locked (``Workflow.locked``) or their parent's is (``Entity.parent_lock``)."""
    model = entity.model
    clause = false()
    wf = workflow_of(entity)
    if wf is not None and wf.locked:
        clause = clause | getattr(model, wf.field).in_(wf.locked)
    lock = entity.parent_lock
    if lock is not None:
        rel, open_states = lock
        attr = getattr(model, rel)
        parent = attr.property.mapper.class_
        parent_field = getattr(parent, WORKFLOWS[parent.__name__].field)
        clause = clause | attr.has(parent_field.not_in(open_states))
    return clause


def requester(entity_name: str, row_ids) -> dict[int, int | None]:
    """Who put each record into its current state: the user of its latest transition, else its
    creator (one query for any number of records)."""
    ids = list(row_ids)
    if not ids:
        return {}
    latest = (
        select(ChangeLog.row_id, ChangeLog.user_id)
        .where(ChangeLog.entity == entity_name, ChangeLog.row_id.in_(ids),
               ChangeLog.action.in_([ChangeAction.create, ChangeAction.transition]))
        .order_by(ChangeLog.row_id, ChangeLog.id)
    )
    out: dict[int, int | None] = {}
    for row_id, user_id in db.session.execute(latest):
        out[row_id] = user_id  # ordered by id: the last one wins
    return out


def refusal(entity: Entity, obj, step: Step):
    """Why the current user may not take ``step`` on ``obj`` (ignoring its source state), or None."""
    actor = current_actor()
    if not in_scope(obj, step.verb, entity):
        return _l("You may not take this step on this record.")
    if not step.open_to(actor.roles):
        return _l("You may not take this step on this record.")
    if step.approval:
        if entity.anchor and anchor_employee_id(obj, entity) == actor.employee_id:
            return _l("Nobody may approve their own request.")
        if actor.user_id is not None and requester(entity.name, [obj.id]).get(obj.id) == actor.user_id:
            return _l("Nobody may approve their own request.")
    return None


def available(entity: Entity, obj) -> list[tuple[Step, str | None]]:
    """The steps the user may take now, each with the reason it is blocked (or None)."""
    wf = workflow_of(entity)
    if wf is None:
        return []
    state = state_of(wf, obj)
    ctx = _context(None, current_actor())
    out = []
    for step in wf.steps:
        if state in step.source and refusal(entity, obj, step) is None:
            blocked = step.when(obj, ctx) if step.when else None
            out.append((step, str(blocked) if blocked else None))
    return out


def _context(comment, actor) -> Context:
    """What a step's precondition, route and effect read; ``actor`` None: the application."""
    return Context(db.session, actor.employee_id if actor is not None else None, today(), comment)


def _column(entity: Entity, name: str):
    return entity.model.__table__.columns[name] if name in entity.model.__table__.columns else None


def parse_field(entity: Entity, name: str, raw):
    """A step field's value from a form string or JSON value; raises ValueError when malformed."""
    col = _column(entity, name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, dict | list | tuple):
        raise ValueError(raw)
    ctype = col.type
    if isinstance(ctype, Enum):
        return ctype.enum_class[str(raw)]
    if isinstance(ctype, Date):
        return raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    if isinstance(ctype, Integer):
        if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
            raise ValueError(raw)
        return int(str(raw))
    if isinstance(ctype, Numeric):
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            raise ValueError(raw) from None
        if not value.is_finite():
            raise ValueError(raw)
        return value
    return str(raw).strip()


def apply(entity: Entity, obj, step_name: str, data: dict, version=None) -> None:
    """Take ``step_name`` on ``obj`` for the signed-in user with their ``data`` (fields and
    ``comment``), and commit."""
    wf = workflow_of(entity)
    step = wf.by_name.get(step_name) if wf else None
    try:
        if step is None:
            raise TransitionError(404, _l("No such step."))
        try:
            locks.lock(obj)  # steps on one record (and rules on its children) are taken in turn
        except locks.Conflict as exc:
            raise TransitionError(409, exc) from None
        if version not in (None, "") and str(version) != str(obj.version):
            raise TransitionError(409, _l("This record was changed by someone else in the meantime. "
                                          "Reload it and try again."))
        _take(entity, wf, step, obj, data, current_actor())
        try:
            locks.commit()
        except locks.Conflict as exc:
            raise TransitionError(409, exc) from None
    except Exception:
        db.session.rollback()
        forget_transitions(db.session)
        raise


def apply_as_system(entity: Entity, obj, step_name: str) -> None:
    """Take ``step_name`` on ``obj`` for the application itself (the daily job's automatic steps),
    inside the caller's transaction, without committing.

    Nobody is acting, so no rights or roles are asked for; everything else is as in ``apply``: the
    row is locked and read again, the step must start from its state, it takes no fields or
    comment (a step needing them is refused, 422), its precondition must hold, and its effect, the
    row's rules, the version bump and the ``transition`` history entry (written by whoever the
    history sees writing: the command line for the job) follow. The step runs in a savepoint: a
    refusal raises ``TransitionError`` with the row and the rest of the caller's transaction as
    they were, so the caller may skip the row and go on. A row that cannot be locked, or a
    database conflict, rolls back the whole transaction and raises ``locks.Conflict``, as any
    conflict does."""
    wf = workflow_of(entity)
    step = wf.by_name.get(step_name) if wf else None
    if step is None:
        raise TransitionError(404, _l("No such step."))
    try:
        locks.lock(obj)
        # The savepoint makes a refusal undo this row's step only; a flush the database refuses
        # (on entering or leaving it) rolls back everything and raises Conflict.
        with locks.conflicts(), db.session.begin_nested():
            _take(entity, wf, step, obj, {}, None)
    except Exception:
        # Undone (the savepoint or the whole transaction): its step must not label a later change.
        # Entering the savepoint flushed the session, so no other row's step is still noted.
        forget_transitions(db.session)
        raise


def _take(entity: Entity, wf: Workflow, step: Step, obj, data: dict, actor) -> None:
    """The checks and changes of one step on the locked ``obj``, for ``actor`` (None: the
    application itself, which holds no rights to check); raises ``TransitionError``."""
    state = state_of(wf, obj)
    if state not in step.source:
        raise TransitionError(409, _l("This step is not possible from the record's current state."))
    if actor is not None:
        why = refusal(entity, obj, step)
        if why:
            raise TransitionError(403, why)
    raw_comment = data.get("comment")
    comment = (raw_comment.strip() or None) if isinstance(raw_comment, str) else None
    errors = {}
    if raw_comment is not None and not isinstance(raw_comment, str):
        errors["comment"] = str(_l("Not a valid value."))
    values = {}
    for name in step.fields:
        try:
            values[name] = parse_field(entity, name, data.get(name))
        except (ValueError, KeyError, TypeError):
            errors[name] = str(_l("Not a valid value."))
            continue
        if values[name] is None:
            errors[name] = str(MSG_REQUIRED)
    if step.comment == definitions.REQUIRED and not comment:
        errors["comment"] = str(MSG_REQUIRED)
    if comment and len(comment) > 500:
        errors["comment"] = str(_l("At most %(n)s characters.", n=500))
    elif comment and not storable_text(comment):
        errors["comment"] = str(MSG_BAD_CHARACTER)
    if errors:
        raise TransitionError(422, _l("Please correct the marked fields."), errors)
    ctx = _context(comment, actor)
    with db.session.no_autoflush:
        blocked = step.when(obj, ctx) if step.when else None
        if blocked:
            raise TransitionError(409, blocked)
        for name, value in values.items():
            setattr(obj, name, value)
        target = step.route(obj, ctx) if step.route else step.target
        setattr(obj, wf.field, getattr(type(obj), wf.field).type.enum_class[target])
        if step.effect:
            step.effect(obj, ctx)
        try:
            check_item(obj)
        except ValidationFailure as exc:
            raise TransitionError(422, _l("Please correct the marked fields."), exc.errors) from None
        _tell(entity, wf, step, obj, actor)
    note_transition(db.session, entity.name, obj.id, step.name, comment)


def approvals_from(wf: Workflow, state: str) -> tuple[Step, ...]:
    """The approval steps a record in ``state`` waits for."""
    return tuple(s for s in wf.steps if s.approval and state in s.source)


def request_user(entity: Entity, wf: Workflow, row_id: int) -> int | None:
    """Who made the request a decision answers: the user of the record's latest step that is not
    itself a decision (a contract's finance approval answers whoever submitted it, not the
    supervisor who approved first), else its creator. Read before the step's own entry is
    written."""
    decisions = {s.name for s in wf.steps if s.approval}
    rows = db.session.execute(
        select(ChangeLog.user_id, ChangeLog.action, ChangeLog.step)
        .where(*current_record(entity.name, row_id),
               ChangeLog.action.in_([ChangeAction.create, ChangeAction.transition]))
        .order_by(ChangeLog.id.desc())).all()
    for user_id, action, step in rows:
        if action is ChangeAction.create or step not in decisions:
            return user_id
    return None


_KIND_OF = {notify.DECIDERS: "approval_requested", notify.REQUESTER: "decided",
            notify.SIGNERS: "signoff_requested"}


def _tell(entity: Entity, wf: Workflow, step: Step, obj, actor) -> None:
    """Tell who the step names (``Step.tell``), in the step's transaction; one occasion per step
    taken (the row version it was taken at)."""
    if not step.tell:
        return
    state = state_of(wf, obj)
    key = f"{step.name}:{obj.version}"
    resolver = notify.Resolver()
    for audience in step.tell:
        occasion = notify.Occasion(obj, key, {"step": step.name, "state": state}, (audience,))
        if audience == notify.DECIDERS:
            occasion.steps = approvals_from(wf, state)
            if not occasion.steps:
                continue  # approved outright: nobody else decides
            occasion.requester = request_user(entity, wf, obj.id) if step.approval else (
                actor.user_id if actor else None)
        elif audience == notify.REQUESTER:
            occasion.requester = request_user(entity, wf, obj.id)
        notify.tell(_KIND_OF.get(audience, "step_taken"), entity, [occasion], resolver)


for _wf in WORKFLOWS.values():
    if _wf.created_tell:
        notify.tell_on_create(_wf.entity, _wf.created_tell,
                              lambda obj, wf=_wf: approvals_from(wf, state_of(wf, obj)))


def timeline(entity: Entity, row_id: int, log: RecordLog | None = None) -> list[dict]:
    """The record's transitions, oldest first: when, who, from, to, step and comment; taken from
    ``log`` (the record page's history) when that holds every entry of the record."""
    wf = workflow_of(entity)
    if wf is None:
        return []
    enum_cls = getattr(entity.model, wf.field).type.enum_class
    if log is not None and log.complete:
        rows = sorted((row for row in log.rows if row.action is ChangeAction.transition),
                      key=lambda row: row.id)
        who = log.who
    else:
        rows = db.session.scalars(
            select(ChangeLog).where(*current_record(entity.name, row_id),
                                    ChangeLog.action == ChangeAction.transition)
            .order_by(ChangeLog.id)
        ).all()
        who = actor_names(rows)

    def label(name):
        return enum_cls[name].label if name in enum_cls.__members__ else name or "—"

    out = []
    for row in rows:
        old, new = row.changes.get(wf.field, [None, None])
        step = wf.by_name.get(row.step)
        out.append({"at": row.at, "who": who[row.user_id], "source": row.source,
                    "from": label(old), "to": label(new), "from_state": old, "to_state": new,
                    "step_name": row.step,
                    "step": step.label if step else row.step, "comment": row.comment})
    return out


def entity_by_resource(name: str) -> Entity | None:
    """The entity of an URL segment (the API resource name, e.g. ``leaverequest``)."""
    for entity in BY_NAME.values():
        if entity.name.lower() == name.lower():
            return entity
    return None
