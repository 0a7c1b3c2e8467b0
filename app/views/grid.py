"""The permission grid: roles × entities × read / write / approve, with the scope of each.

A compact editor over the same database permissions FAB's role screens show (hundreds of
permission pairs there). A change applies to the role at once and shows as drift from the matrix
until the matrix is changed too.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from ..labels import CATEGORIES, ROLE_LABELS, SCOPE_LABELS, VERB_LABELS, role_label
from ..registry import BY_NAME, ENTITIES
from ..security.matrix import ROLES, SCOPES, VERBS, parse_permission, permission_name
from ..security.sync import _role_pairs, desired, drift, managed, menu_name, set_role
from ..security.wording import drift_lines


def current_grid(sm) -> dict[str, dict[str, dict[str, str | None]]]:
    """{role: {entity: {verb: widest scope held}}} as the database says now."""
    grid = {}
    for role_name in ROLES:
        role = sm.find_role(role_name)
        cells = {e.name: dict.fromkeys(VERBS) for e in ENTITIES}
        for perm, view in _role_pairs(role) if role else ():
            parsed = parse_permission(perm)
            if parsed and view in cells:
                verb, scope = parsed
                old = cells[view][verb]
                if old is None or SCOPES.index(scope) > SCOPES.index(old):
                    cells[view][verb] = scope
        grid[role_name] = cells
    return grid


class PermissionGridView(BaseView):
    route_base = "/permission-grid"
    default_view = "show"
    class_permission_name = "PermissionGrid"
    method_permission_name = {"show": "grid", "save": "grid"}
    menu_label = _l("Permission grid")

    @expose("/", methods=["GET"])
    @has_access
    def show(self):
        sm = self.appbuilder.sm
        grid = current_grid(sm)
        drifts = drift_lines(drift(sm))
        rows = [(CATEGORIES[e.category], e.name, e.label) for e in ENTITIES]
        return self.render_template(
            "portal/permission_grid.html",
            roles=ROLES, rows=rows, grid=grid, verbs=VERBS, scopes=(None, *SCOPES),
            verb_labels=VERB_LABELS, role_labels=ROLE_LABELS, scope_labels=SCOPE_LABELS, drifts=drifts,
        )

    @expose("/", methods=["POST"])
    @has_access
    def save(self):
        sm = self.appbuilder.sm
        role_name = request.form.get("role", "")
        if role_name not in ROLES:
            flash(str(_l("Unknown role.")), "danger")
            return redirect(url_for(".show"))
        want: set[tuple[str, str]] = set()
        for entity in ENTITIES:
            readable = False
            for verb in VERBS:
                value = request.form.get(f"{entity.name}.{verb}", "")
                if value == "":
                    continue
                if value not in SCOPES:
                    flash(str(_l("Unknown scope: %(v)s", v=value)), "danger")
                    return redirect(url_for(".show"))
                want.add((permission_name(verb, value), entity.name))
                readable = readable or verb == "read"
            if readable:
                want.add(("menu_access", menu_name(entity.name)))
                want.add(("menu_access", entity.category))
        # Account pages are not on the grid; keep whatever the role has of them.
        role = sm.find_role(role_name)
        have = _role_pairs(role) if role else set()
        want |= {p for p in have if managed(p) and p[1] not in BY_NAME and p[0] != "menu_access"}
        set_role(sm, role_name, want)
        flash(str(_l("Permissions of %(role)s saved.", role=role_label(role_name))), "success")
        return redirect(url_for(".show", role=role_name))


__all__ = ["PermissionGridView", "desired"]
