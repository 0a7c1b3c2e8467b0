"""Named row conditions ("presets") of the generated lists: the one definition a dashboard counter
counts with and the list its link opens (``?preset=<name>`` on ``/<entity>view/list/``) shows.

Each preset is a SQL condition on the entity's rows for a given factory day; the row scope is
applied on top of it by the list (``ScopeFilter``) and by the counter (``scoped``). A condition the
list's own filters cannot express (a date window around today, "not closed") is written here once,
so that the count and the rows can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from . import models as m
from .services.sql import rarely


@dataclass(frozen=True)
class Preset:
    entity: str
    name: str
    label: object
    condition: Callable  # (day) -> SQL condition on the entity's model


def _quotations_expiring(day):
    """3.1.5: sent quotations whose validity ends within the coming week."""
    return (m.Quotation.status == m.customers.QuotationStatus.sent) & m.Quotation.valid_until.between(day, day + timedelta(days=7))


def _receivables_overdue(day):
    """2.5.3: past their due date and not fully paid (every aging bucket but "not due")."""
    return rarely(m.Receivable.status.in_(m.receivables.ReceivableStatus.unpaid())) & (m.Receivable.due_date < day)


def _tickets_open(_day):
    """3.4: tickets not closed yet."""
    return m.ServiceTicket.status != m.service.TicketStatus.closed


def _leave_waiting(_day):
    """4.1.2: leave requests submitted and not decided yet."""
    return m.LeaveRequest.status == m.conduct.LeaveStatus.submitted


def _attendance_exceptions(day):
    """4.1.1: late, left-early and absent days of the last 30 days."""
    return m.Attendance.status.in_(m.conduct.AttendanceStatus.exceptions()) & (
        m.Attendance.work_date >= day - timedelta(days=30))


PRESETS: tuple[Preset, ...] = (
    Preset("Quotation", "expiring", _l("Quotations expiring this week"), _quotations_expiring),
    Preset("Receivable", "overdue", _l("Overdue receivables"), _receivables_overdue),
    Preset("ServiceTicket", "open", _l("Open service tickets"), _tickets_open),
    Preset("LeaveRequest", "waiting", _l("Leave requests waiting"), _leave_waiting),
    Preset("Attendance", "exceptions", _l("Attendance exceptions (30 days)"), _attendance_exceptions),
)
BY_KEY: dict[tuple[str, str], Preset] = {(p.entity, p.name): p for p in PRESETS}


def preset(entity: str, name: str) -> Preset | None:
    return BY_KEY.get((entity, name))
