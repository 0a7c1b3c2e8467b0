"""The menu bar's menu, rendered once per set of rights and language instead of on every page.

FAB's ``navbar_menu.html`` asks ``has_access`` for every item and translates every label on
each page (about 70 checks and as many look-ups). What it shows depends only on the user's roles
and permissions (read fresh for every request: ``security.scope.user_permissions``), the
language and the URL root, so the markup is kept per combination of those: a change of the
permission grid or of a user's roles makes another key, and no cache needs clearing. Pages of
an anonymous visitor (the login page) render it as FAB does."""

from __future__ import annotations

from pathlib import Path

import flask_appbuilder
from flask import current_app, request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from ..security.scope import user_permissions, user_roles

# FAB's own template, read from the installed package: the portal's ``navbar_menu.html`` (which
# calls ``portal_menu``) takes its name.
FAB_MENU = Path(flask_appbuilder.__file__).parent / "templates" / "appbuilder" / "navbar_menu.html"
MAX_KEPT = 256  # combinations kept per process; more start the cache afresh
_TEMPLATE_KEY = "portal_fab_menu_template"
_kept: dict[tuple, Markup] = {}


def _render() -> Markup:
    template = current_app.extensions.get(_TEMPLATE_KEY)
    if template is None:
        template = current_app.jinja_env.from_string(FAB_MENU.read_text(encoding="utf-8"))
        current_app.extensions[_TEMPLATE_KEY] = template
    return Markup(template.render(menu=current_app.appbuilder.menu))


def portal_menu() -> Markup:
    if not current_user.is_authenticated:
        return _render()
    user = current_user
    roles = frozenset(r.name for r in user_roles(user))
    key = (str(get_locale()), request.script_root, roles, frozenset(user_permissions(user)))
    html = _kept.get(key)
    if html is None:
        if len(_kept) >= MAX_KEPT:
            _kept.clear()
        html = _kept[key] = _render()
    return html


def install(app) -> None:
    app.add_template_global(portal_menu, "portal_menu")
