"""How numbers read inside messages: one helper, so every rule's refusal formats alike."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal
from flask_babel import get_locale

AMOUNT = "#,##0.00"  # thousands separated, two decimals: the way amounts read on every screen
INTEGER = "#,##0"  # counts and limits
QUANTITY = "#,##0.###"  # quantities: up to the three decimals a Qty column holds, none when whole


def number(value, pattern: str = AMOUNT) -> str:
    """``value`` in the current user's locale, e.g. ``17,270.00`` (amounts have two decimals)."""
    return format_decimal(Decimal(str(value)), format=pattern, locale=get_locale() or "zh")
