"""Field rules shared by forms, the API and writes from code: ranges and date order.

One table of rules per column name; forms get WTForms validators (errors shown on the field), the
API gets marshmallow validators (422), and ``check_item`` re-checks any object before it is written.
The database repeats the essential ones as CHECK constraints.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from marshmallow import validate as mv
from sqlalchemy import Integer, Numeric
from wtforms import validators as wv

# Columns with a fixed range (clause in brackets): ratings 1–5 (2.2.2, 2.6.3, 6.3.2), scores 0–100
# (5.3.1), calendar months, percentages.
RANGES: dict[str, tuple[int, int]] = {
    "satisfaction": (1, 5),
    "rating": (1, 5),
    "market_analysis": (1, 5),
    "sales_skills": (1, 5),
    "negotiation": (1, 5),
    "cooperation": (1, 5),
    "team_contribution": (1, 5),
    "score": (0, 100),
    "month": (1, 12),
    "collection_rate": (0, 100),
    "year": (2000, 2100),
}
# Quantities that must be strictly positive; every other number must not be negative.
POSITIVE = {"qty", "days", "hours"}
POSITIVE_BY_MODEL = {("Payment", "amount"), ("Receivable", "amount"),
                     # 6.1: a target of zero cannot be scored against
                     ("AppraisalTarget", "revenue"), ("AppraisalTarget", "volume"),
                     ("AppraisalTarget", "profit"), ("AppraisalTarget", "new_customers")}
# (earlier, later) pairs: the later date may not precede the earlier one.
DATE_ORDER = (
    ("start_date", "end_date"),
    ("period_start", "period_end"),
    ("order_date", "promised_date"),
    ("shipped_on", "delivered_on"),
    ("obtained_on", "expires_on"),
    ("visit_date", "next_date"),
    ("reported_on", "due_date"),
    ("issued_on", "valid_until"),
    ("issued_on", "due_date"),
    ("check_in", "check_out"),
)

MSG_RANGE = _l("Must be between %(min)s and %(max)s.")
MSG_NONNEG = _l("Must not be negative.")
MSG_POSITIVE = _l("Must be greater than zero.")
MSG_ORDER = _l("Must not be earlier than %(other)s.")


class ValidationFailure(ValueError):
    """Bad input found before writing; ``errors`` maps field → message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def _numeric_columns(model):
    for col in model.__table__.columns:
        if col.primary_key or col.foreign_keys:
            continue
        if isinstance(col.type, (Numeric, Integer)) and not isinstance(col.type, bool):
            yield col.key


def _bounds(model, name):
    """(min, max, strict_min) for a numeric column."""
    if name in RANGES:
        lo, hi = RANGES[name]
        return lo, hi, False
    strict = name in POSITIVE or (model.__name__, name) in POSITIVE_BY_MODEL
    return 0, None, strict


def _message(lo, hi, strict):
    if hi is not None:
        return MSG_RANGE % {"min": lo, "max": hi}
    return MSG_POSITIVE if strict else MSG_NONNEG


class _LazyMessage:
    """A validator message rendered in the request's language."""

    def __init__(self, lo, hi, strict):
        self.args = (lo, hi, strict)

    def __str__(self):
        return str(_message(*self.args))


class _NumberBound:
    """WTForms validator: the bound of a numeric column, message translated at render time."""

    def __init__(self, lo, hi, strict):
        self.lo, self.hi, self.strict = lo, hi, strict

    def __call__(self, form, field):
        v = field.data
        if v is None:
            return
        if v < self.lo or (self.strict and v <= self.lo) or (self.hi is not None and v > self.hi):
            raise wv.ValidationError(str(_message(self.lo, self.hi, self.strict)))


class _NotBefore:
    """WTForms validator: this date/time may not precede another field's."""

    def __init__(self, other: str):
        self.other = other

    def __call__(self, form, field):
        other = form._fields.get(self.other)
        if field.data is not None and other is not None and other.data is not None:
            if field.data < other.data:
                from .labels import COLUMNS

                raise wv.ValidationError(
                    str(MSG_ORDER % {"other": COLUMNS.get(self.other, self.other)})
                )


def _date_pairs(model):
    cols = set(model.__table__.columns.keys())
    return [(a, b) for a, b in DATE_ORDER if a in cols and b in cols]


def form_validators(model) -> dict[str, list]:
    out: dict[str, list] = {}
    for name in _numeric_columns(model):
        out.setdefault(name, []).append(_NumberBound(*_bounds(model, name)))
    for a, b in _date_pairs(model):
        out.setdefault(b, []).append(_NotBefore(a))
    return out


def api_validators(model) -> dict:
    """One marshmallow validator per column (FAB's ModelRestApi takes a single callable)."""
    out = {}
    for name in _numeric_columns(model):
        lo, hi, strict = _bounds(model, name)
        out[name] = mv.Range(min=lo, max=hi, min_inclusive=not strict, error=str(_message(lo, hi, strict)))
    return out


def check_item(item) -> None:
    """Re-check ranges and date order on an object about to be written (API, commands)."""
    model = type(item)
    errors: dict[str, str] = {}
    for name in _numeric_columns(model):
        v = getattr(item, name, None)
        if v is None:
            continue
        lo, hi, strict = _bounds(model, name)
        v = Decimal(str(v))
        if v < lo or (strict and v <= lo) or (hi is not None and v > hi):
            errors[name] = str(_message(lo, hi, strict))
    for a, b in _date_pairs(model):
        va, vb = getattr(item, a, None), getattr(item, b, None)
        if va is not None and vb is not None and vb < va:
            from .labels import COLUMNS

            errors[b] = str(MSG_ORDER % {"other": COLUMNS.get(a, a)})
    if not errors:  # rules spanning rows assume each value is sane
        from .rules import check

        errors.update(check(item))
    if errors:
        raise ValidationFailure(errors)
