"""The factory's clock: today's date and the local time of a stored moment, in the factory's time
zone (``DISPLAY_TIMEZONE``, default Asia/Shanghai), never the server's.

The daily job runs for a day of its choosing (``flask jobs daily --day``): inside ``job_day(day)``
every figure derived from "today" (days overdue, days late, receivable statuses) follows that day.
This module imports nothing of the portal, so models may use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"
_job_day: ContextVar[date | None] = ContextVar("portal_job_day", default=None)


def zone() -> ZoneInfo:
    name = current_app.config.get("DISPLAY_TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    return ZoneInfo(name)


def today() -> date:
    """The factory's calendar day, or the day the running job runs for."""
    return _job_day.get() or datetime.now(zone()).date()


def local(moment: datetime) -> datetime:
    """A stored (aware) moment in the factory's time zone."""
    return moment.astimezone(zone())


@contextmanager
def job_day(day: date) -> Iterator[None]:
    """Run the block as if ``day`` were today (the daily job for a given day)."""
    token = _job_day.set(day)
    try:
        yield
    finally:
        _job_day.reset(token)
