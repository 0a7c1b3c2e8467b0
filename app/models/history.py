"""Change history of business records and the login journal (issue 3 item 7; 4.2.1 accountability).

Rows are written by the session hook in ``app.history`` only; no screen or API can change them.
"""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import LabeledEnum, Model, enum_column, utcnow
from .logins import SessionEnd


class ChangeAction(LabeledEnum):
    create = "create"
    update = "update"
    delete = "delete"
    transition = "transition"

    @classmethod
    def _labels(cls):
        return {"create": _l("Created"), "update": _l("Changed"), "delete": _l("Deleted"),
                "transition": _l("Status changed")}


class ChangeSource(LabeledEnum):
    """Where a change came from (``ChangeLog.source``, stored as the member's name)."""

    ui = "ui"
    api = "api"
    cli = "cli"
    imported = "imported"  # an Excel import (app.imports)

    @classmethod
    def _labels(cls):
        return {"ui": _l("Web page"), "api": _l("Programming interface"), "cli": _l("Command line"),
                "imported": _l("Excel import")}


class LoginChannel(LabeledEnum):
    """How a login journal entry came about (``LoginEvent.channel``, stored as the member's name)."""

    form = "form"
    api = "api"
    admin = "admin"

    @classmethod
    def _labels(cls):
        return {"form": _l("Sign-in page"), "api": _l("Programming interface"),
                "admin": _l("Administrator")}


class ChangeLog(Model):
    """Who changed which fields of which record, when, from what to what."""

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_entity_row", "entity", "row_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey(User.id, ondelete="SET NULL"), index=True)
    username: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(8))  # a ChangeSource name
    entity: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[ChangeAction] = enum_column(ChangeAction)
    changes: Mapped[dict] = mapped_column(JSON)  # {field: [old, new]}
    step: Mapped[str | None] = mapped_column(String(40))  # the workflow step of a transition
    comment: Mapped[str | None] = mapped_column(String(500))

    def __str__(self) -> str:
        return f"{self.entity} {self.row_id} {self.action}"


class LoginEventKind(LabeledEnum):
    """What a login journal entry records: a sign-in attempt, or something that happened to a
    login or its sessions."""

    attempt = "attempt"  # the password was checked; ``success`` tells the outcome
    refused = "refused"  # refused without checking the password: the login is locked
    locked = "locked"
    unlocked = "unlocked"
    address_limited = "address_limited"  # too many failures from one address
    logout = "logout"
    revoked = "revoked"  # every session of the login ended; ``reason`` tells why

    @classmethod
    def _labels(cls):
        return {
            "attempt": _l("Sign-in attempt"),
            "refused": _l("Sign-in refused: login locked"),
            "locked": _l("Login locked"),
            "unlocked": _l("Login unlocked"),
            "address_limited": _l("Too many failures from this address"),
            "logout": _l("Logout"),
            "revoked": _l("Sessions revoked"),
        }


class LoginEvent(Model):
    """A login attempt through the form or the API, successful or not, or an event of a login
    (lock, unlock, logout, revoked sessions)."""

    __tablename__ = "login_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[LoginEventKind] = enum_column(LoginEventKind, default=LoginEventKind.attempt)
    # True / False for attempts (a refused one is False); empty for the other kinds.
    success: Mapped[bool | None] = mapped_column(index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    channel: Mapped[str] = mapped_column(String(8))  # a LoginChannel name
    reason: Mapped[SessionEnd | None] = enum_column(SessionEnd, nullable=True, index=False)
    actor: Mapped[str | None] = mapped_column(String(64))  # the administrator who did it

    def __str__(self) -> str:
        return f"{self.username} {self.at}"
