"""The one place that raises notifications (inbox entries, and their e-mails): called by the
workflow engine for the steps that name who is told (``Step.tell`` in ``workflow.definitions``),
by the change-history flush for records created waiting for a decision (``Workflow.created_tell``)
and by the daily job for what falls due. Views never raise one.

Who is told is an audience, resolved against the record when it is raised:
``OWNER`` the user of the record's anchor employee; ``SUPERVISOR`` the supervisor of the owner's
team (else the owner's manager); ``DECIDERS`` the users who may take one of the approval steps
the record's new state starts from (their roles, their approve scope over the row, never on their
own record or request; administrators only when nobody else may); ``REQUESTER`` who put the record
into the state the step leaves (the decision goes back to them); ``SIGNERS`` the users who sign
off an order for a department (3.2.2); a role name: that role's users. Every recipient must be
able to read the record at that moment, and nobody is told of their own act: no one outside the
record's scope hears of it. The inbox checks the scope again when it is read.

Each entry's e-mail follows its recipient's choice (``UserPreference.mail_mode``): ``pending``,
sent after the commit that raised it (``app.mail``), ``digest`` for the daily digest, or none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import g, has_request_context
from flask_appbuilder.security.sqla.models import (
    Permission,
    PermissionView,
    Role,
    ViewMenu,
    assoc_group_role,
    assoc_permissionview_role,
    assoc_user_group,
    assoc_user_role,
)
from sqlalchemy import event, select, tuple_, update
from sqlalchemy.orm import Session

from . import policy
from .extensions import db
from .models import Employee, Team, User, UserPreference
from .models.base import utcnow
from .models.notifications import MailMode, MailState, Notification
from .models.policy import PolicyKey
from .registry import BY_MODEL, BY_NAME, Entity
from .rules import SIGNING_ROLES
from .security.matrix import ADMIN, SCOPES, permission_name
from .security.scope import Actor, actor_reaches, anchor_employee_id, build_actor, current_actor

OWNER, SUPERVISOR, DECIDERS, REQUESTER, SIGNERS = "owner", "supervisor", "deciders", "requester", "signers"
_RAISED = "portal_notifications_raised"  # session.info: entries to mail after the commit
_CREATED = "portal_created_to_tell"  # session.info: new records whose workflow tells on creation
COMMITTED_KEY = "_portal_notifications_to_mail"  # g: ids of committed entries to mail now


@dataclass
class Occasion:
    """One reason to tell people about one record: ``kind`` and ``params`` word it, ``key`` tells
    it apart from the kind's other occasions on the record."""

    obj: object
    key: str
    params: dict = field(default_factory=dict)
    audiences: tuple[str, ...] = ()
    steps: tuple = ()  # for DECIDERS: the approval steps the record may now take
    requester: int | None = None  # for REQUESTER: the user id


def _users_with(role_ids) -> list[int]:
    """The active users holding one of the roles ``role_ids`` selects, their own or through a
    group, by id."""
    direct = select(assoc_user_role.c.user_id).where(assoc_user_role.c.role_id.in_(role_ids))
    grouped = select(assoc_user_group.c.user_id).join(
        assoc_group_role, assoc_group_role.c.group_id == assoc_user_group.c.group_id).where(
        assoc_group_role.c.role_id.in_(role_ids))
    return list(db.session.scalars(select(User.id).where(
        User.active.is_(True), User.id.in_(direct.union(grouped))).order_by(User.id)))


class Resolver:
    """Resolves audiences to user ids, keeping what it looked up (a daily job raises hundreds)."""

    def __init__(self):
        self._actors: dict[int, Actor | None] = {}
        self._users_of: dict[int, int | None] = {}
        self._role_users: dict[str, list[int]] = {}
        self._supervisor: dict[int, int | None] = {}

    def actor(self, user_id: int) -> Actor | None:
        if user_id not in self._actors:
            user = db.session.get(User, user_id)
            self._actors[user_id] = build_actor(user) if user is not None and user.active else None
        return self._actors[user_id]

    def user_of(self, employee_id: int | None) -> int | None:
        if employee_id is None:
            return None
        if employee_id not in self._users_of:
            self._users_of[employee_id] = db.session.scalar(
                select(Employee.user_id).where(Employee.id == employee_id))
        return self._users_of[employee_id]

    def supervisor_of(self, employee_id: int | None) -> int | None:
        """The employee's team supervisor (not themself), else their manager."""
        if employee_id is None:
            return None
        if employee_id not in self._supervisor:
            row = db.session.execute(
                select(Team.supervisor_id, Employee.manager_id)
                .select_from(Employee).outerjoin(Team, Team.id == Employee.team_id)
                .where(Employee.id == employee_id)).first()
            sup = None
            if row is not None:
                sup = row[0] if row[0] not in (None, employee_id) else row[1]
            self._supervisor[employee_id] = sup
        return self._supervisor[employee_id]

    def role_users(self, role: str) -> list[int]:
        """The active users holding the role ``role`` (one statement per role)."""
        if role not in self._role_users:
            self._role_users[role] = _users_with(select(Role.id).where(Role.name == role))
        return self._role_users[role]

    def reads(self, user_id: int, entity: Entity, anchor: int | None) -> bool:
        """Whether the user may read a row of ``entity`` anchored on ``anchor``."""
        actor = self.actor(user_id)
        return actor is not None and actor_reaches(actor, entity, "read", anchor)

    def holders(self, entity_name: str, verbs) -> list[int]:
        """The active users whose roles (their own or their groups') hold one of ``verbs`` on the
        entity in some scope: one statement, so that only they are looked at one by one."""
        perms = [permission_name(v, scope) for v in sorted(set(verbs)) for scope in SCOPES]
        roles = (select(assoc_permissionview_role.c.role_id)
                 .join(PermissionView, PermissionView.id == assoc_permissionview_role.c.permission_view_id)
                 .join(Permission, Permission.id == PermissionView.permission_id)
                 .join(ViewMenu, ViewMenu.id == PermissionView.view_menu_id)
                 .where(ViewMenu.name == entity_name, Permission.name.in_(perms)))
        return _users_with(roles)

    def deciders(self, entity: Entity, anchor: int | None, steps, requester: int | None) -> set[int]:
        """The users who may take one of ``steps`` (approvals) on a row anchored on ``anchor``."""
        found, admins = set(), set()
        for uid in self.holders(entity.name, [step.verb for step in steps]):
            actor = self.actor(uid)
            if actor is None or uid == requester:
                continue
            if entity.anchor and anchor is not None and actor.employee_id == anchor:
                continue  # nobody decides their own request
            for step in steps:
                if step.open_to(actor.roles) and actor_reaches(actor, entity, step.verb, anchor):
                    (admins if ADMIN in actor.roles else found).add(uid)
                    break
        return found or admins

    def signers(self, entity: Entity, anchor: int | None) -> set[int]:
        """3.2.2: the users of the departments whose sign-off an order under review needs."""
        named = policy.get(PolicyKey.order_review_signers)
        out: set[int] = set()
        for dept in policy.get(PolicyKey.order_review_departments):
            role = SIGNING_ROLES.get(dept)
            if role:
                out.update(self.role_users(role))
            out.update(u for u in (self.user_of(e) for e in named.get(dept, ())) if u)
        return {u for u in out if (a := self.actor(u)) and a.may("OrderReview", "write")
                and actor_reaches(a, entity, "read", anchor)}

    def resolve(self, entity: Entity, occasion: Occasion, acting_user: int | None) -> set[int]:
        anchor = anchor_employee_id(occasion.obj, entity) if entity.anchor else None
        users: set[int] = set()
        for audience in occasion.audiences:
            if audience == OWNER:
                users.add(self.user_of(anchor))
            elif audience == SUPERVISOR:
                users.add(self.user_of(self.supervisor_of(anchor)))
            elif audience == DECIDERS:
                users |= self.deciders(entity, anchor, occasion.steps, occasion.requester or acting_user)
            elif audience == REQUESTER:
                users.add(occasion.requester)
            elif audience == SIGNERS:
                users |= self.signers(entity, anchor)
            else:
                users.update(self.role_users(audience))
        users.discard(None)
        users.discard(acting_user)  # nobody is told of what they did themself
        return {u for u in users if self.reads(u, entity, anchor)}


def _acting_user() -> int | None:
    return current_actor().user_id if has_request_context() else None


def tell(kind: str, entity: Entity | str, occasions: Iterable[Occasion], resolver: Resolver | None = None) -> int:
    """Raise ``kind`` for each occasion on its record to its audiences, in the caller's
    transaction (committed or rolled back with the change that raised it); an occasion a
    recipient was told of already is skipped. Returns how many entries were added."""
    entity = BY_NAME[entity] if isinstance(entity, str) else entity
    occasions = list(occasions)
    if not occasions:
        return 0
    resolver = resolver or Resolver()
    acting = _acting_user()
    wanted = [(uid, occ) for occ in occasions for uid in sorted(resolver.resolve(entity, occ, acting))]
    if not wanted:
        return 0
    existing = set()
    pairs = sorted({(uid, occ.obj.id, occ.key) for uid, occ in wanted})
    for start in range(0, len(pairs), 300):
        chunk = pairs[start:start + 300]
        existing.update(db.session.execute(
            select(Notification.user_id, Notification.row_id, Notification.key).where(
                Notification.kind == kind, Notification.entity == entity.name,
                tuple_(Notification.user_id, Notification.row_id, Notification.key).in_(chunk))).all())
    modes = _mail_modes({uid for uid, _ in wanted})
    added = []
    for uid, occ in wanted:
        if (uid, occ.obj.id, occ.key) in existing:
            continue
        existing.add((uid, occ.obj.id, occ.key))
        mode = modes.get(uid, MailMode.immediately)
        state = {MailMode.immediately: MailState.pending, MailMode.digest: MailState.digest}.get(mode, MailState.none)
        entry = Notification(user_id=uid, kind=kind, entity=entity.name, row_id=occ.obj.id, key=occ.key,
                             params=occ.params, mail_state=state)
        db.session.add(entry)
        added.append(entry)
    db.session.info.setdefault(_RAISED, []).extend(e for e in added if e.mail_state is MailState.pending)
    return len(added)


def _mail_modes(user_ids) -> dict[int, MailMode]:
    """Each user's mail choice; a user without an address is mailed nothing."""
    rows = db.session.execute(
        select(User.id, User.email, UserPreference.mail_mode)
        .outerjoin(UserPreference, UserPreference.user_id == User.id)
        .where(User.id.in_(sorted(user_ids)))).all()
    return {uid: (mode or MailMode.immediately) if email else MailMode.never for uid, email, mode in rows}


# --- records created waiting for a decision -----------------------------------------------------

_created_tell: dict[str, tuple] = {}  # entity name -> (audiences, the approval steps of a row)


def tell_on_create(entity_name: str, audiences: tuple[str, ...], approvals_of) -> None:
    """Register that a new record of ``entity_name`` tells ``audiences`` when it is created in a
    state an approval step starts from (``approvals_of``: row -> those steps); the workflow
    engine registers its workflows' ``created_tell`` when it loads (the definitions are above
    this module)."""
    _created_tell[entity_name] = (audiences, approvals_of)


def _after_flush(session: Session, _ctx) -> None:
    for obj in session.new:
        entity = BY_MODEL.get(type(obj))
        if entity is not None and entity.name in _created_tell:
            session.info.setdefault(_CREATED, []).append((entity, obj))


def _before_commit(session: Session) -> None:
    session.flush()  # the commit's own flush comes after this hook: its new rows are noted now
    created = session.info.pop(_CREATED, None)
    if not created:
        return
    resolver = Resolver()
    for entity, obj in created:
        audiences, approvals_of = _created_tell[entity.name]
        steps = approvals_of(obj)
        if steps:
            tell("approval_requested", entity, [Occasion(obj, f"create:{obj.id}", {}, audiences, steps,
                                                         _acting_user())], resolver)


def _after_commit(session: Session) -> None:
    raised = session.info.pop(_RAISED, None)
    if raised and has_request_context():
        g.setdefault(COMMITTED_KEY, []).extend(e.id for e in raised if e.id is not None)


def _after_soft_rollback(session: Session, previous) -> None:
    if previous.parent is None:  # the whole transaction, not a savepoint inside it
        session.info.pop(_RAISED, None)
        session.info.pop(_CREATED, None)


_installed = False


def install() -> None:
    global _installed
    if not _installed:
        _installed = True
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)


# --- the reader's side: read marks and mail choice --------------------------------------------


def mark_read(user_id: int, ids=None) -> int:
    """Mark the user's entries read (``ids`` None: all of them); never another user's."""
    where = [Notification.user_id == user_id, Notification.read_at.is_(None)]
    if ids is not None:
        where.append(Notification.id.in_(sorted(ids)))
    done = db.session.execute(update(Notification).where(*where).values(read_at=utcnow())).rowcount
    db.session.commit()
    return done


def entry_of(user_id: int, entry_id: int) -> Notification | None:
    """One of the user's entries (another user's is None, as a missing one)."""
    return db.session.scalar(select(Notification).where(Notification.id == entry_id,
                                                        Notification.user_id == user_id))


def mail_mode(user_id: int) -> MailMode:
    return db.session.scalar(select(UserPreference.mail_mode).where(UserPreference.user_id == user_id)) or (
        MailMode.immediately)


def set_mail_mode(user_id: int, mode: MailMode, locale: str) -> None:
    """Store the user's mail choice; entries already waiting follow it (a digest reader's pending
    mails join the digest, a "never" reader's are dropped)."""
    pref = db.session.get(UserPreference, user_id)
    if pref is None:
        db.session.add(UserPreference(user_id=user_id, locale=locale, mail_mode=mode))
    else:
        pref.mail_mode = mode
    waiting = [MailState.pending, MailState.digest, MailState.failed]
    to = {MailMode.immediately: MailState.pending, MailMode.digest: MailState.digest}.get(mode, MailState.none)
    for n in db.session.scalars(select(Notification).where(Notification.user_id == user_id,
                                                           Notification.mail_state.in_(waiting))):
        n.mail_state = to
    db.session.commit()
