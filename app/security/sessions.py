"""Login sessions kept on the server, so that what was issued can be taken back.

A browser login keeps the id of its ``LoginSession`` row in the signed Flask session; the user
loader accepts the cookie only while that row is live (``live_user``). An API login creates one
row per token family: every access and refresh token carries its id as the ``sid`` claim, and
``token_revoked`` (flask_jwt_extended's blocklist check) accepts a token only while the row is
live. A refresh token is accepted once: ``rotate`` replaces it with a new one, and presenting a
replaced one again ends the whole family (it was stolen, or the client is confused).

Ending rows revokes: logout ends the current one; a password change, a deactivation (whatever
path writes the user row: FAB's forms, its API, the CLI, the seed) and an administrator's "sign
out everywhere" end all of a user's (``revoke_user``; the first two by a flush hook, so no path
can forget it).

Checking costs no extra query: the row is loaded with its user in the one query that used to
load the user alone (and the access grid's revision with them, ``grants``).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import cache

from flask import current_app, g, has_request_context, session
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import bindparam, delete, event, func, inspect, or_, select, update
from sqlalchemy.orm import Session, joinedload

from ..extensions import db
from ..models import Employee, LoginSession, Notification
from ..models.base import utcnow
from ..models.history import LoginEventKind
from ..models.logins import SessionEnd
from . import grants, journal
from .scope import employee_columns, note_employee

SESSION_KEY = "_portal_sid"  # in the Flask session: the id of the browser's LoginSession
CURRENT = "_portal_login_session"  # g key: the LoginSession of this request
UNREAD = "_portal_unread_count"  # g key: the user's unread notifications, read with it
KEEP_ENDED = timedelta(days=1)  # ended or expired rows are purged after this


def _new_id() -> str:
    return secrets.token_urlsafe(32)


def begin(user, channel: str, lifetime: timedelta, refresh_jti: str | None = None) -> LoginSession:
    """A new live session of ``user``; the caller commits."""
    now = utcnow()
    db.session.execute(delete(LoginSession).where(
        LoginSession.user_id == user.id,
        or_(LoginSession.expires_at < now - KEEP_ENDED, LoginSession.ended_at < now - KEEP_ENDED)))
    row = LoginSession(id=_new_id(), user_id=user.id, channel=channel, created_at=now,
                       expires_at=now + lifetime, ip=journal.client_ip(), refresh_jti=refresh_jti)
    db.session.add(row)
    return row


def begin_web(user) -> LoginSession:
    """Start a browser session for ``user`` (after flask_login's ``login_user``)."""
    hours = current_app.config.get("WEB_SESSION_HOURS", 12)
    row = begin(user, "form", timedelta(hours=hours))
    db.session.commit()
    session[SESSION_KEY] = row.id
    return row


@cache
def _live_statement():
    """The session check, built once (building it cost as much as running it on SQLite).

    The user's roles and groups come in the same statement: every request reads them (its
    permissions), and FAB's lazy backrefs would ask for each in a statement of its own. So does
    the access grid's revision, under which the roles' permissions may be kept (``grants``), the
    login's employee (the row scope's anchor), which every page asks for, and the user's unread
    notifications (the navbar's badge, from the index on user and read time)."""
    unread = (select(func.count(Notification.id))
              .where(Notification.user_id == LoginSession.user_id, Notification.read_at.is_(None))
              .correlate(LoginSession).scalar_subquery())
    return (
        select(LoginSession, grants.revision_column(), employee_columns(), unread)
        .outerjoin(Employee, Employee.user_id == LoginSession.user_id)
        .where(LoginSession.id == bindparam("sid"), LoginSession.user_id == bindparam("user_id"),
               LoginSession.channel == bindparam("channel"), LoginSession.ended_at.is_(None),
               LoginSession.expires_at > bindparam("now"))
        .options(joinedload(LoginSession.user).options(joinedload(User.roles), joinedload(User.groups))))


def _live(sid, user_id, channel: str) -> LoginSession | None:
    if not isinstance(sid, str) or not sid:
        return None
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    found = db.session.execute(_live_statement(), {
        "sid": sid, "user_id": user_id, "channel": channel, "now": utcnow()}).unique().first()
    if found is None:
        return None
    row, revision, employee, unread = found
    if row.user is None or not row.user.is_active:
        return None
    g.setdefault(CURRENT, row)
    g.setdefault(UNREAD, unread)
    grants.note_revision(revision)
    note_employee(user_id, employee if employee.id is not None else None)
    return row


def live_user(user_id) -> User | None:
    """flask_login's user loader: the user of the browser session, while it is live."""
    row = _live(session.get(SESSION_KEY), user_id, "form")
    return row.user if row is not None else None


def unread_count() -> int | None:
    """The signed-in user's unread notifications as the session check read them (None outside
    a checked session)."""
    return g.get(UNREAD) if has_request_context() else None


def current() -> LoginSession | None:
    return g.get(CURRENT) if has_request_context() else None


def end(sid: str | None, reason: SessionEnd) -> None:
    """End one session (logout); the caller commits."""
    if sid:
        db.session.execute(update(LoginSession).where(
            LoginSession.id == sid, LoginSession.ended_at.is_(None)).values(
            ended_at=utcnow(), end_reason=reason), execution_options={"synchronize_session": False})


def _actor() -> str | None:
    user = g.get("user") if has_request_context() else None
    try:
        return user.username if user is not None and user.is_authenticated else None
    except Exception:  # a detached or anonymous user: nobody to name
        return None


def revoke_user(user_id: int, username: str, reason: SessionEnd, session_=None) -> None:
    """End every live session of a user and journal it; the caller commits."""
    s = session_ or db.session
    s.execute(update(LoginSession.__table__).where(
        LoginSession.user_id == user_id, LoginSession.ended_at.is_(None)).values(
        ended_at=utcnow(), end_reason=reason.name))
    journal.record(LoginEventKind.revoked, username, reason=reason, actor=_actor(),
                   channel_="admin" if reason is SessionEnd.signout else None, session=s)


def live_counts() -> dict[int, int]:
    """user id -> number of live sessions (browsers and API sign-ins)."""
    return dict(db.session.execute(select(LoginSession.user_id, func.count()).where(
        LoginSession.ended_at.is_(None), LoginSession.expires_at > utcnow()).group_by(LoginSession.user_id)).all())


def users() -> list[User]:
    return db.session.scalars(select(User).order_by(User.username)).all()


# --- JWT ----------------------------------------------------------------------------------


def token_revoked(_jwt_header, jwt_data) -> bool:
    """flask_jwt_extended's blocklist check: refuse a token whose session is not live; a refresh
    token that was already exchanged ends its whole family."""
    row = _live(jwt_data.get("sid"), jwt_data.get("sub"), "api")
    if row is None:
        return True
    if jwt_data.get("type") == "refresh" and jwt_data.get("jti") != row.refresh_jti:
        end(row.id, SessionEnd.refresh_reuse)
        journal.record(LoginEventKind.revoked, row.user.username, reason=SessionEnd.refresh_reuse)
        db.session.commit()
        return True
    return False


def rotate(sid: str, used_jti: str, new_jti: str) -> bool:
    """Replace the one usable refresh token of a session; False when ``used_jti`` was no longer
    it (a parallel refresh won): the family is then ended as a reuse."""
    lifetime = current_app.config["JWT_REFRESH_TOKEN_EXPIRES"]
    done = db.session.execute(update(LoginSession).where(
        LoginSession.id == sid, LoginSession.refresh_jti == used_jti, LoginSession.ended_at.is_(None)
    ).values(refresh_jti=new_jti, expires_at=utcnow() + lifetime),
        execution_options={"synchronize_session": False}).rowcount == 1
    if not done:
        end(sid, SessionEnd.refresh_reuse)
    db.session.commit()
    return done


# --- revocation whatever writes the user row ------------------------------------------------


def _changed(state, key: str):
    hist = state.attrs[key].history
    if not hist.added:
        return None
    old = hist.deleted[0] if hist.deleted else None
    return hist.added[0] if hist.added[0] != old else None


def _before_flush(s: Session, _ctx, _instances) -> None:
    for obj in list(s.dirty):
        if not isinstance(obj, User):
            continue
        state = inspect(obj)
        reason = None
        if _changed(state, "password") is not None:
            reason = SessionEnd.password
        elif state.attrs["active"].history.added == [False] and state.attrs["active"].history.deleted:
            reason = SessionEnd.deactivated
        if reason is not None:
            revoke_user(obj.id, obj.username, reason, session_=s)


def install() -> None:
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
