"""Field rules shared by forms, the API and writes from code: what fits a column, ranges, date order.

Every value is checked against the column it goes into (``problem``): text within the column's
length, without NUL or unpaired surrogates (neither PostgreSQL nor UTF-8 can store them), not blank
where the column is required; numbers finite, within the column's precision and with no more
decimals than its scale (refused, never rounded); integers within the column's range. Then the
ranges, strictly positive figures and date order of the entity's description (``app.registry``).
Forms get WTForms validators (errors shown on the
field), the API marshmallow validators (422), and ``check_item`` re-checks any object before it is
written, whatever wrote it (a form, the API, a workflow step, a command): nothing the database would
refuse ever reaches it, so no database error text reaches a user. The database repeats the
essential rules as CHECK constraints.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError as ApiValidationError
from sqlalchemy import BigInteger, Enum, Integer, Numeric, String
from wtforms import validators as wv

from .formats import INTEGER, number
from .registry import BY_MODEL

MSG_RANGE = _l("Must be between %(min)s and %(max)s.")
MSG_NONNEG = _l("Must not be negative.")
MSG_POSITIVE = _l("Must be greater than zero.")
MSG_ORDER = _l("Must not be earlier than %(other)s.")
MSG_REQUIRED = _l("This field is required.")
MSG_TOO_LONG = _l("At most %(n)s characters.")
MSG_BAD_CHARACTER = _l("Contains a character that cannot be stored.")
MSG_NOT_A_NUMBER = _l("Not a valid number.")
MSG_DECIMALS = _l("At most %(n)s decimal places.")
MSG_TOO_LARGE = _l("Must be less than %(limit)s in absolute value.")

EXPONENT_MAX = 40  # no column holds a number with more digits than this (BigInteger: 19)

MSG_DATE_RANGE = _l("Must be a date between %(min)s and %(max)s.")

# Integer columns: 32-bit on PostgreSQL (``integer``), 64-bit for ``BigInteger``; SQLite stores 64.
INT_LIMITS = {Integer: 2**31, BigInteger: 2**63}
# Business dates of a factory: the year 1 or 9999 is a typing error, and the date arithmetic of
# due dates, notice periods and lateness would overflow on it (a record nobody could open).
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2199, 12, 31)
# Free text (``Text`` columns have no length of their own): long enough for any note, short enough
# that one record cannot bloat every page that shows it.
TEXT_MAX = 20_000


class ValidationFailure(ValueError):
    """Bad input found before writing; ``errors`` maps field → message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def _value_columns(model):
    """The columns a write sets from input: all but the primary key and the row version."""
    return [c for c in model.__table__.columns if not c.primary_key and c.key != "version"]


def _bounds(model, name):
    """(min, max, strict_min) for a numeric column: its entity's range, else not negative (or,
    when the entity says so, greater than zero)."""
    entity = BY_MODEL.get(model)
    if entity is None:
        return 0, None, False
    if name in entity.ranges:
        lo, hi = entity.ranges[name]
        return lo, hi, False
    return 0, None, name in entity.positive


def _message(lo, hi, strict):
    if hi is not None:
        return MSG_RANGE % {"min": lo, "max": hi}
    return MSG_POSITIVE if strict else MSG_NONNEG


def storable_text(value: str) -> bool:
    """Text PostgreSQL and UTF-8 can store: no NUL, no unpaired surrogate."""
    return "\x00" not in value and not any("\ud800" <= ch <= "\udfff" for ch in value)


def int_limit(column_type) -> int:
    return INT_LIMITS[BigInteger] if isinstance(column_type, BigInteger) else INT_LIMITS[Integer]


def _number_problem(col, value):
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return MSG_NOT_A_NUMBER
    if not d.is_finite():
        return MSG_NOT_A_NUMBER
    t = col.type
    # Exponents far beyond any column (1e999999999999999999): refused before the arithmetic
    # below, which overflows on them (decimal.Overflow: a 500), or rounds them to zero.
    if d and d.adjusted() > EXPONENT_MAX:
        limit = int_limit(t) if isinstance(t, Integer) else 10 ** ((t.precision or EXPONENT_MAX) - (t.scale or 0))
        return MSG_TOO_LARGE % {"limit": number(limit, INTEGER)}
    if d and d.adjusted() < -EXPONENT_MAX:
        return MSG_NOT_A_NUMBER if isinstance(t, Integer) else MSG_DECIMALS % {"n": t.scale or 0}
    if isinstance(t, Integer):
        if d != d.to_integral_value():
            return MSG_NOT_A_NUMBER
        if abs(d) >= int_limit(t):
            return MSG_TOO_LARGE % {"limit": number(int_limit(t), INTEGER)}
        return None
    scale = t.scale or 0
    exponent = d.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > scale:
        return MSG_DECIMALS % {"n": scale}
    if t.precision is not None and abs(d) >= Decimal(10) ** (t.precision - scale):
        return MSG_TOO_LARGE % {"limit": number(10 ** (t.precision - scale), INTEGER)}
    return None


def problem(model, col, value):
    """Why ``value`` may not be written to ``col`` of ``model`` (a translated message), or None."""
    if value is None:
        return None
    t = col.type
    if isinstance(value, str) and not isinstance(t, Enum):
        if not storable_text(value):
            return MSG_BAD_CHARACTER
        length = getattr(t, "length", None) or TEXT_MAX
        if len(value) > length:
            return MSG_TOO_LONG % {"n": length}
        if isinstance(t, String) and not col.nullable and not value.strip():
            return MSG_REQUIRED
        return None
    if isinstance(value, date) and not isinstance(value, datetime) and not DATE_MIN <= value <= DATE_MAX:
        return MSG_DATE_RANGE % {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()}
    if isinstance(t, Numeric | Integer) and not isinstance(value, bool) and not col.foreign_keys:
        why = _number_problem(col, value)
        if why is None:
            lo, hi, strict = _bounds(model, col.key)
            d = Decimal(str(value))
            if d < lo or (strict and d <= lo) or (hi is not None and d > hi):
                why = _message(lo, hi, strict)
        return why
    return None


class _ColumnRule:
    """WTForms validator: the value fits its column (``problem``), message in the user's language.
    It stops the field's other validators: FAB's ``Unique`` would query the database with the
    value (PostgreSQL refuses a NUL character with an error)."""

    def __init__(self, model, col):
        self.model, self.col = model, col

    def __repr__(self) -> str:  # FAB's _info lists validators by their repr
        return f"fits {self.col.key}"

    def __call__(self, form, field):
        why = problem(self.model, self.col, field.data)
        if why is not None:
            raise wv.StopValidation(str(why))


class _ApiRule(_ColumnRule):
    """marshmallow validator: the same rule for a JSON body (422 on the field)."""

    def __call__(self, value):
        why = problem(self.model, self.col, value)
        if why is not None:
            raise ApiValidationError(str(why))


def _label(model, column: str):
    """The field's translated label on this entity's screens."""
    return BY_MODEL[model].column_label(column)


class _NotBefore:
    """WTForms validator: this date/time may not precede another field's."""

    def __init__(self, other: str, model=None):
        self.other, self.model = other, model

    def __call__(self, form, field):
        other = form._fields.get(self.other)
        if field.data is not None and other is not None and other.data is not None:
            if field.data < other.data:
                raise wv.ValidationError(str(MSG_ORDER % {"other": _label(self.model, self.other)}))


def _date_pairs(model):
    entity = BY_MODEL.get(model)
    return entity.date_order if entity is not None else ()


def form_validators(model) -> dict[str, list]:
    out: dict[str, list] = {}
    for col in _value_columns(model):
        if not col.foreign_keys:
            out.setdefault(col.key, []).append(_ColumnRule(model, col))
    for a, b in _date_pairs(model):
        out.setdefault(b, []).append(_NotBefore(a, model))
    return out


def api_validators(model) -> dict:
    """One marshmallow validator per column (FAB's ModelRestApi takes a single callable)."""
    return {col.key: _ApiRule(model, col) for col in _value_columns(model) if not col.foreign_keys}


def value_errors(item) -> dict[str, str]:
    """Every value of an object about to be written against its column, ranges and date order
    (the rules spanning rows come after, in ``rules.check_item``)."""
    model = type(item)
    errors: dict[str, str] = {}
    for col in _value_columns(model):
        why = problem(model, col, getattr(item, col.key, None))
        if why is not None:
            errors[col.key] = str(why)
    for a, b in _date_pairs(model):
        va, vb = getattr(item, a, None), getattr(item, b, None)
        if va is not None and vb is not None and not errors.get(a) and vb < va:
            errors[b] = str(MSG_ORDER % {"other": _label(model, a)})
    return errors
