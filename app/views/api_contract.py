"""The REST API keeps its own contract (issue 8, item 7).

Two halves, both for every API the portal serves (ours and Flask-AppBuilder's own):
- ``refuse_bad_query``: a ``q`` argument that is neither rison nor JSON, or is not an object, is
  refused with 400 up front (FAB's rison decorator let a ValueError of its parser escape: a 500);
- ``conform``: the OpenAPI document FAB generates is made to say what the portal answers. Every
  operation lists the refusals it can give (400, 401, 403, 404, 409, 412, 422, 429); an error body
  is ``{"message": text or {field: [messages]}}``; ids are integers; FAB's own mistakes in its
  documented bodies (``_info`` columns, ``ids``) are corrected. The spec is served by FAB's
  ``OpenApi`` view and transformed once per request, after it is built.
"""

from __future__ import annotations

import json
import urllib.parse

import jsonschema
import prison
from flask import current_app, request
from flask_appbuilder import api as fab_api
from flask_appbuilder.exceptions import ApplyFilterException
from flask_babel import lazy_gettext as _l
from flask_jwt_extended import verify_jwt_in_request
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt.exceptions import PyJWTError
from sqlalchemy.exc import ArgumentError, CompileError, StatementError
from werkzeug.exceptions import HTTPException

from ..extensions import db
from .errors import error_page, message

MSG_BAD_QUERY = _l("The q argument must be a rison or JSON object.")
MSG_BAD_JSON = _l("The request body is not valid JSON.")
MSG_NOT_JSON = _l("The request body must be a JSON object.")


# What FAB raises for a malformed page size, sort column or filter value: the client's error
# (OverflowError: SQLite refuses an integer beyond 64 bits, e.g. a huge page number or filter;
# ApplyFilterException: PostgreSQL refuses a filter value beyond the column; TypeError: a list
# given to a "contains" filter; ArgumentError: a boolean compared with "greater than" a number).
BAD_QUERY_ERRORS = (ValueError, LookupError, TypeError, StatementError, CompileError, ArgumentError,
                    NotImplementedError, OverflowError, ApplyFilterException)


FAB_QUERY_MESSAGES = ("Not a valid rison", "Invalid rison", "Not a valid json")


class JwtApi:
    """An API of the portal's own (workflow steps, documents, attachments): JWT only, never the
    browser session (which carries no CSRF token here). Each method starts with ``_auth()``."""

    csrf_exempt = True

    def _auth(self):
        """None when the request carries a valid access token, else the 401 answer."""
        try:
            verify_jwt_in_request()
        except (JWTExtendedException, PyJWTError):
            return self.response_401()
        return None


class TranslatedResponses:
    """FAB's API answers (``response_400`` ... ``response_500``) in the user's language: FAB
    hard-codes them in English ("Not found", "Forbidden")."""

    def response_400(self, message=None):
        if isinstance(message, str) and message.startswith(FAB_QUERY_MESSAGES):
            message = str(MSG_BAD_QUERY)  # FAB's rison errors, in English and with its parser's words
        return self.response(400, message=message or str(_l("Arguments are not correct.")))

    def response_401(self):
        return self.response(401, message=str(_l("Not authorized.")))

    def response_403(self):
        return self.response(403, message=str(_l("You do not have access to this.")))

    def response_404(self):
        return self.response(404, message=str(_l("No such record.")))

    def response_422(self, message=None):
        return self.response(422, message=message or str(_l("Could not process this request.")))

    def response_500(self, message=None):
        # Never the exception's text (FAB's @safe passes it): it may hold SQL or internals.
        return self.response(500, message=str(_l("Something went wrong on our side.")))

# Refusals every operation may answer; 412 only where an If-Match header is honoured (PUT).
ERROR_CODES = ("400", "401", "403", "404", "409", "422", "429")
DESCRIPTIONS = {
    "400": "Bad request", "401": "Not authorized", "403": "Forbidden", "404": "Not found",
    "409": "Conflict with the record's state or a concurrent change", "412": "Precondition failed",
    "422": "Could not process entity", "429": "Too many requests", "500": "Fatal error",
}
# The HTTP server itself (gunicorn, werkzeug) refuses a request line past its limit before the
# portal sees it, with its own plain body: documented, without a body the portal could promise.
SERVER_REFUSALS = {"414": {"description": "Request line too long (refused by the HTTP server)"}}
ERROR_BODY = {
    "type": "object",
    "properties": {
        "message": {
            "anyOf": [
                {"type": "string"},
                {"type": "object", "additionalProperties": {
                    "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}},
            ],
        },
        "errors": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


class PortalApi(TranslatedResponses):
    """What every REST API of the portal shares, ours and FAB's security API alike."""

    def create_blueprint(self, appbuilder, *args, **kwargs):
        """FAB routes a record's GET as ``<int:pk>`` but PUT and DELETE as ``<pk>``: a GET of
        ``/-1`` or ``/abc`` answered 405. It is a record that does not exist (404), and stays out
        of the OpenAPI document (it is not an exposed method)."""
        bp = super().create_blueprint(appbuilder, *args, **kwargs)
        if hasattr(self, "get_headless"):
            bp.add_url_rule("/<pk>", "get_not_an_id", lambda pk: self.response_404(), methods=["GET"])
        return bp

    def get_list_headless(self, **kwargs):
        try:
            return super().get_list_headless(**kwargs)
        except BAD_QUERY_ERRORS:
            db.session.rollback()
            return self.response_400(message=str(_l("Invalid query.")))

    def _get_field_info(self, field, filter_rel_field, page=None, page_size=None):
        info = super()._get_field_info(field, filter_rel_field, page=page, page_size=page_size)
        if not self.description_columns.get(field.name):
            info["description"] = ""  # FAB would translate "", i.e. return the catalog header
        return info


def _parse_q(value: str):
    try:
        return prison.loads(value)
    except Exception:  # noqa: BLE001 - prison raises ParserException, ValueError, ...
        pass
    try:
        return json.loads(urllib.parse.parse_qs(f"q={value}")["q"][0])
    except (ValueError, KeyError, IndexError):
        raise ValueError(value) from None


def refuse_bad_query():
    """``before_request``: the API's ``q`` argument must parse to an object."""
    if not request.path.startswith("/api/") or "q" not in request.args:
        return None
    try:
        ok = isinstance(_parse_q(request.args["q"]), dict)
    except ValueError:
        ok = False
    if ok:
        return None
    body = json.dumps({"message": str(MSG_BAD_QUERY)}, ensure_ascii=False)
    return current_app.response_class(body, status=400, mimetype="application/json")


def refuse_unreadable_json():
    """``before_request``: a JSON body nested deeper than Python's parser recurses (2 KB of
    ``[``) raised RecursionError in whichever view read it first, the sign-in API included."""
    if not request.is_json:
        return None
    try:
        request.get_json(silent=True)
    except RecursionError:
        body = json.dumps({"message": str(MSG_BAD_JSON)}, ensure_ascii=False)
        return current_app.response_class(body, status=400, mimetype="application/json")
    return None


def _error_ref(code: str) -> dict:
    return {"$ref": f"#/components/responses/{code}"}


def _integer_ids(schema: dict) -> None:
    props = schema.get("properties") or {}
    if props.get("id", {}).get("type") == "string":
        props["id"] = {"type": "integer"}
    if props.get("ids", {}).get("items", {}).get("type") == "string":
        props["ids"]["items"] = {"type": "integer"}
    for key in ("add_columns", "edit_columns"):  # FAB's _info: a list of field descriptions
        if props.get(key, {}).get("type") == "object":
            props[key] = {"type": "array", "items": {"type": "object"}}


def _menu_items(spec: dict) -> None:
    """FAB's menu API lists a separator as the string "-" among the menu entries."""
    get = spec.get("paths", {}).get("/api/v1/menu/", {}).get("get", {})
    schema = get.get("responses", {}).get("200", {}).get("content", {}).get(
        "application/json", {}).get("schema", {})
    result = schema.get("properties", {}).get("result", {})
    childs = result.get("items", {}).get("properties", {}).get("childs")
    if childs and childs.get("items", {}).get("type") == "object":
        childs["items"] = {"anyOf": [childs["items"], {"type": "string", "enum": ["-"]}]}


def conform(spec: dict) -> dict:
    """FAB's generated OpenAPI document, corrected to what the portal answers."""
    _menu_items(spec)
    responses = spec.setdefault("components", {}).setdefault("responses", {})
    for code in (*ERROR_CODES, "412", "500"):
        responses[code] = {"description": DESCRIPTIONS[code],
                           "content": {"application/json": {"schema": ERROR_BODY}}}
    for path_item in spec.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            documented = operation["responses"]
            codes = {str(c) for c in documented}
            for code in ERROR_CODES + (("412",) if method == "put" else ()):
                if code not in codes:
                    documented[code] = _error_ref(code)
            for code, answer in SERVER_REFUSALS.items():
                documented.setdefault(code, dict(answer))
            for code, answer in documented.items():
                if str(code).startswith("2"):
                    schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
                    _integer_ids(schema)
    return spec


def conform_openapi_response(response):
    """``after_request``: the spec FAB's ``OpenApi`` view built, through ``conform``."""
    if request.endpoint == "OpenApi.get" and request.method == "GET" and response.status_code == 200:
        response.set_data(json.dumps(conform(response.get_json()), ensure_ascii=False))
    return response


def api_http_error(exc: HTTPException):
    """JSON for an error the routing layer raises on an ``/api/`` path; a page gets the portal's
    error page (``views.errors``)."""
    if not request.path.startswith("/api/"):
        return exc if (exc.code or 500) < 400 else error_page(exc)
    code = exc.code or 500
    body = json.dumps({"message": message(code)}, ensure_ascii=False)
    response = current_app.response_class(body, status=code, mimetype="application/json")
    if code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


class _CheckedSchemas:
    """What FAB's ``rison`` decorator calls as ``jsonschema.validate``, with each schema checked
    once: ``jsonschema.validate`` validates the schema itself against its meta-schema before it
    validates the argument, on every API list request (40 % of one). The argument is validated as
    ``jsonschema.validate`` does it (the best-matching error is raised)."""

    ValidationError = jsonschema.ValidationError

    def __init__(self):
        self._validators: dict[int, tuple[dict, object]] = {}

    def validate(self, instance, schema):
        kept = self._validators.get(id(schema))
        if kept is None or kept[0] is not schema:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            kept = self._validators[id(schema)] = (schema, cls(schema))
        error = jsonschema.exceptions.best_match(kept[1].iter_errors(instance))
        if error is not None:
            raise error


def install(app) -> None:
    fab_api.jsonschema = _CheckedSchemas()  # FAB's module reads jsonschema.validate at call time
    app.before_request(refuse_unreadable_json)
    app.before_request(refuse_bad_query)
    app.after_request(conform_openapi_response)
    app.register_error_handler(HTTPException, api_http_error)
