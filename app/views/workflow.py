"""Workflow steps through the UI (a confirmation page per step) and the API (JWT).

``/workflow/<entity>/<pk>/<step>`` shows the step's fields and comment (GET) and takes it (POST,
CSRF-protected); ``/api/v1/workflow/<entity>/<pk>`` lists the steps the caller may take now and
the record's timeline, ``POST /api/v1/workflow/<entity>/<pk>/<step>`` takes one. Both load the
record through the user's read scope and leave every check to ``app.workflow.engine``.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import BaseApi
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import Date, Enum, Integer, Numeric, Text

from ..display import display
from ..extensions import db
from ..registry import Entity
from ..security.scope import scoped
from ..validation import int_limit
from ..workflow import WORKFLOWS, TransitionError, apply, available, timeline, workflow_of
from ..workflow.engine import entity_by_resource, state_of
from .api_contract import MSG_NOT_JSON, JwtApi, TranslatedResponses


def load(resource: str, pk: int) -> tuple[Entity, object]:
    """The record of a workflow URL, through the user's read scope (404 when out of sight)."""
    entity = entity_by_resource(resource)
    if entity is None or workflow_of(entity) is None or not 0 < pk < int_limit(entity.model.id.type):
        abort(404)
    obj = scoped(entity).filter(entity.model.id == pk).one_or_none()
    if obj is None:
        abort(404)
    return entity, obj


def field_inputs(entity: Entity, names) -> list[dict]:
    """How to render each field a step asks for (type, bounds, choices, label)."""
    labels = entity.column_labels(names)
    out = []
    for name in names:
        col = entity.model.__table__.columns[name]
        spec = {"name": name, "label": labels.get(name, name), "kind": "text"}
        if isinstance(col.type, Enum):
            spec.update(kind="select", choices=[(e.name, e.label) for e in col.type.enum_class])
        elif isinstance(col.type, Date):
            spec["kind"] = "date"
        elif isinstance(col.type, Integer | Numeric):
            lo, hi = entity.ranges.get(name, (0, None))
            spec.update(kind="number", min=lo, max=hi,
                        step="1" if isinstance(col.type, Integer) else "0.01")
        elif isinstance(col.type, Text):
            spec["kind"] = "textarea"
        out.append(spec)
    return out


class WorkflowView(BaseView):
    route_base = "/workflow"
    default_view = "step"

    @expose("/<string:resource>/<int:pk>/<string:step>", methods=["GET", "POST"])
    @login_required
    def step(self, resource, pk, step):
        entity, obj = load(resource, pk)
        wf = workflow_of(entity)
        the_step = wf.by_name.get(step)
        if the_step is None:
            abort(404)
        back = url_for(f"{entity.name}View.show", pk=pk)
        error, errors, status = None, {}, 200
        if request.method == "POST":
            try:
                apply(entity, obj, step, request.form.to_dict(), version=request.form.get("version"))
            except TransitionError as exc:
                error, errors, status = str(exc), exc.errors, exc.status
                obj = db.session.get(entity.model, pk)
            else:
                flash(str(_l("Done: %(step)s.", step=the_step.label)), "success")
                return redirect(back)
        allowed = {s.name: blocked for s, blocked in available(entity, obj)}
        if request.method == "GET" and step not in allowed:
            error = str(_l("This step is not possible for you from the record's current state."))
            status = 409
        elif request.method == "GET" and allowed[step]:
            error = allowed[step]
        html = self.render_template(
            "portal/step.html", entity=entity, obj=obj, step=the_step, back=back,
            state=getattr(obj, wf.field), inputs=field_inputs(entity, the_step.fields),
            values=request.form if request.method == "POST" else {}, error=error, errors=errors,
            title=the_step.label,
        )
        return html, status


_RESOURCE = {"in": "path", "name": "resource", "required": True,
             "schema": {"type": "string", "enum": sorted(name.lower() for name in WORKFLOWS)},
             "description": "The record type (the entity's API resource name)"}
_PK = {"in": "path", "name": "pk", "required": True, "schema": {"type": "integer"}}


class WorkflowApi(JwtApi, TranslatedResponses, BaseApi):
    resource_name = "workflow"
    openapi_spec_tag = "Workflow"
    # The record types are the registry's workflows: listed in the document, not in a docstring.
    openapi_spec_methods = {
        "state": {"get": {"parameters": [_RESOURCE, _PK]}},
        "take": {"post": {"parameters": [_RESOURCE, _PK, {
            "in": "path", "name": "step", "required": True, "schema": {"type": "string"},
            "description": "The step's name, as listed by GET"}]}},
    }

    @expose("/<string:resource>/<int:pk>", methods=["GET"])
    def state(self, resource, pk):
        """The record's state, the steps the caller may take now, and its timeline.
        ---
        get:
          summary: A record's workflow state, the steps open to the caller and its timeline
          security:
          - jwt: []
          responses:
            200:
              description: The state, the steps (with why a step is blocked) and the timeline
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      state: {type: string}
                      version: {type: integer}
                      steps:
                        type: array
                        items:
                          type: object
                          properties:
                            name: {type: string}
                            label: {type: string}
                            fields: {type: array, items: {type: string}}
                            comment: {type: string, enum: [none, optional, required]}
                            blocked: {type: string, nullable: true}
                      timeline:
                        type: array
                        items:
                          type: object
                          additionalProperties: {type: string, nullable: true}
        """
        denied = self._auth()
        if denied:
            return denied
        entity, obj = load(resource, pk)
        wf = workflow_of(entity)
        steps = [
            {"name": s.name, "label": str(s.label), "fields": list(s.fields), "comment": s.comment,
             "blocked": blocked}
            for s, blocked in available(entity, obj)
        ]
        events = [
            {k: (display(v) if k == "at" else str(v) if v is not None else None) for k, v in e.items()}
            for e in timeline(entity, obj.id)
        ]
        return self.response(200, state=state_of(wf, obj), version=obj.version, steps=steps,
                             timeline=events)

    @expose("/<string:resource>/<int:pk>/<string:step>", methods=["POST"])
    def take(self, resource, pk, step):
        """Take a step. Body: the step's fields, ``comment``, optionally ``version``.
        ---
        post:
          summary: Take a workflow step on a record
          security:
          - jwt: []
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  description: The step's fields by name, a comment, and the version read
                  properties:
                    comment: {type: string, maxLength: 500}
                    version: {type: integer}
                  additionalProperties: true
          responses:
            200:
              description: The step was taken
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      state: {type: string}
                      version: {type: integer}
        """
        denied = self._auth()
        if denied:
            return denied
        entity, obj = load(resource, pk)
        data = request.get_json(silent=True) if request.get_data() else {}
        if not isinstance(data, dict):  # a body that is no JSON object is not a step's fields
            return self.response_400(message=str(MSG_NOT_JSON))
        try:
            apply(entity, obj, step, data, version=data.get("version"))
        except TransitionError as exc:
            body = {"message": str(exc)}
            if exc.errors:
                body["errors"] = exc.errors
            return self.response(exc.status, **body)
        obj = db.session.get(entity.model, pk)
        wf = workflow_of(entity)
        return self.response(200, state=state_of(wf, obj), version=obj.version)
