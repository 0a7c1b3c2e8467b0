"""The dashboards' counters and charts that are not a work list's or a receivable's
(``queries.worklists``, ``queries.collection``)."""

from __future__ import annotations

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select

from .. import models as m
from ..extensions import db
from ..presets import preset
from ..security.scope import scoped
from .paging import count


def preset_count(entity: str, name: str, day) -> int:
    """How many of the user's rows a list preset (``app.presets``) shows: the counter and the
    list it opens share the preset's condition."""
    return count(scoped(entity).filter(preset(entity, name).condition(day)))


def training_items_by_status(year: int) -> dict:
    """5.1: {item status: how many items} of that year's training plan (statuses without any are
    left out)."""
    return dict(db.session.execute(
        select(m.TrainingItem.status, func.count()).join(m.TrainingPlan)
        .where(m.TrainingPlan.year == year).group_by(m.TrainingItem.status)).all())


def user_counts() -> tuple[int, int]:
    """(logins, active logins)."""
    users = db.session.scalar(select(func.count()).select_from(User))
    active = db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(True)))
    return users, active


def failed_logins(limit: int) -> list:
    """The latest failed sign-ins, the latest first."""
    return db.session.scalars(select(m.LoginEvent).where(m.LoginEvent.success.is_(False))
                              .order_by(m.LoginEvent.id.desc()).limit(limit)).all()
