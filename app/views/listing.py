"""What a generated list shows beyond FAB's: a named preset of rows (``?preset=<name>``, see
``app.presets``) and, per row, the edit and delete buttons only where they will work.

A row's buttons follow the same rules as the edit and delete screens themselves: the row is in
the user's write scope and neither its own state nor its parent's locks it
(``app.workflow.engine.locked_clause``). They are decided for the whole page in one query.
"""

from __future__ import annotations

from flask import abort, current_app, has_request_context, request
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.widgets import ListWidget, SearchWidget
from flask_babel import get_locale
from sqlalchemy import Enum, String, inspect, or_
from sqlalchemy.orm.util import identity_key

from .. import favourites
from ..clock import today
from ..extensions import db
from ..imports import SPECS
from ..presets import preset
from ..queries import people
from ..queries.search import clean, like_pattern, matches
from ..registry import BY_MODEL, Entity
from ..security.scope import current_actor, in_scope_as_loaded, scope_clause, scoped
from ..workflow.engine import is_locked, locked_clause, workflow_of

PRESET_ARG = "preset"
_PRESET_ENDPOINTS = ("list", "export")


def active_preset(entity: Entity):
    """The preset the current list request asks for (400 for a name the entity has not)."""
    if not has_request_context() or (request.endpoint or "").rsplit(".", 1)[-1] not in _PRESET_ENDPOINTS:
        return None
    name = request.args.get(PRESET_ARG)
    if name is None:
        return None
    found = preset(entity.name, name)
    if found is None:
        abort(400)
    return found


class PresetFilter(BaseFilter):
    """Base filter of every generated view: the rows of the preset the list was opened with."""

    name = "preset"
    arg_name = "preset"

    def _asked(self):
        entity = BY_MODEL.get(self.model)
        return active_preset(entity) if entity is not None else None

    def apply(self, query, value):
        found = self._asked()
        return query if found is None else query.filter(found.condition(today()))

    def statement_key(self, value):
        """What ``apply`` depends on (``ScopedInterface._kept``): the preset asked and the day."""
        found = self._asked()
        return None if found is None else (found.name, today())


def changeable_ids(entity: Entity, pks) -> set[int]:
    """Which of ``pks`` the user may edit and delete now: from the rows as the list loaded them
    when they tell it all (a customer list: the write scope's anchor is the row's own column and
    no parent locks it), otherwise in one query."""
    ids = [int(pk) for pk in pks if str(pk).isascii() and str(pk).isdigit()]
    if not ids:
        return set()
    model = entity.model
    decided = _changeable_as_loaded(entity, ids)
    if decided is not None:
        return decided
    query = scoped(entity, "write", pinned=True).filter(model.id.in_(ids), ~locked_clause(entity))
    return {row_id for (row_id,) in query.with_entities(model.id).all()}


def _changeable_as_loaded(entity: Entity, ids: list[int]) -> set[int] | None:
    """``changeable_ids`` decided as ``locked_clause`` and the scope clause would decide it, from
    the rows the list loaded (still in the session, unchanged); None when that is not enough."""
    if entity.parent_lock is not None:
        return None
    wf = workflow_of(entity)
    rows = [db.session.identity_map.get(identity_key(entity.model, i)) for i in ids]
    if any(row is None or (wf is not None and wf.field not in inspect(row).dict) for row in rows):
        return None
    in_scope = in_scope_as_loaded(entity, "write", rows)
    if len(in_scope) != len(rows):
        return None
    return {row.id for row in rows if in_scope[row.id] and not is_locked(entity, row)}


QUICK_ARG, OWNER_ARG = "q", "owner"


def _list_arg(name: str) -> str | None:
    """A list or export request's ``name`` argument (None elsewhere: pickers, record pages)."""
    if not has_request_context() or (request.endpoint or "").rsplit(".", 1)[-1] not in _PRESET_ENDPOINTS:
        return None
    return request.args.get(name)


def quick_columns(entity: Entity) -> list[str]:
    """The text columns a list's quick search box matches: the navbar search's (``find_by``),
    else the text columns among the list's search columns."""
    table = entity.model.__table__.columns
    names = entity.find_by or tuple(c for c in entity.search_columns if c in table
                                    and isinstance(table[c].type, String) and not isinstance(table[c].type, Enum))
    return list(names)


class QuickSearchFilter(BaseFilter):
    """Base filter of every generated list: ``?q=`` matched, as typed and literally (``%`` and
    ``_`` are text), anywhere in the entity's quick columns."""

    name = "quick search"
    arg_name = "q"

    def _text(self):
        entity = BY_MODEL.get(self.model)
        text = clean(_list_arg(QUICK_ARG))
        return (entity, text) if entity is not None and text and quick_columns(entity) else (None, None)

    def apply(self, query, value):
        entity, text = self._text()
        if entity is None:
            return query
        pattern = f"%{like_pattern(text)}%"
        return query.filter(or_(*[matches(getattr(self.model, c), pattern) for c in quick_columns(entity)]))

    def statement_key(self, value):
        return self._text()[1]


class OwnerFilter(BaseFilter):
    """Base filter of every generated list: ``?owner=<employee id>`` keeps the rows anchored on
    that employee (a receivable's salesperson is its customer's owner), within the scope."""

    name = "owner"
    arg_name = "owner"

    def _owner(self):
        entity = BY_MODEL.get(self.model)
        raw = _list_arg(OWNER_ARG) or ""
        if entity is None or entity.anchor is None or not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) < 2**31:
            return None, None
        return entity, int(raw)

    def apply(self, query, value):
        entity, owner = self._owner()
        return query if entity is None else query.filter(scope_clause(entity, frozenset({owner})))

    def statement_key(self, value):
        return self._owner()[1]


class PortalListWidget(ListWidget):
    """FAB's list with a ``changeable`` set of row ids: edit and delete only on those rows."""

    template = "portal/widgets/list.html"


class PortalSearchWidget(SearchWidget):
    """FAB's search box, whose per-column parts (each column's label, its input as the filter row
    shows it, the names of its operations) are the same on every request of a view in one
    language: built once per view, columns and language (a customer list's six cost as much as
    its rows). A column picking related rows (whose options are the reader's rows) keeps FAB's
    per-request build; the active filters are the request's."""

    def __call__(self, **kwargs):
        form, cols = self.template_args["form"], tuple(self.template_args["include_cols"])
        if any(isinstance(form[col], QuerySelectField) for col in cols):
            return super().__call__(**kwargs)
        kept = current_app.extensions.setdefault("portal_search_parts", {})
        key = (type(form), cols, str(get_locale()))
        if key not in kept:
            by_column = self.filters.get_search_filters()
            kept[key] = {"label_columns": {col: str(form[col].label.text) for col in cols},
                         "form_fields": {col: form[col]() for col in cols},
                         "search_filters": {col: [str(flt.name) for flt in by_column[col]] for col in cols}}
        kwargs.update(kept[key], active_filters=self.filters.get_filters_values_tojson())
        return super(SearchWidget, self).__call__(**kwargs)


def list_tools(entity: Entity) -> dict:
    """What a list page's quick bar shows: the quick search text, the owner choice (the employees
    the reader may see, for an anchored entity), and the reader's favourites of the entity."""
    actor = current_actor()
    owners = []  # offered to a reader whose scope of the entity spans more than their own rows
    if (entity.anchor is not None and actor.scope(entity.name, "read") in ("team", "all")
            and actor.may("Employee", "read")):
        owners = people.readable_employees()
    return {"entity": entity.name, "user_id": current_actor().user_id, "q": clean(request.args.get(QUICK_ARG)), "searchable": bool(quick_columns(entity)),
            "owner": request.args.get(OWNER_ARG, ""), "owners": owners,
            "favourites": favourites.visible(entity.name),
            "query": favourites.kept_query(request.query_string.decode("utf-8", "replace")),
            "may_share": current_actor().team_id is not None,
            # The Excel import of this entity, for those who may write it (app.imports).
            "importable": entity.name.lower() if entity.name.lower() in SPECS and actor.may(entity.name, "write")
            else None}
