"""The factory turning each ``Entity`` of the registry into a scoped CRUD view and REST API.

Every generated view and API shares the same guard rails:
- permissions ``read`` / ``write`` / ``approve`` per entity (``method_permission_name``), which the
  security manager resolves against the scoped permissions of the matrix;
- ``ScopeFilter`` as base filter (list, show, edit, delete, API get/put/delete) and
  ``ReadScopeFilter`` on every related-row picker and search dropdown;
- ``pre_add`` / ``pre_update`` / ``pre_delete`` refuse rows outside the user's write scope,
  referenced rows the user cannot see (ids posted in forms or JSON) and out-of-range values;
- bulk actions load their rows through the same scope.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import ModelRestApi, ModelView, expose, has_access
from flask_appbuilder.actions import action as fab_action
from flask_appbuilder.exceptions import FABException
from flask_appbuilder.fields import EnumField
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.urltools import get_order_args, get_page_args, get_page_size_args
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import Time, false, inspect
from sqlalchemy.orm import RelationshipDirection
from wtforms import BooleanField, HiddenField, TimeField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from .. import attachments, credit, policy
from ..display import page_formatter_for, record_url
from ..extensions import db
from ..guard import check_write
from ..history import history_of, record_log
from ..labels import CATEGORIES
from ..models import Contract, Customer, Employee
from ..models.policy import PolicyKey
from ..numbering import numbered_column
from ..queries.documents import chain, remaining
from ..queries.duplicates import similar_customers
from ..registry import BY_NAME, ENTITIES, Entity
from ..security.matrix import verb_permission
from ..security.scope import (
    LockedError,
    ReadScopeFilter,
    ScopeError,
    ScopeFilter,
    current_actor,
    in_scope,
    pinned_to,
    scoped,
)
from ..validation import ValidationFailure, api_validators, form_validators
from ..workflow import available, form_columns, timeline, workflow_of
from ..workflow.engine import children_locked, is_locked, parent_locked
from .api_contract import MSG_NOT_JSON, PortalApi
from .api_schema import PortalSchemaConverter, harden_input_schema
from .export import ExportMixin
from .listing import (
    OwnerFilter,
    PortalListWidget,
    PortalSearchWidget,
    PresetFilter,
    QuickSearchFilter,
    active_preset,
    changeable_ids,
    list_tools,
)
from .pickers import use_blank_pickers
from .related import PAGES, RelatedPane, links_to_record_page
from .routing import QueryGuard, bad_query_is_400, record_id
from .writes import FormWrites, PortalInterface, ThreadSafeSchemas, api_write, write_spec

# The edit form carries the row version it was opened at (issue 3, item 8).
VERSION_FIELD = "row_version"
MSG_CONFLICT = _l("%(who)s changed this record after you opened it. Your input is kept below; "
                  "compare it with the record and save again to apply it.")

READ, WRITE = "read", "write"

# FAB checks can_<value> on the entity for each method; the security manager grants can_read /
# can_write when the user holds that verb in any scope (approve is checked per row in the guard).
VIEW_METHODS = {
    "list": READ, "show": READ, "related": READ, "export": READ,
    "add": WRITE, "edit": WRITE, "delete": WRITE, "action": WRITE, "action_post": WRITE,
    "muldelete": WRITE,
}
API_METHODS = {"get": READ, "get_list": READ, "info": READ, "post": WRITE, "put": WRITE, "delete": WRITE}


class LabeledEnumField(EnumField):
    """FAB's enum select, showing each member's translated label (rendered per request)."""

    def __init__(self, enum_class, enums, **kwargs):
        super().__init__(enum_class, enums, **kwargs)
        if enum_class is not None and hasattr(enum_class, "label"):
            self.choices = [(name, enum_class[name].label) for name in enums]
        fab_coerce = self.coerce

        def coerce(value):
            # FAB raises KeyError for an unknown name; WTForms only turns ValueError into an error.
            try:
                return fab_coerce(value)
            except KeyError as exc:
                raise ValueError(str(exc)) from exc

        self.coerce = coerce

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValidationError(str(_l("Not a valid choice."))) from None

    def pre_validate(self, form):
        if self.data is None and not self.flags.required:
            return
        try:
            super().pre_validate(form)
        except ValueError as exc:
            raise ValidationError(str(_l("Not a valid choice."))) from exc


def _use_labeled_enums(form_cls) -> None:
    if form_cls is None:
        return
    for name in dir(form_cls):
        unbound = getattr(form_cls, name, None)
        if getattr(unbound, "field_class", None) is EnumField:
            unbound.field_class = LabeledEnumField


def _blank_is_none(value):
    return value if not isinstance(value, str) or value.strip() else None


MSG_NEXT_NUMBER = _l("Leave empty to take the next number when saving.")
# What an empty prefilled field takes, by the entity's ``prefill`` path.
PREFILL_HELP = {"product.list_price": _l("Leave empty for the product's list price."),
                "product.unit_cost": _l("Leave empty for the product's unit cost.")}


def may_stay_empty(entity: Entity) -> dict[str, object]:
    """The columns a new row may leave empty, with the help text saying what fills them: the
    number it takes when saved (``app.numbering``) and the entity's ``prefill`` columns."""
    out = {key: PREFILL_HELP[path] for key, path in entity.prefill.items()}
    numbered = numbered_column(entity.model)
    if numbered:
        out[numbered] = MSG_NEXT_NUMBER
    return out


def _may_stay_empty(form_cls, entity: Entity) -> None:
    """On an add form those columns are optional: an empty field is left to what fills it."""
    if form_cls is None:
        return
    for key, help_text in may_stay_empty(entity).items():
        unbound = getattr(form_cls, key, None)
        if unbound is None:
            continue
        kept = [v for v in unbound.kwargs.get("validators", ()) if not isinstance(v, InputRequired | DataRequired)]
        unbound.kwargs["validators"] = [Optional(), *kept]
        unbound.kwargs["filters"] = [*unbound.kwargs.get("filters", ()), _blank_is_none]
        unbound.kwargs["description"] = help_text


def _owner_choice_filter(entity: Entity) -> type[BaseFilter]:
    """The owner picker offers only the employees the user may own rows for (their write scope)."""

    class OwnerChoiceFilter(BaseFilter):
        name = "owner choice"
        arg_name = "owner_choice"

        def apply(self, query, value):
            actor = current_actor()
            allowed = actor.employees(entity.name, WRITE)
            if allowed is None:
                return query
            return query.filter(Employee.id.in_(sorted(allowed)) if allowed else false())

    return OwnerChoiceFilter


def _picker_filters(entity: Entity) -> dict:
    """Scope every many-to-one picker whose target is a scoped entity."""
    out = {}
    for rel in inspect(entity.model).relationships:
        if rel.direction is RelationshipDirection.MANYTOONE and rel.mapper.class_.__name__ in BY_NAME:
            out[rel.key] = [["id", ReadScopeFilter, None]]
    if entity.owner_field:
        out[entity.owner_field] = [["id", _owner_choice_filter(entity), None]]
    return out


class _Guard:
    """Write checks shared by the HTML view and the API of an entity."""

    entity: Entity

    def _guarded(self, item, adding: bool):
        """Scope before rules: the rows referenced and the row itself are checked against the
        user's scope before any business rule looks at other rows, so a refused write says the
        same whatever the state of a row the user may not see."""
        try:
            check_write(item, adding=adding)
        except Exception:
            db.session.rollback()
            raise

    def pre_add(self, item):
        self._guarded(item, adding=True)

    def pre_update(self, item):
        self._guarded(item, adding=False)

    def pre_delete(self, item):
        if not in_scope(item, WRITE, self.entity):
            raise ScopeError()
        if is_locked(self.entity, item) or parent_locked(self.entity, item):
            raise LockedError()


def _record_links(entity: Entity, item) -> list[tuple[object, str, str]]:
    """Extra actions on a record page: (label, url, element id), one from each custom page that
    acts on this entity's records (its view's ``record_entity`` and ``record_link``)."""
    actor = current_actor()
    links = []
    for view in _acting_views().get(entity.name, ()):
        got = view.record_link(item, actor)
        links.extend(got if isinstance(got, list) else [got])  # a view may offer several
    return [link for link in links if link]


def _acting_views() -> dict[str, list]:
    """entity name -> the custom views acting on its records, found once per app among its
    hundred-odd views (the record page asked each of them on every request)."""
    found = current_app.extensions.get("portal_acting_views")
    if found is None:
        found = {}
        for view in current_app.appbuilder.baseviews:
            if hasattr(view, "record_link"):
                for name in getattr(view, "record_entities", (getattr(view, "record_entity", None),)):
                    if name:
                        found.setdefault(name, []).append(view)
        current_app.extensions["portal_acting_views"] = found
    return found


class _RecordShow:
    """FAB's show (flask_appbuilder.views and baseviews, 5.x) keeping the row it loaded, so that
    the page's own parts (``_record_page``) are computed from it and passed to the template, and
    the record's related lists each answered on their own when their tab is opened
    (app/views/related.py). Mixed in after ``QueryGuard``, whose checks wrap ``_show``."""

    def _show(self, pk):
        """FAB's ``_show``, returning the row with the widgets."""
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        widgets = self._get_show_widget(pk, item)
        self.update_redirect()
        return item, self._get_related_views_widgets(item, widgets=widgets)

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        pk = self._deserialize_pk_if_composite(pk)
        item, widgets = self._show(pk)
        return self.render_template(self.show_template, pk=pk, title=self.show_title, widgets=widgets,
                                    related_views=self._readable_related(), **self._record_page(item))

    def _readable_related(self) -> list:
        """The related lists the user may read (FAB shows every related list of the view); each
        check is answered once per request by the security manager."""
        sm = self.appbuilder.sm
        return [view for view in self._related_views
                if sm.has_access(verb_permission(READ), view.class_permission_name)]

    def _get_related_views_widgets(self, item, widgets=None, **_):
        """Instead of FAB's widgets (each a count, a page and a list rendered for a tab that may
        never be opened), one empty pane per readable list, for the page that is being built."""
        widgets = widgets or {}
        page = request.endpoint.rsplit(".", 1)[-1]
        pk = self.datamodel.get_pk_value(item)
        widgets["related_views"] = [
            RelatedPane(url_for(".related", pk=pk, name=view.__class__.__name__, page=page))
            for view in self._readable_related()]
        return widgets

    @expose("/related/<pk>/<name>/<page>", methods=["GET"])
    @has_access
    def related(self, pk, name, page):
        """One related list of a record, as FAB's record page showed it, its links to the record
        page (``page``: show or edit) that it belongs to."""
        record_id(pk)
        view = next((v for v in self._readable_related() if v.__class__.__name__ == name), None)
        if view is None or page not in PAGES:
            abort(404)
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)

        def widget():
            orders, pages, sizes = get_order_args(), get_page_args(), get_page_size_args()
            order_column, order_direction = orders.get(name) or ("", "")
            return self._get_related_view_widget(item, view, order_column, order_direction,
                                                 page=pages.get(name), page_size=sizes.get(name))

        listing = bad_query_is_400(widget)
        if listing is None:
            abort(404)
        links_to_record_page(url_for(f".{page}", pk=pk))
        return listing(pk=pk)


CONFIRM_DUPLICATE = "confirm_duplicate"  # the add form's "save anyway" box (Customer)


def _duplicate_warning(item) -> str | None:
    """Issue 13, item 8: why a new customer may be one the factory has already (None: it is not),
    the matches the user may read named with their owners, the others only said to exist."""
    matches = similar_customers(item.name, item.tax_id, item.phone)
    if not matches:
        return None
    entity = BY_NAME["Customer"]
    said = []
    for match in matches:
        field = entity.column_label(match.field)
        if match.customer is not None:
            said.append(str(_l("%(customer)s (owner %(owner)s) has the same %(field)s.", customer=match.customer,
                               owner=match.customer.owner.display_name, field=field)))
        else:
            said.append(str(_l("A customer of another salesperson has the same %(field)s.", field=field)))
    return " ".join([*said, str(_l("Tick the box below to save it anyway."))])


class PortalModelView(QueryGuard, _RecordShow, ExportMixin, _Guard, FormWrites, ModelView):
    show_template = "portal/show.html"
    edit_template = "portal/edit.html"
    page_size = 25
    download = None  # no uploads: FAB's /download/<filename> route is not registered
    version_field = VERSION_FIELD
    list_widget = PortalListWidget
    search_widget = PortalSearchWidget

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for form in (self.add_form, self.edit_form, getattr(self, "search_form", None)):
            _use_labeled_enums(form)
        for form in (self.add_form, self.edit_form):
            use_blank_pickers(form)
        _may_stay_empty(self.add_form, self.entity)

    def pre_add(self, item):
        super().pre_add(item)
        if self.entity.model is Customer and not request.form.get(CONFIRM_DUPLICATE):
            warning = _duplicate_warning(item)
            if warning:
                raise ValidationFailure({"name": warning})

    def _record_page(self, item) -> dict:
        """What the record page shows beyond FAB's fields, passed to its template: the row
        (loaded through the user's scope, so the breadcrumb may name it), Edit when the row is in
        the user's write scope and not locked, the custom pages acting on it, its workflow and its
        change history."""
        writable = self.appbuilder.sm.has_access(
            verb_permission(WRITE), self.class_permission_name) and in_scope(item, WRITE, self.entity) and not (
            is_locked(self.entity, item) or parent_locked(self.entity, item))
        wf = workflow_of(self.entity)
        log = record_log(self.entity.name, item.id)  # the history and the workflow's timeline
        return {
            "page_record": item,
            "record_writable": writable,
            "record_history": history_of(self.entity, item.id, log=log),
            "record_links": _record_links(self.entity, item),
            "record_chain": [(name, BY_NAME[name].label, [(str(row), record_url(name, row.id), row is item)
                                                          for row in rows])
                             for name, rows in chain(self.entity.name, item)],
            "record_remaining": remaining(item) if self.entity.model is Contract and item.lines else None,
            "record_warnings": credit.of_document(item) if credit.undecided(item) else [],
            "record_attachments": {
                "files": attachments.of_record(self.entity.name, item.id),
                "writable": attachments.may_write(self.entity, item),
                "resource": self.entity.name.lower(), "max_mb": policy.get(PolicyKey.attachment_max_mb),
                "types": ",".join(f".{t}" for t in policy.get(PolicyKey.attachment_types))},
            "record_workflow": None if wf is None else {
                "state": getattr(item, wf.field),
                "steps": available(self.entity, item),
                "timeline": timeline(self.entity, item.id, log),
                "entity": self.entity.name.lower(),
                "pk": item.id,
            },
        }

    @expose("/list/")
    @has_access
    def list(self):
        """FAB's list (flask_appbuilder.views, 5.x), passing the preset the rows were opened with
        (``?preset=``) to the template, which says which rows these are."""
        self.update_redirect()
        try:
            widgets = self._list()
        except FABException as exc:
            flash(f"An error occurred: {exc}", "warning")  # FAB's message, as FAB shows it
            return redirect(self.get_redirect())
        return self.render_template(self.list_template, title=self.list_title, widgets=widgets,
                                    preset=active_preset(self.entity), quick=list_tools(self.entity))

    def _get_list_widget(self, *args, **kwargs):
        """Edit and delete are offered only on the rows where they will work."""
        widgets = super()._get_list_widget(*args, **kwargs)
        listing = widgets["list"].template_args
        listing["changeable"] = changeable_ids(self.entity, listing["pks"])
        return widgets

    def _get_related_view_widget(self, item, related_view, *args, **kwargs):
        """A related list under a record whose state forbids new rows (a sent quotation's lines)
        offers no Add: the form it opens would be refused."""
        # The related rows are this record's (FAB filters them by its key): their scope is asked
        # row by row, not as the list of every parent the user may see (``scope_clause``).
        with pinned_to(related_view.datamodel.obj):
            widget = super()._get_related_view_widget(item, related_view, *args, **kwargs)
        related = getattr(related_view, "entity", None)
        if widget is not None and related is not None and children_locked(related, item):
            widget.template_args["adding_closed"] = True
        return widget

    def _get_add_widget(self, form, exclude_cols=None, widgets=None):
        """A new row's owner is preselected as the user themself."""
        field = self.entity.owner_field
        actor = current_actor()
        if request.method == "GET" and field in form and form[field].data is None and actor.employee_id:
            form[field].data = db.session.get(Employee, actor.employee_id)
        return super()._get_add_widget(form, exclude_cols=exclude_cols, widgets=widgets)

    def prefill_form(self, form, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if item is not None and VERSION_FIELD in form:
            form[VERSION_FIELD].data = item.version

    def _edit(self, pk):
        """An edit based on an older version of the row is not saved over the newer one: the form
        comes back (409) with the user's input and the current version, and a message naming who
        changed it, so that neither change is lost. Returns (widgets or None, status) like
        ``FormWrites._edit``."""
        item = self.datamodel.get(pk, self._base_filters)
        if item is not None and (is_locked(self.entity, item) or parent_locked(self.entity, item)):
            flash(str(LockedError()), "danger")
            return None, 200
        if request.method == "POST":
            submitted = request.form.get(VERSION_FIELD, "")
            if item is not None and submitted and submitted != str(item.version):
                form = self.edit_form.refresh(request.form)
                form[VERSION_FIELD].data = item.version
                last = history_of(self.entity, item.id, limit=1)
                flash(str(MSG_CONFLICT % {"who": last[0]["who"] if last else "—"}), "danger")
                widgets = self._get_edit_widget(form=form, exclude_cols=[])
                return self._get_related_views_widgets(item, widgets=widgets), 409
        return super()._edit(pk)

    @expose("/action/<string:name>/<pk>", methods=["POST"])
    @login_required  # signed out: the sign-in page, like every other page
    def action(self, name, pk):
        """A single-row action loads its row through the user's write scope (FAB's does not)."""
        act = self.actions.get(name)
        if act is None or not self.appbuilder.sm.has_access(
            self.get_action_permission_name(name), self.class_permission_name
        ):
            flash(str(_l("Access is Denied")), "danger")
            return redirect(self.get_redirect())
        rows = self._scoped_rows([pk])
        if rows is None:
            abort(404)
        return act.func(rows if not act.single else rows[0])

    def _scoped_rows(self, pks):
        pks = [int(pk) for pk in pks if str(pk).isascii() and str(pk).isdigit()]
        model = self.datamodel.obj
        query = scoped(self.entity, WRITE)
        rows = query.filter(model.id.in_(pks)).all()
        return rows if len(rows) == len(set(pks)) and pks else None

    @expose("/action_post", methods=["POST"])
    @login_required
    def action_post(self):
        """Bulk actions act only on rows in the user's write scope; one foreign id refuses all."""
        name = request.form.get("action", "")
        act = self.actions.get(name)
        if act is None or not self.appbuilder.sm.has_access(
            self.get_action_permission_name(name), self.class_permission_name
        ):
            flash(str(_l("Access is Denied")), "danger")
            return redirect(self.get_redirect())
        rows = self._scoped_rows(request.form.getlist("rowid"))
        if rows is None:
            flash(str(_l("You do not have access to this record.")), "danger")
            return redirect(self.get_redirect())
        return act.func(rows)

    @fab_action("muldelete", _l("Delete"), _l("Delete all selected records?"), "fa-trash", single=False)
    def muldelete(self, items):
        try:
            for item in items:
                self.pre_delete(item)
                db.session.delete(item)
            db.session.commit()
            flash(str(_l("Deleted %(n)s record(s).", n=len(items))), "success")
        except ScopeError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        except Exception:  # noqa: BLE001 - integrity errors: nothing is deleted
            db.session.rollback()
            flash(str(_l("The records could not be deleted: other records refer to them.")), "danger")
        return redirect(self.get_redirect())


class PortalModelApi(PortalApi, _Guard, ThreadSafeSchemas, ModelRestApi):
    # JWT only: a browser session cookie must not authorise API writes (no CSRF token there).
    allow_browser_login = False
    max_page_size = 200
    # References in list and show bodies are {id, label}, the label only when readable.
    model2schemaconverter = PortalSchemaConverter

    def _init_model_schemas(self):
        """Nullable enum columns must accept null (FAB's converter marks them not-null)."""
        super()._init_model_schemas()
        table = self.datamodel.obj.__table__.columns
        nullable = {c.key for c in table if c.nullable}
        for schema in (self.add_model_schema, self.edit_model_schema):
            for name, fld in schema.fields.items():
                if name in nullable:
                    fld.allow_none = True
        # On create, columns with a default and the owner (the creator by default) may be omitted.
        defaulted = {c.key for c in table if c.default is not None or c.server_default is not None}
        if self.entity.owner_field:
            defaulted.add(self.entity.owner_field)
        filled = may_stay_empty(self.entity)  # left out or null: the next number, the product's price
        for name, fld in self.add_model_schema.fields.items():
            if name in defaulted or name in filled:
                fld.required = False
            if name in filled:
                fld.allow_none = True
        harden_input_schema(self.add_model_schema)
        harden_input_schema(self.edit_model_schema)

    def _refuse(self, exc):
        db.session.rollback()
        if isinstance(exc, ValidationFailure):  # shaped like marshmallow's: {field: [message]}
            return self.response_422(message={k: [v] for k, v in exc.errors.items()})
        return self.response(409 if isinstance(exc, LockedError) else 403, message=str(exc))

    def _not_an_object(self):
        """FAB merges a PUT body into the row as a dict (a list or null answered 500)."""
        if not isinstance(request.get_json(silent=True), dict):
            return self.response_400(message=str(MSG_NOT_JSON))
        return None

    @api_write
    def post_headless(self):
        if (refused := self._not_an_object()) is not None:
            return refused
        try:
            return super().post_headless()
        except (ScopeError, ValidationFailure) as exc:
            return self._refuse(exc)

    @api_write
    def put_headless(self, pk):
        """With ``If-Match: <version>`` an update based on an older version is refused (412)."""
        expected = request.headers.get("If-Match", "").strip('" ')
        if expected:
            item = self.datamodel.get(pk, self._base_filters)
            if item is not None and expected != str(item.version):
                return self.response(412, message=str(_l(
                    "This record was changed by someone else in the meantime. Reload it and try again.")))
        if (refused := self._not_an_object()) is not None:
            return refused
        try:
            return super().put_headless(pk)
        except (ScopeError, ValidationFailure) as exc:
            return self._refuse(exc)

    @api_write
    def delete_headless(self, pk):
        try:
            return super().delete_headless(pk)
        except ScopeError as exc:
            return self._refuse(exc)


def _titles(entity: Entity) -> dict:
    label = entity.label
    return {
        "list_title": label,
        "show_title": _l("%(entity)s: details", entity=label),
        "add_title": _l("%(entity)s: add", entity=label),
        "edit_title": _l("%(entity)s: edit", entity=label),
    }


def _time_fields(entity: Entity) -> dict:
    """FAB has no form field for TIME columns: an HTML5 time input with the same validators."""
    rules = form_validators(entity.model)
    return {
        col.key: TimeField(
            entity.column_label(col.key),
            validators=[Optional(), *rules.get(col.key, [])],
            render_kw={"class": "form-control"},
        )
        for col in entity.model.__table__.columns
        if isinstance(col.type, Time)
    }


def _confirm_field(entity: Entity) -> dict:
    """A new customer's "save anyway" box, for when it looks like one the factory has already."""
    if entity.model is not Customer:
        return {}
    return {CONFIRM_DUPLICATE: BooleanField(_l("Save even if it may be a customer we have already"))}


def _formatters(entity: Entity, columns) -> dict:
    return {c: page_formatter_for(entity.model, c) for c in columns}


def _stamps(entity: Entity) -> list[str]:
    return [c for c in ("created_at", "updated_at") if c in entity.model.__table__.columns]


def _api_extras(entity: Entity) -> list[str]:
    table_cols = entity.model.__table__.columns
    return [c for c in entity.extra_show
            if c in table_cols or not hasattr(inspect(entity.model).attrs, c)]


def build_view(entity: Entity, related_views=()) -> type[PortalModelView]:
    form_cols = form_columns(entity)
    show_cols = ["id", *entity.page_columns(), *entity.extra_show, *_stamps(entity)]
    pickers = _picker_filters(entity)
    time_fields = _time_fields(entity)
    attrs = {
        "entity": entity,
        "datamodel": PortalInterface(entity.model, db.session, shown=entity.list_columns),
        "class_permission_name": entity.name,
        "method_permission_name": dict(VIEW_METHODS),
        "base_filters": [["id", ScopeFilter, None], ["id", PresetFilter, None], ["id", QuickSearchFilter, None],
                         ["id", OwnerFilter, None]],
        "base_order": entity.order,
        "list_columns": list(entity.list_columns),
        "search_columns": list(entity.search_columns),
        "show_columns": show_cols,
        "add_columns": [*form_cols, *_confirm_field(entity)],
        "edit_columns": [*form_cols, VERSION_FIELD],
        "label_columns": entity.column_labels({*show_cols, *entity.list_columns}),
        "formatters_columns": _formatters(entity, {*show_cols, *entity.list_columns}),
        "validators_columns": form_validators(entity.model),
        "add_form_extra_fields": {**time_fields, **_confirm_field(entity)},
        "edit_form_extra_fields": {**time_fields, VERSION_FIELD: HiddenField()},
        "add_form_query_rel_fields": pickers,
        "edit_form_query_rel_fields": pickers,
        "search_form_query_rel_fields": pickers,
        "related_views": list(related_views),
        **_titles(entity),
    }
    return type(f"{entity.name}View", (PortalModelView,), attrs)


def build_api(entity: Entity) -> type[PortalModelApi]:
    form_cols = form_columns(entity)
    cols = ["id", *entity.api_columns()]
    pickers = _picker_filters(entity)
    attrs = {
        "entity": entity,
        "datamodel": PortalInterface(entity.model, db.session, shown=cols),
        "resource_name": entity.name.lower(),
        "class_permission_name": entity.name,
        "method_permission_name": dict(API_METHODS),
        "base_filters": [["id", ScopeFilter, None]],
        "base_order": entity.order,
        "list_columns": cols,
        # SQL-computed columns (column_property) trip FAB's schema converter; their properties
        # derived from them (e.g. outstanding) are served instead.
        "show_columns": [*cols, *_api_extras(entity), *_stamps(entity), "version"],
        "add_columns": form_cols,
        "edit_columns": form_cols,
        "search_columns": list(entity.search_columns),
        "order_columns": [c for c in entity.list_columns if "." not in c],
        "label_columns": entity.column_labels([*cols, *_stamps(entity), "version"]),
        "validators_columns": api_validators(entity.model),
        "add_query_rel_fields": pickers,
        "edit_query_rel_fields": pickers,
        **_titles(entity),
        "openapi_spec_methods": write_spec(f"{entity.name}Api"),
    }
    return type(f"{entity.name}Api", (PortalModelApi,), attrs)


def register_all(appbuilder) -> dict[str, type]:
    """Build and register every entity's view and API; children first so parents can list them."""
    views: dict[str, type] = {}
    pending = list(ENTITIES)
    # Children are built before parents so that a parent's related_views can name them.
    while pending:
        progressed = False
        for entity in list(pending):
            children = [c for c in entity.related if c != entity.name]
            if all(c in views for c in children):
                views[entity.name] = build_view(entity, [views[c] for c in children])
                pending.remove(entity)
                progressed = True
        if not progressed:
            raise RuntimeError(f"related views form a cycle: {[e.name for e in pending]}")
    for entity in ENTITIES:
        appbuilder.add_view(
            views[entity.name],
            f"menu_{entity.name}",
            label=entity.label,
            category=entity.category,
            category_label=CATEGORIES[entity.category],
        )
        appbuilder.add_api(build_api(entity))
    return views
