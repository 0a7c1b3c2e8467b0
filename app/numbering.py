"""Numbers and codes records give themselves (issue 13): ``QT2026-0001``.

``fill(session, item)`` runs at every flush for new rows (``rules._before_flush``): a numbered
column (``models.numbering.NUMBERED``) left empty gets the next number of its kind, worded by the
kind's pattern (Settings, ``PolicyKey.number_patterns``). A value the user typed is kept; a drawn
number that someone typed before is passed over.

The counter is raised by one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` in the creating
transaction. PostgreSQL locks the counter's row until that transaction ends, so simultaneous
creations of a kind draw one after the other; SQLite writes one transaction at a time
(``app.locks``). A creation that fails rolls its draw back with it: no gaps.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from . import policy
from .clock import today
from .models.numbering import NUMBERED, DocumentSequence, NumberedKind
from .models.policy import PolicyKey
from .validation import ValidationFailure

# model -> (its kind, the column it fills)
BY_MODEL = {col.class_: (kind, col.key) for kind, col in NUMBERED.items()}
# Drawn numbers that were typed before are passed over; this many in a row means the pattern
# collides with numbers typed by hand (say, a pattern changed back to an older one).
TRIES = 100
MSG_NO_FREE = _l("No free number of this pattern was found; change the pattern in Settings or "
                 "enter a number.")

_INSERT = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def numbered_column(model) -> str | None:
    """The column of ``model`` that numbers itself when left empty, if any."""
    return BY_MODEL[model][1] if model in BY_MODEL else None


def draw(session, kind: NumberedKind, period: int) -> int:
    """The next counter value of ``kind`` in ``period``, raised in the session's transaction."""
    table = DocumentSequence.__table__
    insert = _INSERT[session.get_bind().dialect.name](table)
    stmt = insert.values(kind=kind.name, period=period, last=1).on_conflict_do_update(
        index_elements=[table.c.kind, table.c.period], set_={"last": table.c.last + 1},
    ).returning(table.c.last)
    return session.execute(stmt).scalar_one()


def next_number(session, kind: NumberedKind) -> str:
    column = NUMBERED[kind]
    pattern = policy.get(PolicyKey.number_patterns)[kind]
    year = today().year
    period = year if pattern.yearly else 0
    for _ in range(TRIES):
        value = pattern.render(year, draw(session, kind, period))
        if session.scalar(select(column).where(column == value).limit(1)) is None:
            return value
    raise ValidationFailure({column.key: str(MSG_NO_FREE)})


def fill(session, item) -> None:
    """Give a new row of a numbered kind its number when it has none."""
    if type(item) not in BY_MODEL:
        return
    kind, key = BY_MODEL[type(item)]
    if not (getattr(item, key) or "").strip():
        setattr(item, key, next_number(session, kind))
