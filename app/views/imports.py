"""Import from Excel through the pages and the API (issue 13, item 7; ``app.imports``).

``/import/<entity>/`` offers the template and an upload; the upload answers a preview (each row's
action and errors). The file waits in the file store under a key the confirmation carries, signed
for the user and valid for an hour; confirming writes all rows or none. ``POST
/api/v1/import/<entity>?mode=skip|update&commit=1`` (multipart field ``file``) does the same in
one call: without ``commit`` it answers the preview.
"""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import BaseApi
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .. import imports, locks, storage
from ..extensions import db
from ..registry import BY_NAME
from ..security.scope import current_actor
from .api_contract import JwtApi, TranslatedResponses
from .export import XLSX_MIMETYPE
from .routing import read_upload

TOKEN_SECONDS = 3600
MODES = ("skip", "update")
MSG_EXPIRED = _l("The preview has expired; upload the file again.")


def _spec(entity: str) -> imports.Spec:
    spec = imports.SPECS.get(entity)
    if spec is None or not current_actor().may(spec.entity, "write"):
        abort(404)
    return spec


def _title(spec: imports.Spec):
    return _l("%(entity)s: import from Excel", entity=BY_NAME[spec.entity].label)


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="portal-import")


def _file_data() -> bytes:
    return read_upload(imports_limit())[1]


def imports_limit() -> int:
    return 64 * 1024 * 1024  # an XLSX of 50,000 rows is a few MB


def _mode() -> str:
    mode = request.values.get("mode", "skip")
    return mode if mode in MODES else "skip"


def _summary(preview: imports.Preview) -> dict:
    return {"new": preview.count("new"), "update": preview.count("update"), "skip": preview.count("skip"),
            "rows_with_errors": sum(1 for r in preview.rows if r.errors)}


class ImportView(BaseView):
    route_base = "/import"
    default_view = "start"

    @expose("/<string:entity>/", methods=["GET"])
    @login_required
    def start(self, entity):
        spec = _spec(entity)
        return self.render_template("portal/import.html", spec=spec, entity=entity, preview=None,
                                    labels=imports.labels(spec), title=_title(spec))

    @expose("/<string:entity>/template.xlsx", methods=["GET"])
    @login_required
    def template(self, entity):
        spec = _spec(entity)
        return Response(imports.template(spec), mimetype=XLSX_MIMETYPE, headers={
            "Content-Disposition": f'attachment; filename="{entity}-template.xlsx"'})

    @expose("/<string:entity>/", methods=["POST"])
    @login_required
    def preview(self, entity):
        spec = _spec(entity)
        data, mode = _file_data(), _mode()
        preview = imports.read(data, spec, mode)
        token = None
        if preview.ok:
            key = storage.new_key()
            storage.save(key, data)
            token = _signer().dumps({"key": key, "user": current_actor().user_id, "entity": entity, "mode": mode})
        return self.render_template("portal/import.html", spec=spec, entity=entity, preview=preview, token=token,
                                    mode=mode, summary=_summary(preview), labels=imports.labels(spec),
                                    title=_title(spec)), 200 if preview.ok else 422

    @expose("/<string:entity>/commit", methods=["POST"])
    @login_required
    def commit(self, entity):
        spec = _spec(entity)
        try:
            claim = _signer().loads(request.form.get("token", ""), max_age=TOKEN_SECONDS)
        except BadSignature:
            claim = None
        if not claim or claim.get("user") != current_actor().user_id or claim.get("entity") != entity:
            flash(str(MSG_EXPIRED), "danger")
            return redirect(url_for(".start", entity=entity))
        try:
            data = storage.read(claim["key"])
        except (OSError, ValueError):
            flash(str(MSG_EXPIRED), "danger")
            return redirect(url_for(".start", entity=entity))
        preview = imports.read(data, spec, claim["mode"])
        try:
            done = imports.commit(preview)
        except (imports.ImportRefused, locks.Conflict) as exc:
            db.session.rollback()
            shown = exc.preview if isinstance(exc, imports.ImportRefused) else preview
            if isinstance(exc, locks.Conflict):
                flash(str(exc), "danger")
            return self.render_template("portal/import.html", spec=spec, entity=entity, preview=shown, token=None,
                                        mode=claim["mode"], summary=_summary(shown), labels=imports.labels(spec),
                                        title=_title(spec)), 422
        storage.delete(claim["key"])
        flash(str(_l("Imported: %(new)s new, %(updated)s updated, %(skipped)s skipped.", **done)), "success")
        return redirect(url_for(f"{spec.entity}View.list"))


def _errors(preview: imports.Preview) -> dict:
    return {"file": preview.file_errors,
            "rows": [{"row": r.number, "errors": r.errors} for r in preview.rows if r.errors]}


class ImportApi(JwtApi, TranslatedResponses, BaseApi):
    resource_name = "import"
    openapi_spec_tag = "Import"
    openapi_spec_methods = {"run": {"post": {"parameters": [
        {"in": "path", "name": "entity", "required": True, "schema": {"type": "string", "enum": sorted(imports.SPECS)}},
        {"in": "query", "name": "mode", "schema": {"type": "string", "enum": list(MODES)}},
        {"in": "query", "name": "commit", "schema": {"type": "integer", "enum": [0, 1]}}]}}}

    @expose("/<string:entity>", methods=["POST"])
    def run(self, entity):
        """Preview or import an XLSX (multipart field ``file``).
        ---
        post:
          summary: Import customers or products from an XLSX laid out like the export
          security:
          - jwt: []
          requestBody:
            content:
              multipart/form-data:
                schema:
                  type: object
                  properties:
                    file: {type: string, format: binary}
          responses:
            200:
              description: The preview (nothing written)
              content:
                application/json:
                  schema: {type: object}
            201:
              description: Imported
              content:
                application/json:
                  schema: {type: object}
        """
        denied = self._auth()
        if denied:
            return denied
        spec = imports.SPECS.get(entity)
        if spec is None or not current_actor().may(spec.entity, "write"):
            return self.response_404()
        preview = imports.read(_file_data(), spec, _mode())
        if request.args.get("commit") != "1":
            status = 200 if preview.ok else 422
            return self.response(status, **_summary(preview), **({} if preview.ok else {"message": _errors(preview)}))
        try:
            done = imports.commit(preview)
        except imports.ImportRefused as exc:
            db.session.rollback()
            return self.response_422(message=_errors(exc.preview))
        except locks.Conflict as exc:
            return self.response(409, message=str(exc))
        return self.response(201, **done)
