"""Row scope: which rows of an entity the current user may read, write or approve.

The scope of a verb comes from the user's database roles (permissions ``can_<verb>_<scope>``,
seeded from the matrix), kept per set of roles while the access grid is unchanged (``grants``). Rows are then filtered in SQL through the
entity's anchor (see ``app.registry``) and checked in Python for rows about to be written.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

from flask import current_app, g, has_request_context, request
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import SQLAFilterConverter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.sqla.models import (
    Permission,
    PermissionView,
    ViewMenu,
    assoc_permissionview_role,
)
from flask_babel import lazy_gettext as _l
from flask_jwt_extended import current_user as current_user_jwt
from flask_login import current_user
from sqlalchemy import and_, bindparam, false, inspect, select, true
from sqlalchemy.orm import Bundle

from ..extensions import db
from ..models import Employee, Team
from ..registry import BY_MODEL, BY_NAME, Entity
from ..validation import ValidationFailure, int_limit
from . import grants
from .matrix import parse_permission, widest

MSG_NO_SUCH_RECORD = _l("No such record.")


class ScopeError(Exception):
    """A row outside the user's scope was referenced; nothing may be written."""

    def __init__(self, message=None):
        super().__init__(str(message or _l("You do not have access to this record.")))


class LockedError(ScopeError):
    """The record's workflow state forbids changing it (answered with 409)."""

    def __init__(self):
        super().__init__(_l("This record can no longer be changed in its current state."))


@dataclass
class Actor:
    """The current user as far as row scope is concerned."""

    user_id: int | None
    username: str | None
    employee_id: int | None
    team_id: int | None = None
    scopes: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (entity, verb) -> scope
    roles: frozenset[str] = frozenset()  # role names, for workflow steps limited to roles
    _team: frozenset[int] | None = field(default=None, repr=False, compare=False)

    @property
    def team_employee_ids(self) -> frozenset[int]:
        """The employees of the user's teams: the one they belong to and every team they
        supervise (themself included). Asked the first time a team scope is, one query: most
        pages of a salesperson need only their own rows."""
        if self._team is None:
            members: frozenset[int] = frozenset()
            if self.employee_id:
                members = frozenset(db.session.scalars(_team_statement(), {
                    "employee": self.employee_id, "team": self.team_id})) | {self.employee_id}
            self._team = members
        return self._team

    def scope(self, entity: str, verb: str) -> str | None:
        return self.scopes.get((entity, verb))

    def may(self, entity: str, verb: str) -> bool:
        """Whether the user holds ``verb`` on ``entity`` in any scope."""
        return self.scope(entity, verb) is not None

    def employees(self, entity: str, verb: str) -> frozenset[int] | None:
        """The employees whose rows of ``entity`` the user reaches for ``verb``: ``None`` for every
        employee, an empty set without the right."""
        scope = self.scope(entity, verb)
        return self.allowed_employees(scope) if scope else frozenset()

    def reaches(self, entity: str, verb: str, employee_id: int | None) -> bool:
        """Whether the rows of ``entity`` anchored on this employee are within the user's ``verb``."""
        allowed = self.employees(entity, verb)
        return allowed is None or employee_id in allowed

    def allowed_employees(self, scope: str) -> frozenset[int] | None:
        """Employee ids a scope covers; None means every row."""
        if scope == "all":
            return None
        if scope == "team":
            return self.team_employee_ids
        return frozenset({self.employee_id}) if self.employee_id else frozenset()


@dataclass(frozen=True)
class Grants:
    """What a set of roles is allowed: its (permission, view) pairs and, per (entity, verb), the
    widest scope among them."""

    permissions: frozenset[tuple[str, str]]
    scopes: Mapping[tuple[str, str], str]


def user_roles(user) -> list:
    """A signed-in user's roles, those of their groups included (FAB's own answer)."""
    return current_app.appbuilder.sm.get_user_roles(user)


def _read_grants(role_ids: frozenset[int]) -> tuple[Grants, int | None]:
    """The roles' grants and the grid's revision they were read at (in the same statement: a
    change made earlier in this transaction is in both)."""
    rows = db.session.execute(
        select(Permission.name, ViewMenu.name, grants.revision_column())
        .join(PermissionView, PermissionView.permission_id == Permission.id)
        .join(ViewMenu, PermissionView.view_menu_id == ViewMenu.id)
        .join(assoc_permissionview_role,
              assoc_permissionview_role.c.permission_view_id == PermissionView.id)
        .where(assoc_permissionview_role.c.role_id.in_(sorted(role_ids)))
    ).all()
    perms = frozenset((p, v) for p, v, _ in rows)
    scopes: dict[tuple[str, str], list[str]] = {}
    for perm, view in perms:
        parsed = parse_permission(perm)
        if parsed and view in BY_NAME:
            scopes.setdefault((view, parsed[0]), []).append(parsed[1])
    # Read-only: one Grants serves every request of these roles (``grants.kept``).
    return Grants(perms, MappingProxyType({k: widest(v) for k, v in scopes.items()})), (
        rows[0][2] if rows else None)


def user_grants(user) -> Grants:
    """The user's roles' grants: one query, kept across requests while the access grid is
    unchanged (``grants.kept``), and for the request in any case."""
    key = "_portal_grants"
    cache = g.get(key) if has_request_context() else None
    if cache is not None and cache[0] == user.id:
        return cache[1]
    role_ids = frozenset(r.id for r in user_roles(user))
    found = grants.kept(role_ids, lambda: _read_grants(role_ids))
    if has_request_context():
        setattr(g, key, (user.id, found))
    return found


@cache
def _team_statement():
    """The employees of the team an employee belongs to (``team``: none when NULL) and of every
    team they supervise; built once, like the session check."""
    supervised = select(Team.id).where(Team.supervisor_id == bindparam("employee"))
    return select(Employee.id).where(Employee.team_id.in_(supervised) | (Employee.team_id == bindparam("team")))


def user_permissions(user) -> frozenset[tuple[str, str]]:
    """All (permission, view) pairs of the user's roles."""
    return user_grants(user).permissions


_EMPLOYEE_KEY = "_portal_employee_of"  # g: {user id: the employee row or None}


def employee_columns() -> Bundle:
    """What the request knows of a login's employee: its id, team and names."""
    return Bundle("employee", Employee.id, Employee.team_id, Employee.name, Employee.name_en)


def note_employee(user_id: int, row) -> None:
    """The employee of a login as another statement of the request read it (the session check:
    ``employee_columns`` outer-joined to the login), so that ``employee_of`` asks nothing."""
    if has_request_context():
        g.setdefault(_EMPLOYEE_KEY, {})[user_id] = row


def employee_of(user_id: int):
    """The employee linked to a login (its id, team and names), or None; one query per login and
    request at most (the actor and the menu bar's name both ask; the session check reads it)."""
    cache = g.setdefault(_EMPLOYEE_KEY, {}) if has_request_context() else {}
    if user_id not in cache:
        cache[user_id] = db.session.scalars(select(employee_columns()).where(Employee.user_id == user_id)).first()
    return cache[user_id]


def build_actor(user) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False) or not user.id:
        return Actor(None, None, None)
    emp = employee_of(user.id)
    emp_id, team_id = (emp.id, emp.team_id) if emp else (None, None)
    roles = frozenset(r.name for r in user_roles(user))
    return Actor(user.id, user.username, emp_id, team_id, user_grants(user).scopes, roles)


def current_actor() -> Actor:
    if has_request_context() and "_portal_actor" in g:
        return g._portal_actor
    user = None
    if current_user and current_user.is_authenticated:
        user = current_user
    elif has_request_context():
        try:
            user = current_user_jwt._get_current_object()
        except RuntimeError:  # no JWT verified in this request
            user = None
    actor = build_actor(user)
    if has_request_context():
        g._portal_actor = actor
    return actor


# --- SQL side -------------------------------------------------------------------------------


def scope_clause(entity: Entity, allowed: frozenset[int] | None, pinned: bool = False):
    """SQL condition selecting rows of ``entity`` whose anchor employee is in ``allowed``.

    ``pinned``: the query names its few rows otherwise (by id, or as one record's related list),
    so the first step of the anchor path is asked row by row (``EXISTS`` on the parent's key)
    instead of as the list of every parent in scope, which SQLite builds in full first (an order
    line's scope is every order of the salesperson: 20,000 ids at 1,000,000 orders)."""
    if allowed is None or entity.anchor is None:
        return true()
    if not allowed:
        return false()
    model = entity.model
    *rels, col = entity.anchor.split(".")
    if pinned and rels:
        rel = getattr(model, rels[0])
        return rel.has(_path_clause(rel.property.mapper.class_, rels[1:], col, allowed))
    return _path_clause(model, rels, col, allowed)


def _path_clause(model, rels, col, allowed):
    """``fk IN (SELECT id FROM parent WHERE ...)`` down the anchor path, so that the database
    starts from the owner's rows and follows the indexed foreign keys (an ``EXISTS`` through the
    relationship made SQLite scan every row of the table and look up its parent). A nullable key
    is tested for NULL first, so that the negated clause (rows *not* in a scope) keeps the rows
    without a parent, as ``NOT EXISTS`` did."""
    if not rels:
        return getattr(model, col).in_(sorted(allowed))
    rel = getattr(model, rels[0]).property
    target = rel.mapper.class_
    inner = _path_clause(target, rels[1:], col, allowed)
    if len(rel.local_remote_pairs) != 1:  # not a plain foreign key: the relationship's own EXISTS
        return getattr(model, rels[0]).has(inner)
    (local, remote), = rel.local_remote_pairs
    clause = local.in_(select(remote).where(inner))
    return and_(local.is_not(None), clause) if local.nullable else clause


def request_verb() -> str:
    """The verb the current request performs: anything that changes or prepares a change is write."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        return "write"
    endpoint = (request.endpoint or "").rsplit(".", 1)[-1]
    return "write" if endpoint in ("edit", "delete", "add", "action") else "read"


def scope_condition(entity: Entity | str, verb: str = "read", pinned: bool = False):
    """The current user's row scope of ``entity`` for ``verb`` as an SQL condition, for the
    aggregates that select their own columns (``true()`` for every row, so that the database
    meets no condition at all then). ``pinned``: see ``scope_clause``."""
    entity = BY_NAME[entity] if isinstance(entity, str) else entity
    actor = current_actor()
    scope = actor.scope(entity.name, verb)
    if scope is None:
        return false()
    return scope_clause(entity, actor.allowed_employees(scope), pinned)


def filter_query(query, entity: Entity, verb: str, pinned: bool = False):
    return query.filter(scope_condition(entity, verb, pinned))


def scoped(entity: Entity | str, verb: str = "read", pinned: bool = False):
    """A query of an entity's rows within the current user's scope for ``verb`` (``pinned``: the
    caller names the few rows it wants, see ``scope_clause``)."""
    entity = BY_NAME[entity] if isinstance(entity, str) else entity
    return filter_query(db.session.query(entity.model), entity, verb, pinned)


PINNED_KEY = "_portal_pinned_model"  # g: the model whose queries now name their few rows


@contextmanager
def pinned_to(model):
    """Within: the scope filter of ``model``'s queries is asked row by row (``scope_clause``),
    for queries that name their rows (one record, one record's related list)."""
    if not has_request_context():
        yield
        return
    before = g.get(PINNED_KEY)
    setattr(g, PINNED_KEY, model)
    try:
        yield
    finally:
        setattr(g, PINNED_KEY, before)


class ScopeFilter(BaseFilter):
    """FAB base filter applying the user's row scope; the verb comes from the request.

    Used as ``base_filters`` on every generated view and API, and on related-field pickers, so
    list, show, edit, delete, search dropdowns and pickers all see the same rows.
    """

    name = "scope"
    arg_name = "scope"

    def apply(self, query, value):
        entity = BY_MODEL.get(self.model)
        if entity is None:
            return query
        return filter_query(query, entity, self._verb(value), pinned=self._pinned())

    @staticmethod
    def _verb(value) -> str:
        return value if value in ("read", "write", "approve") else request_verb()

    def _pinned(self) -> bool:
        return has_request_context() and g.get(PINNED_KEY) is self.model

    def statement_key(self, value):
        """All that ``apply`` adds to a query depends on (``ScopedInterface._kept``): the verb,
        the reader's scope of it and its employees, and whether the query is pinned."""
        entity = BY_MODEL.get(self.model)
        if entity is None:
            return None
        verb, actor = self._verb(value), current_actor()
        scope = actor.scope(entity.name, verb)
        return verb, scope, actor.allowed_employees(scope) if scope else None, self._pinned()


class ReadScopeFilter(ScopeFilter):
    """For pickers of related rows: a row may be referenced when the user may read it."""

    def apply(self, query, value):
        return super().apply(query, "read")

    def statement_key(self, value):
        return super().statement_key("read")


# --- Python side ----------------------------------------------------------------------------


def anchor_employee_id(obj, entity: Entity):
    """Follow the anchor path on an object (new or loaded); returns the employee id or None."""
    *rels, col = entity.anchor.split(".")
    cur = obj
    for name in rels:
        nxt = getattr(cur, name, None)
        if nxt is None:
            fk = _fk_value(cur, name)
            if fk is None:
                return None
            rel_model = getattr(type(cur), name).property.mapper.class_
            nxt = get_row(rel_model, fk)
            if nxt is None:
                return None
        cur = nxt
    return _column_value(cur, col)


def get_row(model, pk):
    """The row with primary key ``pk``, or None: also for an id no column could hold (the
    database would fail on it rather than find nothing)."""
    if isinstance(pk, bool) or not isinstance(pk, int) or not 0 < pk < int_limit(model.id.type):
        return None
    return db.session.get(model, pk)


def _column_value(obj, col: str):
    """A foreign-key column's value as it will be written: a relationship assigned in this
    request (a form or JSON body sets ``owner``, not ``owner_id``) wins over the stale column."""
    for rel in inspect(type(obj)).relationships:
        if rel.direction.name == "MANYTOONE" and [c.key for c in rel.local_columns] == [col]:
            if rel.key in obj.__dict__:
                target = obj.__dict__[rel.key]
                return target.id if target is not None else None
    return getattr(obj, col, None)


def _fk_value(obj, rel_name):
    rel = getattr(type(obj), rel_name).property
    cols = list(rel.local_columns)
    return getattr(obj, cols[0].key, None) if len(cols) == 1 else None


def actor_reaches(actor: Actor, entity: Entity, verb: str, anchor: int | None) -> bool:
    """Whether ``actor`` (anyone's, not only the current user's) holds ``verb`` over a row of
    ``entity`` anchored on the employee ``anchor``."""
    return actor.may(entity.name, verb) and (entity.anchor is None or actor.reaches(entity.name, verb, anchor))


def in_scope(obj, verb: str, entity: Entity | None = None) -> bool:
    entity = entity or BY_MODEL.get(type(obj))
    if entity is None:
        return True
    actor = current_actor()
    scope = actor.scope(entity.name, verb)
    if scope is None:
        return False
    allowed = actor.allowed_employees(scope)
    if allowed is None or entity.anchor is None:
        return True
    return anchor_employee_id(obj, entity) in allowed


def check_writable(obj) -> None:
    """Refuse a row the user may not write, and any reference the write sets to a row the user
    may not see (ids in form or JSON bodies). An unknown id and an invisible one are refused
    alike (422 on the field): the answer tells nothing about rows outside the user's scope.
    References the write leaves unchanged are not re-checked (HR may edit an integrity record
    naming a customer HR cannot open)."""
    state = inspect(obj)
    for rel in inspect(type(obj)).relationships:
        if rel.direction.name != "MANYTOONE":
            continue
        fks = [c.key for c in rel.local_columns]
        if state.persistent and not (
            state.attrs[rel.key].history.has_changes()
            or any(state.attrs[k].history.has_changes() for k in fks)
        ):
            continue
        target = getattr(obj, rel.key, None)
        if target is None:
            fk = _fk_value(obj, rel.key)
            target = get_row(rel.mapper.class_, fk)
        if target is None:
            continue
        # An unknown id in a JSON body becomes a new, unsaved row: never create it this way.
        if not inspect(target).persistent or (type(target) in BY_MODEL and not in_scope(target, "read")):
            raise ValidationFailure({rel.key: str(MSG_NO_SUCH_RECORD)})
    if not in_scope(obj, "write"):
        raise ScopeError()


# --- references to other rows: shown only when the reader may read them ------------------------

_READABLE_KEY = "_portal_readable"  # g: {entity name: {row id: readable?}}, for one request
_CHUNK = 900  # ids per IN list (SQLite allows ~32k bound parameters, PostgreSQL ~65k)


def readable_ids(entity: Entity, ids) -> set[int]:
    """Which of ``ids`` of ``entity`` the current user may read, one query per uncached chunk and
    cached for the request. Outside a request (commands, jobs) every row is readable."""
    ids = {i for i in ids if i is not None}
    if not has_request_context():
        return ids
    actor = current_actor()
    scope = actor.scope(entity.name, "read")
    if scope is None or not ids:
        return set()
    allowed = actor.allowed_employees(scope)
    if allowed is None or entity.anchor is None:
        return ids
    if entity.anchor == "id":  # the row is an employee: no query needed
        return ids & allowed
    cache = g.setdefault(_READABLE_KEY, {}).setdefault(entity.name, {})
    missing = sorted(i for i in ids if i not in cache)
    for start in range(0, len(missing), _CHUNK):
        chunk = missing[start:start + _CHUNK]
        found = set(db.session.scalars(
            select(entity.model.id).where(entity.model.id.in_(chunk), scope_clause(entity, allowed))))
        cache.update((i, i in found) for i in chunk)
    return {i for i in ids if cache[i]}


def is_readable(obj) -> bool:
    """Whether a related row may be shown (its label, its fields) to the current user."""
    entity = BY_MODEL.get(type(obj))
    if entity is None:
        return False  # not a business record (a FAB user, a role): never shown as a reference
    return obj.id in readable_ids(entity, [obj.id])


def reference_relationships(model):
    """The many-to-one relationships of ``model`` that point at a registry entity."""
    return [rel for rel in inspect(model).relationships
            if rel.direction.name == "MANYTOONE" and rel.mapper.class_ in BY_MODEL]


def _loaded_reference_id(row, rel):
    state = inspect(row).dict
    fk = next(iter(rel.local_columns)).key
    if fk in state:
        return state[fk]
    target = state.get(rel.key)
    return target.id if target is not None else None


def in_scope_as_loaded(entity: Entity, verb: str, rows) -> dict[int, bool]:
    """Whether loaded rows are in the user's ``verb`` scope, decided without a query where the
    scope clause would test a column of the row's own (a customer's ``owner_id IN allowed``), from
    that column as it was loaded: {row id: in scope} for the rows so decided. A row changed in
    this session, or whose anchor lies beyond it (an order's customer's owner), is not decided."""
    actor = current_actor()
    scope = actor.scope(entity.name, verb)
    if scope is None:
        return {row.id: False for row in rows}
    allowed = actor.allowed_employees(scope)
    if allowed is None or entity.anchor is None:
        return {row.id: True for row in rows}
    *rels, col = entity.anchor.split(".")
    if rels:
        return {}
    decided = {}
    for row in rows:
        state = inspect(row)
        if state.persistent and not state.modified and col in state.dict:
            decided[row.id] = state.dict[col] in allowed
    return decided


def _note_loaded(entity: Entity, targets) -> None:
    """Readability of loaded references decided as they were loaded where their anchor is a
    column of their own (``in_scope_as_loaded``): no query for those."""
    cache = g.setdefault(_READABLE_KEY, {}).setdefault(entity.name, {})
    for row_id, readable in in_scope_as_loaded(entity, "read", targets).items():
        cache.setdefault(row_id, readable)


def prime_references(model, rows) -> None:
    """Decide readability of every row the loaded ``rows`` reference, one query per target entity,
    so a page that shows references asks the database once per column, not once per row (and not
    at all for references loaded with the rows whose anchor is their own column)."""
    if not has_request_context() or not rows:
        return
    for rel in reference_relationships(model):
        entity = BY_MODEL[rel.mapper.class_]
        _note_loaded(entity, {t for row in rows if (t := inspect(row).dict.get(rel.key)) is not None})
        ids = {_loaded_reference_id(row, rel) for row in rows}
        readable_ids(entity, ids)


class _KeptFilterConverter(SQLAFilterConverter):
    """FAB's converter, remembered per interface and column: FAB builds a ``Filters`` for every
    list, related list and query, and each converts every column of the model to fresh filter
    objects (about 250 per record page). The filters hold only their column and interface; their
    values live in the ``Filters`` that lists them, so one set serves every request."""

    def convert(self, col_name):
        kept = self.datamodel.__dict__.setdefault("_kept_filters", {})
        if col_name not in kept:
            kept[col_name] = super().convert(col_name)
        found = kept[col_name]
        return None if found is None else list(found)  # callers extend the list they get


_MAX_KEPT_STATEMENTS = 512  # statements kept per interface (one per reader's scope...); more start afresh


class ScopedInterface(SQLAInterface):
    """FAB's data interface for generated views and APIs: every row it loads for a list, a record
    page or an export has the readability of its references decided in one go (see
    ``prime_references``); the row filter itself is ``ScopeFilter``."""

    filter_converter_class = _KeptFilterConverter

    def query(self, filters=None, order_column="", order_direction="", page=None, page_size=None,
              select_columns=None, outer_default_load=False):
        if not order_column and select_columns is None:
            # The form pickers ask for no order: their options come in the rows' order, the same
            # on every database and whatever plan the scope clause gets.
            order_column, order_direction = "id", "asc"
        if not page and select_columns is None:
            # A first page tells its own count when it is not full (most related lists of a
            # record page): one row more than it shows is fetched, and counted only past that.
            # Unpaged (a form's picker: every row it may offer), the rows are their own count.
            query = self.session.query(self.obj)
            if not page_size:
                # A picker shows each option's name only, none of its references: none is
                # primed for readability.
                rows = self.session.scalars(self._picker_statement(
                    filters, order_column, order_direction, outer_default_load)).unique().all()
                return len(rows), rows
            rows = self.apply_all(query, filters, order_column, order_direction,
                                  None, page_size + 1, None, outer_default_load).all()
            if len(rows) <= page_size:
                count = len(rows)
            else:
                count = self.query_count(self.session.query(self.obj), filters)
                rows = rows[:page_size]
        else:
            count, rows = super().query(filters, order_column, order_direction, page, page_size,
                                        select_columns, outer_default_load)
        prime_references(self.obj, rows)
        return count, rows

    def _kept(self, kind: str, filters, extra: tuple, build):
        """A statement of this interface kept for everything it depends on: building one
        through FAB's filters cost more than running it on SQLite (a picker's, a record's). Each
        filter says what its part depends on (``statement_key``: the row scope's filter, the
        preset's); one that does not gets ``build()`` afresh."""
        parts = []
        for flt, value in zip(filters.filters, filters.values, strict=True) if filters is not None else ():
            key_of = getattr(flt, "statement_key", None)
            if key_of is None:
                return build()
            parts.append((type(flt), flt.column_name, key_of(value)))
        key = (kind, *extra, tuple(parts))
        kept = self.__dict__.setdefault("_kept_statements", {})
        statement = kept.get(key)
        if statement is None:  # another thread may clear the dict meanwhile: use our own
            if len(kept) >= _MAX_KEPT_STATEMENTS:
                kept.clear()
            statement = kept[key] = build()
        return statement

    def _picker_statement(self, filters, order_column, order_direction, outer_default_load):
        """A picker's statement: every row it may offer, shown by name."""
        def build():
            query = self.session.query(self.obj).options(*self.picker_loads())
            return self.apply_all(query, filters, order_column, order_direction, None, None, None,
                                  outer_default_load).statement

        return self._kept("picker", filters, (order_column, order_direction, outer_default_load), build)

    def _row_statement(self, filters):
        """One row by its key (``portal_pk``) through the view's filters, as FAB's ``get``."""
        def build():
            pk = getattr(self.obj, self.get_pk_name())
            return self.apply_all(self.session.query(self.obj), filters).statement.where(
                pk == bindparam("portal_pk"))

        return self._kept("row", filters, (), build)

    def picker_loads(self) -> list:
        """Loader options for a form's picker (every row it may offer, shown by name): none here,
        the whole rows."""
        return []

    def get_related_interface(self, col_name: str):
        """FAB's, built once per column: FAB builds a new interface each time it is asked, and
        a form's picker asks once per option for the option's key (100 interfaces for a
        salesperson's customer picker)."""
        kept = self.__dict__.setdefault("_related_interfaces", {})
        if col_name not in kept:
            kept[col_name] = super().get_related_interface(col_name)
        return kept[col_name]

    def get(self, id, *args, **kwargs):  # noqa: A002 - FAB's name
        """The row of a URL's id, or None (404) for an id that is no integer a column could hold."""
        try:
            pk = int(id)
        except (TypeError, ValueError):
            return None
        if not 0 < pk < int_limit(self.obj.id.type):
            return None
        # A page that only reads (an edit form, a record page) asks for its row several times
        # (FAB's view, the portal's checks, the form): loaded once per request and filter. A
        # request that writes loads it afresh each time, so a check after a change sees it.
        kept = (g.setdefault("_portal_rows", {}) if has_request_context() and request.method == "GET"
                else {})
        filters = args[0] if args else kwargs.get("filters")
        key = (builtins.id(self), pk, builtins.id(filters))
        if key in kept:
            return kept[key]
        with pinned_to(self.obj):
            if filters is None or len(args) > 1 or set(kwargs) - {"filters"}:
                item = super().get(pk, *args, **kwargs)  # FAB's columns or loading asked
            else:
                item = self.session.scalars(self._row_statement(filters), {"portal_pk": pk}).unique().one_or_none()
        if item is not None:
            prime_references(self.obj, [item])
        kept[key] = item
        return item
