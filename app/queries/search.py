"""The navbar's search: codes, names, numbers and phones of the entities that name ``find_by``
in the registry, each through the reader's read scope, a few rows per entity.

The text is matched as typed, anywhere in the column (Chinese names have no word breaks: 明 finds
李明), case-insensitively; it is always a literal (``%``, ``_`` and ``\\`` escaped, bound as a
parameter), trimmed and cut to ``MAX_TEXT`` characters. Exact and leading matches come first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, literal, or_

from ..extensions import db
from ..registry import ENTITIES, Entity
from ..security.scope import scoped

MAX_TEXT = 100
PER_ENTITY = 8


@dataclass
class Found:
    entity: Entity
    rows: list
    more: bool  # more rows match than are shown


def clean(text: str | None) -> str:
    """The text searched for: trimmed, without control characters, at most ``MAX_TEXT`` long."""
    text = "".join(ch for ch in (text or "") if ch.isprintable())
    return text.strip()[:MAX_TEXT]


def like_pattern(text: str) -> str:
    """``text`` for a LIKE with ``\\`` as the escape: its wildcards are literal."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matches(col, pattern: str):
    """``col`` LIKE ``pattern`` (escaped by ``like_pattern``), case-insensitively: ILIKE on
    PostgreSQL (its trigram indexes serve both, ``models.base.trigram_index``); on SQLite its
    LIKE, which already ignores ASCII case (its ILIKE is ``lower(col) LIKE lower(pattern)``: a
    function call per row that doubled the scan)."""
    if db.session.get_bind().dialect.name == "sqlite" or pattern.lower() == pattern.upper():
        # Text without letters that have a case (Chinese, digits): LIKE, a third of ILIKE's
        # cost on PostgreSQL, and read from the same trigram index.
        return col.like(pattern, escape="\\")
    return col.ilike(pattern, escape="\\")


def searched() -> list[Entity]:
    return [e for e in ENTITIES if e.find_by]


def find(text: str, readable: set[str], per_entity: int = PER_ENTITY) -> list[Found]:
    """The rows matching ``text`` of each searched entity the reader may read (``readable``: their
    names), one query per entity."""
    text = clean(text)
    if not text:
        return []
    inner, start = f"%{like_pattern(text)}%", f"{like_pattern(text)}%"
    out = []
    for entity in searched():
        if entity.name not in readable:
            continue
        cols = [getattr(entity.model, c) for c in entity.find_by]
        rank = case(*[(c == literal(text), 0) for c in cols],
                    *[(matches(c, start), 1) for c in cols], else_=2)
        rows = (scoped(entity).filter(or_(*[matches(c, inner) for c in cols]))
                .order_by(rank, entity.model.id.desc()).limit(per_entity + 1).all())
        if rows:
            out.append(Found(entity, rows[:per_entity], len(rows) > per_entity))
    return out
