"""Attachments on every record page and through the API (issue 13, item 6; ``app.attachments``).

Pages: ``POST /attachments/<resource>/<pk>`` uploads (multipart, CSRF), ``GET /attachments/file/<id>``
downloads, ``POST /attachments/file/<id>/delete`` deletes. API (JWT): ``GET`` / ``POST
/api/v1/attachments/<resource>/<pk>`` lists / uploads (multipart field ``file``), ``GET`` /
``DELETE /api/v1/attachments/file/<id>``. ``<resource>`` is the entity's API name.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import BaseApi
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from .. import attachments, locks, storage
from .. import models as m
from ..extensions import db
from ..registry import BY_NAME
from ..validation import ValidationFailure, int_limit
from ..workflow.engine import entity_by_resource
from .api_contract import JwtApi, TranslatedResponses
from .routing import read_upload

UPLOAD_ENDPOINTS = ("AttachmentsView.upload", "AttachmentsApi.record")
DOWNLOAD_ENDPOINTS = ("AttachmentsView.get_file", "AttachmentsApi.file")
SANDBOX = "default-src 'none'; sandbox"


def sandbox_downloads(response):
    """A downloaded file, were a browser to open it, runs nothing: registered to run after the
    security headers' own hook, which would set the pages' policy on it."""
    if request.endpoint in DOWNLOAD_ENDPOINTS and response.status_code == 200:
        response.headers["Content-Security-Policy"] = SANDBOX
    return response


def _record(resource: str, pk: int):
    entity = entity_by_resource(resource)
    row = attachments.record_of(entity.name, pk) if entity is not None else None
    if row is None:
        abort(404)
    return entity, row


def _file(att_id: int):
    """The attachment and its record, when the user may read the record (404 otherwise)."""
    att = db.session.get(m.Attachment, att_id) if 0 < att_id < int_limit(m.Attachment.id.type) else None
    row = attachments.record_of(att.entity, att.row_id) if att is not None else None
    if row is None:
        abort(404)
    return att, BY_NAME[att.entity], row


def _download(att) -> Response:
    """The bytes as a download of the stored type; nothing a browser would render or sniff."""
    ascii_name = att.filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return Response(storage.read(att.key), mimetype=att.content_type.split(";")[0], headers={
        "Content-Type": att.content_type,
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(att.filename)}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store"})


def _upload(entity, row):
    """Store the request's ``file`` on the record and commit: the attachment, or raise."""
    if not attachments.may_write(entity, row):
        raise PermissionError
    name, data = read_upload(attachments.limit_bytes())
    att = attachments.attach(entity, row, name, data)
    locks.commit()
    return att


def _delete(att, entity, row) -> None:
    if not attachments.may_write(entity, row):
        raise PermissionError
    key = att.key
    attachments.remove(entity, row, att)
    locks.commit()
    storage.delete(key)  # after the commit: a rolled-back delete keeps its file


class AttachmentsView(BaseView):
    route_base = "/attachments"
    default_view = "get_file"

    @expose("/<string:resource>/<int:pk>", methods=["POST"])
    @login_required
    def upload(self, resource, pk):
        entity, row = _record(resource, pk)
        back = url_for(f"{entity.name}View.show", pk=pk)
        try:
            att = _upload(entity, row)
        except PermissionError:
            abort(403)
        except ValidationFailure as exc:
            db.session.rollback()
            flash(str(exc.errors.get("file", next(iter(exc.errors.values())))), "danger")
            return redirect(back + "#attachments")
        except locks.Conflict as exc:
            flash(str(exc), "danger")
            return redirect(back + "#attachments")
        flash(str(_l("Attached %(name)s.", name=att.filename)), "success")
        return redirect(back + "#attachments")

    @expose("/file/<int:att_id>", methods=["GET"])
    @login_required
    def get_file(self, att_id):  # not "download": FAB's unscoped file routes are named so (none exist)
        att, _entity, _row = _file(att_id)
        return _download(att)

    @expose("/file/<int:att_id>/delete", methods=["POST"])
    @login_required
    def delete(self, att_id):
        att, entity, row = _file(att_id)
        name = att.filename
        try:
            _delete(att, entity, row)
        except PermissionError:
            abort(403)
        except locks.Conflict as exc:
            flash(str(exc), "danger")
        else:
            flash(str(_l("Deleted %(name)s.", name=name)), "success")
        return redirect(url_for(f"{entity.name}View.show", pk=row.id) + "#attachments")


def described(att) -> dict:
    return {"id": att.id, "filename": att.filename, "content_type": att.content_type, "size": att.size,
            "uploaded_at": att.uploaded_at.isoformat() if att.uploaded_at else None}


_RESOURCE = {"in": "path", "name": "resource", "required": True, "schema": {"type": "string"},
             "description": "The record type (the entity's API resource name)"}
_PK = {"in": "path", "name": "pk", "required": True, "schema": {"type": "integer"}}
_ID = {"in": "path", "name": "att_id", "required": True, "schema": {"type": "integer"}}


class AttachmentsApi(JwtApi, TranslatedResponses, BaseApi):
    resource_name = "attachments"
    openapi_spec_tag = "Attachments"
    # One route per URL for all its methods: with one rule per method, an id beyond what an id
    # column holds answered 405 (the other method's rule matched the path) instead of 404.
    openapi_spec_methods = {
        "record": {"get": {"parameters": [_RESOURCE, _PK]}, "post": {"parameters": [_RESOURCE, _PK]}},
        "file": {"get": {"parameters": [_ID]}, "delete": {"parameters": [_ID]}},
    }

    @expose("/<string:resource>/<int:pk>", methods=["GET", "POST"])
    def record(self, resource, pk):
        """A record's attachments (GET), or a file attached to it (POST, multipart field ``file``).
        ---
        get:
          summary: The files attached to a record
          security:
          - jwt: []
          responses:
            200:
              description: The attachments, newest first
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result: {type: array, items: {type: object}}
        post:
          summary: Attach a file to a record
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
            201:
              description: The attachment
              content:
                application/json:
                  schema: {type: object}
        """
        denied = self._auth()
        if denied:
            return denied
        entity, row = _record(resource, pk)
        if request.method == "GET":
            return self.response(200, result=[described(a) for a in attachments.of_record(entity.name, row.id)])
        try:
            att = _upload(entity, row)
        except PermissionError:
            return self.response_403()
        except ValidationFailure as exc:
            db.session.rollback()
            return self.response_422(message={k: [v] for k, v in exc.errors.items()})
        except locks.Conflict as exc:
            return self.response(409, message=str(exc))
        return self.response(201, **described(att))

    @expose("/file/<int:att_id>", methods=["GET", "DELETE"])
    def file(self, att_id):
        """Download an attached file (GET), or delete it (DELETE).
        ---
        get:
          summary: Download an attached file
          security:
          - jwt: []
          responses:
            200:
              description: The file, as a download
              content:
                application/octet-stream:
                  schema: {type: string, format: binary}
        delete:
          summary: Delete an attached file
          security:
          - jwt: []
          responses:
            200:
              description: Deleted
              content:
                application/json:
                  schema: {type: object}
        """
        denied = self._auth()
        if denied:
            return denied
        att, entity, row = _file(att_id)
        if request.method == "GET":
            return _download(att)
        try:
            _delete(att, entity, row)
        except PermissionError:
            return self.response_403()
        except locks.Conflict as exc:
            return self.response(409, message=str(exc))
        return self.response(200, message=str(_l("Deleted %(name)s.", name=att.filename)))
