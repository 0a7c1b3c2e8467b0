"""Locks that make rules spanning rows hold under simultaneous writes, on SQLite and PostgreSQL.

The one place that knows how each database locks; rules, the workflow engine, the daily job and
the write wrappers call it and never test the dialect themselves.

- ``lock(row)``: the parent row a rule reads before writing (the receivable of a payment, the
  employee of a leave request, the order of a line, the record a workflow step moves) is locked
  for the rest of the transaction and read again, so the rule sees what the previous writer
  committed. PostgreSQL: ``SELECT … FOR UPDATE`` (waits at most ``DATABASE_LOCK_TIMEOUT``), then
  the row's columns are refreshed. SQLite locks the whole database instead: every write request
  and command runs in a ``BEGIN IMMEDIATE`` transaction (``install``), so two writers never
  interleave; the refresh is the same.
- ``job_lock(name)``: one run of a job at a time, database-wide (PostgreSQL advisory transaction
  lock; SQLite: the immediate transaction). The second run waits up to ``JOB_LOCK_TIMEOUT``, then
  ``JobLocked``.
- ``Conflict``: what a commit refused because of another writer (unique / foreign key / check
  violation, a row version that moved, a lock not granted in time), with a translated message
  and never the database's text. ``commit()`` / ``flush()`` / ``conflicts()`` raise it.

SQLite needs three connection settings for this (``install``): the driver must not manage
transactions itself (pysqlite's legacy mode starts one only before INSERT/UPDATE/DELETE, so a
rule's SELECT ran outside it and two payments both saw the old total), write-ahead logging (readers
never block the writer and the writer never blocks readers) and a busy timeout (a writer waits for
the one before it instead of failing at once).
"""

from __future__ import annotations

import logging
import time
import zlib
from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app, has_app_context, has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from .extensions import db

log = logging.getLogger(__name__)

DEFAULT_LOCK_TIMEOUT = 10.0  # seconds; config DATABASE_LOCK_TIMEOUT
DEFAULT_JOB_LOCK_TIMEOUT = 300.0  # seconds; config JOB_LOCK_TIMEOUT
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Set by ``write_transaction()`` / ``read_transaction()``: the next transaction begins as a write
# (BEGIN IMMEDIATE on SQLite) or as a read, whatever the request method.
_write_intent: ContextVar[bool | None] = ContextVar("portal_write_intent", default=None)

MESSAGES = {
    "unique": _l("Another record with the same value was saved at the same time. Nothing was saved; "
                 "reload and try again."),
    "foreign_key": _l("Other records refer to this record, or a record it refers to is gone. "
                      "Nothing was saved."),
    "check": _l("A value was refused by the database. Nothing was saved."),
    "stale": _l("This record was changed by someone else in the meantime. Reload it and try again."),
    "busy": _l("The records are being changed by someone else right now. Nothing was saved; "
               "try again in a moment."),
}


class Conflict(Exception):
    """A write refused because of another writer; ``kind`` is a key of ``MESSAGES``."""

    def __init__(self, kind: str):
        self.kind = kind
        super().__init__(kind)

    def __str__(self) -> str:
        return str(MESSAGES[self.kind])


class JobLocked(Exception):
    """Another run of the job held its lock for longer than ``JOB_LOCK_TIMEOUT``."""


def _session():
    return db.session


def _dialect(session) -> str:
    return session.get_bind().dialect.name


def _config(key: str, default: float) -> float:
    return float(current_app.config.get(key, default)) if has_app_context() else default


# --- connection set-up -----------------------------------------------------------------------


def _writing() -> bool:
    """Whether a transaction beginning now is a write: forced by ``write_transaction``, else a
    request whose method is not safe. Commands and tests outside a request read by default
    (``job_lock`` asks for a write)."""
    forced = _write_intent.get()
    if forced is not None:
        return forced
    return has_request_context() and request.method not in SAFE_METHODS


def install(engine, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> None:
    """SQLite: transactions run by SQLAlchemy (BEGIN IMMEDIATE for writes), WAL and a busy timeout.
    PostgreSQL needs nothing here (READ COMMITTED; row locks are taken by ``lock``)."""
    if engine.dialect.name != "sqlite" or event.contains(engine, "begin", _begin):
        return
    event.listen(engine, "connect", _sqlite_connect(int(lock_timeout * 1000)))
    event.listen(engine, "begin", _begin)


def _sqlite_connect(busy_ms: int):
    def connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # the driver no longer BEGINs on its own: _begin does
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {busy_ms}")  # first: switching to WAL may wait
        cur.execute("PRAGMA journal_mode = WAL")
        cur.close()

    return connect


def _begin(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _writing() else "BEGIN")


@contextmanager
def write_transaction():
    """The transactions begun inside this block are writes (BEGIN IMMEDIATE on SQLite)."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


@contextmanager
def read_transaction():
    """The transactions begun inside this block only read (a plain BEGIN on SQLite), also in a
    write request: a read on a connection of its own (the schema check before a request) does not
    wait for another connection's write to end."""
    token = _write_intent.set(False)
    try:
        yield
    finally:
        _write_intent.reset(token)


# --- row locks -------------------------------------------------------------------------------


def _lock_timeout(session, seconds: float) -> None:
    if _dialect(session) == "postgresql":
        session.execute(text(f"SET LOCAL lock_timeout = '{int(seconds * 1000)}ms'"))


def lock(obj_or_model, pk=None):
    """Lock one row until the end of the transaction and return it with its committed values.

    ``lock(obj)`` or ``lock(Model, pk)``; None when the row does not exist. A row with pending
    column changes in this session is locked but not refreshed: its version check then refuses
    the write if someone else changed it first (``Conflict("stale")``)."""
    if pk is None:
        model, pk = type(obj_or_model), inspect(obj_or_model).identity
        pk = pk[0] if pk else None
    else:
        model = obj_or_model
    if pk is None:
        return None
    session = _session()
    with session.no_autoflush:
        _lock_timeout(session, _config("DATABASE_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT))
        try:
            found = session.execute(select(model.id).where(model.id == pk).with_for_update()).scalar()
        except OperationalError as exc:
            _raise_conflict(session, exc)
        if found is None:
            return None
        obj = session.identity_map.get(session.identity_key(model, (pk,)))
        if obj is None:
            return session.get(model, pk)  # loaded now, after the lock: current
        if not _columns_changed(obj):
            _refresh(session, obj)
    return obj


def _columns_changed(obj) -> bool:
    state = inspect(obj)
    return any(state.attrs[a.key].history.has_changes() for a in state.mapper.column_attrs)


def _refresh(session, obj) -> None:
    """Re-read the columns and the unchanged, already loaded relationships (a collection with
    pending appends, e.g. the payment being added to its receivable, is kept)."""
    state = inspect(obj)
    names = [a.key for a in state.mapper.column_attrs]
    names += [r.key for r in state.mapper.relationships
              if r.key in state.dict and not state.attrs[r.key].history.has_changes()]
    session.refresh(obj, attribute_names=names)


# --- job lock --------------------------------------------------------------------------------


@contextmanager
def job_lock(name: str):
    """Hold a database-wide lock named ``name`` for the job's transaction (released by its commit
    or rollback, also when the process dies). A second holder waits for the first, at most
    ``JOB_LOCK_TIMEOUT`` seconds, then ``JobLocked``. Whatever the session had pending is
    committed first, so that the job's reads all come after the lock."""
    session = _session()
    timeout = _config("JOB_LOCK_TIMEOUT", DEFAULT_JOB_LOCK_TIMEOUT)
    session.commit()
    if _dialect(session) == "postgresql":
        _lock_timeout(session, timeout)
        try:
            session.execute(select(func.pg_advisory_xact_lock(zlib.crc32(name.encode()))))
        except OperationalError as exc:
            session.rollback()
            raise JobLocked(name) from exc
        _lock_timeout(session, _config("DATABASE_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT))
    else:
        deadline = time.monotonic() + timeout
        while True:  # each BEGIN IMMEDIATE waits the busy timeout; retried until the deadline
            try:
                with write_transaction():
                    session.connection()
                break
            except OperationalError as exc:
                session.rollback()
                if time.monotonic() >= deadline:
                    raise JobLocked(name) from exc
    yield


# --- what a refused commit means -------------------------------------------------------------

_PG_CODES = {"23505": "unique", "23503": "foreign_key", "23514": "check", "23502": "check",
             "40001": "busy", "40P01": "busy", "55P03": "busy"}
_SQLITE_TEXT = (("unique constraint", "unique"), ("foreign key constraint", "foreign_key"),
                ("check constraint", "check"), ("not null constraint", "check"),
                ("database is locked", "busy"), ("database table is locked", "busy"))


def conflict_kind(exc: BaseException) -> str | None:
    """The kind of conflict a database error stands for, or None when it is something else."""
    if isinstance(exc, StaleDataError):
        return "stale"
    if not isinstance(exc, DBAPIError) or exc.orig is None:
        return None
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if code:
        return _PG_CODES.get(code)
    message = str(exc.orig).lower()
    for fragment, kind in _SQLITE_TEXT:
        if fragment in message:
            return kind
    return "check" if isinstance(exc, IntegrityError) else None


def _raise_conflict(session, exc) -> None:
    """Roll back, then raise ``Conflict`` for a conflict, or the error itself for anything else
    (called in an ``except`` block)."""
    session.rollback()
    kind = conflict_kind(exc)
    if kind is None:
        raise exc
    log.info("write refused (%s): %s", kind, exc.__class__.__name__)
    raise Conflict(kind) from None


@contextmanager
def conflicts(session=None):
    """Inside this block, a database error that another writer caused rolls back and raises
    ``Conflict`` (any statement may flush: ``Session.merge``, a query with autoflush, ...)."""
    session = session or _session()
    try:
        yield session
    except (DBAPIError, StaleDataError) as exc:
        _raise_conflict(session, exc)


def commit(session=None) -> None:
    """Commit, or roll back and raise ``Conflict`` when another writer got in the way."""
    with conflicts(session) as s:
        s.commit()


def flush(session=None) -> None:
    """Flush, or roll back and raise ``Conflict`` (see ``commit``)."""
    with conflicts(session) as s:
        s.flush()
