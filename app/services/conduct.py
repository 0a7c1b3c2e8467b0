"""Conduct figures (4.1): attendance status from the clock, late leave submission."""

from __future__ import annotations

from datetime import date, time, timedelta

KEPT = ("on_leave", "business_trip")  # set by people, not by the clock


def attendance_status(check_in: time | None, check_out: time | None, work_start: time,
                      work_end: time, current: str) -> str:
    """4.1.1: absent without any clocking; late when checked in after the start; left early when
    checked out before the end (late wins when both); otherwise normal. Leave and business trips
    are recorded as such and kept."""
    if current in KEPT:
        return current
    if check_in is None and check_out is None:
        return "absent"
    if check_in is not None and check_in > work_start:
        return "late"
    if check_out is None or check_out < work_end:
        return "left_early"
    return "normal"


def late_submission(submitted_on: date | None, start_date: date, notice_days: int) -> bool:
    """4.1.2: leave must be asked for in advance (default one day before it starts)."""
    return submitted_on is not None and submitted_on > start_date - timedelta(days=notice_days)
