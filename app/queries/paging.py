"""Running a list's query: a counter, one page of rows, every row (the export)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import inspect


@dataclass(frozen=True)
class Window:
    """Which rows of a list to fetch: ``limit`` rows from ``offset`` (``None``: all of them), and
    whether to count them all as well (a pager's total, the work lists' index)."""

    offset: int = 0
    limit: int | None = None
    counted: bool = False


def count(query) -> int:
    """How many rows a list's query has (its order does not matter to the count), counted over
    the rows' keys: ``Query.count()`` wraps the whole row, its computed columns too (an order's
    margin is a subquery on its lines), and SQLite computes them for the count."""
    keys = inspect(query.column_descriptions[0]["entity"]).primary_key
    return query.order_by(None).with_entities(*keys).count()


def fetch(query, window: Window) -> tuple[list, int | None]:
    """The rows of ``query`` in ``window``, and their total when the window asks for it (else
    None). A window of no rows runs only the count."""
    total = count(query) if window.counted else None
    if window.limit == 0:
        return [], total
    if window.offset:
        query = query.offset(window.offset)
    if window.limit is not None:
        query = query.limit(window.limit)
    return query.all(), total
