"""The configurable figures of the regulation: defaults, parsing and the current values.

Each key has one default here (the *default* figures of domain.md, with their clause) and may be
overridden by an administrator (``PolicySetting`` rows, Settings screen). Code reads a figure with
``policy.get(PolicyKey.x)``; the values of a request are loaded in one query and cached for it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from decimal import Decimal, InvalidOperation

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .extensions import db
from .formats import INTEGER, number
from .models import Employee
from .models.conduct import Severity as ConductSeverity
from .models.customers import RiskLevel
from .models.numbering import NUMBERED, NumberedKind
from .models.orders import Department
from .models.policy import PolicyKey, PolicySetting
from .models.rewards import PenaltyKind
from .models.service import Severity as TicketSeverity
from .services.numbering import Pattern, PatternError, parse_pattern


class PolicyValueError(ValueError):
    pass


def _int(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise PolicyValueError(_l("Enter a whole number.")) from None
    if value < 0:
        raise PolicyValueError(_l("Must not be negative."))
    return value


# Every figure has a range its rules can compute with: a notice 3,000,000 days ahead overflowed the
# date arithmetic of every dashboard and of the daily job.
DAYS_MAX = 3650  # ten years
AMOUNT_MAX = Decimal("999999999999.99")  # what a Money column holds


def _int_between(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = _int(text)
        if not low <= value <= high:
            raise PolicyValueError(_l("Enter a whole number from %(low)d to %(high)d.", low=low, high=high))
        return value
    return parse


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise PolicyValueError(_l("Enter a number.")) from None
    if not value.is_finite() or value < 0:
        raise PolicyValueError(_l("Must not be negative."))
    if value > AMOUNT_MAX or value != value.quantize(Decimal("0.01")):
        raise PolicyValueError(_l("Enter an amount up to %(max)s with at most two decimals.",
                                  max=number(AMOUNT_MAX, INTEGER)))
    return value


def _days_list(text: str) -> tuple[int, ...]:
    values = tuple(_int_between(1, DAYS_MAX)(p) for p in text.split(","))
    if len(values) < 1 or list(values) != sorted(set(values)) or values[0] < 1:
        raise PolicyValueError(_l("Enter increasing whole numbers separated by commas."))
    return values


def _time(text: str) -> time:
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise PolicyValueError(_l("Enter a time as HH:MM.")) from None


def _labels(enum_cls) -> str:
    return ", ".join(str(member.label) for member in enum_cls)


# The Settings screen edits a figure with a widget of its kind (``widget(key)``, set by its parser): the
# stored text keeps its format ("production,purchasing", "critical:1,major:3"), composed from the form.
@dataclass(frozen=True)
class Choices:
    """Several of an enum's members (a multi-select of their labels), stored "a,b"."""
    enum: type


@dataclass(frozen=True)
class PerKey:
    """A value for each member of ``keys``, stored "k:v,k:v": a number field per key, a text
    field when ``text``, or a select of ``values``' labels when the values are an enum's members."""
    keys: type
    values: type | None = None
    text: bool = False


def _names(enum_cls) -> Callable[[str], tuple]:
    def parse(text: str) -> tuple:
        try:
            return tuple(enum_cls[p.strip()] for p in text.split(",") if p.strip())
        except KeyError:
            raise PolicyValueError(_l("Unknown value; allowed: %(names)s", names=_labels(enum_cls))) from None
    parse.widget = Choices(enum_cls)
    return parse


def _mapping(key_enum, parse_value, value_enum=None, text=False) -> Callable[[str], dict]:
    def parse(text: str) -> dict:
        out = {}
        try:
            for part in text.split(","):
                k, v = part.split(":")
                out[key_enum[k.strip()]] = parse_value(v.strip())
        except PolicyValueError as exc:  # raised for a known key (its value was looked at)
            raise PolicyValueError(_l("%(key)s: %(problem)s", key=key_enum[k.strip()].label,
                                      problem=exc.args[0])) from None
        except (KeyError, ValueError):
            raise PolicyValueError(_l("Enter a value for each of: %(names)s.", names=_labels(key_enum))) from None
        if set(out) != set(key_enum):
            raise PolicyValueError(_l("Enter a value for each of: %(names)s.", names=_labels(key_enum)))
        return out
    parse.widget = PerKey(key_enum, value_enum, text)
    return parse


def _member(enum_cls) -> Callable[[str], object]:
    def parse(text: str):
        try:
            return enum_cls[text]
        except KeyError:
            raise PolicyValueError(_l("Unknown value; allowed: %(names)s", names=_labels(enum_cls))) from None
    return parse


PATTERN_PROBLEMS = {
    "no_counter": _l("A pattern needs one counter such as {####}."),
    "two_counters": _l("A pattern has exactly one counter such as {####}."),
    "placeholder": _l("Unknown placeholder; use {YYYY}, {YY} and one counter such as {####}."),
    "character": _l("No spaces, commas, colons or lone braces in a pattern."),
}


def _pattern(text: str) -> Pattern:
    try:
        return parse_pattern(text)
    except PatternError as exc:
        raise PolicyValueError(PATTERN_PROBLEMS[exc.reason]) from None


def _patterns(text: str) -> dict:
    """Issue 13: a pattern per numbered kind, each leaving room in its column for a counter of
    ten million (``services.numbering.ROOM``)."""
    patterns = _number_patterns(text)
    for kind, pattern in patterns.items():
        length = NUMBERED[kind].property.columns[0].type.length
        if pattern.longest() > length:
            raise PolicyValueError(_l("%(key)s: a number of this pattern could be longer than %(n)s "
                                      "characters.", key=kind.label, n=length))
    return patterns


_number_patterns = _mapping(NumberedKind, _pattern, text=True)
_patterns.widget = _number_patterns.widget


ID_MAX = 2**31 - 1  # what an id column holds
# Types a browser would run or show as a page: never stored as an attachment, whatever the setting.
NEVER_ATTACHED = frozenset({"html", "htm", "xhtml", "shtml", "svg", "svgz", "xml", "xsl", "js", "mjs", "swf",
                            "exe", "bat", "cmd", "com", "msi", "ps1", "sh", "jar", "php", "jsp", "asp", "aspx"})


def _extensions(text: str) -> tuple[str, ...]:
    """Issue 13: file name extensions, comma-separated, without dots (``pdf,jpg``)."""
    names = tuple(p.strip().lower().lstrip(".") for p in text.split(",") if p.strip())
    if not names or not all(n.isascii() and n.isalnum() and len(n) <= 10 for n in names):
        raise PolicyValueError(_l("Enter file name extensions separated by commas, e.g. pdf,jpg,png."))
    refused = sorted(set(names) & NEVER_ATTACHED)
    if refused:
        raise PolicyValueError(_l("These types are never allowed: %(names)s.", names=", ".join(refused)))
    return names
TEXT_SETTING_MAX = 200  # a line of a letterhead


def _line(text: str) -> str:
    """One line of free text (a letterhead's): printable, without line breaks."""
    text = text.strip()
    if len(text) > TEXT_SETTING_MAX:
        raise PolicyValueError(_l("At most %(n)s characters.", n=TEXT_SETTING_MAX))
    if any(not ch.isprintable() for ch in text):
        raise PolicyValueError(_l("Contains a character that cannot be stored."))
    return text


def _signers(text: str) -> dict:
    """3.2.2: ``department:id id,...`` — the employees (by id) an administrator names to sign off
    orders for a department, besides its own role's users. Empty: nobody named."""
    out: dict = {}
    bad = PolicyValueError(_l("Enter department:employee ids pairs separated by commas, e.g. "
                              "quality:12 15; departments: %(names)s",
                              names=", ".join(Department.__members__)))
    for part in (p for p in text.split(",") if p.strip()):
        name, sep, ids = part.partition(":")
        if not sep or name.strip() not in Department.__members__ or Department[name.strip()] in out:
            raise bad
        try:
            people = frozenset(int(i) for i in ids.split())
        except ValueError:
            raise bad from None
        if not people or not all(0 < i <= ID_MAX for i in people):
            raise bad
        out[Department[name.strip()]] = people
    known = set(db.session.scalars(select(Employee.id).where(
        Employee.id.in_(sorted(set().union(*out.values())))))) if out else set()
    missing = sorted(set().union(*out.values()) - known) if out else []
    if missing:
        raise PolicyValueError(_l("No employee with id %(id)s.", id=missing[0]))
    return out


# The Settings screen draws this key as one employee picker per department (settings_signers.html).
_signers.widget = "signers"


@dataclass(frozen=True)
class Default:
    text: str
    parse: Callable[[str], object]
    clause: str


K = PolicyKey
DEFAULTS: dict[PolicyKey, Default] = {
    K.contract_finance_threshold: Default("200000", _decimal, "3.1.7"),
    K.notice_days_before_due: Default("7", _int_between(0, 365), "3.3.1"),
    # 1-15 phone, 16-30 email / letter, 31-60 visit, 61-90 supervisor escalation, 90+ legal review
    K.dunning_level_days: Default("15,30,60,90", _days_list, "3.3.2"),
    K.risk_red_days: Default("60", _int_between(1, DAYS_MAX), "3.3.3"),
    K.risk_overdue_share: Default("30", _int_between(0, 100), "3.3.3"),
    K.risk_late_payments: Default("2", _int_between(0, 1000), "3.3.3"),
    K.risk_late_window_months: Default("6", _int_between(1, 120), "3.3.3"),
    K.legal_min_dunning: Default("3", _int_between(0, 100), "3.3.4"),
    K.legal_after_days: Default("90", _int_between(0, DAYS_MAX), "3.3.4"),
    K.order_review_departments: Default("production,purchasing,warehouse,quality,finance",
                                        _names(Department), "3.2.2"),
    K.work_start: Default("09:00", _time, "4.1.1"),
    K.work_end: Default("18:00", _time, "4.1.1"),
    K.leave_notice_days: Default("1", _int_between(0, 365), "4.1.2"),
    K.ticket_due_days: Default("critical:1,major:3,minor:7", _mapping(TicketSeverity, _int_between(0, 365)),
                                "3.4"),
    K.return_visit_window_days: Default("7", _int_between(0, 365), "2.2.2"),
    K.penalty_scale: Default("minor:warning,moderate:serious_warning,serious:fine",
                             _mapping(ConductSeverity, _member(PenaltyKind), PenaltyKind), "7.2"),
    # Sign-in protection of the business records (4.2.1): a login is locked after this many
    # failures in a row (within a day), for this long; an administrator can unlock it earlier.
    K.login_lock_failures: Default("5", _int_between(1, 100), "4.2.1"),
    K.login_lock_minutes: Default("15", _int_between(1, 1440), "4.2.1"),
    K.order_review_signers: Default("", _signers, "3.2.2"),
    # Not a figure of the regulation: how large one XLSX download of a list may grow (the file is
    # written as its rows are read, so the cap bounds its time, not the server's memory).
    K.export_max_rows: Default("50000", _int_between(1, 1_000_000), ""),
    # 2.2.2: a customer nobody visited and nobody plans to contact for this long is flagged.
    K.follow_up_days: Default("30", _int_between(1, 365), "2.2.2"),
    # 3.3.3: a new contract or order goes to finance when the customer's open receivables and the
    # new amount pass this share of its credit limit, or when its risk is at these levels.
    K.credit_limit_share: Default("100", _int_between(1, 1000), "3.3.3"),
    K.credit_review_risk: Default("red", _names(RiskLevel), "3.3.3"),
    # Not figures of the regulation: what may be attached to a record (issue 13).
    K.attachment_max_mb: Default("10", _int_between(1, 100), ""),
    K.attachment_types: Default("pdf,jpg,jpeg,png,gif,webp,doc,docx,xls,xlsx,txt,zip", _extensions, ""),
    # Not figures of the regulation: the letterhead of printed documents (issue 13), empty until
    # the factory gives its own.
    K.letterhead_name: Default("", _line, "3.3.1"),
    K.letterhead_address: Default("", _line, "3.3.1"),
    K.letterhead_contact: Default("", _line, "3.3.1"),
    K.letterhead_bank: Default("", _line, "3.3.1"),
    # Not a figure of the regulation: how documents and codes number themselves (issue 13).
    K.number_patterns: Default("quotation:QT{YYYY}-{####},contract:CT{YYYY}-{####},"
                               "order:SO{YYYY}-{####},receivable:AR{YYYY}-{####},"
                               "ticket:ST{YYYY}-{####},customer:C{#####},product:P{#####}",
                               _patterns, ""),
}


def widget(key: PolicyKey):
    """How the Settings screen edits ``key``: a ``Choices``, a ``PerKey`` or None (one field)."""
    return getattr(DEFAULTS[key].parse, "widget", None)


def parse(key: PolicyKey, text: str):
    """The typed value of ``text`` for ``key``; raises PolicyValueError with a translated message."""
    return DEFAULTS[key].parse(text)


def overrides() -> dict[PolicyKey, str]:
    if has_request_context() and "_portal_policy" in g:
        return g._portal_policy
    rows = dict(db.session.execute(select(PolicySetting.key, PolicySetting.value)).all())
    if has_request_context():
        g._portal_policy = rows
    return rows


def get(key: PolicyKey):
    """The current value of a figure: the administrator's override, else the default."""
    text = overrides().get(key)
    if text is not None:
        try:
            return parse(key, text)
        except PolicyValueError:
            pass  # a row written before a rule tightened: fall back to the default
    return parse(key, DEFAULTS[key].text)


def signers_text(form) -> str:
    """The ``order_review_signers`` text from the Settings screen's pickers (``signers-<dept>``)."""
    parts = []
    for dept in Department:
        ids = [i.strip() for i in form.getlist(f"signers-{dept.name}") if i.strip()]
        if ids:
            parts.append(f"{dept.name}:{' '.join(ids)}")
    return ",".join(parts)


def current() -> dict[PolicyKey, object]:
    return {key: get(key) for key in DEFAULTS}


def describe(value) -> str:
    """A figure in words of the UI language: enum codes become their labels."""

    def one(v):
        if isinstance(v, frozenset):  # employee ids (order review signers)
            return " ".join(str(i) for i in sorted(v))
        return str(v.label) if isinstance(v, enum.Enum) and hasattr(v, "label") else str(v)

    if isinstance(value, dict):
        return "; ".join(f"{one(k)}: {one(v)}" for k, v in value.items())
    if isinstance(value, tuple):
        return ", ".join(one(v) for v in value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return one(value)
