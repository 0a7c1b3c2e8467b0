"""Edges found by a red-team pass over issue 8's first fixes, each refused cleanly and changing nothing.

Every URL with an id, every sort, every body size and shape, every figure a rule computes with and
every name in a history: what an attacker with a salesperson's login (or a careless administrator)
can send, answered with a 4xx and the portal's own words, never a 500 and never a value the reader's
scope hides.
"""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import urlencode

import pytest

from app.extensions import db
from app.models import AppraisalCycle, ChangeLog, Customer, LeaveRequest, LegalCase, PolicySetting, Quotation
from tests.conftest import employee
from tests.factories import count, fresh, make, settings_form

HUGE_IDS = [str(2**70), str(2**31), "0"]


def _status(call) -> int:
    try:
        return call().status_code
    except Exception as exc:  # noqa: BLE001 - a crash in the view is what this test looks for
        return 500 if not hasattr(exc, "code") else exc.code


# --- every route with an id in its path -------------------------------------------------------

def _routes_with_ids(app):
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items() if type(conv).__name__ == "BoundedIntConverter"]
        if ints and "GET" in rule.methods:
            yield rule, ints


def test_every_id_route_uses_the_bounded_converter(app):
    """No route reads an id with Werkzeug's unbounded ``int`` (FAB's and the portal's alike)."""
    from werkzeug.routing import IntegerConverter

    from app.views.routing import ID_MAX

    for rule in app.url_map.iter_rules():
        for name, conv in rule._converters.items():
            if isinstance(conv, IntegerConverter):
                assert conv.max == ID_MAX, (rule.rule, name)


@pytest.mark.parametrize("pk", HUGE_IDS)
def test_ids_no_row_can_have_are_404_on_every_page(app, browsers, apis, pk):
    seen = 0
    for rule, ints in _routes_with_ids(app):
        url = rule.rule
        for name in ints:
            url = url.replace(f"<int:{name}>", pk)
        url = url.replace("<string:resource>", "customer").replace("<string:step>", "lose")
        if "<" in url:
            continue
        seen += 1
        client = apis("admin") if url.startswith("/api/") else browsers("admin")
        status = _status(lambda u=url, c=client: c.get(u))
        if rule.endpoint.startswith("TrainingPlanView") and pk == "0":
            assert status in (302, 404), (url, status)
            continue
        assert status in (404, 405) if pk != "0" else status in (302, 400, 404, 405), (url, status)
    assert seen > 30


def test_a_training_year_nobody_plans_is_404(browsers):
    for year in ("99999", "2147483647", "1"):
        assert _status(lambda y=year: browsers("hr1").get(f"/training-plan/{y}")) == 404, year


# --- sorting and list arguments ---------------------------------------------------------------

@pytest.mark.parametrize("column", ["owner.phone", "owner.user.email", "owner.user.password", "__class__",
                                    "credit_limit.x", "version"])
def test_a_list_sorts_only_by_the_columns_it_offers(app, browsers, column):
    """Sorting by a hidden related column told the order of values the reader may not see."""
    resp = browsers("sales1").get(f"/customerview/list/?_oc_CustomerView={column}&_od_CustomerView=asc")
    assert resp.status_code == 400, column


def test_every_offered_sort_works(app, browsers):
    with app.test_request_context():
        view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "CustomerView")
        columns = list(view.order_columns)
    assert columns
    for column in columns:
        resp = browsers("sales1").get(f"/customerview/list/?_oc_CustomerView={column}&_od_CustomerView=desc")
        assert resp.status_code == 200, column


@pytest.mark.parametrize("url", [
    "/users/list/?_oc_UserDBModelView=password&_od_UserDBModelView=asc",
    "/users/list/?page_UserDBModelView=abc",
    "/roles/list/?psize_RoleModelView=abc",
    "/changelogview/list/?_oc_ChangeLogView=changes&_od_ChangeLogView=asc",
    "/changelogview/list/?page_ChangeLogView=abc",
])
def test_fab_and_audit_screens_refuse_bad_list_arguments(browsers, url):
    assert _status(lambda: browsers("admin").get(url)) == 400, url


def test_record_page_with_bad_arguments_of_its_related_lists_is_400(app, browsers):
    with app.app_context():
        pk = make(Customer, employee("sales1")).id
    ui = browsers("sales1")
    for args in ("psize_VisitView=abc", "page_VisitView=abc", "_oc_VisitView=__class__&_od_VisitView=asc"):
        for page in ("show", "edit"):
            status = _status(lambda a=args, p=page: ui.get(f"/customerview/{p}/{pk}?{a}"))
            assert status in (200, 400), (page, args, status)
    assert _status(lambda: ui.get(f"/customerview/show/{pk}")) == 200


@pytest.mark.parametrize("pk", ["abc", str(2**70), "0", ""])
def test_admin_password_reset_for_no_user_is_404(app, browsers, pk):
    from app.security.manager import PortalSecurityManager  # noqa: F401 - the view under test

    admin = browsers("admin")
    with app.app_context():
        users = db.session.execute(db.text("select count(*) from ab_user")).scalar()
    resp = admin.post(f"/resetpassword/form?pk={pk}",
                      data={"password": "Pw-good-2026-x", "conf_password": "Pw-good-2026-x"},
                      token_from="/users/list/")
    assert resp.status_code == 404, resp.status_code
    with app.app_context():
        assert db.session.execute(db.text("select count(*) from ab_user")).scalar() == users


# --- bodies -----------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/api/v1/customer/", "/api/v1/security/login", "/api/v1/security/refresh"])
def test_json_nested_deeper_than_the_parser_goes_is_400(app, apis, url):
    before = count(app, Customer)
    resp = apis("sales1").post(url, data="[" * 50_000 + "]" * 50_000, content_type="application/json")
    assert resp.status_code in (400, 401) and resp.is_json, (resp.status_code, resp.get_data(as_text=True)[:200])
    assert count(app, Customer) == before


def test_a_body_beyond_two_megabytes_is_413(app, apis):
    before = count(app, Customer)
    body = json.dumps({"code": "BIG-1", "name": "x" * (3 * 1024 * 1024)})
    resp = apis("sales1").post("/api/v1/customer/", data=body, content_type="application/json")
    assert resp.status_code == 413 and resp.is_json
    assert count(app, Customer) == before


@pytest.mark.parametrize("body", ["[1, 2]", "5", "\"lose\"", "null"])
def test_workflow_step_body_that_is_no_object_is_400(app, apis, body):
    with app.app_context():
        pk = make(Customer, employee("sales1")).id
        before = fresh(app, Customer, pk, "stage", "version")
    resp = apis("sales1").post(f"/api/v1/workflow/customer/{pk}/lose", data=body,
                               content_type="application/json")
    assert resp.status_code == 400 and resp.is_json, resp.get_data(as_text=True)
    assert fresh(app, Customer, pk, "stage", "version") == before


@pytest.mark.parametrize("username", ["sales1\x00", "sales\ud8001", "\x00"])
def test_sign_in_with_characters_no_login_can_have_is_a_failed_attempt(app, username):
    """A NUL or an unpaired surrogate answered 500 (PostgreSQL cannot even look it up)."""
    client = app.test_client()
    body = json.dumps({"username": username, "password": "x\ud800\x00", "provider": "db"})
    resp = client.post("/api/v1/security/login", data=body, content_type="application/json")
    assert resp.status_code == 401 and resp.is_json, resp.get_data(as_text=True)
    page = client.get("/login/").get_data(as_text=True)
    from tests.conftest import csrf_from

    form = urlencode({"username": username.encode("utf-8", "surrogatepass"), "password": b"x\x00",
                      "csrf_token": csrf_from(page)})
    resp = client.post("/login/", data=form, content_type="application/x-www-form-urlencoded")
    assert resp.status_code in (200, 302) and "access_token" not in resp.get_data(as_text=True)


@pytest.mark.parametrize("provider", ["ldap", "oauth", "", 5])
def test_api_sign_in_offers_only_passwords(app, provider):
    body = {"username": "sales1", "password": "whatever", "provider": provider}
    resp = app.test_client().post("/api/v1/security/login", json=body)
    assert resp.status_code == 400 and set(resp.json["message"]) == {"provider"}, resp.json


# --- values a rule computes with --------------------------------------------------------------

@pytest.mark.parametrize(("field", "value"), [("start_date", "0001-01-01"), ("end_date", "9999-12-31"),
                                              ("start_date", "1899-12-31")])
def test_dates_outside_a_factorys_calendar_are_refused(app, apis, field, value):
    with app.app_context():
        me = employee("sales1").id
    body = {"employee": me, "leave_type": "annual", "start_date": "2027-03-01", "end_date": "2027-03-02",
            "days": "2", "reason": "家事"}
    before = count(app, LeaveRequest)
    resp = apis("sales1").post("/api/v1/leaverequest/", json=dict(body, **{field: value}))
    assert resp.status_code == 422 and set(resp.json["message"]) == {field}, resp.get_data(as_text=True)
    assert count(app, LeaveRequest) == before


def test_free_text_has_a_length_limit(app, apis):
    with app.app_context():
        pk = make(Quotation, employee("sales1")).id
    before = fresh(app, Quotation, pk, "note", "version")
    resp = apis("sales1").put(f"/api/v1/quotation/{pk}", json={"note": "长" * 20_001})
    assert resp.status_code == 422 and set(resp.json["message"]) == {"note"}, resp.get_data(as_text=True)
    assert fresh(app, Quotation, pk, "note", "version") == before
    resp = apis("sales1").put(f"/api/v1/quotation/{pk}", json={"note": "长" * 20_000})
    assert resp.status_code == 200, resp.get_data(as_text=True)


@pytest.mark.parametrize(("key", "value"), [
    ("notice_days_before_due", "3000000"), ("dunning_level_days", "15,30,60,3000000"),
    ("risk_red_days", "99999999"), ("risk_overdue_share", "101"), ("ticket_due_days", "critical:1,major:3,minor:9999"),
    ("contract_finance_threshold", "1e30"), ("contract_finance_threshold", "100.001"),
    ("risk_late_window_months", "0"), ("leave_notice_days", "-1"),
])
def test_a_figure_beyond_what_its_rules_compute_with_is_refused(app, browsers, key, value):
    before = _policy_rows(app)
    resp = browsers("admin").post("/settings/", data={"key": key, "value": value})
    assert resp.status_code == 422, (key, value)
    assert _policy_rows(app) == before
    assert browsers("admin").get("/").status_code == 200


def _policy_rows(app):
    with app.app_context():
        return sorted((r.key.name, r.value) for r in db.session.query(PolicySetting))


def test_appraisal_settings_beyond_their_range_are_refused_quickly(app, browsers):
    with app.app_context():
        pk = make(AppraisalCycle, employee("hr1")).id
    form = settings_form()
    hr = browsers("hr1")
    for bad in ({"bonus_base": "1e999999"}, {"bonus_base": "10000000000"}, {"complaint_target": "-1e12"}):
        resp = hr.post(f"/appraisal/{pk}/settings", data=form | bad, token_from=f"/appraisal/{pk}")
        assert resp.status_code == 422, bad
    assert fresh(app, AppraisalCycle, pk, "settings") == {"settings": None}


# --- pages that are no pages ------------------------------------------------------------------

def test_fabs_get_language_switch_is_gone(app, browsers):
    """``GET /lang/en`` switched the language without CSRF; the portal's switch is a POST."""
    ui = browsers("sales1")
    assert ui.get("/lang/en").status_code == 404
    assert ui.get("/").status_code == 200


def test_api_info_names_validators_not_objects(apis):
    resp = apis("sales1").get("/api/v1/customer/_info")
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and " object at 0x" not in text, text[:500]


# --- who wrote a history entry ----------------------------------------------------------------

def test_history_hides_who_the_reader_may_not_read(app, apis, browsers):
    """A finance clerk's name on the history of a salesperson's legal case is an employee outside
    the salesperson's scope (Employee: own team): shown hidden, like any reference to such a row;
    finance, who reads every employee, sees it."""
    with app.app_context():
        pk = make(LegalCase, employee("sales1")).id
        finance_login = employee("finance1").user.username
    resp = apis("finance1").put(f"/api/v1/legalcase/{pk}", json={"notes": "已立案"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    with app.app_context():
        entry = db.session.query(ChangeLog).filter_by(entity="LegalCase", row_id=pk).order_by(
            ChangeLog.id.desc()).first()
        assert entry.username == finance_login
    own = browsers("sales1").get(f"/legalcaseview/show/{pk}")
    assert own.status_code == 200 and "已立案" in own.get_data(as_text=True)
    assert f">{finance_login}<" not in own.get_data(as_text=True)
    theirs = browsers("finance1").record(f"/legalcaseview/show/{pk}")
    assert f">{finance_login}<" in theirs


def test_dates_in_range_still_work(app, apis):
    with app.app_context():
        me = employee("sales1").id
    start = date(2199, 12, 30)
    body = {"employee": me, "leave_type": "annual", "start_date": start.isoformat(),
            "end_date": "2199-12-31", "days": "2", "reason": "家事"}
    resp = apis("sales1").post("/api/v1/leaverequest/", json=body)
    assert resp.status_code == 201, resp.get_data(as_text=True)


@pytest.mark.commits  # a live server's threads see only committed rows
def test_a_request_line_past_the_servers_limit_is_414_and_documented(app, apis):
    """The HTTP server refuses a request line past its limit before the portal runs (schemathesis
    sent such a query string): a 414, never a crash, and every operation of the spec says so."""
    import http.client
    from contextlib import closing

    from tests.live import serve

    spec = apis("admin").get("/api/v1/_openapi").json
    operations = [op for item in spec["paths"].values() for op in item.values()
                  if isinstance(op, dict) and "responses" in op]
    assert operations and all("414" in op["responses"] for op in operations)
    with serve(app) as base:
        host, port = base.removeprefix("http://").split(":")
        with closing(http.client.HTTPConnection(host, int(port), timeout=30)) as conn:
            conn.request("GET", "/api/v1/customer/?q=" + "a" * 70_000)
            response = conn.getresponse()
            response.read()
            assert response.status == 414
