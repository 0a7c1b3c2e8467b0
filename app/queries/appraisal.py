"""Appraisal cycles (6) as the pages list them. The actuals of a cycle's scorecards are queried by
``app.appraisal``, below the workflow (closing a cycle freezes them)."""

from __future__ import annotations

from sqlalchemy import select

from .. import models as m
from ..extensions import db


def cycle(cycle_id: int):
    """The cycle of that id, or None."""
    return db.session.get(m.AppraisalCycle, cycle_id)


def cycles(limit: int | None = None) -> list:
    """The cycles, the latest start first (at most ``limit``)."""
    query = select(m.AppraisalCycle).order_by(m.AppraisalCycle.start_date.desc())
    if limit is not None:
        query = query.limit(limit)
    return db.session.scalars(query).all()


def current_cycle(day):
    """The cycle ``day`` falls in (the latest started when several do), or None."""
    return db.session.scalar(select(m.AppraisalCycle).where(
        m.AppraisalCycle.start_date <= day, m.AppraisalCycle.end_date >= day).order_by(
        m.AppraisalCycle.start_date.desc()).limit(1))
