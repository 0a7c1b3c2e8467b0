"""How roles and permissions read on screens: FAB's role screens, the permission grid's drift
lines and its messages use the grid's words (``app.labels``), never FAB's raw names such as
``can_read_team`` on ``Employee``.

A permission is a pair (permission name, view-menu name). The entity permissions of the access
matrix read as the grid reads them (entity, verb, scope); menu entries by the menu's own label;
FAB's and the portal's other screens by the labels below. A name nobody labelled (a permission an
administrator added by hand) is shown as stored.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from ..labels import CATEGORIES, SCOPE_LABELS, VERB_LABELS, role_label
from ..registry import BY_NAME, ENTITIES
from .matrix import SCOPES, VERBS, parse_permission

# FAB's permission names (its views' methods and REST API verbs) and the portal's own.
ACTION_LABELS = {
    "menu_access": _l("Menu entry"),
    "can_add": _l("Add"),
    "can_edit": _l("Edit"),
    "can_delete": _l("Delete"),
    "can_list": _l("List"),
    "can_show": _l("Show"),
    "can_userinfo": _l("Own profile"),
    "can_this_form_get": _l("Open the form"),
    "can_this_form_post": _l("Submit the form"),
    "resetmypassword": _l("Reset my password"),
    "resetpasswords": _l("Reset Password"),
    "userinfoedit": _l("Edit User"),
    "copyrole": _l("Copy Role"),
    "can_get": _l("Read (API)"),
    "can_info": _l("Field information (API)"),
    "can_post": _l("Create (API)"),
    "can_put": _l("Update (API)"),
    "can_list_role_permissions": _l("List the role's permissions (API)"),
    "can_add_role_permissions": _l("Set the role's permissions (API)"),
    "can_update_role_users": _l("Set the role's users (API)"),
    "can_update_role_groups": _l("Set the role's groups (API)"),
    "can_settings": _l("Change"),
    "can_manage": _l("Manage"),
    "can_grid": _l("Change"),
}

# Screens and APIs that are no entity of the matrix, by FAB's view-menu name.
SCREEN_LABELS = {
    "PortalIndexView": _l("Home"),
    "UtilView": _l("Back link"),
    "LocaleView": _l("Language switch (FAB)"),
    "LanguageView": _l("Language switch"),
    "PortalAuthDBView": _l("Sign-in"),
    "PortalSecurityApi": _l("API sign-in"),
    "UserInfoEditView": _l("Edit own profile"),
    "ResetPasswordView": _l("Reset a user's password"),
    "ResetMyPasswordView": _l("Change own password"),
    "UserDBModelView": _l("Users"),
    "RoleModelView": _l("Roles"),
    "UserGroupModelView": _l("Groups"),
    "PermissionModelView": _l("Base Permissions"),
    "ViewMenuModelView": _l("Views/Menus"),
    "PermissionViewModelView": _l("Permission on Views/Menus"),
    "Permission": _l("Permissions (API)"),
    "Role": _l("Roles (API)"),
    "User": _l("Users (API)"),
    "Group": _l("Groups (API)"),
    "ViewMenu": _l("Views/Menus (API)"),
    "PermissionViewMenu": _l("Permission on Views/Menus (API)"),
    "OpenApi": _l("API description"),
    "SwaggerView": _l("API documentation"),
    "MenuApi": _l("Menu (API)"),
    "WorkflowView": _l("Workflow steps"),
    "WorkflowApi": _l("Workflow steps (API)"),
    "WorklistView": _l("Work lists"),
    "ViolationPenaltyView": _l("Penalty proposals"),
    "AppraisalView": _l("Appraisal"),
    "TrainingPlanYearView": _l("Training plan by year"),
    "PolicySettings": _l("Settings"),
    "ChangeLogView": _l("Change history"),
    "LoginEventView": _l("Login journal"),
    "LoginSecurity": _l("Sign-in security"),
    "PermissionGrid": _l("Permission grid"),
}


def _menu_label(view_name: str):
    item = current_app.appbuilder.menu.find(view_name)
    return item.label if item is not None and item.label else None


def screen_label(view_name: str):
    """The entity, menu entry or screen a permission is on, in the page's language."""
    if view_name in BY_NAME:
        return BY_NAME[view_name].label
    if view_name.startswith("menu_") and view_name[5:] in BY_NAME:
        return BY_NAME[view_name[5:]].label
    if view_name in CATEGORIES:
        return CATEGORIES[view_name]
    if view_name in SCREEN_LABELS:
        return SCREEN_LABELS[view_name]
    return _menu_label(view_name) or view_name


def action_label(permission_name: str) -> str:
    parsed = parse_permission(permission_name)
    if parsed:
        verb, scope = parsed
        return gettext("%(verb)s (%(scope)s)", verb=VERB_LABELS[verb], scope=SCOPE_LABELS[scope])
    verb = permission_name[4:] if permission_name.startswith("can_") else None
    if verb in VERBS:  # FAB's own method permission, which the scoped ones refine
        return str(VERB_LABELS[verb])
    return str(ACTION_LABELS.get(permission_name, permission_name))


def permission_label(permission_name: str, view_name: str) -> str:
    """One permission, e.g. 客户：查看（本组）."""
    return gettext("%(screen)s: %(action)s", screen=screen_label(view_name),
                   action=action_label(permission_name))


def pv_label(pv) -> str:
    """A FAB PermissionView row (the options of the role form)."""
    if pv.permission is None or pv.view_menu is None:
        return ""
    return permission_label(pv.permission.name, pv.view_menu.name)


_ENTITY_ORDER = {e.name: i for i, e in enumerate(ENTITIES)}


def _screen_key(view_name: str) -> str:
    """Permissions on an entity and on its menu entry are listed together."""
    if view_name.startswith("menu_") and view_name[5:] in BY_NAME:
        return view_name[5:]
    return view_name


def summary(pairs) -> list[tuple[str, list[str]]]:
    """[(screen, [actions])] for a set of permissions: the matrix's entities in the grid's order,
    then every other screen by its label."""
    grouped: dict[str, list[str]] = {}
    for perm, view in pairs:
        grouped.setdefault(_screen_key(view), []).append(perm)
    keys = sorted(grouped, key=lambda k: (_ENTITY_ORDER.get(k, len(_ENTITY_ORDER)), str(screen_label(k))))
    return [(str(screen_label(k)), [action_label(p) for p in sorted(grouped[k], key=_action_order)])
            for k in keys]


def _action_order(permission_name: str):
    """Read, write, approve (narrowest scope first), then the menu entry and the rest."""
    parsed = parse_permission(permission_name)
    if parsed:
        return (VERBS.index(parsed[0]), SCOPES.index(parsed[1]), "")
    return (len(VERBS), 0, permission_name)


def permissions_text(pvs) -> Markup:
    """A role's permissions on its list and record pages: one line per screen."""
    pairs = {(pv.permission.name, pv.view_menu.name) for pv in pvs or () if pv.permission and pv.view_menu}
    sep = gettext(", ")
    lines = [gettext("%(screen)s: %(action)s", screen=screen, action=sep.join(actions))
             for screen, actions in summary(pairs)]
    return Markup("<br>").join(escape(line) for line in lines)


def roles_text(roles) -> str:
    """A user's roles, e.g. 业务员、业务主管."""
    return gettext(", ").join(str(role_label(r.name)) for r in roles or ())


def drift_lines(drifts) -> list[str]:
    """The permission grid's drift report, in the page's language (``flask roles sync`` prints
    ``Drift.lines()``)."""
    out = []
    for d in drifts:
        role = role_label(d.role)
        out += [gettext("%(role)s: + %(permission)s (the matrix grants it, the database lacks it)",
                        role=role, permission=permission_label(p, v)) for p, v in sorted(d.missing)]
        out += [gettext("%(role)s: − %(permission)s (the database grants it, the matrix does not)",
                        role=role, permission=permission_label(p, v)) for p, v in sorted(d.extra)]
    return out
