"""The rows of a generated list's XLSX export: the list's own query (its filters, the user's row
scope, its order) on one unbounded page, read in batches so that memory stays the same however
many rows the file holds."""

from __future__ import annotations

from collections.abc import Iterator

from ..security.scope import prime_references

BATCH = 1000  # rows fetched, and references decided (``prime_references``), at a time


def list_rows(datamodel, filters, order_column: str, order_direction: str,
              limit: int) -> tuple[int, Iterator]:
    """How many rows the list has, and the first ``limit`` of them, streamed. ``datamodel`` is the
    view's FAB data interface: the same filter, join and order logic as its list pages, and the
    same loading of what the list shows (``views.writes.PortalInterface``)."""
    query = datamodel.session.query(datamodel.obj)
    total = datamodel.query_count(query, filters)
    query = datamodel.apply_all(query, filters, order_column, order_direction, page=None,
                                page_size=limit)
    return total, _batched(datamodel.obj, query.yield_per(BATCH))


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
