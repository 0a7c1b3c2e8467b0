"""Start page: what the user can open, grouped by the regulation's chapters, with clause IDs."""

from __future__ import annotations

from flask import url_for
from flask_appbuilder import IndexView, expose
from flask_babel import lazy_gettext as _l

from ..labels import CATEGORIES
from ..registry import ENTITIES
from ..security.scope import current_actor
from .appraisal import may_open_cycles


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
                    "writable": actor.scope(entity.name, "write") is not None,
                }
            )
        # The screens beyond the generated lists, in the chapter they belong to.
        extra = (("training", "TrainingPlan", _l("Training plan: year at a glance"), "TrainingPlanYearView.index",
                  ("5.1", "5.2", "5.3")),
                 ("appraisal", "AppraisalCycle", _l("Scorecards and ranking"), "AppraisalView.index",
                  ("6.1", "6.3", "6.4")))
        for category, entity_name, label, endpoint, clauses in extra:
            # The appraisal screens also need some appraisees' targets (finance reads only cycles).
            offered = may_open_cycles(actor) if endpoint == "AppraisalView.index" else True
            if actor.scope(entity_name, "read") is not None and offered:
                groups.setdefault(category, []).insert(0, {
                    "label": label, "url": url_for(endpoint), "clauses": clauses, "scope": "all",
                    "writable": False})
        sections = [(CATEGORIES[k], v) for k, v in groups.items()]
        from .dashboard import sections as dashboard

        boards = dashboard() if actor.user_id else []
        return self.render_template(self.index_template, sections=sections, boards=boards,
                                    appbuilder=self.appbuilder)
