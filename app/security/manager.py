"""FAB security manager: verb checks follow the scoped permissions, in one query per request.

FAB protects a generated view with ``can_read`` / ``can_write`` / ``can_approve`` (our
``method_permission_name`` mapping); a user holds them as ``can_read_own``, ``can_read_team`` or
``can_read_all``, so a verb is allowed when any scope of it is granted. Resolving all of a user's
permissions in one query also keeps a page's query count flat however many menu items and buttons
it checks (FAB would ask the database once per check for database roles).
"""

from __future__ import annotations

from flask_appbuilder.security.sqla.manager import SecurityManager

from ..registry import BY_NAME
from . import api
from .matrix import SCOPES, VERBS, permission_name
from .scope import user_permissions

_VERB_PERMS = {f"can_{v}": v for v in VERBS}


class PortalSecurityManager(SecurityManager):
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

    def auth_user_db(self, username, password):
        """FAB's check, plus an entry in the login journal for every attempt (form and API)."""
        user = super().auth_user_db(username, password)
        from flask import has_request_context, request

        from ..extensions import db
        from ..models import LoginEvent

        api = has_request_context() and request.path.startswith("/api/")
        db.session.add(LoginEvent(
            username=(username or "")[:64], success=user is not None,
            ip=request.remote_addr if has_request_context() else None,
            channel="api" if api else "form",
        ))
        db.session.commit()
        return user

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
        return {v for v in names if (permission_name_, v) in perms}
