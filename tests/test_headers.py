"""Security headers on every kind of response (issue 8, item 5): the Content-Security-Policy and
its nonce, framing, sniffing, referrer, no-store where business data is, and the production
profile's HSTS and Secure cookies."""

from __future__ import annotations

import re
from pathlib import Path

import flask_appbuilder
import pytest

from app.security.headers import STYLE_ATTRIBUTES

FAB_TEMPLATES = Path(flask_appbuilder.__file__).parent / "templates"
OUR_TEMPLATES = Path(__file__).resolve().parents[1] / "app" / "templates"
EXTERNAL = re.compile(r"(?:https?:|wss?:|//|\*)")
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.I)


def csp(resp) -> dict[str, list[str]]:
    header = resp.headers.get("Content-Security-Policy")
    assert header, f"no CSP on {resp.request.path}"
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def assert_headers(resp, *, no_store=True):
    policy = csp(resp)
    scripts = policy["script-src"]
    assert "'self'" in scripts
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert any(v.startswith("'nonce-") for v in scripts)
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    for name, values in policy.items():  # nothing may come from outside the portal
        assert not [v for v in values if EXTERNAL.match(v)], (name, values)
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in resp.headers  # testing profile, plain HTTP
    if no_store:
        assert resp.headers["Cache-Control"] == "no-store"
    else:
        assert "no-store" not in resp.headers.get("Cache-Control", "")


def assert_page(resp):
    """An HTML page: every script carries the header's nonce, no inline event handler, and every
    style attribute is one the policy allows by hash."""
    assert_headers(resp)
    html = resp.get_data(as_text=True)
    nonce = next(v for v in csp(resp)["script-src"] if v.startswith("'nonce-"))[7:-1]
    tags = SCRIPT_TAG.findall(html)
    assert tags
    assert all(f'nonce="{nonce}"' in tag for tag in tags), [t for t in tags if nonce not in t]
    assert not INLINE_HANDLER.findall(html)
    assert "javascript:" not in html
    styles = set(re.findall(r'\sstyle="([^"]*)"', html))
    assert styles <= set(STYLE_ATTRIBUTES), styles - set(STYLE_ATTRIBUTES)


HTML_PAGES = {
    "sales1": ["/", "/customerview/list/", "/customerview/add", "/users/userinfo/", "/resetmypassword/form",
               "/worklists/"],
    "hr1": ["/", "/appraisal/", "/leaverequestview/list/", "/trainingplanview/list/"],
    "finance1": ["/", "/receivableview/list/"],
    "admin": ["/", "/users/list/", "/users/add", "/roles/list/", "/permissions/list/", "/viewmenus/list/",
              "/permissionviews/list/", "/settings/", "/permission-grid/", "/swagger/v1", "/changelogview/list/"],
}


@pytest.mark.parametrize("user", list(HTML_PAGES))
def test_html_pages(browsers, user):
    ui = browsers(user)
    for url in HTML_PAGES[user]:
        resp = ui.get(url, follow_redirects=True)
        assert resp.status_code == 200, url
        assert_page(resp)


def test_record_pages_and_forms(app, browsers, org):
    ui = browsers("admin")
    for url in (f"/employeeview/show/{org.employees['sales1']}", f"/employeeview/edit/{org.employees['sales1']}",
                "/users/show/1", "/users/edit/1", "/roles/show/1", "/roles/edit/1"):
        resp = ui.get(url)
        assert resp.status_code == 200, url
        assert_page(resp)


def test_login_page_and_redirects(app):
    client = app.test_client()
    login = client.get("/login/")
    assert login.status_code == 200
    assert_page(login)
    redirect = client.get("/customerview/list/")
    assert redirect.status_code == 302
    assert_headers(redirect)


def test_api_answers(app, apis):
    listing = apis("sales1").get("/api/v1/customer/")
    assert listing.status_code == 200 and listing.is_json
    assert_headers(listing)
    assert_headers(apis("sales1").get("/api/v1/customer/999999999"))  # 404 JSON
    anonymous = app.test_client().get("/api/v1/customer/")
    assert anonymous.status_code == 401
    assert_headers(anonymous)


def test_errors(app, browsers):
    ui = browsers("sales1")
    missing = ui.get("/no-such-page")
    assert missing.status_code == 404
    assert_headers(missing)
    not_allowed = ui.get("/language/en")  # the switch is POST only
    assert not_allowed.status_code == 405
    assert_headers(not_allowed)
    no_token = ui.client.post("/customerview/add", data={"name": "x"})  # CSRF refusal
    assert no_token.status_code == 400
    assert_headers(no_token)


def test_downloads_and_static_files(app, browsers):
    export = browsers("sales1").get("/customerview/export.xlsx")
    assert export.status_code == 200
    assert export.mimetype.endswith("spreadsheetml.sheet")
    assert_headers(export)
    client = app.test_client()
    for url in ("/static/css/portal.css", "/static/appbuilder/js/ab.js"):
        with client.get(url) as resp:
            assert resp.status_code == 200
            assert_headers(resp, no_store=False)  # static files may be cached (they revalidate)


def test_every_literal_style_attribute_of_the_templates_is_allowed():
    """FAB's templates (an upgrade may add some) and ours: a style attribute the policy does not
    list would be refused by the browser. FAB's chart widgets are left out: no chart view is
    registered (see test_no_view_loads_from_the_internet)."""
    found = set()
    for root in (FAB_TEMPLATES, OUR_TEMPLATES):
        for path in root.rglob("*.html"):
            if "chart" in path.name:
                continue
            for value in re.findall(r'\sstyle="(\{\{.*?\}\}|[^"]*)"', path.read_text()):
                if "{{" in value:  # show.html / edit.html: "display: none;" or ""
                    assert value.replace(" ", "") == '{{"display:none;"ifnotrelated_viewselse""}}', path
                    continue
                found.add(value)
    assert found <= set(STYLE_ATTRIBUTES), found - set(STYLE_ATTRIBUTES)
    # Ours carry none at all: the portal's styles live in static/css/portal.css.
    assert not [p.name for p in OUR_TEMPLATES.rglob("*.html") if re.search(r'\sstyle="', p.read_text())]


def test_no_template_carries_inline_code_without_the_nonce():
    """No inline event handler or javascript: link, and every <script> asks for the nonce, in FAB's
    templates and ours (the rendered pages above are checked the same way)."""
    offenders = []
    for root in (FAB_TEMPLATES, OUR_TEMPLATES):
        for path in root.rglob("*.html"):
            text = path.read_text()
            if INLINE_HANDLER.search(text) or "javascript:" in text:
                offenders.append(str(path))
            offenders += [f"{path}: {tag}" for tag in SCRIPT_TAG.findall(text) if "get_nonce()" not in tag]
    assert not offenders, offenders


def test_no_view_loads_from_the_internet(app):
    """FAB's chart views (Google Charts from gstatic.com) are not registered, the user statistics
    chart included."""
    from flask_appbuilder.charts.views import BaseChartView

    assert not [v for v in app.appbuilder.baseviews if isinstance(v, BaseChartView)]
    assert not [r.rule for r in app.url_map.iter_rules() if "chart" in r.rule.lower()]


def _production_app(app, **extra):
    from app import create_app

    return create_app("config", APP_ENV="production", TESTING=True, RATELIMIT_ENABLED=False,
                      AUTH_RATE_LIMITED=False, SESSION_COOKIE_SECURE=False,  # the profile forces it
                      SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                      SECRET_KEY=app.config["SECRET_KEY"], **extra)


def test_production_profile_adds_hsts_and_secure_cookies(app):
    from tests.conftest import PASSWORD, csrf_from

    prod = _production_app(app)
    try:
        client = prod.test_client()
        https = client.get("/login/", base_url="https://portal.example")
        assert https.headers["Strict-Transport-Security"] == "max-age=31536000"
        proxied = client.get("/login/", headers={"X-Forwarded-Proto": "https"})
        assert proxied.headers["Strict-Transport-Security"] == "max-age=31536000"
        # HSTS means nothing over plain HTTP (RFC 6797 8.1): not sent there.
        assert "Strict-Transport-Security" not in client.get("/login/").headers
        token = csrf_from(https.get_data(as_text=True))
        resp = client.post("/login/", base_url="https://portal.example",
                           headers={"Referer": "https://portal.example/login/"},  # Flask-WTF over HTTPS
                           data={"username": "sales1", "password": PASSWORD, "csrf_token": token})
        assert resp.status_code == 302
        cookie = resp.headers["Set-Cookie"]
        assert cookie.startswith("session=")
        flags = {f.strip().lower() for f in cookie.split(";")[1:]}
        assert {"secure", "httponly", "samesite=lax"} <= flags
        assert prod.config["REMEMBER_COOKIE_SECURE"] is True
    finally:
        with prod.app_context():
            from app.extensions import db

            db.session.remove()
            db.engine.dispose()


def test_development_cookies_are_not_secure(app):
    """Outside production the session cookie works over plain HTTP (local use, tests)."""
    assert app.config["SESSION_COOKIE_SECURE"] is False
