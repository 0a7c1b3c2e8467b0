"""FAB security manager: verb checks follow the scoped permissions, in one query per request;
sign-in behind limits and lock-out (``throttle``), sessions and tokens the server can revoke
(``sessions``), one password policy on every path (``passwords``).

FAB protects a generated view with ``can_read`` / ``can_write`` / ``can_approve`` (our
``method_permission_name`` mapping); a user holds them as ``can_read_own``, ``can_read_team`` or
``can_read_all``, so a verb is allowed when any scope of it is granted. Resolving all of a user's
permissions in one query also keeps a page's query count flat however many menu items and buttons
it checks (FAB would ask the database once per check for database roles).
"""

from __future__ import annotations

from flask import current_app, flash, g, has_request_context, jsonify, redirect, request
from flask_appbuilder.const import FLAMSG_ERR_SEC_ACCESS_DENIED
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import (
    PermissionModelView,
    PermissionViewModelView,
    ViewMenuModelView,
)
from flask_babel import lazy_gettext as _l
from flask_login import user_logged_in
from flask_login.utils import _get_user
from sqlalchemy import select

from ..registry import BY_NAME, SCREEN_BY_MENU
from ..validation import storable_text
from ..views import accounts
from ..views.auth import (
    PortalAuthDBView,
    PortalResetMyPasswordView,
    PortalResetPasswordView,
    PortalSecurityApi,
)
from ..views.routing import QueryGuard
from . import api, passwords, sessions, throttle
from .matrix import SCOPES, VERBS, permission_name, verb_permission
from .redirects import local_target
from .scope import ScopedInterface, user_permissions

_VERB_PERMS = {verb_permission(v): v for v in VERBS}
_SCOPED_PERMS = frozenset(permission_name(v, s) for v in VERBS for s in SCOPES)


def guarded(view_cls):
    """A FAB security screen with the portal's URL checks (``views.routing.QueryGuard``) and
    without its ``/download/<filename>`` route: the portal stores no uploaded files, and FAB's
    download of a missing upload folder answered 500 on every view."""
    return type(view_cls.__name__, (QueryGuard, view_cls), {"download": None})


def _not_authorized(*_args):
    return jsonify(message=str(_l("Not authorized."))), 401


def _send_to_login():
    """flask_login's answer to an anonymous request for a ``@login_required`` page (the portal's
    own views): what FAB's ``@has_access`` does for its views, the sign-in page with ``next`` set
    to the page asked for (``redirects.local_target`` checks it at the sign-in). Its default
    would build the endpoint ``login``, which FAB does not have (a 500 for every such request).
    A form posted while signed out comes back to the page it was posted from."""
    if request.path.startswith("/api/"):
        return _not_authorized()
    flash(str(FLAMSG_ERR_SEC_ACCESS_DENIED), "danger")  # FAB's words, translated
    if request.method in ("GET", "HEAD"):
        target = request.full_path.rstrip("?")
    else:
        target = local_target(request.referrer)
    return redirect(current_app.appbuilder.get_url_for_login_with(target))


def _begin_web_session(_app, user, **_kw) -> None:
    """Every browser sign-in (flask_login's ``login_user``) gets its server-side session."""
    sessions.begin_web(user)


class PortalSecurityManager(SecurityManager):
    # Users and roles in the portal's words (views/accounts.py): translated role names and permissions.
    userdbmodelview = guarded(accounts.UserDBModelView)
    rolemodelview = guarded(accounts.RoleModelView)
    groupmodelview = guarded(accounts.UserGroupModelView)
    permissionmodelview = guarded(PermissionModelView)
    viewmenumodelview = guarded(ViewMenuModelView)
    permissionviewmodelview = guarded(PermissionViewModelView)
    # Sign-in, sign-out and password views with server-side sessions and limits (views/logins.py).
    authdbview = PortalAuthDBView
    resetmypasswordview = PortalResetMyPasswordView
    resetpasswordview = PortalResetPasswordView
    security_api = PortalSecurityApi
    # FAB's "User's Statistics" chart loads Google Charts from the internet (blocked by the CSP,
    # unreachable offline and in mainland China): not registered.
    userstatschartview = None
    # FAB's security REST API: JWT only, every body checked before FAB's handlers (api.py).
    permission_api = api.PortalPermissionApi
    role_api = api.PortalRoleApi
    user_api = api.PortalUserApi
    view_menu_api = api.PortalViewMenuApi
    permission_view_menu_api = api.PortalPermissionViewMenuApi
    group_api = api.PortalGroupApi

    def __init__(self, appbuilder):
        # Before FAB reads it: the portal's password policy replaces FAB's default rule.
        current_app.config.setdefault("FAB_PASSWORD_COMPLEXITY_VALIDATOR", passwords.check)
        super().__init__(appbuilder)
        # FAB's own show / edit of users and roles look up the URL's id as it is (a 500 for an id
        # beyond the column): the portal's data interface checks it first.
        for view in (self.userdbmodelview, self.rolemodelview, self.groupmodelview,
                     self.permissionmodelview, self.viewmenumodelview, self.permissionviewmodelview):
            view.datamodel = ScopedInterface(view.datamodel.obj)
        throttle.init_app(current_app)
        sessions.install()
        user_logged_in.connect(_begin_web_session, current_app._get_current_object(), weak=False)

    def add_permissions_view(self, base_permissions, view_menu):
        # FAB removes every permission on a view that the view does not expose itself (logging a
        # warning for each one a role holds: hundreds per ``roles sync``) and grants the rest to
        # Admin. An entity's scoped permissions (``can_read_own``, ...) are neither leftovers nor
        # Admin's by default (the matrix says who holds them): FAB's pass does not see them.
        self._scoped_hidden = view_menu in BY_NAME
        try:
            super().add_permissions_view(base_permissions, view_menu)
        finally:
            self._scoped_hidden = False

    def find_permissions_view_menu(self, view_menu):
        pvs = super().find_permissions_view_menu(view_menu)
        if getattr(self, "_scoped_hidden", False):
            pvs = [pv for pv in pvs if not (pv.permission and pv.permission.name in _SCOPED_PERMS)]
        return pvs

    def create_login_manager(self, app):
        lm = super().create_login_manager(app)
        lm.user_loader(sessions.live_user)  # a cookie counts only while its session is live
        lm.unauthorized_handler(_send_to_login)
        return lm

    def create_jwt_manager(self, app):
        jwt_manager = super().create_jwt_manager(app)
        jwt_manager.token_in_blocklist_loader(sessions.token_revoked)
        # flask_jwt_extended answers {"msg": "..."} in English, some of them with 422: every token
        # that does not let the caller in is a 401 with the API's translated message.
        for loader in (jwt_manager.unauthorized_loader, jwt_manager.invalid_token_loader,
                       jwt_manager.token_verification_failed_loader, jwt_manager.expired_token_loader,
                       jwt_manager.revoked_token_loader, jwt_manager.needs_fresh_token_loader,
                       jwt_manager.user_lookup_error_loader):
            loader(_not_authorized)
        return jwt_manager

    def add_user(self, username, first_name, last_name, email, role, password="", hashed_password="",
                 **kwargs):
        """FAB's, with the password policy (FAB checks it only in its forms)."""
        if password and not hashed_password:
            passwords.check(password)
        return super().add_user(username, first_name, last_name, email, role, password=password,
                                hashed_password=hashed_password, **kwargs)

    def reset_password(self, userid, password):
        """FAB's, with the password policy; the flush hook ends the user's sessions."""
        passwords.check(password)
        super().reset_password(userid, password)

    def auth_user_db(self, username, password):
        """FAB's check behind the sign-in limits, with an entry in the login journal for every
        attempt (form and API): ``app.security.throttle``. A name or password no login can have
        (a NUL, an unpaired surrogate: PostgreSQL and UTF-8 cannot even look them up) is a
        failed attempt like any other, under the name with those characters replaced."""
        if not storable_text(username or "") or not storable_text(password or ""):
            username = "".join("\ufffd" if not storable_text(ch) else ch for ch in username or "")
            password = ""  # FAB refuses an empty password without a lookup
        return throttle.guarded(username, lambda: super(PortalSecurityManager, self).auth_user_db(
            username, password))

    def is_item_public(self, permission_name, view_name):
        """FAB's, in one query: FAB loads the public role and then its permissions, two queries
        on every API call (its ``protect`` asks before it reads the token)."""
        pv, role = self.permissionview_model, self.role_model
        assoc = role.permissions.property.secondary
        return self.session.execute(
            select(pv.id)
            .join(self.permission_model, pv.permission_id == self.permission_model.id)
            .join(self.viewmenu_model, pv.view_menu_id == self.viewmenu_model.id)
            .join(assoc, assoc.c.permission_view_id == pv.id)
            .join(role, assoc.c.role_id == role.id)
            .where(role.name == self.auth_role_public, self.permission_model.name == permission_name,
                   self.viewmenu_model.name == view_name)
            .limit(1)
        ).first() is not None

    def has_access(self, permission_name: str, view_name: str) -> bool:
        """FAB's, answered once per request, signed-in user and pair: the menu, the buttons and
        each related list of a page ask the same pairs again (28 checks on an order's record
        page, 14 of them different). Only for a user signed in by the session cookie."""
        user = _get_user() if has_request_context() else None
        if user is None or not user.is_authenticated:
            # An API call (its JWT is verified after FAB's first checks) or a visitor: asked
            # once or twice, and the answer may change within the request.
            return super().has_access(permission_name, view_name)
        known = g.setdefault("_portal_access", {})
        key = (user.id, permission_name, view_name)
        if key not in known:
            known[key] = super().has_access(permission_name, view_name)
        return known[key]

    def _has_view_access(self, user, permission_name_: str, view_name: str) -> bool:
        roles = self.get_user_roles(user)
        if any(
            role.name in self.builtin_roles
            and self._has_access_builtin_roles(role, permission_name_, view_name)
            for role in roles
        ):
            return True
        perms = user_permissions(user)
        verb = _VERB_PERMS.get(permission_name_)
        if verb and view_name in BY_NAME:
            return any((permission_name(verb, s), view_name) in perms for s in SCOPES)
        return (permission_name_, view_name) in perms

    def _get_user_permission_view_menus(self, user, permission_name_, view_menus_name):
        if user is None:
            return super()._get_user_permission_view_menus(user, permission_name_, view_menus_name)
        perms = user_permissions(user)
        names = view_menus_name if view_menus_name is not None else [v for _, v in perms]
        allowed = {v for v in names if (permission_name_, v) in perms}
        if permission_name_ == "menu_access":
            # A screen beyond the generated lists is in the menu when its entities are readable.
            for name in names:
                screen = SCREEN_BY_MENU.get(name)
                if screen and all(any((permission_name("read", s), entity) in perms for s in SCOPES)
                                  for entity in screen.entities):
                    allowed |= {name, screen.category}
        return allowed
