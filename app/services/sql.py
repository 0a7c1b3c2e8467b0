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
