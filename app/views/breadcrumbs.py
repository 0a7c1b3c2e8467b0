"""Where a page sits: its breadcrumb (Home › menu category › list › record › page) and its browser
title ("<page title> · <app name>"), for every page drawn with the portal layout.

The places come from the menu itself (the category and item a view or link is registered under),
so a screen added to the menu gets its breadcrumb without a table here; screens outside the menu
(work lists, workflow steps) name their parent below, and a custom page that acts on one record
(a violation's penalty proposal) names that record's entity in its view's ``record_entity``. A record's name is shown only for a record
the page has already loaded through the user's scope (a record page passes it to its template as
``page_record``, and the layout hands it to ``portal_page``) or one the user may read.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, request, url_for
from flask_babel import lazy_gettext as _l

from .. import models as m
from ..extensions import db
from ..registry import BY_NAME
from ..security.scope import is_readable, scoped
from .worklists import BY_SLUG

HOME = _l("Home")
WORKLISTS = _l("Work lists")


@dataclass(frozen=True)
class Crumb:
    label: object
    url: str | None = None
    category: bool = False  # a menu category: part of the trail, not of the title


@dataclass(frozen=True)
class Page:
    crumbs: tuple[Crumb, ...]
    title: str


def _menu_place(blueprint: str) -> list[Crumb]:
    """The menu category and item under which a view (by blueprint name) is registered."""
    menu = current_app.appbuilder.menu
    for cat in menu.get_list() if menu else ():
        for item in cat.childs or ():
            if item.name == "-":
                continue
            target = item.baseview.endpoint if item.baseview else str(item.href).split(".")[0]
            if target == blueprint:
                return [Crumb(cat.label, None, True), Crumb(item.label, item.get_url())]
    return []


def _record(entity_name: str, pk, loaded=None) -> object | None:
    """The record of the URL, when it is readable: the one the page loaded (``loaded``), else
    looked up in the user's read scope (never the name of a row outside it, e.g. on a 404 page)."""
    entity = BY_NAME.get(entity_name)
    if entity is None:
        return None
    if loaded is not None and type(loaded) is entity.model and str(loaded.id) == str(pk):
        return loaded

    try:
        return scoped(entity).filter(entity.model.id == int(pk)).first()
    except (TypeError, ValueError, OverflowError):
        return None


def _entity_trail(entity_name: str, pk, loaded=None) -> list[Crumb]:
    crumbs = _menu_place(f"{entity_name}View")
    record = _record(entity_name, pk, loaded) if pk is not None else None
    if record is not None:
        crumbs.append(Crumb(str(record), url_for(f"{entity_name}View.show", pk=record.id)))
    return crumbs


def _record_entity(blueprint: str) -> str | None:
    """The entity whose record a custom page acts on (its view's ``record_entity``)."""
    for view in current_app.appbuilder.baseviews:
        if view.endpoint == blueprint:
            return getattr(view, "record_entity", None)
    return None


def _trail(title, loaded) -> list[Crumb]:
    blueprint, _, method = (request.endpoint or "").partition(".")
    args = request.view_args or {}
    crumbs = [Crumb(HOME, url_for("PortalIndexView.index"))]
    if blueprint == "PortalIndexView":
        return crumbs
    deeper: list[Crumb] = []
    if blueprint.endswith("View") and blueprint[:-4] in BY_NAME:
        crumbs += _entity_trail(blueprint[:-4], args.get("pk"), loaded)
        if method == "show" and len(crumbs) > 3:
            title = None  # the record's name is the page's
    elif blueprint == "WorkflowView":
        entity = next((n for n in BY_NAME if n.lower() == args.get("resource")), None)
        if entity:
            crumbs += _entity_trail(entity, args.get("pk"))
    elif (acted_on := _record_entity(blueprint)) and "pk" in args:
        crumbs += _entity_trail(acted_on, args["pk"])
    elif blueprint == "WorklistView":
        crumbs.append(Crumb(WORKLISTS, url_for("WorklistView.index")))
        wl = BY_SLUG.get(args.get("name"))
        if wl is not None:
            deeper.append(Crumb(wl.label, url_for("WorklistView.show", name=wl.name)))
    else:
        crumbs += _menu_place(blueprint)
        if "pk" in args and method in ("show", "edit"):  # FAB's own screens (journals, users): by id
            deeper.append(Crumb(f"#{args['pk']}"))
        if blueprint == "TrainingPlanYearView" and "year" in args:
            deeper.append(Crumb(str(args["year"]), url_for("TrainingPlanYearView.year", year=args["year"])))
        if blueprint == "AppraisalView" and "cycle_id" in args:
            cycle = db.session.get(m.AppraisalCycle, args["cycle_id"])  # loaded by the page already
            if cycle is not None:
                deeper.append(Crumb(str(cycle), url_for("AppraisalView.cycle", cycle_id=cycle.id)))
            person = db.session.get(m.Employee, args["employee_id"]) if "employee_id" in args else None
            if cycle is not None and person is not None and is_readable(person):
                deeper.append(Crumb(person.name, url_for("AppraisalView.card", cycle_id=cycle.id,
                                                         employee_id=person.id)))
    crumbs += deeper
    if title and str(title) != str(crumbs[-1].label):
        crumbs.append(Crumb(title))
    return crumbs


def page(title=None, record=None) -> Page:
    """The breadcrumb and browser title of the current page (computed once per request).
    ``title`` is the page's own heading when its template has one (FAB's list, show, add, edit);
    ``record`` the row a record page loaded through the user's scope (named without a query)."""
    cached = g.get("_portal_page")
    if cached is not None:
        return cached
    crumbs = _trail(title, record)
    # The last crumb is the page itself: not a link.
    crumbs[-1] = Crumb(crumbs[-1].label, None, crumbs[-1].category)
    named = [str(c.label) for c in reversed(crumbs[1:]) if not c.category][:2] or [str(HOME)]
    result = Page(tuple(crumbs), " · ".join([*named, str(current_app.appbuilder.app_name)]))
    g._portal_page = result
    return result


def install(app) -> None:
    app.add_template_global(page, "portal_page")
