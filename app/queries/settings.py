"""The settings page's overrides of the regulation's figures (``app.policy`` reads the values in
force)."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import PolicyKey, PolicySetting


def overrides() -> dict[PolicyKey, PolicySetting]:
    """{key: its stored override row} of every key an administrator changed."""
    return {r.key: r for r in db.session.scalars(select(PolicySetting))}


def override(key: PolicyKey) -> PolicySetting | None:
    """The stored override of one key, or None (the default is in force)."""
    return db.session.scalar(select(PolicySetting).where(PolicySetting.key == key))
