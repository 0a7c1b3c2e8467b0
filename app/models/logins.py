"""Server-side records of sign-in: live login sessions and account locks.

A *login session* is what one sign-in produced: a browser session (its id is kept in the signed
Flask session cookie) or an API token family (its id is the ``sid`` claim of every access and
refresh token issued from that login). A cookie or token is honoured only while its row is live:
not ended and not expired. Ending rows is how logout, a password change, a deactivation, an
administrator's "sign out everywhere" and refresh-token reuse revoke what was issued before.

A *lock* refuses every sign-in to one login for a while after repeated failures
(``app.security.throttle``); an administrator may end it early.
"""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import LabeledEnum, Model, enum_column, utcnow


class SessionEnd(LabeledEnum):
    """Why a login session ended before its expiry."""

    logout = "logout"
    password = "password"
    deactivated = "deactivated"
    signout = "signout"
    refresh_reuse = "refresh_reuse"

    @classmethod
    def _labels(cls):
        return {
            "logout": _l("Logged out"),
            "password": _l("Password changed"),
            "deactivated": _l("Login deactivated"),
            "signout": _l("Signed out everywhere by an administrator"),
            "refresh_reuse": _l("A used refresh token was presented again"),
        }


class LoginSession(Model):
    __tablename__ = "login_session"
    # secrets.token_urlsafe(32); only ever sent inside a signed cookie or a signed token.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey(User.id, ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(8))  # form or api
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    # The one refresh token of an API session that may still be used (rotation).
    refresh_jti: Mapped[str | None] = mapped_column(String(64))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    end_reason: Mapped[SessionEnd | None] = enum_column(SessionEnd, nullable=True, index=False)

    user: Mapped[User] = relationship(User, lazy="joined")

    def __str__(self) -> str:
        return f"{self.channel} {self.created_at}"


class LoginLock(Model):
    """One lock of one login: from ``locked_at`` until ``locked_until`` unless unlocked earlier.

    ``login`` is the account's username, or the name that was typed when no account has it (an
    unknown name locks like a known one, so a lock tells nothing about who exists).
    """

    __tablename__ = "login_lock"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey(User.id, ondelete="CASCADE"), index=True)
    login: Mapped[str] = mapped_column(String(64), index=True)
    locked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    locked_until: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    unlocked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    unlocked_by: Mapped[str | None] = mapped_column(String(64))

    def __str__(self) -> str:
        return f"{self.login} {self.locked_at}"
