"""What the portal tells people: one row per recipient and reason (an inbox entry), and how its
e-mail went.

An entry names its record (``entity``, ``row_id``) and why it came (``kind`` and ``params``:
plain values such as a step's name or a date), never a copy of the record's data: the inbox and
the e-mail word it in the reader's language when read, and show the record only while the reader
may still see it. ``key`` tells apart the occasions of one kind on one record (the row version a
step was taken at, the due date, the dunning level); one entry per recipient, kind, record and
occasion (the database refuses a second, so a job run twice tells nobody twice).
"""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import LabeledEnum, Model, enum_column, utcnow


class MailMode(LabeledEnum):
    """How a user wants their entries e-mailed (their choice on the inbox page)."""

    immediately = "immediately"
    digest = "digest"  # one e-mail a day, sent by the daily job
    never = "never"

    @classmethod
    def _labels(cls):
        return {"immediately": _l("Immediately"), "digest": _l("Once a day (digest)"),
                "never": _l("Never")}


class MailState(LabeledEnum):
    none = "none"  # not to be mailed (the user's choice, or no address)
    pending = "pending"  # to send now (after the commit that raised it)
    digest = "digest"  # to send with the day's digest
    sending = "sending"  # claimed by one sender (two workers never send it twice)
    sent = "sent"
    failed = "failed"  # the last try failed: retried later (``next_try_at``) a few times

    @classmethod
    def _labels(cls):
        return {"none": _l("Not mailed"), "pending": _l("To be mailed"), "digest": _l("In the digest"),
                "sending": _l("Being mailed"), "sent": _l("Mailed"), "failed": _l("Mailing failed")}


class Notification(Model):
    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "entity", "row_id", "key", name="uq_notification_occasion"),
        # The inbox (newest first) and the navbar's unread count read this index alone.
        Index("ix_notification_user_id_read_at_id", "user_id", "read_at", "id"),
        Index("ix_notification_mail_state_next_try_at", "mail_state", "next_try_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey(User.id, ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(60), default="")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    mail_state: Mapped[MailState] = enum_column(MailState, default=MailState.none, index=False)
    mail_attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    mail_error: Mapped[str | None] = mapped_column(String(300))
    mailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def __str__(self) -> str:
        return f"{self.kind} {self.entity} {self.row_id}"
