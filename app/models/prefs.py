"""Per-user preferences kept across sessions: the UI language, how notifications are e-mailed,
the lists a user saved as favourites (shared with their team or not)."""

from __future__ import annotations

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model, enum_column
from .notifications import MailMode


class UserPreference(Model):
    __tablename__ = "user_preference"
    user_id: Mapped[int] = mapped_column(ForeignKey(User.id, ondelete="CASCADE"), primary_key=True)
    locale: Mapped[str] = mapped_column(String(8))
    mail_mode: Mapped[MailMode] = enum_column(MailMode, default=MailMode.immediately, index=False)


class SavedFilter(Model):
    """A list as a user saved it (its URL arguments: quick search, owner, FAB's filters, order),
    under a name; with ``team_id`` its team sees it too. Opening one still goes through the
    reader's scope: a saved list shows each reader their own rows."""

    __tablename__ = "saved_filter"
    __table_args__ = (UniqueConstraint("user_id", "entity", "name", name="uq_saved_filter_user_entity_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey(User.id, ondelete="CASCADE"), index=True)
    entity: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(String(1000))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"), index=True)

    def __str__(self) -> str:
        return self.name
