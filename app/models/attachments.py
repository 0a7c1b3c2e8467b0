"""Files attached to business records (issue 13, item 6): a signed contract's scan, a delivery
receipt, a ticket's photo. The row says which record, what the user called the file, its type and
size, who uploaded it; the bytes are in the file store (``app.storage``) under a random key, so no
name a user typed ever becomes a path."""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model, utcnow


class Attachment(Model):
    __tablename__ = "attachment"
    __table_args__ = (
        Index("ix_attachment_entity_row_id", "entity", "row_id"),
        CheckConstraint("size > 0", name="size_pos"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(40))  # the registry entity of the record
    row_id: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))  # as the user named it, no path
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # where the store keeps the bytes
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey(User.id, ondelete="SET NULL"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __str__(self) -> str:
        return self.filename
