"""Every error status a user can meet is a page of the portal (issue 9, item 1): its layout (the
navigation bar of a signed-in user), the message in the user's language, the status kept; under
``/api/`` a JSON body with the translated message.

A second app on the suite's database adds one route per status before its first request (the
session app cannot take routes any more); its 500 is a real uncaught exception, with exceptions
not propagated to the test client, as in production."""

from __future__ import annotations

import pytest
from flask import Blueprint, abort
from flask_babel import force_locale
from markupsafe import escape

from tests.conftest import Browser, csrf_from

CODES = (400, 403, 404, 405, 409, 413, 429, 500)


@pytest.fixture(scope="module")
def errors_app(app):
    from app import create_app

    second = create_app("config", TESTING=True, PROPAGATE_EXCEPTIONS=False,
                        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                        RATELIMIT_ENABLED=False, AUTH_RATE_LIMITED=False,
                        SECRET_KEY=app.config["SECRET_KEY"])
    bp = Blueprint("errtest", __name__)

    def fail(code):
        if code == 500:
            raise RuntimeError("a crash in a view")
        abort(code)

    bp.add_url_rule("/errtest/<int:code>", "page", fail)
    bp.add_url_rule("/api/v1/errtest/<int:code>", "api", fail)
    second.register_blueprint(bp)
    yield second
    with second.app_context():
        from app.extensions import db

        db.session.remove()

        db.engine.dispose()  # its own pool: closed, not left to the garbage collector


def _in(app, locale, lazy):
    with app.test_request_context(), force_locale(locale):
        return str(lazy)


def _switch(browser, locale):
    resp = browser.post(f"/language/{locale}", token_from="/worklists/")
    assert resp.status_code == 302


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_every_error_is_a_portal_page_in_the_users_language(errors_app, locale):
    from app.views.errors import HTTP_MESSAGES, TITLES

    ui = Browser(errors_app.test_client(), "sales1")
    _switch(ui, locale)
    try:
        _pages_in(errors_app, ui, locale, TITLES, HTTP_MESSAGES)
    finally:  # the choice is stored with the user: the other tests' sales1 reads Chinese again
        _switch(ui, "zh")


def _pages_in(errors_app, ui, locale, TITLES, HTTP_MESSAGES):  # noqa: N803 - the module's tables
    for code in CODES:
        resp = ui.get(f"/errtest/{code}", headers={"Referer": "http://localhost/worklists/"})
        page = resp.get_data(as_text=True)
        assert resp.status_code == code
        assert resp.mimetype == "text/html"
        assert f'data-status="{code}"' in page, code
        assert 'id="nav-worklists"' in page and 'id="nav-logout"' in page, code  # the portal's navbar
        assert 'id="error-home"' in page and 'href="/worklists/"' in page, code  # ways back
        title, message = _in(errors_app, locale, TITLES[code]), _in(errors_app, locale, HTTP_MESSAGES[code])
        assert str(escape(title)) in page and str(escape(message)) in page, code
        if locale == "zh":  # really translated, not the English text passed through
            assert title != _in(errors_app, "en", TITLES[code]), code
            assert message != _in(errors_app, "en", HTTP_MESSAGES[code]), code


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_every_error_under_api_is_translated_json(errors_app, locale):
    from app.views.errors import HTTP_MESSAGES

    client = errors_app.test_client()
    for code in CODES:
        resp = client.get(f"/api/v1/errtest/{code}?_l_={locale}")
        assert resp.status_code == code
        assert resp.is_json, code
        assert resp.json["message"] == _in(errors_app, locale, HTTP_MESSAGES[code]), code


def test_signed_out_an_error_page_has_the_layout_and_a_sign_in(errors_app):
    resp = errors_app.test_client().get("/errtest/404")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 404 and 'data-status="404"' in page
    assert 'id="nav-logout"' not in page and "/login/" in page


def test_the_portal_s_own_refusals_use_the_page(app, browsers):
    """What the session app answers by itself: no such URL, a method the route does not take, a
    FAB screen the role may not open, a bad list argument, a body too large."""
    ui = browsers("sales1")
    token = ui.token("/worklists/")
    cases = [
        (404, ui.get("/no-such-page/")),
        (405, ui.client.put("/worklists/", data={"csrf_token": token})),
        (403, ui.get("/users/list/")),
        (400, ui.get("/customerview/list/?page_CustomerView=x")),
        (413, ui.client.post("/training-plan/2026/copy", data={"csrf_token": token, "x": "y" * (3 * 1024 * 1024)})),
    ]
    for code, resp in cases:
        page = resp.get_data(as_text=True)
        assert resp.status_code == code, (code, resp.status_code)
        assert f'data-status="{code}"' in page and 'id="nav-logout"' in page, code
    assert "GET" in cases[1][1].headers["Allow"]


def test_csrf_refusal_is_a_portal_page(app, browsers):
    ui = browsers("sales1")
    csrf_from(ui.get("/worklists/").get_data(as_text=True))
    resp = ui.client.post("/training-plan/2026/copy", data={"csrf_token": "forged"})
    assert resp.status_code == 400
    assert 'data-status="400"' in resp.get_data(as_text=True)
