"""FAB's security REST API (``/api/v1/security/users|roles|permissions|resources|
permissions-resources|groups``), JWT only and with every request checked before FAB handles it.

FAB's classes accept the browser's session cookie (``allow_browser_login = True``) on a
CSRF-exempt blueprint, so any page the administrator visited could create roles with the cookie.
Here, as for the entity APIs, only a JWT authorises (``Authorization: Bearer``).

FAB's handlers answer 500 to many bodies: a list or null instead of an object, a lone surrogate,
a NUL character, integers beyond 64 bits (in the path, the body or the rison query), an unknown
id, a duplicate name, an id listed twice, strings where ids belong, ``response_404(message=...)``
which FAB's own ``response_404`` does not accept. A before-request hook on each blueprint checks
the path ids, the JSON body against the columns it goes into and the rows it names, and answers
400 (malformed), 404 (no such record) or 422 (refused value) with translated messages before FAB
sees anything, so a refused request changes nothing. It runs only for callers ``@protect`` will
let through, so everyone else still gets FAB's 401 / 403 and learns nothing about the data.
What is left (a unique name taken by a concurrent request between check and commit, a row still
referenced when deleted) is a database error: FAB's handlers catch some of them and put the
database's text into a 422, others become a 500; ``response_422`` / ``response_500`` replace both
by one translated 422, after FAB rolled the session back.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

from flask import request
from flask_appbuilder.const import PERMISSION_PREFIX
from flask_appbuilder.exceptions import DatabaseException
from flask_appbuilder.security.sqla.apis import (
    GroupApi,
    PermissionApi,
    PermissionViewMenuApi,
    RoleApi,
    UserApi,
    ViewMenuApi,
)
from flask_appbuilder.security.sqla.apis.user.validator import PasswordComplexityValidator
from flask_appbuilder.security.sqla.models import Group, Permission, PermissionView, Role, User, ViewMenu
from flask_babel import lazy_gettext as _l
from flask_jwt_extended import verify_jwt_in_request
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt.exceptions import PyJWTError
from marshmallow import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..views.api_contract import MSG_BAD_JSON, MSG_NOT_JSON, PortalApi
from ..views.api_schema import FabSchemaConverter

MAX_ID = 2**31 - 1  # FAB's ids are INTEGER columns: a larger id names no row (and overflows a query)
MAX_IDS = 10_000  # ids in one list (a role holds a few hundred permissions)

MSG_NOT_FOUND = _l("No such record.")
MSG_BAD_QUERY = _l("Invalid query.")
MSG_UNKNOWN = _l("Unknown field.")
MSG_REQUIRED = _l("This field is required.")
MSG_TEXT = _l("Must be text.")
MSG_FLAG = _l("Must be true or false.")
MSG_ID = _l("Must be an id (a whole number from 1).")
MSG_IDS = _l("Must be a list of ids (whole numbers from 1).")
MSG_TOO_MANY = _l("At most %(max)s ids.")
MSG_TWICE = _l("Each id may appear only once.")
MSG_BLANK = _l("Must not be blank.")
MSG_LONG = _l("At most %(max)s characters.")
MSG_CONTROL = _l("Must not contain control characters.")
MSG_MISSING = _l("No such record: %(ids)s.")
MSG_TAKEN = _l("Already used by another record.")
MSG_EMAIL = _l("Not a valid e-mail address.")
MSG_ROLE_OR_GROUP = _l("A user needs at least one role or group.")
MSG_CONFLICT = _l("This change conflicts with other records (a duplicate, or a record still in use). "
                  "Nothing was changed.")


class Refusal(Exception):
    def __init__(self, status: int, message):
        super().__init__(status)
        self.status, self.message = status, message


# --- the body's fields ------------------------------------------------------------------------

@dataclass(frozen=True)
class Text:
    max_length: int
    required: bool = True  # on create; an update may leave any field out
    nullable: bool = False
    unique: bool = False
    email: bool = False


@dataclass(frozen=True)
class Flag:
    required: bool = False


@dataclass(frozen=True)
class Ref:
    model: type
    many: bool = False
    required: bool = True


@dataclass(frozen=True)
class Password:
    required: bool = True


def _is_id(value) -> bool:
    """A whole number from 1 (``True`` is an int in Python: refused); beyond ``MAX_ID`` it is a
    well-formed id that names no row."""
    return type(value) is int and value >= 1


def _control(text: str) -> bool:
    return any(ord(ch) < 0x20 and ch not in "\t\n\r" or ord(ch) == 0x7F for ch in text)


def _check_value(spec, value) -> tuple[int, str] | None:
    """Type (400) and value (422) of one field; the referenced rows are checked afterwards."""
    if value is None:
        return None if getattr(spec, "nullable", False) else (400, str(MSG_REQUIRED))
    if isinstance(spec, (Text, Password)):
        if not isinstance(value, str):
            return 400, str(MSG_TEXT)
        if _control(value):
            return 422, str(MSG_CONTROL)
        if isinstance(spec, Password):
            try:
                PasswordComplexityValidator()(value)
            except ValidationError as exc:
                return 422, " ".join(exc.messages)
            return None
        if not value.strip() and not spec.nullable:
            return 422, str(MSG_BLANK)
        if len(value) > spec.max_length:
            return 422, str(MSG_LONG % {"max": spec.max_length})
        if spec.email and (value.count("@") != 1 or not all(value.split("@")) or " " in value):
            return 422, str(MSG_EMAIL)
        return None
    if isinstance(spec, Flag):
        return None if isinstance(value, bool) else (400, str(MSG_FLAG))
    if spec.many:
        if not isinstance(value, list) or not all(_is_id(v) for v in value):
            return 400, str(MSG_IDS)
        if len(value) > MAX_IDS:
            return 422, str(MSG_TOO_MANY % {"max": MAX_IDS})
        if len(set(value)) != len(value):
            return 422, str(MSG_TWICE)
        return None
    return None if _is_id(value) else (400, str(MSG_ID))


def _missing_rows(spec: Ref, value) -> list[int]:
    ids = value if spec.many else [value]
    possible = [i for i in ids if i <= MAX_ID]
    found = {i for (i,) in db.session.query(spec.model.id).filter(spec.model.id.in_(possible))} if possible else set()
    return sorted(set(ids) - found)


def check_fields(model, fields: dict, body: dict, pk: int | None, partial: bool) -> None:
    """Raise a ``Refusal`` for the first kind of problem found (400 before 422), naming every
    field with that problem."""
    by_status: dict[int, dict[str, list[str]]] = {}

    def refuse(status, name, message):
        by_status.setdefault(status, {})[name] = [message]

    for name in body:
        if name not in fields:
            refuse(400, name, str(MSG_UNKNOWN))
    for name, spec in fields.items():
        if name not in body:
            if not partial and spec.required:
                refuse(400, name, str(MSG_REQUIRED))
            continue
        problem = _check_value(spec, body[name])
        if problem:
            refuse(problem[0], name, problem[1])
    if 400 in by_status:
        raise Refusal(400, by_status[400])
    for name, spec in fields.items():
        value = body.get(name)
        if name in by_status.get(422, {}) or value is None:
            continue
        if isinstance(spec, Ref):
            missing = _missing_rows(spec, value)
            if missing:
                refuse(422, name, str(MSG_MISSING % {"ids": ", ".join(map(str, missing))}))
        elif isinstance(spec, Text) and spec.unique:
            column = getattr(model, name)
            taken = db.session.query(model.id).filter(column == value)
            if pk is not None:
                taken = taken.filter(model.id != pk)
            if taken.first() is not None:
                refuse(422, name, str(MSG_TAKEN))
    if 422 in by_status:
        raise Refusal(422, by_status[422])


# --- the request as a whole -------------------------------------------------------------------

def _reject_constant(name):
    raise ValueError(name)  # NaN, Infinity: not JSON


def _encodable(value) -> bool:
    """No lone surrogate in any string (JSON's "\\ud800" decodes to one; no database stores it)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, list):
        return all(_encodable(v) for v in value)
    if isinstance(value, dict):
        return all(_encodable(k) and _encodable(v) for k, v in value.items())
    return True


def json_object() -> dict:
    if not request.is_json:
        raise Refusal(400, str(MSG_NOT_JSON))
    try:
        body = json.loads(request.get_data(cache=True), parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise Refusal(400, str(MSG_BAD_JSON)) from None
    if not isinstance(body, dict):
        raise Refusal(400, str(MSG_NOT_JSON))
    if not _encodable(body):
        raise Refusal(400, str(MSG_BAD_JSON))
    return body


def _database_error_in_flight() -> bool:
    exc = sys.exc_info()[1]
    return isinstance(exc, (SQLAlchemyError, DatabaseException))


class CheckedSecurityApi(PortalApi):
    """Mixin for FAB's security API classes: JWT only, every request checked first."""

    allow_browser_login = False
    model2schemaconverter = FabSchemaConverter  # times with their offset, lists as lists
    # endpoint (method name) -> the fields its JSON body may carry
    bodies: dict[str, dict] = {}
    # endpoint -> the model the path id names (default: the API's own)
    path_models: dict[str, type] = {}

    def create_blueprint(self, appbuilder, *args, **kwargs):
        blueprint = super().create_blueprint(appbuilder, *args, **kwargs)
        blueprint.before_request(self._check_request)
        return blueprint

    # FAB's UserApi calls response_404(message=...), which BaseApi's does not accept (a 500).
    def response_404(self, message=None):
        return self.response(404, message=message or str(MSG_NOT_FOUND))

    def response_422(self, message=None):
        if _database_error_in_flight():  # FAB rolled back; its message is the database's text
            db.session.rollback()
            message = str(MSG_CONFLICT)
        return super().response_422(message=message)

    def response_500(self, message=None):
        if _database_error_in_flight():
            db.session.rollback()
            return super().response_422(message=str(MSG_CONFLICT))
        return super().response_500(message=message)

    def _will_be_allowed(self, name: str) -> bool:
        """Whether ``@protect`` lets this request through: a valid JWT whose user holds the
        endpoint's permission. Only then is the request checked here."""
        method = getattr(self, name, None)
        permission = getattr(method, "_permission_name", None)
        if permission is None:
            return False
        permission = (self.method_permission_name or {}).get(name, permission)
        try:
            verify_jwt_in_request()
        except (JWTExtendedException, PyJWTError):
            return False
        return self.appbuilder.sm.has_access(f"{PERMISSION_PREFIX}{permission}", self.class_permission_name)

    def _check_request(self):
        name = (request.endpoint or "").rsplit(".", 1)[-1]
        if not self._will_be_allowed(name):
            return None
        try:
            pk = self._path_id(name)
            if request.method in ("POST", "PUT") and name in self.bodies:
                body = json_object()
                check_fields(self.datamodel.obj, self.bodies[name], body, pk,
                             partial=request.method == "PUT" and name == "put")
                self.check_rules(name, body, pk)
        except Refusal as refusal:
            db.session.rollback()
            return self.response(refusal.status, message=refusal.message)
        return None

    def _path_id(self, name: str) -> int | None:
        args = request.view_args or {}
        raw = args.get("pk", args.get("role_id"))
        if raw is None:
            return None
        text = str(raw)
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_ID:
            raise Refusal(404, str(MSG_NOT_FOUND))
        model = self.path_models.get(name, self.datamodel.obj)
        if db.session.get(model, int(text)) is None:
            raise Refusal(404, str(MSG_NOT_FOUND))
        return int(text)

    def check_rules(self, name: str, body: dict, pk: int | None) -> None:
        """Rules spanning fields, per API."""


class PortalPermissionApi(CheckedSecurityApi, PermissionApi):
    pass  # read only


class PortalViewMenuApi(CheckedSecurityApi, ViewMenuApi):
    bodies = {"post": {"name": Text(250, unique=True)}, "put": {"name": Text(250, unique=True)}}


class PortalPermissionViewMenuApi(CheckedSecurityApi, PermissionViewMenuApi):
    _fields = {"permission_id": Ref(Permission), "view_menu_id": Ref(ViewMenu)}
    bodies = {"post": _fields, "put": _fields}

    def check_rules(self, name, body, pk):
        current = db.session.get(PermissionView, pk) if pk else None
        permission_id = body.get("permission_id", current.permission_id if current else None)
        view_menu_id = body.get("view_menu_id", current.view_menu_id if current else None)
        taken = db.session.query(PermissionView.id).filter_by(permission_id=permission_id,
                                                              view_menu_id=view_menu_id)
        if pk:
            taken = taken.filter(PermissionView.id != pk)
        if taken.first() is not None:
            raise Refusal(422, {"view_menu_id": [str(MSG_TAKEN)]})


class PortalRoleApi(CheckedSecurityApi, RoleApi):
    bodies = {
        "post": {"name": Text(64, unique=True)},
        "put": {"name": Text(64, unique=True)},
        "add_role_permissions": {"permission_view_menu_ids": Ref(PermissionView, many=True)},
        "update_role_users": {"user_ids": Ref(User, many=True)},
        "update_role_groups": {"group_ids": Ref(Group, many=True)},
    }


class PortalGroupApi(CheckedSecurityApi, GroupApi):
    _fields = {
        "name": Text(100, unique=True),
        "label": Text(150, required=False, nullable=True),
        "description": Text(512, required=False, nullable=True),
        "users": Ref(User, many=True, required=False),
        "roles": Ref(Role, many=True, required=False),
    }
    bodies = {"post": _fields, "put": _fields}


class PortalUserApi(CheckedSecurityApi, UserApi):
    _fields = {
        "first_name": Text(64),
        "last_name": Text(64),
        "username": Text(128, unique=True),
        "email": Text(320, unique=True, email=True),
        "active": Flag(),
        "password": Password(),
        "roles": Ref(Role, many=True, required=False),
        "groups": Ref(Group, many=True, required=False),
    }
    bodies = {"post": _fields, "put": _fields}

    def check_rules(self, name, body, pk):
        """A user keeps at least one role or group (FAB's rule, refused here before any change)."""
        user = db.session.get(User, pk) if pk else None
        roles = body["roles"] if "roles" in body else (user.roles if user else [])
        groups = body["groups"] if "groups" in body else (user.groups if user else [])
        if not roles and not groups:
            raise Refusal(422, {"roles": [str(MSG_ROLE_OR_GROUP)]})

