"""Portable SQL pieces the ORM lacks."""

from __future__ import annotations

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class days_between(FunctionElement):  # noqa: N801 - reads as a SQL function
    """Whole days from date ``b`` to date ``a`` (a − b), on PostgreSQL and SQLite alike."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    a, b = list(element.clauses)
    return f"({compiler.process(a, **kw)} - {compiler.process(b, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    a, b = list(element.clauses)
    return (f"CAST(julianday({compiler.process(a, **kw)}) - julianday({compiler.process(b, **kw)})"
            " AS INTEGER)")


class rarely(FunctionElement):  # noqa: N801 - reads as a SQL function
    """A condition few rows meet (a workflow state such as "under review", the unpaid
    receivables), said so to SQLite's planner. SQLite is built without STAT4 here: it keeps no
    histogram of a column's values and takes every state for as common as the average, so next to
    a row scope it starts from the owner's rows (every order of a team, to find the few under
    review) instead of the state's index. ``likelihood(X, 0.001)`` on SQLite, where it only
    changes the plan; the condition itself elsewhere (PostgreSQL keeps the histogram). Untyped
    on purpose: as a boolean, SQLAlchemy would write ``likelihood(...) = 1`` on SQLite, which
    SQLite no longer reads as a hint."""

    inherit_cache = True
    name = "rarely"


@compiles(rarely)
def _rarely_default(element, compiler, **kw):
    (condition,) = list(element.clauses)
    return compiler.process(condition, **kw)


@compiles(rarely, "sqlite")
def _rarely_sqlite(element, compiler, **kw):
    (condition,) = list(element.clauses)
    return f"likelihood({compiler.process(condition, **kw)}, 0.001)"
