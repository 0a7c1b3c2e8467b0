"""Signed out, every route the portal adds itself (issue 9, item 1) sends a browser to the sign-in
page with ``next`` and an API client a 401, like FAB's generated views; after signing in the
browser lands on the page it asked for. The routes are read from ``app.url_map``: whatever view
is added later is covered without editing this file."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.routing import IntegerConverter

from tests.conftest import PASSWORD, csrf_from

# Endpoints of the portal's own code that are open to everyone, on purpose: signing in and out,
# the API's sign-in and token refresh, the language switch (the sign-in page offers it), FAB's
# GET language switch (refused with 404 for everyone, views/language.py) and the start page
# (the public list of chapters; the dashboards need a sign-in).
PUBLIC = {
    "PortalAuthDBView.login", "PortalAuthDBView.logout", "PortalSecurityApi.login",
    "PortalSecurityApi.logout", "PortalSecurityApi.refresh", "LanguageView.switch",
    "LocaleView.index", "PortalIndexView.index",
}
SAFE = ("GET", "HEAD")
# The API's catch-all for a record URL whose id is no integer: no such URL, 404 for everyone
# (views/api_contract.py), signed in or not.
NO_SUCH_URL = ".get_not_an_id"


def _own_routes(app):
    """(endpoint, method, URL) of every route whose view is the portal's own code: not FAB's
    generated or security views, not static files."""
    routes = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint in PUBLIC or not view.__module__.startswith("app."):
            continue
        values = {arg: 1 if isinstance(conv, IntegerConverter) else "x"
                  for arg, conv in rule._converters.items()}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, url))
    return routes


def test_the_enumeration_finds_the_custom_pages(app):
    endpoints = {endpoint for endpoint, _m, _u in _own_routes(app)}
    # The pages the issue names are among them (a change to the filter cannot drop them all).
    for expected in ("WorklistView.index", "WorklistView.export", "TrainingPlanYearView.year",
                     "AppraisalView.cycle", "WorkflowView.step", "ViolationPenaltyView.propose",
                     "WorkflowApi.take", "SettingsView.show", "CustomerView.export"):
        assert expected in endpoints
    assert len(endpoints) > 60


def test_signed_out_every_own_route_asks_for_a_sign_in(app):
    client = app.test_client()
    token = csrf_from(client.get("/login/").get_data(as_text=True))
    for endpoint, method, url in _own_routes(app):
        kw = {"data": {"csrf_token": token}} if method not in SAFE and not url.startswith("/api/") else {}
        resp = client.open(url, method=method, **kw)
        where = (endpoint, method, url, resp.status_code)
        if endpoint.endswith(NO_SUCH_URL):
            assert resp.status_code == 404 and resp.is_json, where
            continue
        if url.startswith("/api/"):
            assert resp.status_code == 401, where
            assert resp.is_json and resp.json["message"], where
            continue
        assert resp.status_code == 302, where
        target = urlsplit(resp.headers["Location"])
        assert target.path == "/login/", where
        if method in SAFE:
            # FAB's own views put the whole URL of this host into ``next``, the portal's its path.
            assert parse_qs(target.query)["next"][0].removeprefix("http://localhost") == url, where


def test_after_signing_in_the_page_asked_for_opens(app):
    for url in ("/worklists/", "/worklists/late-leave", "/worklists/attendance-exceptions", "/attendanceview/list/?psize_AttendanceView=25"):
        client = app.test_client()
        to_login = client.get(url)
        assert to_login.status_code == 302
        login_page = client.get(to_login.headers["Location"])
        assert login_page.status_code == 200
        resp = client.post(to_login.headers["Location"],
                           data={"username": "hr1", "password": PASSWORD,
                                 "csrf_token": csrf_from(login_page.get_data(as_text=True))})
        assert resp.status_code == 302
        assert resp.headers["Location"].removeprefix("http://localhost") == url
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/workflow/customer/1/x", "/appraisal/1/settings"])
def test_a_form_posted_signed_out_comes_back_to_its_page(app, url):
    client = app.test_client()
    token = csrf_from(client.get("/login/").get_data(as_text=True))
    resp = client.post(url, data={"csrf_token": token}, headers={"Referer": "http://localhost/appraisal/"})
    assert resp.status_code == 302
    assert parse_qs(urlsplit(resp.headers["Location"]).query)["next"] == ["/appraisal/"]
