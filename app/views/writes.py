"""How the generated views and APIs commit a write: refusals by other writers are answered, not
raised, and API writes may carry an ``Idempotency-Key``.

- ``PortalInterface`` is FAB's data interface whose commit raises ``app.locks.Conflict`` (a
  translated message, never the database's text) when another writer got in the way: a unique,
  foreign key or check violation, a row version that moved, a lock not granted in time.
- ``api_write`` wraps ``PortalModelApi.post_headless`` / ``put_headless`` / ``delete_headless``:
  the write is flushed by FAB and committed here, a conflict answers 409 ``{"message": ...}``,
  and with an ``Idempotency-Key`` header the key and the response are stored in the write's own
  transaction (``app.idempotency``) so that a retry returns the first response (same status and
  body, header ``Idempotent-Replayed: true``) and books nothing twice; the same key with another
  request is refused (422).
- ``ThreadSafeSchemas`` gives each thread its own ``instance`` on the API's marshmallow schemas:
  marshmallow-sqlalchemy's ``load(data, instance=row)`` keeps the row on the schema object, which
  FAB shares between all requests, so two PUTs at once in one process (gunicorn threads) loaded
  each other's row or a new transient one (a 500, or a PUT inserting a row).
- ``FormWrites`` is the HTML add / edit of FAB with two changes: a rule refusing the row (422 on
  the API) shows the form again with the message on its field, and a conflict at commit shows the
  form again (409) with the user's input and the message, instead of a redirect that loses both.
"""

from __future__ import annotations

import functools
import logging
import re
import threading

import yaml
from apispec import yaml_utils
from flask import abort, flash, g, make_response, request
from flask_appbuilder import ModelRestApi, expose, has_access
from flask_appbuilder.urltools import get_filter_args
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError
from wtforms import HiddenField

from .. import idempotency, locks
from ..extensions import db
from ..queries.loading import list_loads, picker_loads
from ..registry import BY_NAME
from ..security.scope import ScopedInterface, current_actor
from ..validation import ValidationFailure

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
_KEY = re.compile(rf"[\x21-\x7e]{{1,{idempotency.MAX_KEY_LENGTH}}}")  # visible ASCII
_DEFER = "portal_defer_commit"  # g: inside api_write, FAB's commit only flushes

MSG_BAD_KEY = _l("The Idempotency-Key header must be 1 to %(n)s visible ASCII characters.",
                 n=idempotency.MAX_KEY_LENGTH)
MSG_KEY_REUSED = _l("This Idempotency-Key was already used for a different request.")


class PortalInterface(ScopedInterface):
    """FAB's SQLAlchemy interface with references primed for readability (``ScopedInterface``);
    its commit raises ``locks.Conflict`` instead of FAB's
    ``DatabaseException`` (whose text FAB would show), and waits for ``api_write`` inside it.

    Given the columns its list shows (``shown``), a list's query loads what they show and no more
    (``queries.loading.list_loads``), on top of what FAB's REST list selects itself."""

    def __init__(self, obj, session=None, shown=()):
        super().__init__(obj, session)
        self.loads = list_loads(obj, shown) if shown else []

    def picker_loads(self) -> list:
        return picker_loads(self.obj)

    def apply_all(self, query, filters=None, order_column="", order_direction="", page=None,
                  page_size=None, select_columns=None, outer_default_load=False):
        query = super().apply_all(query, filters, order_column, order_direction, page, page_size,
                                  select_columns, outer_default_load)
        return query.options(*self.loads) if self.loads else query

    def _finish(self) -> None:
        if g.get(_DEFER):
            self.session.flush()
            self.session.expire_all()  # the response is read back as a commit would have
        else:
            self.session.commit()

    def add(self, item, commit: bool = True) -> None:
        with locks.conflicts(self.session):
            self.session.add(item)
            if commit:
                self._finish()

    def edit(self, item, commit: bool = True) -> None:
        with locks.conflicts(self.session):  # merge autoflushes: a moved version shows here
            self.session.merge(item)
            if commit:
                self._finish()

    def delete(self, item, commit: bool = True) -> None:
        with locks.conflicts(self.session):
            self._delete_files(item)
            self.session.delete(item)
            if commit:
                self._finish()

    def delete_all(self, items) -> None:
        with locks.conflicts(self.session):
            for item in items:
                self._delete_files(item)
                self.session.delete(item)
            self._finish()


# --- API -----------------------------------------------------------------------------------------


class _PerThread:
    """A data descriptor keeping an attribute per thread (shadows the instance's own)."""

    def __init__(self):
        self.local = threading.local()

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        return getattr(self.local, str(id(obj)), None)

    def __set__(self, obj, value):
        setattr(self.local, str(id(obj)), value)


class ThreadSafeSchemas:
    """ModelRestApi mixin: its add / edit schemas keep the row being loaded per thread."""

    def _init_model_schemas(self):
        super()._init_model_schemas()
        for schema in (self.add_model_schema, self.edit_model_schema):
            if schema is not None and not isinstance(type(schema).__dict__.get("instance"), _PerThread):
                schema.__class__ = type(type(schema).__name__, (type(schema),), {"instance": _PerThread()})



def _json(status: int, body: str, replayed: bool = False):
    resp = make_response(body, status)
    resp.mimetype = "application/json"
    if replayed:
        resp.headers[REPLAYED] = "true"
    return resp


def api_write(method):
    """Decorator for a ModelRestApi write method (see the module docstring)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        key = request.headers.get(HEADER)
        row = None
        try:
            if key is not None:
                if not _KEY.fullmatch(key):
                    return self.response_400(message=str(MSG_BAD_KEY))
                user_id = current_actor().user_id
                fp = idempotency.fingerprint(request.method, request.full_path, request.get_data())
                row, claimed = idempotency.stored_or_claimed(user_id, key, fp)
                if not claimed:
                    same, status, body = row.fingerprint == fp, row.status, row.body
                    db.session.rollback()  # nothing of this request is written
                    if not same:
                        return self.response_422(message=str(MSG_KEY_REUSED))
                    return _json(status, body, replayed=True)
            setattr(g, _DEFER, True)
            try:
                resp = method(self, *args, **kwargs)
            finally:
                g.pop(_DEFER, None)
            if resp.status_code >= 300:
                db.session.rollback()  # refused: neither the row nor the key is kept
                return resp
            if row is not None:
                idempotency.remember(row, resp.status_code, resp.get_data(as_text=True))
            locks.commit()
            return resp
        except locks.Conflict as exc:
            db.session.rollback()
            return self.response(409, message=str(exc))
        except Exception:
            db.session.rollback()
            raise

    return wrapper


def write_spec(api_name: str) -> dict:
    """OpenAPI of the write methods of ``api_name``: FAB's own, plus the ``Idempotency-Key``
    header and the 409 answer (FAB merges this over its docstrings, key by key)."""
    header = {
        "in": "header", "name": HEADER, "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY_LENGTH},
        "description": ("Makes the write safe to retry: a request repeated with the same key by "
                        "the same user within the retention time (default 24 h) is not executed "
                        "again; it gets the first response (same status and body, header "
                        f"{REPLAYED}: true). The same key with a different request is refused "
                        "(422). Only successful writes are remembered."),
    }
    conflict = {"description": "Refused because of a simultaneous change (nothing was saved)",
                "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"message": {"type": "string"}}}}}}
    out = {}
    for name, verb in (("post", "post"), ("put", "put"), ("delete", "delete")):
        doc = str(yaml_utils.load_operations_from_docstring(getattr(ModelRestApi, name).__doc__))
        spec = yaml.safe_load(doc.replace("{{self.__class__.__name__}}", api_name))[verb]
        out[name] = {verb: {
            "parameters": [*spec.get("parameters", []), header],
            "responses": {**spec["responses"], "409": conflict},
        }}
    return out


# --- HTML forms ----------------------------------------------------------------------------------


def _field_errors(form, errors: dict, entity_name: str, hidden=()) -> None:
    """Put each message on its form field; one about a field the form does not show (e.g. the
    parent of a line added from its parent's page) is flashed, named by the field's label."""
    for name, message in errors.items():
        if name in form and name not in hidden and not isinstance(form[name], HiddenField):
            form[name].errors = [*form[name].errors, str(message)]
        else:
            label = BY_NAME[entity_name].column_label(name)
            flash(str(_l("%(field)s: %(message)s", field=label, message=message)), "danger")


class FormWrites:
    """FAB's ``_add`` and the POST of ``_edit`` (flask_appbuilder.baseviews, 5.3), keeping the
    user's input when the row is refused by a rule or by another writer at commit. ``_add`` and
    ``_edit`` return (widgets or None, status): FAB's ``add`` and ``edit`` (views, 5.3) are
    repeated below only to answer with that status (409 for a form shown again after a conflict)."""

    version_field: str | None = None  # the hidden row-version field of the edit form

    def _write(self, form, item, adding: bool, hidden=()) -> str:
        """Fill ``item`` from the form, check and write it: ``"done"`` (FAB redirects),
        ``"again"`` (a rule refused it: the form again, messages on the fields) or
        ``"conflict"`` (another writer got in the way at commit: the form again, 409)."""
        check, write, after, message = (
            (self.pre_add, self.datamodel.add, self.post_add, self.add_row_message) if adding
            else (self.pre_update, self.datamodel.edit, self.post_update, self.edit_row_message))
        try:
            form.populate_obj(item)
            check(item)
        except ValidationFailure as exc:
            _field_errors(form, exc.errors, self.datamodel.obj.__name__, hidden)
            return "again"
        except Exception as exc:  # noqa: BLE001 - FAB's handling: scope refusals are flashed
            flash(str(exc), "danger")
            return "done"
        try:
            write(item)
        except locks.Conflict as exc:
            flash(str(exc), "danger")
            return "conflict"
        except SQLAlchemyError:
            log.exception("write refused by the database")
            flash(str(self.database_error_message), "danger")
            return "done"
        after(item)
        flash(message, "success")
        return "done"

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        widgets, status = self._add()
        if not widgets:
            return self.post_add_redirect()
        return self.render_template(self.add_template, title=self.add_title, widgets=widgets), status

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        pk = self._deserialize_pk_if_composite(pk)
        widgets, status = self._edit(pk)
        if not widgets:
            return self.post_edit_redirect()
        # The row the form was built from (loaded once per GET: ``ScopedInterface.get``) names the
        # page in its breadcrumb without another query.
        return self.render_template(self.edit_template, title=self.edit_title, widgets=widgets,
                                    related_views=self._readable_related(),
                                    page_record=self.datamodel.get(pk, self._base_filters)), status

    def _add(self):
        if request.method != "POST":
            return super()._add(), 200
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        form = self.add_form.refresh()
        self._fill_form_exclude_cols(exclude_cols, form)
        status = 200
        if form.validate():
            self.process_form(form, True)
            outcome = self._write(form, self.datamodel.obj(), adding=True, hidden=exclude_cols)
            if outcome == "done":
                return None, 200
            if outcome == "conflict":
                status = 409
        return self._get_add_widget(form=form, exclude_cols=exclude_cols), status

    def _edit(self, pk):
        if request.method != "POST":
            return super()._edit(pk), 200
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        pk = self.datamodel.get_pk_value(item)
        form = self.edit_form.refresh(request.form)
        self._fill_form_exclude_cols(exclude_cols, form)
        form._id = pk  # FAB's Unique validator skips the row itself
        status = 200
        if form.validate():
            self.process_form(form, False)
            outcome = self._write(form, item, adding=False, hidden=exclude_cols)
            if outcome == "done":
                return None, 200
            if outcome == "conflict":
                status = 409
                item = self.datamodel.get(pk, self._base_filters)
                if item is None:
                    abort(404)
                if self.version_field and self.version_field in form:
                    form[self.version_field].data = item.version  # saving again applies it
        widgets = self._get_edit_widget(form=form, exclude_cols=exclude_cols)
        return self._get_related_views_widgets(item, widgets=widgets), status
