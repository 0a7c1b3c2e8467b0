"""Number patterns (issue 13, Settings): how a kind's numbers are worded.

A pattern is literal text with placeholders: ``{YYYY}`` the year, ``{YY}`` its last two digits and
exactly one ``{#…#}``, the counter padded with zeros to as many digits as it has ``#`` (it grows
beyond them rather than wrap). ``QT{YYYY}-{####}`` gives ``QT2026-0001``. A pattern with a year
counts from 1 again each year; one without counts on for ever.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
COUNTER = re.compile(r"#{1,10}")
# Literal text: no braces (placeholders), no blanks, and neither of the Settings text's separators.
LITERAL_REFUSED = re.compile(r"[{}\s,:]")
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e")
# The counter a pattern must leave room for in its column: ten million records of a kind a year.
ROOM = 7


class PatternError(ValueError):
    """Why a text is not a pattern: ``reason`` is one of ``no_counter``, ``two_counters``,
    ``placeholder`` (an unknown ``{…}``) and ``character`` (a blank, a comma, a colon or a lone
    brace)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Pattern:
    text: str

    def __str__(self) -> str:
        return self.text

    @property
    def yearly(self) -> bool:
        return "{YYYY}" in self.text or "{YY}" in self.text

    def render(self, year: int, n: int) -> str:
        def one(match: re.Match) -> str:
            name = match.group(1)
            if name == "YYYY":
                return f"{year:04d}"
            if name == "YY":
                return f"{year % 100:02d}"
            return str(n).zfill(len(name))
        return PLACEHOLDER.sub(one, self.text)

    def longest(self) -> int:
        """The length of a number with a counter of ``ROOM`` digits (or the pattern's width)."""
        width = max(len(m.group(1)) for m in PLACEHOLDER.finditer(self.text) if m.group(1).startswith("#"))
        return len(self.render(9999, 10 ** max(width, ROOM) - 1))


def parse_pattern(text: str) -> Pattern:
    text = text.strip()
    names = PLACEHOLDER.findall(text)
    literal = PLACEHOLDER.sub("", text)
    # Printable letters only: a NUL cannot be stored, a zero-width or direction mark would make
    # numbers that look alike but are not.
    if LITERAL_REFUSED.search(literal) or not all(ch.isprintable() and ch not in INVISIBLE for ch in literal):
        raise PatternError("character")
    for name in names:
        if name not in ("YYYY", "YY") and not COUNTER.fullmatch(name):
            raise PatternError("placeholder")
    counters = sum(1 for name in names if name.startswith("#"))
    if counters == 0:
        raise PatternError("no_counter")
    if counters > 1:
        raise PatternError("two_counters")
    return Pattern(text)
