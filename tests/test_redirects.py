"""Redirect targets chosen by the user (``next``, the Referer) lead only to pages of the portal
(issue 8, item 5): every nasty target against every endpoint that follows one."""

from __future__ import annotations

from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from tests.conftest import PASSWORD, csrf_from

NASTY = [
    "//evil.example", "///evil.example", "////evil.example/x", "/\\evil.example", "\\\\evil.example",
    "\\/evil.example", "/\\/evil.example", "http:evil.example", "https:evil.example",
    "http:/evil.example", "http://evil.example", "https://evil.example/path?q=1",
    "http://localhost.evil.example/", "http://localhost@evil.example/", "http://evil.example\\@localhost/",
    "https://localhost:443@evil.example", "ftp://evil.example", "javascript:alert(1)",
    "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "/\t/evil.example", "/\n/evil.example",
    "\x00//evil.example", "\x01http://evil.example", " //evil.example", "/\r\nSet-Cookie: x=1",
    "/\u2028/evil.example", "evil.example", "%2F%2Fevil.example", "/x" * 2000,
]


def assert_local(resp, where):
    assert resp.status_code in (301, 302, 303), (where, resp.status_code)
    location = resp.headers["Location"]
    target = urlsplit(urljoin("http://localhost/some/page", location))
    assert target.scheme == "http" and target.netloc == "localhost", (where, location)
    assert not location.startswith("//") and "\\" not in location, (where, location)
    assert not [c for c in location if ord(c) < 0x20], (where, location)


@pytest.fixture(scope="module")
def fresh_login(app):
    def _login(next_url=None):
        client = app.test_client()
        token = csrf_from(client.get("/login/").get_data(as_text=True))
        query = {"next": next_url} if next_url is not None else {}
        resp = client.post("/login/", query_string=query,
                           data={"username": "sales3", "password": PASSWORD, "csrf_token": token})
        return client, resp

    return _login


@pytest.fixture(scope="module")
def switchers(app, browsers):
    """A logged-in and an anonymous browser, each with its CSRF token."""
    ui = browsers("sales1")
    anonymous = app.test_client()
    return [(ui.client, ui.token("/users/userinfo/")),
            (anonymous, csrf_from(anonymous.get("/login/").get_data(as_text=True)))]


@pytest.mark.parametrize("target", NASTY)
def test_language_switch_stays_on_the_portal(switchers, target):
    for client, token in switchers:
        by_form = client.post("/language/zh", data={"next": target, "csrf_token": token})
        assert_local(by_form, "form next")
        if "\n" in target:
            continue  # no HTTP header can carry a line break
        by_referer = client.post("/language/zh", data={"csrf_token": token}, headers={"Referer": target})
        assert_local(by_referer, "Referer")


@pytest.mark.parametrize("target", NASTY)
def test_login_next_stays_on_the_portal(app, browsers, fresh_login, target):
    logged_in = browsers("sales1").client.get("/login/", query_string={"next": target})
    assert_local(logged_in, "login page while logged in")
    wrong = app.test_client()
    token = csrf_from(wrong.get("/login/").get_data(as_text=True))
    refused = wrong.post("/login/", query_string={"next": target},
                         data={"username": "sales3", "password": "wrong-Pass-1", "csrf_token": token})
    assert_local(refused, "failed login")
    _, resp = fresh_login(target)
    assert_local(resp, "successful login")


def test_local_targets_are_followed(app, browsers, fresh_login):
    ui = browsers("sales1")
    token = ui.token()
    for target, expected in [("/customerview/list/?_flt_0_name=a", "/customerview/list/?_flt_0_name=a"),
                             ("http://localhost/visitview/list/", "/visitview/list/")]:
        resp = ui.client.post("/language/zh", data={"next": target, "csrf_token": token})
        assert resp.headers["Location"] == expected
        resp = ui.client.post("/language/zh", data={"csrf_token": token}, headers={"Referer": target})
        assert resp.headers["Location"] == expected
    _, resp = fresh_login("/customerview/list/")
    assert resp.headers["Location"] == "/customerview/list/"
    # FAB sends a logged-out visitor to the login page with the full URL as next: still works.
    anonymous = app.test_client().get("/customerview/list/")
    assert anonymous.status_code == 302 and "next=" in anonymous.headers["Location"]
    next_url = parse_qs(urlsplit(anonymous.headers["Location"]).query)["next"][0]
    assert next_url == "http://localhost/customerview/list/"
    _, resp = fresh_login(next_url)
    assert_local(resp, "login from FAB's own next")
    assert urlsplit(resp.headers["Location"]).path == "/customerview/list/"


def test_local_target_rules(app):
    from app.security.redirects import local_target

    with app.test_request_context("/", base_url="http://portal.example"):
        assert local_target("/a/b?c=1#d") == "/a/b?c=1#d"
        assert local_target("/训练计划/2026") == "/训练计划/2026"
        assert local_target("https://portal.example/x?y=1") == "/x?y=1"
        assert local_target("http://portal.example") == "/"
        for target in [*NASTY, "", None, "relative/path", "http://portal.example:8080/x"]:
            assert local_target(target) is None, target


def test_a_redirect_leaving_the_portal_is_replaced_by_the_home_page(app):
    """The last line of defence: whatever view builds the redirect."""
    from flask import redirect

    hook = next(f for f in app.after_request_funcs[None] if f.__name__ == "_only_local_redirects")
    with app.test_request_context("/"):
        for location in ("https://evil.example/", "//evil.example", "javascript:alert(1)", "http:evil.example"):
            assert hook(redirect(location)).headers["Location"] == "/", location
        for location in ("/customerview/list/", ".", "http://localhost/x"):
            assert hook(redirect(location)).headers["Location"] == location
