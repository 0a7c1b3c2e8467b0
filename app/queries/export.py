"""The rows of a generated list's XLSX export: the list's own query (its filters, the user's row
scope, its order) on one unbounded page, read in batches so that memory stays the same however
many rows the file holds."""

from __future__ import annotations

from collections.abc import Iterator

from ..security.scope import prime_references
from .loading import list_loads

BATCH = 1000  # rows fetched, and references decided (``prime_references``), at a time


def list_rows(datamodel, filters, order_column: str, order_direction: str, limit: int,
              columns) -> tuple[int, Iterator]:
    """How many rows the list has, and the first ``limit`` of them, streamed with what its
    ``columns`` show (``list_loads``). ``datamodel`` is the view's FAB data interface: the same
    filter, join and order logic as its list pages."""
    query = datamodel.session.query(datamodel.obj)
    total = datamodel.query_count(query, filters)
    query = datamodel.apply_all(query, filters, order_column, order_direction, page=None,
                                page_size=limit)
    query = query.options(*list_loads(datamodel.obj, columns)).yield_per(BATCH)
    return total, _batched(datamodel.obj, query)


def _batched(model, query) -> Iterator:
    batch = []
    for row in query:
        batch.append(row)
        if len(batch) == BATCH:
            prime_references(model, batch)
            yield from batch
            batch = []
    prime_references(model, batch)
    yield from batch
