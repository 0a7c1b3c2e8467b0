"""The pipeline board (3.1): customers by development stage, one column per stage; a card moves
by taking the customer workflow's step (a button, or dropped on another column), the fields the
step needs asked in a dialog; whatever the engine refuses leaves the card where it was, with the
engine's reason. Filters by owner and team."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from ..extensions import db
from ..formats import number
from ..models.customers import Stage
from ..queries import pipeline
from ..registry import BY_NAME
from ..security.redirects import local_target
from ..security.scope import current_actor, scoped
from ..validation import int_limit
from ..workflow import TransitionError, apply, workflow_of
from .workflow import field_inputs

TITLE = _l("Pipeline board")


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**31 else None


def _moves(wf) -> dict:
    """{from stage: {to stage: step name}}: the steps a card may take by being moved."""
    out: dict = {}
    for step in wf.steps:
        for source in step.source:
            out.setdefault(source, {})[step.target] = step.name
    return out


class PipelineView(BaseView):
    route_base = "/pipeline"
    default_view = "index"

    @expose("/")
    @login_required
    def index(self):
        actor = current_actor()
        if not actor.may("Customer", "read"):
            abort(403)
        owner_id, team_id = _int_arg("owner"), _int_arg("team")
        counts, cards = pipeline.board(owner_id, team_id)
        wf = workflow_of("Customer")
        entity = BY_NAME["Customer"]
        dialogs = [{"step": s, "inputs": field_inputs(entity, s.fields)} for s in wf.steps
                   if s.fields or s.comment == "required"]
        columns = [{"stage": s, "count": counts.get(s, 0), "cards": cards[s]} for s in Stage]
        owners = scoped("Employee").order_by(BY_NAME["Employee"].model.number).all() if actor.may("Employee", "read") else []
        teams = scoped("Team").order_by(BY_NAME["Team"].model.name).all() if actor.may("Team", "read") else []
        return self.render_template(
            "portal/pipeline.html", title=TITLE, columns=columns, moves=_moves(wf), steps=wf.by_name,
            dialogs=dialogs, owners=owners, teams=teams, owner_id=owner_id, team_id=team_id,
            may_write=actor.may("Customer", "write"), money=number, here=request.full_path)

    @expose("/<int:pk>/move", methods=["POST"])
    @login_required
    def move(self, pk):
        back = local_target(request.form.get("next")) or url_for("PipelineView.index")
        entity = BY_NAME["Customer"]
        obj = (scoped(entity).filter(entity.model.id == pk).one_or_none()
               if 0 < pk < int_limit(entity.model.id.type) else None)
        step = request.form.get("step", "")
        if obj is None:
            flash(str(_l("No such record.")), "danger")
            return redirect(back)
        try:
            apply(entity, obj, step, request.form.to_dict(), version=request.form.get("version"))
        except TransitionError as exc:
            db.session.rollback()
            reasons = "; ".join(str(v) for v in exc.errors.values())
            flash(f"{obj}: {exc}" + (f" ({reasons})" if reasons else ""), "danger")
        else:
            flash(str(_l("Done: %(step)s.", step=workflow_of(entity).by_name[step].label)), "success")
        return redirect(back)
