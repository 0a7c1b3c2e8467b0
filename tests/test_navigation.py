"""Finding the screens and moving between records (issue 9, item 6): the year view of the training
plan and the scorecards in the menu, references on record pages as links when readable, a
breadcrumb and a title of its own on every page."""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import urljoin, urlsplit

import pytest
from flask import g, template_rendered
from flask_babel import force_locale

from app import models as m
from app.extensions import db
from app.registry import MATRIX, SCREENS
from tests.conftest import USERS, employee
from tests.factories import make

ROLES = ("sales1", "supervisor1", "finance1", "hr1", "admin")
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
CRUMBS = re.compile(r'<ol class="breadcrumb" id="breadcrumb">(.*?)</ol>', re.S)
REF = re.compile(r'<a class="portal-ref" data-ref="(\w+)" href="([^"]+)">')


@pytest.fixture(scope="module")
def plan(app):
    with app.app_context():
        plan = make(m.TrainingPlan, employee("hr1"))
        cycle = make(m.AppraisalCycle, employee("hr1"))
        make(m.ConductViolation, employee("sales1"))  # its record page links to a custom page
        return plan.year, cycle.id


@pytest.mark.parametrize("username", ROLES)
def test_menu_offers_the_screens_a_role_may_open_and_every_link_answers(app, browsers, plan, username):
    from flask import url_for

    client = browsers(username)
    home = client.get("/")
    body = home.get_data(as_text=True)
    role = USERS[username][0]
    with app.test_request_context():
        urls = {s.name: url_for(s.endpoint) for s in SCREENS}
    for screen in SCREENS:
        may = all(MATRIX[role][entity]["read"] is not None for entity in screen.entities)
        assert (f'href="{urls[screen.name]}"' in body) is may, (username, screen.name)
    links = set(re.findall(r'<li><a[^>]* href="(/[^"#]*)"', body.split('id="breadcrumb"')[0]))
    assert links, username
    for href in links:
        resp = client.client.get(href, follow_redirects=True)
        assert resp.status_code == 200, (username, href, resp.status_code)


def test_readable_references_are_links_and_hidden_ones_are_not(app, browsers):
    with app.app_context():
        receivable = make(m.Receivable, employee("sales1"))
        rec_url = f"/receivableview/show/{receivable.id}"
        cust_url = f"/customerview/show/{receivable.customer_id}"
        # An integrity record of sales1 naming sales1's customer: HR reads the record, not the customer.
        record = make(m.IntegrityRecord, employee("sales1"), customer_id=receivable.customer_id)
        record_url = f"/integrityrecordview/show/{record.id}"
        emp_url = f"/employeeview/show/{record.employee_id}"
    for user in ("sales1", "finance1", "supervisor1"):
        page = browsers(user).get(rec_url)
        assert page.status_code == 200
        refs = REF.findall(page.get_data(as_text=True))
        assert ("Customer", cust_url) in refs, (user, refs)
        for _entity, href in refs:
            assert browsers(user).get(href).status_code == 200, (user, href)
    page = browsers("hr1").get(record_url)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and cust_url not in body
    assert "Customer" not in [e for e, _ in REF.findall(body)]
    assert ("Employee", emp_url) in REF.findall(body)  # HR reads the employee: a link
    assert _hidden(app) in body
    assert browsers("hr1").get(cust_url).status_code in (302, 403, 404)


def _hidden(app) -> str:
    from app.display import MSG_HIDDEN

    with app.test_request_context():
        return str(MSG_HIDDEN)


@pytest.mark.parametrize("username", ROLES)
def test_every_page_has_a_breadcrumb_and_its_own_title(app, browsers, plan, username):
    """Crawl as in test_crawl: each page has a breadcrumb starting at Home, a title ending with the
    app's name, and pages of different URL shapes have different titles."""
    client = browsers(username).client
    queue, seen, shapes, visited = deque(["/"]), {"/"}, Counter(), 0
    titles: dict[str, set[str]] = {}
    skip = re.compile(r"/logout|/lang|/language/|/delete/|/action|/static/|/swagger|/api/|export|javascript:")
    with app.test_request_context(), force_locale("zh"):  # the crawl's pages are in the default
        app_name = str(app.config["APP_NAME"])
    while queue and visited < 250:
        url = queue.popleft()
        resp = client.get(url)
        visited += 1
        if resp.status_code != 200 or resp.mimetype != "text/html":
            continue
        body = resp.get_data(as_text=True)
        crumbs = CRUMBS.search(body)
        assert crumbs, (username, url)
        assert crumbs.group(1).count("<li") >= (1 if url == "/" else 2), (username, url)
        title = TITLE.search(body).group(1).strip()
        assert title.endswith(f"· {app_name}") and title != app_name, (username, url, title)
        shape = re.sub(r"\d+", "N", urlsplit(url).path)
        titles.setdefault(title, set()).add(shape)
        for href in re.findall(r'href="([^"#]+)"', body):
            parts = urlsplit(urljoin(url, href.replace("&amp;", "&")))
            if parts.netloc and parts.netloc != "localhost":
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if skip.search(path) or path in seen:
                continue
            s = re.sub(r"\d+", "N", parts.path)
            if shapes[s] >= 1:
                continue
            shapes[s] += 1
            seen.add(path)
            queue.append(path)
    assert visited > 20
    shared = {t: s for t, s in titles.items() if len(s) > 1}
    assert not shared, (username, shared)


def test_a_record_page_passes_its_parts_to_its_template_not_through_flask_g(app, browsers):
    """The record page's row (named by the breadcrumb), Edit, workflow and history reach its
    template as the view's context; nothing of the page is left on ``flask.g`` (only per-request
    caches: ``_portal_*`` and the user names of ``app.display``)."""
    with app.app_context():
        pk = make(m.Customer, employee("sales1"), name="上下文客户").id
    seen = []

    def capture(sender, template, context, **extra):
        if template.name == "portal/show.html":
            on_g = vars(g._get_current_object())
            seen.append((context, sorted(k for k, v in on_g.items() if v is context.get("page_record") or (
                k.startswith("portal") and k != "portal_user_names"))))

    with template_rendered.connected_to(capture, app):
        resp = browsers("sales1").get(f"/customerview/show/{pk}")
    assert resp.status_code == 200
    [(context, on_g)] = seen
    assert on_g == []
    assert context["page_record"].id == pk and context["record_writable"] is True
    assert context["record_workflow"]["pk"] == pk and context["record_history"]
    body = resp.get_data(as_text=True)
    assert "上下文客户</li>" in CRUMBS.search(body).group(1) and 'id="edit-record"' in body


# --- 3.2.2: a department's sign-off is recorded by that department's user --------------------------


def _reviews(app, order_id):
    with app.app_context():
        return [(r.department.name, r.reviewer_id) for r in
                db.session.query(m.OrderReview).filter_by(order_id=order_id).order_by(m.OrderReview.id)]


def _not_signer(app) -> str:
    from app.rules import MSG_NOT_SIGNER

    with app.test_request_context():
        return str(MSG_NOT_SIGNER)


@pytest.fixture()
def order(app):
    with app.app_context():
        return make(m.SalesOrder, employee("sales1")).id


def test_supervisor_cannot_record_finance_sign_off_by_form_or_api(app, browsers, apis, order):
    form = {"order": str(order), "department": "finance", "verdict": "feasible",
            "reviewed_on": "2026-11-20"}
    resp = browsers("supervisor1").post("/orderreviewview/add", data=form)
    assert resp.status_code == 200 and _not_signer(app) in resp.get_data(as_text=True)
    assert _reviews(app, order) == []
    body = {"order": order, "department": "finance", "verdict": "feasible", "reviewed_on": "2026-11-20"}
    resp = apis("supervisor1").post("/api/v1/orderreview/", json=body)
    assert resp.status_code == 422 and list(resp.json["message"]) == ["department"], resp.json
    assert _reviews(app, order) == []


def test_finance_records_its_sign_off_and_who_signed(app, browsers, apis, order):
    with app.app_context():
        finance, supervisor = employee("finance1").id, employee("supervisor1").id
    body = {"order": order, "department": "finance", "verdict": "feasible", "reviewed_on": "2026-11-20"}
    assert apis("finance1").post("/api/v1/orderreview/", json=body).status_code == 201
    assert _reviews(app, order) == [("finance", finance)]
    # The signer is who records it: a body cannot name someone else.
    resp = apis("supervisor1").post("/api/v1/orderreview/", json=dict(body, department="production",
                                                                     reviewer=finance))
    assert resp.status_code in (400, 422) and _reviews(app, order) == [("finance", finance)]
    resp = browsers("supervisor1").post("/orderreviewview/add", data={
        "order": str(order), "department": "production", "verdict": "feasible",
        "reviewed_on": "2026-11-20", "reviewer": str(finance)})
    assert resp.status_code == 302
    assert _reviews(app, order) == [("finance", finance), ("production", supervisor)]
    # Nor can a supervisor change finance's sign-off afterwards.
    with app.app_context():
        pk = db.session.query(m.OrderReview.id).filter_by(order_id=order, department="finance").scalar()
    resp = apis("supervisor1").put(f"/api/v1/orderreview/{pk}", json={"verdict": "not_feasible"})
    assert resp.status_code in (403, 404, 422)
    with app.app_context():
        assert db.session.get(m.OrderReview, pk).verdict.name == "feasible"


def _setting(app):
    from app.models import PolicyKey, PolicySetting

    with app.app_context():
        row = db.session.query(PolicySetting).filter_by(key=PolicyKey.order_review_signers).first()
        return row.value if row else None


def test_administrator_names_who_may_sign_for_a_department(app, browsers, apis, order):
    with app.app_context():
        supervisor, finance = employee("supervisor1").id, employee("finance1").id
    admin = browsers("admin")
    page = admin.get("/settings/").get_data(as_text=True)
    assert 'id="signers-finance"' in page and 'id="signers-quality"' in page
    body = {"order": order, "department": "finance", "verdict": "feasible", "reviewed_on": "2026-11-20"}
    try:
        # Refused values change nothing.
        for bad in ("finance:abc", "nowhere:1", "finance:", "finance:999999999", "finance:1,finance:2"):
            resp = admin.post("/settings/", data={"key": "order_review_signers", "value": bad})
            assert resp.status_code == 422 and _setting(app) is None, bad
        resp = admin.post("/settings/", data={"key": "order_review_signers", "signers-finance": [str(supervisor)],
                                              "signers-quality": [str(finance)]})
        assert resp.status_code == 302 and _setting(app) == f"quality:{finance},finance:{supervisor}"  # department order
        # Named for finance: supervisor1 may now sign for it, and is recorded as the signer.
        assert apis("supervisor1").post("/api/v1/orderreview/", json=body).status_code == 201
        assert _reviews(app, order) == [("finance", supervisor)]
        # Quality now has a named signer: others may no longer record its sign-off.
        resp = apis("supervisor1").post("/api/v1/orderreview/", json=dict(body, department="quality"))
        assert resp.status_code == 422 and _reviews(app, order) == [("finance", supervisor)]
        assert apis("finance1").post("/api/v1/orderreview/", json=dict(body, department="quality")).status_code == 201
        assert _reviews(app, order) == [("finance", supervisor), ("quality", finance)]
    finally:
        admin.post("/settings/", data={"key": "order_review_signers", "value": ""})
    assert _setting(app) is None


def _menu(page) -> str:
    """The menu bar's menu (left of the language switch and the user menu)."""
    body = page.get_data(as_text=True)
    return body.split('<ul class="nav navbar-nav">', 1)[1].split("navbar-right", 1)[0]


def test_the_menu_follows_a_change_of_rights_at_once(app, browsers):
    """The menu is kept per set of rights (app/views/menu.py): a right taken from a role hides its
    item on the next page, with no cache to clear."""
    from flask import url_for

    client = browsers("sales1")
    with app.test_request_context():
        url = url_for("CustomerView.list")
        item = next(child for top in app.appbuilder.menu.get_list() for child in top.childs
                    if child and child.name != "-" and child.get_url() == url)
    assert f'href="{url}"' in _menu(client.get("/"))
    with app.app_context():
        sm = app.appbuilder.sm
        sm.del_permission_role(sm.find_role("Salesperson"), sm.find_permission_view_menu("menu_access", item.name))
    assert f'href="{url}"' not in _menu(client.get("/"))
    assert f'href="{url}"' in _menu(browsers("supervisor1").get("/"))  # another role keeps it
