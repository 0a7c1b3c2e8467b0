"""Per-user preferences kept across sessions: the UI language, how notifications are e-mailed."""

from __future__ import annotations

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model, enum_column
from .notifications import MailMode


class UserPreference(Model):
    __tablename__ = "user_preference"
    user_id: Mapped[int] = mapped_column(ForeignKey(User.id, ondelete="CASCADE"), primary_key=True)
    locale: Mapped[str] = mapped_column(String(8))
    mail_mode: Mapped[MailMode] = enum_column(MailMode, default=MailMode.immediately, index=False)
