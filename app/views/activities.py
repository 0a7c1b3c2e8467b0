"""My activities: the user's planned activities grouped overdue / due today / planned, each with
its record (shown only when readable) and the step that marks it done."""

from __future__ import annotations

from flask import abort, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from ..clock import today
from ..display import linked, record_url
from ..models.activities import SUBJECTS
from ..queries import activities
from ..security.scope import current_actor

TITLE = _l("My activities")
GROUPS = (("overdue", _l("Overdue")), ("today", _l("Due today")), ("planned", _l("Planned")))


def _group(a, day) -> str:
    return "overdue" if a.due_date < day else "today" if a.due_date == day else "planned"


class ActivitiesView(BaseView):
    route_base = "/activities"
    default_view = "index"

    @expose("/")
    @login_required
    def index(self):
        actor = current_actor()
        if not actor.may("Activity", "read"):
            abort(403)
        day = today()
        rows = {name: [] for name, _label in GROUPS}
        for a in activities.planned_for(actor.employee_id):
            about = next((getattr(a, rel) for rel, _col in SUBJECTS if getattr(a, rel) is not None), None)
            rows[_group(a, day)].append({
                "id": a.id, "subject": a.subject, "kind": a.kind, "due_date": a.due_date,
                "about": linked(about) if about is not None else "—", "url": record_url("Activity", a.id),
                "done_url": url_for("WorkflowView.step", resource="activity", pk=a.id, step="done")})
        may_add = actor.may("Activity", "write")
        return self.render_template("portal/activities.html", title=TITLE, groups=GROUPS, rows=rows,
                                    add_url=url_for("ActivityView.add") if may_add else None)
