"""Failed sign-ins counted per login and per client address; account locks.

Every password sign-in, through the form or the API, goes through ``guarded`` (called by the
security manager's ``auth_user_db``). Only failures count; a success is never counted.

Per login (``Settings``: ``login_lock_failures`` N, ``login_lock_minutes`` D): after N failures in
a row (a success starts again; failures older than a day are forgotten) the login is locked for D
minutes. While locked every attempt is refused without looking at the password, the right one
included. An unknown name is counted and locked exactly like an existing login, so neither the
answer nor its timing tells whether an account exists. An administrator can unlock a login
(``unlock``); every lock and unlock is in the login journal.

Per address (config ``LOGIN_ADDRESS_LIMIT``, default 50 per 15 minutes): failures from one client
address over all logins; beyond the limit every attempt from that address is refused (429) until
its window ends. The figure is ten times a login's: an office behind one NAT address shares it,
and it should take many people mistyping, not one, to lock them out; an attacker spraying one
password over many logins from one address is stopped by it. IPv6 addresses count per /64 (one
subscriber's network), since anyone holding a /64 can use any address in it.

The counters are kept in a ``limits`` storage, the library Flask-Limiter is built on: Redis when
``REDIS_URL`` (``RATELIMIT_STORAGE_URI``) is set, so every worker and every instance shares them,
memory otherwise (a one-process development server). The lock itself is a database row
(``LoginLock``): administrators see it, it survives a Redis restart, and every instance reads it.

A login's slot is taken *before* the password is checked (an atomic increment) and given back on
success, so parallel requests cannot try more than N passwords between two counts.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, g, has_request_context, request
from flask_babel import lazy_gettext as _l
from limits import parse_many
from limits.errors import StorageError
from limits.storage import storage_from_string
from sqlalchemy import select, update

from .. import policy
from ..extensions import db
from ..models import LoginLock, PolicyKey, User
from ..models.base import utcnow
from ..models.history import LoginEventKind
from . import journal

FAILURE_MEMORY = 24 * 3600  # seconds a failure counts towards a lock
REFUSAL = "_portal_login_refusal"  # g key: why the last sign-in of this request was refused
RETRY_AFTER = "_portal_login_retry_after"
LOCKED, ADDRESS, UNAVAILABLE = "locked", "address", "unavailable"

MESSAGES = {
    LOCKED: _l("This login is locked after too many failed sign-ins. Try again later or ask an "
               "administrator to unlock it."),
    ADDRESS: _l("Too many failed sign-ins from your network address. Try again later."),
    UNAVAILABLE: _l("Sign-in is unavailable for a moment. Try again later."),
}


def init_app(app) -> None:
    """One storage per app: Redis (shared by all workers) or this process's memory."""
    uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if uri.startswith("memory") and app.config.get("APP_ENV", "") == "production":
        app.logger.warning("Sign-in counters are kept per process: set REDIS_URL so that every "
                           "worker and instance shares them")
    app.extensions["portal_login_counters"] = storage_from_string(uri, wrap_exceptions=True)


def _storage():
    return current_app.extensions["portal_login_counters"]


def _key(*parts: str) -> str:
    return "/".join((current_app.config.get("RATELIMIT_KEY_PREFIX") or "portal", "login", *parts))


def refusal() -> str | None:
    return g.get(REFUSAL) if has_request_context() else None


def refusal_message():
    return MESSAGES.get(refusal())


# --- addresses -----------------------------------------------------------------------------


def address_of(remote: str | None) -> str:
    """The unit an address is counted by: the address itself, or its /64 for IPv6."""
    try:
        ip = ipaddress.ip_address(remote or "")
    except ValueError:
        return remote or "-"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _address_limits():
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return []
    return parse_many(current_app.config.get("LOGIN_ADDRESS_LIMIT") or "50 per 15 minutes")


def _address_key(item, address: str) -> str:
    return _key("address", str(item.get_expiry()), address)


def address_retry_after(address: str) -> int | None:
    """Seconds until ``address`` may try again, or None when it is under every limit."""
    store = _storage()
    for item in _address_limits():
        key = _address_key(item, address)
        if store.get(key) >= item.amount:
            return max(1, int(store.get_expiry(key) - time.time()))
    return None


def _count_address_failure(address: str, username: str) -> None:
    store = _storage()
    for item in _address_limits():
        if store.incr(_address_key(item, address), item.get_expiry()) == item.amount:
            journal.record(LoginEventKind.address_limited, username)


# --- logins --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """The login an attempt is for: an existing account (by username or e-mail, as FAB looks it
    up) or, for an unknown name, the name itself."""

    user_id: int | None
    login: str

    @property
    def key(self) -> str:
        if self.user_id is not None:
            return f"user/{self.user_id}"
        return "name/" + hashlib.sha256(self.login.encode()).hexdigest()[:32]


def account_for(username: str) -> Account:
    sm = current_app.appbuilder.sm
    user = sm.find_user(username=username) or sm.find_user(email=username)
    if user is not None:
        return Account(user.id, user.username)
    return Account(None, username.strip().lower()[:64])


def account_of_lock(lock: LoginLock) -> Account:
    return Account(lock.user_id, lock.login)


def active_lock(account: Account) -> LoginLock | None:
    q = select(LoginLock).where(LoginLock.unlocked_at.is_(None), LoginLock.locked_until > utcnow())
    if account.user_id is not None:
        q = q.where(LoginLock.user_id == account.user_id)
    else:
        q = q.where(LoginLock.user_id.is_(None), LoginLock.login == account.login)
    return db.session.scalars(q.order_by(LoginLock.id.desc()).limit(1)).first()


def active_locks() -> list[LoginLock]:
    """Every lock in force now, the newest first."""
    return db.session.scalars(select(LoginLock).where(
        LoginLock.unlocked_at.is_(None), LoginLock.locked_until > utcnow()).order_by(LoginLock.id.desc())).all()


def _lock(account: Account) -> None:
    """Lock ``account`` for the configured time; of several requests reaching the limit at once,
    one creates the lock (an atomic increment elects it)."""
    minutes = policy.get(PolicyKey.login_lock_minutes)
    store = _storage()
    if store.incr(_key("lock", account.key), minutes * 60) == 1:
        db.session.add(LoginLock(user_id=account.user_id, login=account.login,
                                 locked_until=utcnow() + timedelta(minutes=minutes)))
        journal.record(LoginEventKind.locked, account.login, success=False)
    store.clear(_key("fail", account.key))  # after the lock, N fresh attempts


def unlock(lock: LoginLock, actor: str | None) -> None:
    """End every active lock of the login of ``lock`` now; the caller commits."""
    account = account_of_lock(lock)
    now = utcnow()
    q = update(LoginLock).where(LoginLock.unlocked_at.is_(None), LoginLock.locked_until > now)
    if account.user_id is not None:
        q = q.where(LoginLock.user_id == account.user_id)
    else:
        q = q.where(LoginLock.user_id.is_(None), LoginLock.login == account.login)
    db.session.execute(q.values(unlocked_at=now, unlocked_by=actor), execution_options={
        "synchronize_session": False})
    store = _storage()
    store.clear(_key("lock", account.key))
    store.clear(_key("fail", account.key))
    journal.record(LoginEventKind.unlocked, account.login, actor=actor, channel_="admin")


def _refuse(why: str, retry_after: int | None = None) -> None:
    setattr(g, REFUSAL, why)
    if retry_after is not None:
        setattr(g, RETRY_AFTER, retry_after)


def guarded(username: str | None, check_password) -> User | None:
    """``check_password()`` (FAB's check, returning the user or None) behind the limits."""
    g.pop(REFUSAL, None)
    g.pop(RETRY_AFTER, None)
    address = address_of(request.remote_addr)
    try:
        return _guarded(username or "", check_password, address)
    except StorageError:
        # Redis is down: refuse rather than let sign-ins through uncounted.
        current_app.logger.exception("login counters unavailable")
        db.session.rollback()
        _refuse(UNAVAILABLE, 30)
        return None


def _guarded(username: str, check_password, address: str) -> User | None:
    retry = address_retry_after(address)
    if retry is not None:
        _refuse(ADDRESS, retry)  # journaled once, when the address reached its limit
        return None
    if not username.strip():
        user = check_password()  # FAB refuses an empty name without looking anything up
        journal.record(LoginEventKind.attempt, username, success=False)
        _count_address_failure(address, username)
        db.session.commit()
        return user
    account = account_for(username)
    limit = policy.get(PolicyKey.login_lock_failures)
    store = _storage()
    if active_lock(account) is not None:
        return _refused_locked(username, address)
    taken = store.incr(_key("fail", account.key), FAILURE_MEMORY)
    if taken > limit:  # parallel attempts beyond the limit, or the limit was lowered
        _lock(account)
        return _refused_locked(username, address)
    user = check_password()
    journal.record(LoginEventKind.attempt, username, success=user is not None)
    if user is not None:
        store.clear(_key("fail", account.key))
    else:
        _count_address_failure(address, username)
        if taken >= limit:
            _lock(account)
    db.session.commit()
    return user


def _refused_locked(username: str, address: str) -> None:
    journal.record(LoginEventKind.refused, username, success=False)
    _count_address_failure(address, username)
    db.session.commit()
    _refuse(LOCKED)
    return None
