"""Start page: what the user can open, grouped by the regulation's chapters, with clause IDs."""

from __future__ import annotations

from flask import url_for
from flask_appbuilder import IndexView, expose

from ..labels import CATEGORIES
from ..registry import ENTITIES, SCREENS
from ..security.scope import current_actor
from .dashboard import sections as dashboard


class PortalIndexView(IndexView):
    route_base = ""
    index_template = "portal/index.html"

    @expose("/")
    def index(self):
        actor = current_actor()
        groups: dict[str, list] = {}
        for entity in ENTITIES:
            scope = actor.scope(entity.name, "read")
            if scope is None:
                continue
            groups.setdefault(entity.category, []).append(
                {
                    "label": entity.label,
                    "url": url_for(f"{entity.name}View.list"),
                    "clauses": entity.clauses,
                    "scope": scope if entity.anchor else "all",
                    "writable": actor.may(entity.name, "write"),
                }
            )
        # The screens beyond the generated lists, first in the chapter they belong to.
        for screen in reversed(SCREENS):
            if all(actor.may(entity, "read") for entity in screen.entities):
                groups.setdefault(screen.category, []).insert(0, {
                    "label": screen.label, "url": url_for(screen.endpoint), "clauses": screen.clauses,
                    "scope": "all", "writable": False})
        sections = [(CATEGORIES[k], v) for k, v in groups.items()]

        boards = dashboard() if actor.user_id else []
        return self.render_template(self.index_template, sections=sections, boards=boards,
                                    appbuilder=self.appbuilder)
