"""How URLs are read, for every page FAB generates and ours.

- ``<int:…>`` matches only what an id column can hold. Werkzeug's ``int`` takes any length of
  digits, so ``/appraisal/99999999999999999999`` reached the view and the database failed on the
  number (SQLite: OverflowError; PostgreSQL: out of range above 2**31 - 1, the size of every id
  column here). The portal's ``int`` stops at that size; a larger number matches no route (404).
  Registered before any view, so FAB's routes use it too.
- ``QueryGuard`` is mixed into every FAB model view (generated, audit, FAB's security screens): a
  record id in a path that no row can have is a 404; sort, page and filter arguments FAB cannot
  honour (``page=abc``, a filter index beyond the list, a sort on ``__class__``) are a 400; and a
  list sorts only by the columns it offers, so a sort on a hidden related column
  (``author.phone``) cannot reveal the order of values the reader may not see.
"""

from __future__ import annotations

from flask import abort, request
from sqlalchemy import Integer
from werkzeug.routing import IntegerConverter

from ..extensions import db
from ..validation import INT_LIMITS
from .api_contract import BAD_QUERY_ERRORS

ID_MAX = INT_LIMITS[Integer] - 1


class BoundedIntConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):  # noqa: A002 - Werkzeug's name
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


def install(app) -> None:
    app.url_map.converters["int"] = BoundedIntConverter


FORM_SLACK = 64 * 1024  # the other fields of an upload's form


def install_upload_limits(app, limits: dict) -> None:
    """Uploads (endpoint -> a function giving its largest file in bytes) may be larger than
    ``MAX_CONTENT_LENGTH``, each request of them alone. The hook runs before every other one:
    the CSRF check reads the form, and a body read before the limit is raised is refused (413)."""
    def raise_limit():
        limit = limits.get(request.endpoint)
        if limit is not None:
            request.max_content_length = limit() + FORM_SLACK
    app.before_request_funcs.setdefault(None, []).insert(0, raise_limit)


def bad_query_is_400(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except BAD_QUERY_ERRORS:
        db.session.rollback()
        abort(400)


def record_id(pk) -> None:
    """A 404 for a record id no row can have."""
    try:
        ok = 0 < int(pk) <= ID_MAX
    except (TypeError, ValueError):
        ok = False
    if not ok:
        abort(404)


class QueryGuard:
    """Mixin for FAB model views (see the module docstring)."""

    def _get_list_widget(self, *args, **kwargs):
        order_column = kwargs.get("order_column") or ""  # FAB passes it by name
        if order_column and order_column not in self.order_columns:
            abort(400)
        return super()._get_list_widget(*args, **kwargs)

    def _list(self, **kwargs):
        return bad_query_is_400(super()._list, **kwargs)

    def _add(self):
        return bad_query_is_400(super()._add)

    def _show(self, pk):
        record_id(pk)
        return bad_query_is_400(super()._show, pk)

    def _edit(self, pk):
        record_id(pk)
        return bad_query_is_400(super()._edit, pk)

    def _delete(self, pk):
        record_id(pk)
        return bad_query_is_400(super()._delete, pk)


def read_upload(limit: int) -> tuple[str | None, bytes]:
    """The request's ``file`` field: (its name, at most ``limit`` + 1 bytes, so the caller sees a
    file over its limit), the parser's temporary files closed at once."""
    upload = request.files.get("file")
    try:
        return (upload.filename, upload.read(limit + 1)) if upload is not None else (None, b"")
    finally:
        for part in request.files.values():
            part.close()
