"""Seed the access matrix into FAB's database roles, and report drift between them.

The matrix (``matrix.py``) is what the roles should be; the database is what they are (an
administrator may have changed them in FAB's screens or the permission grid). ``sync`` makes the
database follow the matrix; ``drift`` lists every difference without changing anything.
Only permissions this module manages are compared: the scoped entity permissions, the menu entries
of the generated screens and the small set of account pages every user needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from ..extensions import db
from ..registry import BY_NAME, ENTITIES, MATRIX
from .matrix import ROLES, SCOPES, VERBS, parse_permission, permission_name

# FAB pages every logged-in user needs: own profile, own password, API login is unprotected.
ACCOUNT_PERMISSIONS = (
    ("can_userinfo", "UserDBModelView"),
    ("can_this_form_get", "ResetMyPasswordView"),
    ("can_this_form_post", "ResetMyPasswordView"),
    ("can_this_form_get", "UserInfoEditView"),
    ("can_this_form_post", "UserInfoEditView"),
)


def menu_name(entity_name: str) -> str:
    return f"menu_{entity_name}"


def desired(role: str) -> set[tuple[str, str]]:
    """The managed (permission, view) pairs a role should hold according to the matrix."""
    out: set[tuple[str, str]] = set(ACCOUNT_PERMISSIONS)
    for entity_name, verbs in MATRIX[role].items():
        for verb, scope in verbs.items():
            if scope:
                out.add((permission_name(verb, scope), entity_name))
        if verbs["read"]:
            out.add(("menu_access", menu_name(entity_name)))
            out.add(("menu_access", BY_NAME[entity_name].category))
    return out


def managed(pair: tuple[str, str]) -> bool:
    perm, view = pair
    if pair in ACCOUNT_PERMISSIONS:
        return True
    if view in BY_NAME:
        return parse_permission(perm) is not None
    if perm == "menu_access":
        return view.startswith("menu_") and view[5:] in BY_NAME or view in {
            e.category for e in ENTITIES
        }
    return False


def _role_pairs(role) -> set[tuple[str, str]]:
    return {(pv.permission.name, pv.view_menu.name) for pv in role.permissions if pv.permission}


@dataclass
class Drift:
    role: str
    missing: set[tuple[str, str]]  # in the matrix, not in the database
    extra: set[tuple[str, str]]  # in the database, not in the matrix

    def lines(self) -> list[str]:
        out = [f"{self.role}: + {p} on {v} (matrix grants, database lacks)" for p, v in sorted(self.missing)]
        out += [f"{self.role}: - {p} on {v} (database grants, matrix does not)" for p, v in sorted(self.extra)]
        return out


def drift(sm) -> list[Drift]:
    result = []
    for role_name in ROLES:
        role = sm.find_role(role_name)
        have = {p for p in _role_pairs(role) if managed(p)} if role else set()
        want = desired(role_name)
        d = Drift(role_name, want - have, have - want)
        if d.missing or d.extra:
            result.append(d)
    return result


def ensure_permission_views(sm) -> None:
    """Create every scoped permission on every entity (so the grid and FAB's screens offer them)."""
    for entity in ENTITIES:
        for verb in VERBS:
            for scope in SCOPES:
                sm.add_permission_view_menu(permission_name(verb, scope), entity.name)


def set_role(sm, role_name: str, want: set[tuple[str, str]]) -> None:
    """Make the managed part of a role equal ``want``; unmanaged permissions are left alone."""
    role = sm.find_role(role_name) or sm.add_role(role_name)
    keep = [pv for pv in role.permissions if pv.permission and not managed(
        (pv.permission.name, pv.view_menu.name))]
    pvs = []
    for perm, view in sorted(want):
        pv = sm.find_permission_view_menu(perm, view) or sm.add_permission_view_menu(perm, view)
        pvs.append(pv)
    role.permissions = keep + pvs
    db.session.commit()


def sync(appbuilder) -> list[str]:
    """Create FAB's permissions for every view, then write the matrix into the roles."""
    sm = appbuilder.sm
    # Roles first: FAB grants every new view permission to the admin role as it creates it, and
    # expects the public role (no permissions) to exist.
    for role_name in (*ROLES, current_app.config["AUTH_ROLE_PUBLIC"]):
        if sm.find_role(role_name) is None:
            sm.add_role(role_name)
    appbuilder.add_permissions(update_perms=True)
    ensure_permission_views(sm)
    done = []
    for role_name in ROLES:
        set_role(sm, role_name, desired(role_name))
        done.append(role_name)
    return done
