"""Language switch: POST (it stores a preference), remembered per user across sessions."""

from __future__ import annotations

from flask import abort, redirect, request, session, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import refresh
from flask_login import current_user

from ..extensions import db
from ..models import UserPreference
from ..security.redirects import local_target


def remember_locale(user_id: int, locale: str) -> None:
    pref = db.session.get(UserPreference, user_id)
    if pref is None:
        db.session.add(UserPreference(user_id=user_id, locale=locale))
    else:
        pref.locale = locale
    db.session.commit()


def restore_locale(user) -> None:
    """On login, the user's stored language replaces the session's."""
    pref = db.session.get(UserPreference, user.id)
    if pref is not None:
        session["locale"] = pref.locale
        refresh()


def _safe_back() -> str:
    """Back to the page the switch was clicked on: the form's ``next``, else the Referer, each
    only when it is a path of the portal; else the home page."""
    return (local_target(request.form.get("next")) or local_target(request.referrer)
            or url_for("PortalIndexView.index"))


class LanguageView(BaseView):
    route_base = "/language"
    default_view = "switch"

    @expose("/<string:locale>", methods=["POST"])
    def switch(self, locale):
        if locale not in self.appbuilder.bm.languages:
            abort(404)
        session["locale"] = locale
        refresh()
        if current_user.is_authenticated:
            remember_locale(current_user.id, locale)
        return redirect(_safe_back())


def refuse_fab_locale_switch(app) -> None:
    """FAB's ``GET /lang/<locale>`` switched the language without CSRF (an ``<img>`` on any site
    could flip it); the portal's switch is ``POST /language/<locale>``. The GET is no page."""
    app.view_functions["LocaleView.index"] = lambda locale: abort(404)
