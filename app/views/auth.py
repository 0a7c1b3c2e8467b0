"""Sign-in and sign-out: FAB's security views and API with the portal's sessions and limits.

The security manager puts these in place of FAB's (its ``authdbview``, ``security_api``, ...).

- The form login answers a locked login with its own message and an address over its limit with
  429 (``app.security.throttle``); it starts a server-side session (``app.security.sessions``).
- Logout is a POST with CSRF that ends the session on the server; ``GET /logout/`` only shows a
  page with the logout button.
- Changing one's own password ends every session and token of the user and starts a new session
  for the browser that changed it; an administrator's reset ends all of the user's.
- The API login issues tokens bound to a server-side session; the refresh endpoint rotates the
  refresh token; ``/api/v1/security/logout`` ends the token family.
"""

from __future__ import annotations

from flask import abort, current_app, g, redirect, request, session
from flask_appbuilder import expose
from flask_appbuilder.api import safe
from flask_appbuilder.const import API_SECURITY_PROVIDER_DB
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.views import AuthDBView, ResetMyPasswordView, ResetPasswordView
from flask_babel import lazy_gettext as _l
from flask_jwt_extended import (
    create_access_token,
    create_refresh_token,
    get_jti,
    get_jwt,
    get_jwt_identity,
    jwt_required,
)
from flask_login import current_user, logout_user
from marshmallow import Schema, ValidationError, fields

from ..extensions import db
from ..models.history import LoginEventKind
from ..models.logins import SessionEnd
from ..security import journal, sessions, throttle
from ..security.scope import get_row
from ..validation import storable_text
from .api_contract import MSG_NOT_JSON, TranslatedResponses
from .api_schema import translated_messages

_INVALID = _l("Invalid login. Please try again.")  # FAB's message, translated in FAB's catalog


class PortalAuthDBView(AuthDBView):
    @property
    def invalid_login_message(self):  # FAB flashes this after a refused sign-in
        return throttle.refusal_message() or _INVALID

    @expose("/login/", methods=["GET", "POST"])
    def login(self):
        response = super().login()
        why = throttle.refusal()
        if why in (throttle.ADDRESS, throttle.UNAVAILABLE):
            page = self.render_template(self.login_template, title=self.title, form=LoginForm_db(),
                                        appbuilder=self.appbuilder)
            status = 429 if why == throttle.ADDRESS else 503
            return page, status, {"Retry-After": str(g.get(throttle.RETRY_AFTER, 60))}
        return response

    @expose("/logout/", methods=["GET", "POST"])
    def logout(self):
        if not current_user.is_authenticated:
            return redirect(self.appbuilder.get_url_for_login)
        if request.method == "GET":  # a link or an image must not sign anybody out
            return self.render_template("portal/logout.html", appbuilder=self.appbuilder)
        user = self._get_authenticated_user()
        sessions.end(session.pop(sessions.SESSION_KEY, None), SessionEnd.logout)
        if user is not None:
            journal.record(LoginEventKind.logout, user.username)
        db.session.commit()
        logout_user()
        if user is not None:
            self.appbuilder.sm.on_user_logout(user)
        return redirect(current_app.config.get("LOGOUT_REDIRECT_URL", self.appbuilder.get_url_for_index))


def _renew_own_session(user_id) -> None:
    """After one's own password change: every session ended, this browser gets a new one."""
    if g.user is not None and g.user.is_authenticated and str(g.user.id) == str(user_id):
        sessions.begin_web(g.user)


class PortalResetMyPasswordView(ResetMyPasswordView):
    class_permission_name = "ResetMyPasswordView"  # the roles' existing permissions

    def form_post(self, form) -> None:
        super().form_post(form)
        _renew_own_session(g.user.id)


class PortalResetPasswordView(ResetPasswordView):
    class_permission_name = "ResetPasswordView"

    def form_post(self, form) -> None:
        if get_row(self.appbuilder.sm.user_model, _as_id(request.args.get("pk"))) is None:
            abort(404)  # FAB would look up whatever pk says (a 500 for none, "abc" or a huge one)
        super().form_post(form)
        _renew_own_session(request.args.get("pk"))


def _as_id(text):
    return int(text) if isinstance(text, str) and text.isascii() and text.isdigit() else None


def _filled(value) -> None:
    if not value:
        raise ValidationError(str(_l("This field is required.")))


def _password_provider(value) -> None:
    if value != API_SECURITY_PROVIDER_DB:
        raise ValidationError(str(_l("Only the password sign-in (db) is available.")))


class LoginBody(Schema):
    """The sign-in body (FAB's ``LoginPost``, with messages in the user's language)."""

    username = fields.String(required=True, validate=_filled)
    password = fields.String(required=True, validate=_filled)
    provider = fields.String(validate=_password_provider)
    refresh = fields.Boolean()


LOGIN_BODY = translated_messages(LoginBody())


class PortalSecurityApi(TranslatedResponses, SecurityApi):
    """FAB's login and refresh, with tokens bound to a server-side session (``sid`` claim)."""

    @expose("/login", methods=["POST"])
    @safe
    def login(self):
        """Sign in: a JWT access token (15 minutes) and, on request, a refresh token
        ---
        post:
          description: >-
            Authenticate and get a JWT access token and optionally a refresh token. Failed
            attempts are counted per login and per client address: a locked login is refused
            (401) even with the right password, an address beyond its limit gets 429.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    username:
                      type: string
                    password:
                      type: string
                    provider:
                      type: string
                      enum:
                      - db
                      - ldap
                    refresh:
                      description: If true a refresh token is provided also
                      type: boolean
          responses:
            200:
              description: Authentication Successful
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      access_token:
                        type: string
                      refresh_token:
                        type: string
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            429:
              description: Too many failed sign-ins from this address
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      message:
                        type: string
            500:
              $ref: '#/components/responses/500'
            503:
              description: Sign-in temporarily unavailable
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      message:
                        type: string
        """
        body = request.get_json(silent=True) if request.is_json else None
        if not isinstance(body, dict):
            return self.response_400(message=str(MSG_NOT_JSON))
        # A NUL or an unpaired surrogate cannot be a name or a password (FAB's own check of the
        # password would fail on it): such a sign-in is a failed one, like a wrong password.
        body = {k: "".join("\ufffd" if not storable_text(ch) else ch for ch in v) if isinstance(v, str)
                else v for k, v in body.items()}
        try:
            payload = LOGIN_BODY.load(body)
        except ValidationError as error:
            return self.response_400(message=error.messages)
        user = None
        user = self.appbuilder.sm.auth_user_db(payload["username"], payload["password"])
        if not user:
            why = throttle.refusal()
            if why in (throttle.ADDRESS, throttle.UNAVAILABLE):
                resp = self.response(429 if why == throttle.ADDRESS else 503,
                                     message=str(throttle.refusal_message()))
                resp.headers["Retry-After"] = str(g.get(throttle.RETRY_AFTER, 60))
                return resp
            if why == throttle.LOCKED:
                return self.response(401, message=str(throttle.refusal_message()))
            return self.response_401()
        identity = str(user.id)
        refresh = None
        if payload.get("refresh"):
            row = sessions.begin(user, "api", current_app.config["JWT_REFRESH_TOKEN_EXPIRES"])
            refresh = create_refresh_token(identity=identity, additional_claims={"sid": row.id})
            row.refresh_jti = get_jti(refresh)
        else:
            row = sessions.begin(user, "api", current_app.config["JWT_ACCESS_TOKEN_EXPIRES"])
        db.session.commit()
        tokens = {"access_token": create_access_token(identity=identity, fresh=True,
                                                      additional_claims={"sid": row.id})}
        if refresh:
            tokens["refresh_token"] = refresh
        return self.response(200, **tokens)

    @expose("/refresh", methods=["POST"])
    @jwt_required(refresh=True)
    @safe
    def refresh(self):
        """Exchange a refresh token for a new access token and a new refresh token
        ---
        post:
          description: >-
            Use the refresh token to get a new JWT access token and a new refresh token. The
            refresh token presented stops working; presenting it again ends every token of
            its login.
          responses:
            200:
              description: Refresh Successful
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      access_token:
                        description: A new access token
                        type: string
                      refresh_token:
                        description: The new refresh token (the old one no longer works)
                        type: string
            401:
              $ref: '#/components/responses/401'
            422:
              $ref: '#/components/responses/422'
            500:
              $ref: '#/components/responses/500'
          security:
            - jwt_refresh: []
        """
        claims = get_jwt()
        identity, sid = get_jwt_identity(), claims["sid"]
        new_refresh = create_refresh_token(identity=identity, additional_claims={"sid": sid})
        if not sessions.rotate(sid, claims["jti"], get_jti(new_refresh)):
            return self.response_401()
        access = create_access_token(identity=identity, fresh=False, additional_claims={"sid": sid})
        return self.response(200, access_token=access, refresh_token=new_refresh)

    @expose("/logout", methods=["POST"])
    @jwt_required()
    @safe
    def logout(self):
        """End the login of this token: its access and refresh tokens stop working
        ---
        post:
          description: >-
            End the session the access token belongs to; every token issued by that login
            is refused afterwards.
          responses:
            200:
              description: Logged out
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      message:
                        type: string
            401:
              $ref: '#/components/responses/401'
            422:
              $ref: '#/components/responses/422'
            500:
              $ref: '#/components/responses/500'
          security:
            - jwt: []
        """
        row = sessions.current()
        sessions.end(get_jwt()["sid"], SessionEnd.logout)
        journal.record(LoginEventKind.logout, row.user.username if row else "")
        db.session.commit()
        return self.response(200, message="OK")
