"""Error pages: every refusal and crash a browser sees (400, 403, 404, 405, 409, 413, 429, 500, ...)
is a page of the portal, with its navigation, a message in the user's language and a way back;
Werkzeug's bare English pages never reach a user. API paths get JSON (``api_contract``)."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import abort, current_app, g, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from ..checks import schema_behind
from ..extensions import db
from ..security.redirects import local_target

log = logging.getLogger(__name__)

# Answers of the routing layer (no such URL, wrong method, too large, too many requests, a crash),
# for pages and for API clients (JSON like every other API answer), in the user's language.
HTTP_MESSAGES = {
    400: _l("Arguments are not correct."), 401: _l("Not authorized."),
    403: _l("You do not have access to this."), 404: _l("No such record."),
    405: _l("This method is not allowed here."), 409: _l("This conflicts with the record's state."),
    413: _l("The request is too large."), 429: _l("Too many requests. Please wait and try again."),
    500: _l("Something went wrong on our side."),
    503: _l("The portal is being updated. Please try again in a few minutes."),
}


def message(code: int) -> str:
    """The sentence for an HTTP status: under a page's heading and in an API answer's JSON, so a
    page and a JSON answer never disagree."""
    return str(HTTP_MESSAGES.get(code, HTTP_MESSAGES[500 if code >= 500 else 400]))


# The page's heading per status (the sentence under it: ``message``).
TITLES = {
    400: _l("The request could not be understood"), 401: _l("Please sign in"),
    403: _l("Access denied"), 404: _l("Page not found"), 405: _l("Not possible here"),
    409: _l("Conflict"), 413: _l("Too large"), 429: _l("Too many requests"),
    500: _l("Server error"),
    503: _l("Temporarily unavailable"),
}


def _plain(code: int, title) -> str:
    return f"<!doctype html><title>{code}</title><h1>{escape(title)}</h1><p>{escape(message(code))}</p>"


def error_page(exc: HTTPException):
    """The portal's page for ``exc``, with its status (and ``Allow`` for 405)."""
    code = exc.code or 500
    title = TITLES.get(code, TITLES[500 if code >= 500 else 400])
    headers = {}
    if code == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    if code >= 500:
        # The request's transaction may be broken (PostgreSQL refuses every statement after an
        # error); the navigation bar reads permissions, so start a clean one.
        db.session.rollback()
    appbuilder = current_app.appbuilder
    if "user" not in g:  # refused before FAB's hook set it (CSRF, a body too large)
        g.user = current_user
    if code == 503:  # the database is not ready: the layout would fail on it
        return current_app.response_class(_plain(code, title), status=code, headers=headers,
                                          mimetype="text/html")
    try:
        back = local_target(request.referrer)
        if back == request.full_path.rstrip("?"):
            back = None
        body = render_template("portal/error.html", base_template=appbuilder.base_template,
                               appbuilder=appbuilder, code=code, title=title, message=message(code),
                               back=back, home=url_for("PortalIndexView.index"))
    except Exception:  # the layout itself failed (database gone): the words, without navigation
        log.exception("The error page for %s could not be rendered", code)
        body = _plain(code, title)
    return current_app.response_class(body, status=code, headers=headers, mimetype="text/html")


def install_schema_guard(app) -> None:
    """Until the database is at the migrations' head, every request answers 503 (the page in the
    user's words, JSON under /api/) and the log says what to run; checked until it holds, then
    never again in this process."""
    directory = Path(app.root_path).parent / "migrations"
    state = {"ok": False}

    @app.before_request
    def _refuse_until_migrated():
        if state["ok"] or request.path.startswith("/static/"):
            return None
        behind = schema_behind(db.engine, directory)
        if behind is None:
            state["ok"] = True
            return None
        log.error("Refusing requests: %s", behind)
        abort(503)
