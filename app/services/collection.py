"""Collection figures (2.5, 3.3): days overdue, aging bucket, dunning level, status, risk, rate.

The thresholds are passed in by the caller from ``app.policy`` (defaults in ``policy.DEFAULTS``);
nothing here reads configuration or Flask state, nor runs SQL: the figures come from
``app.queries.collection``. ``bucket_case`` is the one SQL expression here: it builds the aging
buckets of ``BUCKETS`` in SQL, so the buckets stay one definition for Python and SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import case

# Aging buckets of 2.5.3, by days overdue (inclusive bounds); "not_due" covers due today.
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("not_due", 0, 0),
    ("d1_30", 1, 30),
    ("d31_60", 31, 60),
    ("d61_90", 61, 90),
    ("d90_plus", 91, None),
)
# Dunning levels of 3.3.2 in order; the policy gives the last overdue day of each but the last.
DUNNING_LEVELS = ("phone", "email_letter", "visit", "escalation", "legal_review")


def days_overdue(due_date: date, today: date) -> int:
    """Days past the due date; 0 on or before it (a receivable due today is not yet overdue)."""
    return max((today - due_date).days, 0)


def aging_bucket(due_date: date, today: date) -> str:
    """2.5.3: not yet due, 1-30, 31-60, 61-90, more than 90 days overdue."""
    return bucket_of(days_overdue(due_date, today))


def bucket_of(days: int) -> str:
    """The aging bucket of a number of days overdue (0: not yet due)."""
    days = max(days, 0)
    for name, lo, hi in BUCKETS:
        if days >= lo and (hi is None or days <= hi):
            return name
    raise AssertionError(days)


def bucket_case(due_col, today: date):
    """The aging bucket as a SQL expression (portable: compares dates, no date arithmetic)."""
    whens = []
    for name, _lo, hi in BUCKETS[:-1]:
        whens.append((due_col >= today - timedelta(days=hi), name))
    return case(*whens, else_=BUCKETS[-1][0])


def dunning_level(days: int, level_days: Sequence[int]) -> str | None:
    """3.3.2 (default 1-15 phone, 16-30 email/letter, 31-60 visit, 61-90 escalation, 90+ legal
    review): the first level whose last day is not passed; None when not overdue."""
    if days <= 0:
        return None
    for level, last_day in zip(DUNNING_LEVELS, level_days, strict=False):
        if days <= last_day:
            return level
    return DUNNING_LEVELS[min(len(level_days), len(DUNNING_LEVELS) - 1)]


def derive_status(amount: Decimal, paid: Decimal, due_date: date, today: date, current: str) -> str:
    """2.5.1: a receivable's status from its payments and due date. Legal action and write-off
    are decisions, kept as they are; paid in full wins over overdue, overdue over partly paid."""
    if current in ("in_legal", "write_off_pending", "written_off"):
        return current
    if paid >= amount:
        return "paid"
    if today > due_date:
        return "overdue"
    return "partially_paid" if paid > 0 else "open"


def month_periods(day: date, n: int) -> list[tuple[date, date]]:
    """The ``n`` calendar months up to ``day``'s, oldest first, as (first day, last day); the
    current month ends at ``day``. Stepped by calendar month, never by a fixed number of days."""
    out = []
    year, month = day.year, day.month
    for _ in range(n):
        start = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        out.append((start, min(following - timedelta(days=1), day)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def collection_rate(collected: Decimal, due: Decimal) -> Decimal | None:
    """2.5.3: collected ÷ due for the period, in percent (two decimals); None when nothing was due."""
    if not due:
        return None
    return (Decimal(collected) * 100 / Decimal(due)).quantize(Decimal("0.01"))


def legal_allowed(days: int, dunning_count: int, after_days: int, min_dunning: int) -> bool:
    """3.3.4: legal action only after repeated dunning (default ≥ 3 records) and more than
    ``after_days`` (default 90) days overdue."""
    return days > after_days and dunning_count >= min_dunning


@dataclass(frozen=True)
class RiskFigures:
    outstanding: Decimal  # everything not yet collected
    overdue: Decimal  # the part past its due date
    max_days_overdue: int
    credit_limit: Decimal
    late_payments: int  # receivables paid after their due date within the window


@dataclass(frozen=True)
class RiskRules:
    red_days: int = 60
    overdue_share: int = 30
    late_payments: int = 2


def risk(f: RiskFigures, rules: RiskRules) -> tuple[str, list[tuple[str, dict]]]:
    """3.3.3: (level, reasons). Red when anything is more than ``red_days`` overdue; yellow when the
    overdue share of the outstanding exceeds ``overdue_share`` %, when the outstanding exceeds the
    credit limit, or after ``late_payments`` late payments in the window; green otherwise.
    Reasons are (message id, values) pairs for the caller to translate."""
    reasons: list[tuple[str, dict]] = []
    level = "green"
    if f.max_days_overdue > rules.red_days:
        reasons.append(("overdue_days", {"days": f.max_days_overdue}))
        level = "red"
    if f.outstanding > 0 and f.overdue * 100 > f.outstanding * rules.overdue_share:
        share = (f.overdue * 100 / f.outstanding).quantize(Decimal("1"))
        reasons.append(("overdue_share", {"share": share}))
    if f.credit_limit > 0 and f.outstanding > f.credit_limit:
        reasons.append(("over_limit", {"outstanding": f.outstanding, "limit": f.credit_limit}))
    if f.late_payments >= rules.late_payments:
        reasons.append(("late_payments", {"count": f.late_payments}))
    if reasons and level == "green":
        level = "yellow"
    return level, reasons


def credit_reasons(limit: Decimal, open_amount: Decimal, new_amount: Decimal, risk_level: str,
                   review_levels: tuple[str, ...], limit_share: int) -> list[tuple[str, dict]]:
    """3.3.3 acting early on risk: why a new contract or order of ``new_amount`` for a customer
    needs finance's approval. When its open receivables and the new amount exceed ``limit_share``
    per cent of its credit limit (a limit of 0 is no limit set), and when its risk level is one of
    ``review_levels``. (message id, values) pairs for the caller to translate."""
    reasons: list[tuple[str, dict]] = []
    if limit > 0 and (open_amount + new_amount) * 100 > limit * limit_share:
        reasons.append(("over_limit", {"open": open_amount, "new": new_amount, "limit": limit}))
    if risk_level in review_levels:
        reasons.append(("risk", {"level": risk_level}))
    return reasons
