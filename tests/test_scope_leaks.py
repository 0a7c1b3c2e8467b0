"""Row scope leaks (4.2.1): sales1 reaches none of sales2's rows by any path.

Rows exist for sales1 and sales3 (team A, supervisor1) and sales2 (team B) on an owner-anchored
entity (Customer), children anchored through the customer (Visit, SalesOrder) and an
employee-anchored entity (LeaveRequest). Every path a browser or API client can take to a row is
tried: lists and searches, record pages, forms and their pickers, search dropdowns, bulk actions,
the REST API and its ``_info`` metadata, ids posted in bodies, and reassigning the owner.
Every refused write re-reads the database to prove nothing changed.
"""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm import RelationshipDirection

from app.extensions import db
from app.models import Customer, Employee, LeaveRequest, SalesOrder, Visit
from app.registry import BY_NAME, ENTITIES, MATRIX
from app.workflow import form_columns
from tests.conftest import employee
from tests.factories import count, fresh, make

# Marks this module's rows: its customers are made once for the module (``rows``, rolled back after
# its last test) and meet the rows its tests make, so searches for them filter by it.
TOKEN = "LEAKS"
DAY = date(2026, 3, 17)  # the day of the module's rows (rolled back after it): filters on it find them
OTHER_DAY = date(2026, 3, 18)  # rows created by the tests themselves


# --- helpers ----------------------------------------------------------------------------------


class FormParser(HTMLParser):
    """Field values (as a browser would submit them) and the options of every select."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button") or kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.options[name] = []
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select:
            value = a.get("value", "")
            self.options[self._select].append(value)
            if "selected" in a:
                self.fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def model_form(html: str) -> FormParser:
    """The add/edit form of a page (FAB's ``#model_form``), parsed."""
    start = html.index('id="model_form"')
    end = html.index("</form>", start)
    parser = FormParser()
    parser.feed("<form " + html[start:end])
    return parser


def search_form_selects(html: str) -> dict[str, list[str]]:
    """Options of the list page's search dropdowns (FAB renders them as JSON for its JS)."""
    import json

    start = html.index("new AdminFilters(")
    lines = html[start:].splitlines()
    fields = json.loads(lines[3].strip().rstrip(","))  # label_columns, then form_fields
    out = {}
    for name, widget in fields.items():
        if widget.lstrip().startswith("<select"):
            out[name] = re.findall(r'<option[^>]*value="([^"]*)"', widget)
    return out


def has_code(html: str, code: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", html) is not None


def lists_row(html: str, entity: str, pk: int) -> bool:
    """The page links to the row's record page (as every list row does)."""
    return re.search(rf'href="/{entity.lower()}view/show/{pk}"', html) is not None


def rison_str(value: str) -> str:
    return "'" + value.replace("!", "!!").replace("'", "!'") + "'"


def api_ids(client, resource, filters=(), forbidden_is_empty=False):
    """All ids the API lists (every page), optionally filtered (col, opr, value)."""
    flt = ",".join(f"(col:{c},opr:{o},value:{rison_str(str(v))})" for c, o, v in filters)
    ids, page = [], 0
    while True:
        q = f"(filters:!({flt}),page:{page},page_size:200)"
        resp = client.get(f"/api/v1/{resource}/", query_string={"q": q})
        if forbidden_is_empty and resp.status_code == 403:
            return set()
        assert resp.status_code == 200, resp.get_data(as_text=True)
        ids += resp.json["ids"]
        if len(ids) >= resp.json["count"] or not resp.json["ids"]:
            return set(ids)
        page += 1


# --- data ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rows(app):
    """One customer, visit, order and leave request per salesperson; ids and markers."""
    out = {}
    with app.app_context():
        for user, tag in (("sales1", "S1A"), ("sales2", "S2A"), ("sales3", "S3A")):
            emp = employee(user)
            cust = make(Customer, emp, code=f"{TOKEN}-{tag}", name=f"{TOKEN}客户{tag}")
            visit = make(Visit, emp, customer_id=cust.id, visit_date=DAY, summary=f"拜访{tag}")
            order = make(SalesOrder, emp, customer_id=cust.id, number=f"{TOKEN}-SO-{tag}",
                         order_date=DAY, note=f"订单{tag}")
            leave = make(LeaveRequest, emp, start_date=DAY, end_date=DAY, reason=f"请假{tag}")
            out[user] = SimpleNamespace(
                emp=emp.id, emp_name=emp.name, customer=cust.id, code=cust.code, name=cust.name,
                visit=visit.id, order=order.id, order_number=order.number, leave=leave.id,
            )
    return out


# (entity, model, row attribute, resource, harmless change, columns to compare)
ROW_ENTITIES = {
    "Customer": (Customer, "customer", {"name": "篡改"}, ("name", "owner_id", "updated_at")),
    "Visit": (Visit, "visit", {"summary": "篡改"}, ("summary", "customer_id", "updated_at")),
    "SalesOrder": (SalesOrder, "order", {"note": "篡改"}, ("note", "customer_id", "updated_at")),
    "LeaveRequest": (LeaveRequest, "leave", {"reason": "篡改"}, ("reason", "employee_id", "updated_at")),
}


def marker(entity: str, r) -> str:
    """Text by which a row shows on a list page of its entity."""
    return {"Customer": r.code, "Visit": r.code, "SalesOrder": r.order_number,
            "LeaveRequest": r.emp_name}[entity]


def view_url(entity: str, path: str) -> str:
    return f"/{entity.lower()}view/{path}"


# --- HTML list and search -------------------------------------------------------------------------


@pytest.mark.parametrize("entity", ROW_ENTITIES)
def test_html_list_hides_other_salespersons_rows(browsers, rows, entity):
    page = browsers("sales1").get(view_url(entity, f"list/?psize_{entity}View=100"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    attr = ROW_ENTITIES[entity][1]
    assert not lists_row(html, entity, getattr(rows["sales2"], attr))
    assert not has_code(html, marker(entity, rows["sales2"]))
    if entity != "LeaveRequest":  # same team is still someone else's customer
        assert not lists_row(html, entity, getattr(rows["sales3"], attr))
        assert not has_code(html, marker(entity, rows["sales3"]))


@pytest.mark.parametrize(("arg", "value"), [
    ("_flt_2_name", "{token}客户S2"),  # name contains
    ("_flt_0_name", "{token}"),  # name starts with (matches all three)
    ("_flt_3_code", "{token}-S2A"),  # code equals
    ("_flt_0_code", "{token}-S"),
])
def test_html_search_finds_nothing_of_sales2(browsers, rows, arg, value):
    args = {"psize_CustomerView": 100, arg: value.format(token=TOKEN)}
    page = browsers("sales1").get("/customerview/list/", query_string=args)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert not lists_row(html, "Customer", rows["sales2"].customer)
    assert not lists_row(html, "Customer", rows["sales3"].customer)
    assert rows["sales2"].name not in html
    if "S2" not in value:  # the same search does find sales1's own customer
        assert lists_row(html, "Customer", rows["sales1"].customer)


def test_html_relation_filter_on_employee_list_hides_other_team(app, browsers, org):
    """Searching employees by team B yields nothing for a salesperson of team A."""
    page = browsers("sales1").get(f"/employeeview/list/?_flt_0_team={org.teams['B']}")
    assert page.status_code == 200
    with app.app_context():
        number_s2 = employee("sales2").number
    html = page.get_data(as_text=True)
    assert not lists_row(html, "Employee", org.employees["sales2"])
    assert not has_code(html, number_s2)
    page = browsers("sales1").get(f"/employeeview/list/?_flt_0_team={org.teams['A']}")
    assert lists_row(page.get_data(as_text=True), "Employee", org.employees["sales3"])


def test_supervisor_html_list_shows_team_only(browsers, rows):
    page = browsers("supervisor1").get(f"/customerview/list/?psize_CustomerView=100&_flt_0_code={TOKEN}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert lists_row(html, "Customer", rows["sales1"].customer)
    assert lists_row(html, "Customer", rows["sales3"].customer)
    assert not lists_row(html, "Customer", rows["sales2"].customer)


# --- HTML record pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("op", ["show", "edit_get", "edit_post", "delete_post", "delete_get"])
@pytest.mark.parametrize("entity", ROW_ENTITIES)
def test_html_record_paths_refused(app, browsers, rows, entity, op):
    model, attr, change, cols = ROW_ENTITIES[entity]
    pk = getattr(rows["sales2"], attr)
    before = fresh(app, model, pk, *cols)
    ui = browsers("sales1")
    token_from = view_url(entity, "list/")
    if op == "show":
        resp = ui.get(view_url(entity, f"show/{pk}"))
    elif op == "edit_get":
        resp = ui.get(view_url(entity, f"edit/{pk}"))
    elif op == "edit_post":
        resp = ui.post(view_url(entity, f"edit/{pk}"), data=change, token_from=token_from)
    elif op == "delete_post":
        resp = ui.post(view_url(entity, f"delete/{pk}"), token_from=token_from)
    else:
        resp = ui.get(view_url(entity, f"delete/{pk}"))
    if op == "delete_get":  # refused before any lookup: GET never deletes (CSRF)
        assert resp.status_code in (302, 404)
    else:
        assert resp.status_code == 404
    body = resp.get_data(as_text=True)
    assert not has_code(body, marker(entity, rows["sales2"]))
    assert fresh(app, model, pk, *cols) == before


# --- pickers of related rows ----------------------------------------------------------------------


@pytest.mark.parametrize(("url", "field", "own", "foreign"), [
    ("/visitview/add", "customer", "customer", "customer"),
    ("/salesorderview/add", "customer", "customer", "customer"),
    ("/contactview/add", "customer", "customer", "customer"),
    ("/leaverequestview/add", "employee", "emp", "emp"),
])
def test_add_form_picker_hides_sales2(browsers, rows, url, field, own, foreign):
    page = browsers("sales1").get(url)
    assert page.status_code == 200
    options = model_form(page.get_data(as_text=True)).options[field]
    assert str(getattr(rows["sales1"], own)) in options
    assert str(getattr(rows["sales2"], foreign)) not in options


def test_edit_form_picker_hides_sales2(browsers, rows):
    page = browsers("sales1").get(f"/visitview/edit/{rows['sales1'].visit}")
    assert page.status_code == 200
    options = model_form(page.get_data(as_text=True)).options["customer"]
    assert str(rows["sales1"].customer) in options
    assert str(rows["sales2"].customer) not in options
    assert str(rows["sales3"].customer) not in options


def _relation_fields(model):
    return {rel.key: rel.mapper.class_ for rel in inspect(model).relationships
            if rel.direction is RelationshipDirection.MANYTOONE}


SALES_WRITABLE = [e.name for e in ENTITIES if MATRIX["Salesperson"][e.name]["write"]
                  and set(_relation_fields(e.model)) & set(form_columns(e))]


@pytest.mark.parametrize("entity", SALES_WRITABLE)
def test_every_add_form_picker_offers_only_readable_rows(apis, browsers, entity):
    """Generic: each picker's options are a subset of what the API lets sales1 read."""
    page = browsers("sales1").get(view_url(entity, "add"))
    assert page.status_code == 200
    form = model_form(page.get_data(as_text=True))
    rels = _relation_fields(BY_NAME[entity].model)
    pickers = {name: target for name, target in rels.items() if name in form.options}
    assert pickers, "no picker found on the add form"
    for name, target in pickers.items():
        offered = {int(v) for v in form.options[name] if v.isdigit()}
        readable = api_ids(apis("sales1"), target.__name__.lower(), forbidden_is_empty=True)
        assert offered <= readable, (name, sorted(offered - readable))


def test_visit_add_form_post_with_foreign_customer_creates_nothing(app, browsers, rows):
    ui = browsers("sales1")
    data = {"customer": rows["sales2"].customer, "visit_date": OTHER_DAY.isoformat(), "kind": "first_visit",
            "summary": f"{TOKEN}越权拜访", "next_action": "", "next_date": "", "satisfaction": "3"}
    before_all = count(app, Visit)
    resp = ui.post("/visitview/add", data=data)
    assert resp.status_code == 200  # the form is shown again with the picker error
    assert count(app, Visit) == before_all
    assert count(app, Visit, Visit.customer_id == rows["sales2"].customer) == 1
    # the same form with sales1's own customer is accepted: only the customer was wrong
    resp = ui.post("/visitview/add", data=dict(data, customer=rows["sales1"].customer))
    assert resp.status_code == 302
    assert count(app, Visit) == before_all + 1


def test_visit_add_prefilled_relation_url_cannot_smuggle_foreign_customer(app, browsers, rows):
    """FAB fills an excluded relation from ``_flt_0_<col>``; it must not accept sales2's customer."""
    ui = browsers("sales1")
    url = f"/visitview/add?_flt_0_customer={rows['sales2'].customer}"
    page = ui.get(url)
    assert page.status_code < 500
    html = page.get_data(as_text=True)
    assert not has_code(html, rows["sales2"].code)
    assert rows["sales2"].name not in html
    data = {"customer": rows["sales1"].customer, "visit_date": OTHER_DAY.isoformat(), "kind": "service",
            "summary": f"{TOKEN}预填", "next_action": "", "next_date": "", "satisfaction": "2"}
    resp = ui.post(url, data=data, token_from="/visitview/add")
    assert resp.status_code < 500
    assert count(app, Visit, Visit.customer_id == rows["sales2"].customer) == 1


# --- search dropdowns -----------------------------------------------------------------------------


RELATION_SEARCHES = [
    (e.name, col) for e in ENTITIES for col in e.search_columns if col in _relation_fields(e.model)
]


def test_relation_search_columns_exist():
    """Today only Employee.team (teams are shared reference data) is a relation search column."""
    assert RELATION_SEARCHES


@pytest.mark.parametrize(("entity", "column"), RELATION_SEARCHES)
@pytest.mark.parametrize("username", ["sales1", "supervisor1"])
def test_search_dropdowns_offer_only_readable_rows(apis, browsers, entity, column, username):
    page = browsers(username).get(view_url(entity, "list/"))
    assert page.status_code == 200
    options = search_form_selects(page.get_data(as_text=True))[column]
    offered = {int(v) for v in options if v.isdigit()}
    target = _relation_fields(BY_NAME[entity].model)[column]
    assert offered
    assert offered <= api_ids(apis(username), target.__name__.lower())


# --- bulk actions ---------------------------------------------------------------------------------


def test_bulk_delete_with_a_foreign_row_deletes_nothing(app, browsers, rows):
    with app.app_context():
        own = make(Customer, employee("sales1"), name=f"{TOKEN}批量自有").id
    resp = browsers("sales1").post("/customerview/action_post",
                                   data={"action": "muldelete", "rowid": [own, rows["sales2"].customer]},
                                   token_from="/customerview/list/")
    assert resp.status_code == 302
    assert fresh(app, Customer, own, "id") is not None
    assert fresh(app, Customer, rows["sales2"].customer, "id") is not None


def test_bulk_delete_of_own_rows_deletes_them(app, browsers):
    with app.app_context():
        own = [make(Customer, employee("sales1"), name=f"{TOKEN}批量{i}").id for i in range(2)]
    resp = browsers("sales1").post("/customerview/action_post",
                                   data={"action": "muldelete", "rowid": own},
                                   token_from="/customerview/list/")
    assert resp.status_code == 302
    assert [fresh(app, Customer, pk, "id") for pk in own] == [None, None]


def test_bulk_delete_by_supervisor_refuses_other_team(app, browsers, rows):
    with app.app_context():
        own = make(Customer, employee("sales3"), name=f"{TOKEN}主管批量").id
    resp = browsers("supervisor1").post(
        "/customerview/action_post",
        data={"action": "muldelete", "rowid": [own, rows["sales2"].customer]},
        token_from="/customerview/list/")
    assert resp.status_code == 302
    assert fresh(app, Customer, own, "id") is not None
    assert fresh(app, Customer, rows["sales2"].customer, "id") is not None


@pytest.mark.parametrize("method", ["post", "get"])
def test_single_row_action_url_does_not_delete_foreign_row(app, browsers, rows, method):
    ui = browsers("sales1")
    url = f"/customerview/action/muldelete/{rows['sales2'].customer}"
    resp = ui.post(url, token_from="/customerview/list/") if method == "post" else ui.get(url)
    assert resp.status_code < 500
    assert fresh(app, Customer, rows["sales2"].customer, "id") is not None


# --- REST API -------------------------------------------------------------------------------------


API_FILTERS = {
    "Customer": ("code", "sw", f"{TOKEN}-S"),
    "Visit": ("visit_date", "eq", DAY.isoformat()),
    "SalesOrder": ("number", "ct", TOKEN),
    "LeaveRequest": ("start_date", "eq", DAY.isoformat()),
}


@pytest.mark.parametrize("entity", ROW_ENTITIES)
def test_api_list_excludes_sales2(apis, rows, entity):
    _, attr, _, _ = ROW_ENTITIES[entity]
    client = apis("sales1")
    resource = entity.lower()
    filtered = api_ids(client, resource, [API_FILTERS[entity]])
    assert filtered == {getattr(rows["sales1"], attr)}
    everything = api_ids(client, resource)
    assert getattr(rows["sales1"], attr) in everything
    assert getattr(rows["sales2"], attr) not in everything
    if entity != "LeaveRequest":
        assert getattr(rows["sales3"], attr) not in everything


@pytest.mark.parametrize("entity", ROW_ENTITIES)
def test_api_get_put_delete_foreign_row_404(app, apis, rows, entity):
    model, attr, change, cols = ROW_ENTITIES[entity]
    pk = getattr(rows["sales2"], attr)
    url = f"/api/v1/{entity.lower()}/{pk}"
    before = fresh(app, model, pk, *cols)
    client = apis("sales1")
    assert client.get(url).status_code == 404
    resp = client.put(url, json=change)
    assert resp.status_code == 404
    assert fresh(app, model, pk, *cols) == before
    resp = client.delete(url)
    assert resp.status_code == 404
    assert fresh(app, model, pk, *cols) == before


def _info_values(client, resource, keys, column):
    """Every related value FAB's _info offers for a column, all pages of it."""
    values, page = set(), 0
    while True:
        q = f"(keys:!({keys}),{keys}:({column}:(page:{page},page_size:200)))"
        resp = client.get(f"/api/v1/{resource}/_info", query_string={"q": q})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        (field,) = [f for f in resp.json[keys] if f["name"] == column]
        values |= {v["id"] for v in field["values"]}
        if len(values) >= field["count"] or not field["values"]:
            assert len(values) == field["count"]
            return values
        page += 1


@pytest.mark.parametrize("keys", ["add_columns", "edit_columns"])
@pytest.mark.parametrize(("resource", "column", "attr"), [
    ("visit", "customer", "customer"),
    ("salesorder", "customer", "customer"),
    ("leaverequest", "employee", "emp"),
])
def test_api_info_related_values_exclude_sales2(apis, rows, keys, resource, column, attr):
    values = _info_values(apis("sales1"), resource, keys, column)
    assert getattr(rows["sales1"], attr) in values
    assert getattr(rows["sales2"], attr) not in values


def test_api_info_customer_values_are_exactly_own_customers(app, apis):
    values = _info_values(apis("sales1"), "visit", "add_columns", "customer")
    with app.app_context():
        own = set(db.session.scalars(select(Customer.id).where(
            Customer.owner_id == employee("sales1").id)))
    assert values == own


def _visit_body(customer_id, summary):
    return {"customer": customer_id, "visit_date": OTHER_DAY.isoformat(), "kind": "needs",
            "summary": summary, "satisfaction": 4}


def test_api_post_visit_for_foreign_customer_refused(app, apis, rows):
    client = apis("sales1")
    before = count(app, Visit)
    resp = client.post("/api/v1/visit/", json=_visit_body(rows["sales2"].customer, f"{TOKEN}越权"))
    assert 400 <= resp.status_code < 500
    assert resp.is_json
    assert count(app, Visit) == before
    # control: the same body on sales1's customer is created
    resp = client.post("/api/v1/visit/", json=_visit_body(rows["sales1"].customer, f"{TOKEN}自有"))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert count(app, Visit) == before + 1


@pytest.mark.parametrize("target", ["sales2", "sales3"])
def test_api_put_own_visit_onto_foreign_customer_refused(app, apis, rows, target):
    pk = rows["sales1"].visit
    before = fresh(app, Visit, pk, "customer_id", "summary", "updated_at")
    resp = apis("sales1").put(f"/api/v1/visit/{pk}",
                              json={"customer": rows[target].customer, "summary": "改挂"})
    assert 400 <= resp.status_code < 500
    assert fresh(app, Visit, pk, "customer_id", "summary", "updated_at") == before


def test_api_put_own_order_onto_foreign_customer_refused(app, apis, rows):
    pk = rows["sales1"].order
    before = fresh(app, SalesOrder, pk, "customer_id", "note", "updated_at")
    resp = apis("sales1").put(f"/api/v1/salesorder/{pk}",
                              json={"customer": rows["sales2"].customer, "note": "改挂"})
    assert 400 <= resp.status_code < 500
    assert fresh(app, SalesOrder, pk, "customer_id", "note", "updated_at") == before


def test_api_post_leave_for_other_employee_refused(app, apis, rows):
    before = count(app, LeaveRequest)
    body = {"employee": rows["sales2"].emp, "leave_type": "annual", "start_date": DAY.isoformat(),
            "end_date": DAY.isoformat(), "days": 1, "reason": f"{TOKEN}代请", "status": "draft"}
    resp = apis("sales1").post("/api/v1/leaverequest/", json=body)
    assert 400 <= resp.status_code < 500
    assert count(app, LeaveRequest) == before


# --- ownership escape -----------------------------------------------------------------------------


@pytest.fixture()
def own_customer(app):
    with app.app_context():
        return make(Customer, employee("sales1"), name=f"{TOKEN}转移测试").id


CUSTOMER_COLS = ("owner_id", "name", "updated_at")


@pytest.mark.parametrize("target", ["sales2", "sales3"])
def test_api_salesperson_cannot_give_customer_away(app, apis, own_customer, target):
    with app.app_context():
        target_id = employee(target).id
    before = fresh(app, Customer, own_customer, *CUSTOMER_COLS)
    resp = apis("sales1").put(f"/api/v1/customer/{own_customer}",
                              json={"owner": target_id, "name": "转出"})
    assert 400 <= resp.status_code < 500
    assert fresh(app, Customer, own_customer, *CUSTOMER_COLS) == before


@pytest.mark.parametrize("target", ["sales2", "sales3"])
def test_api_salesperson_cannot_move_leave_request_to_someone_else(app, apis, target):
    """The employee anchor of a leave request is its owner: same rule as a customer's owner."""
    with app.app_context():
        own = make(LeaveRequest, employee("sales1"), start_date=OTHER_DAY, end_date=OTHER_DAY).id
        target_id = employee(target).id
    cols = ("employee_id", "reason", "updated_at")
    before = fresh(app, LeaveRequest, own, *cols)
    resp = apis("sales1").put(f"/api/v1/leaverequest/{own}",
                              json={"employee": target_id, "reason": "转给同事"})
    assert 400 <= resp.status_code < 500
    assert fresh(app, LeaveRequest, own, *cols) == before


@pytest.mark.parametrize("target", ["sales2", "sales3"])
def test_form_salesperson_cannot_give_customer_away(app, browsers, own_customer, target):
    with app.app_context():
        target_id = employee(target).id
    ui = browsers("sales1")
    url = f"/customerview/edit/{own_customer}"
    page = ui.get(url)
    assert page.status_code == 200
    fields = model_form(page.get_data(as_text=True)).fields
    before = fresh(app, Customer, own_customer, *CUSTOMER_COLS)
    resp = ui.post(url, data=dict(fields, owner=str(target_id), name="转出"))
    assert resp.status_code < 500
    assert fresh(app, Customer, own_customer, *CUSTOMER_COLS) == before
    # control: the same form without the owner change is saved
    resp = ui.post(url, data=dict(fields, name="表单改名"))
    assert resp.status_code == 302
    assert fresh(app, Customer, own_customer, "name", "owner_id") == {
        "name": "表单改名", "owner_id": before["owner_id"]}


def test_api_supervisor_reassigns_within_team(app, apis, own_customer):
    with app.app_context():
        sales3 = employee("sales3").id
    resp = apis("supervisor1").put(f"/api/v1/customer/{own_customer}", json={"owner": sales3})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert fresh(app, Customer, own_customer, "owner_id") == {"owner_id": sales3}


def test_api_supervisor_cannot_reassign_to_other_team(app, apis, own_customer):
    with app.app_context():
        sales2 = employee("sales2").id
    before = fresh(app, Customer, own_customer, *CUSTOMER_COLS)
    resp = apis("supervisor1").put(f"/api/v1/customer/{own_customer}", json={"owner": sales2})
    assert 400 <= resp.status_code < 500
    assert fresh(app, Customer, own_customer, *CUSTOMER_COLS) == before


def test_form_supervisor_reassignment(app, browsers, own_customer):
    with app.app_context():
        sales2, sales3 = employee("sales2").id, employee("sales3").id
    ui = browsers("supervisor1")
    url = f"/customerview/edit/{own_customer}"
    page = ui.get(url)
    assert page.status_code == 200
    form = model_form(page.get_data(as_text=True))
    assert str(sales2) not in form.options["owner"]
    before = fresh(app, Customer, own_customer, *CUSTOMER_COLS)
    resp = ui.post(url, data=dict(form.fields, owner=str(sales2)))
    assert resp.status_code < 500
    assert fresh(app, Customer, own_customer, *CUSTOMER_COLS) == before
    resp = ui.post(url, data=dict(form.fields, owner=str(sales3)))
    assert resp.status_code == 302
    assert fresh(app, Customer, own_customer, "owner_id") == {"owner_id": sales3}


# --- supervisor scope -----------------------------------------------------------------------------


def _team_a(app):
    """Everyone in supervisor1's team now (other tests add salespeople to it)."""
    from app.models import Employee

    with app.app_context():
        team = employee("supervisor1").team_id
        return set(db.session.scalars(select(Employee.id).where(Employee.team_id == team)))


@pytest.mark.parametrize("entity", ["Customer", "LeaveRequest", "Visit", "SalesOrder"])
def test_supervisor_api_list_is_team_a(app, apis, rows, entity):
    model, attr, _, _ = ROW_ENTITIES[entity]
    client = apis("supervisor1")
    filtered = api_ids(client, entity.lower(), [API_FILTERS[entity]])
    assert {getattr(rows["sales1"], attr), getattr(rows["sales3"], attr)} <= filtered
    assert getattr(rows["sales2"], attr) not in filtered
    everything = api_ids(client, entity.lower())
    assert getattr(rows["sales2"], attr) not in everything
    team = _team_a(app)
    with app.app_context():
        for pk in everything:
            obj = db.session.get(model, pk)
            anchor = obj.employee_id if entity == "LeaveRequest" else (
                obj.owner_id if entity == "Customer" else obj.customer.owner_id)
            assert anchor in team, (entity, pk)
    assert client.get(f"/api/v1/{entity.lower()}/{getattr(rows['sales2'], attr)}").status_code == 404
    assert client.get(f"/api/v1/{entity.lower()}/{getattr(rows['sales3'], attr)}").status_code == 200


# --- anonymous ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/customer/"),
    ("get", "/api/v1/customer/{pk}"),
    ("put", "/api/v1/customer/{pk}"),
    ("delete", "/api/v1/customer/{pk}"),
    ("post", "/api/v1/customer/"),
    ("get", "/api/v1/visit/_info"),
])
def test_anonymous_api_401(app, rows, method, path):
    pk = rows["sales1"].customer
    before = fresh(app, Customer, pk, *CUSTOMER_COLS)
    resp = getattr(app.test_client(), method)(path.format(pk=pk), json={"name": "匿名"})
    assert resp.status_code == 401
    assert fresh(app, Customer, pk, *CUSTOMER_COLS) == before


@pytest.mark.parametrize("path", ["/customerview/list/", "/customerview/show/{pk}",
                                  "/customerview/edit/{pk}", "/visitview/add"])
def test_anonymous_html_redirects_to_login(app, rows, path):
    resp = app.test_client().get(path.format(pk=rows["sales1"].customer))
    assert resp.status_code == 302
    assert "/login/" in resp.headers["Location"]


def _options(html: str, field: str) -> tuple[set[str], set[str]]:
    """(all option values, selected option values) of a form's <select name=field>."""
    m = re.search(rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', html, re.S)
    assert m, field
    opts = set(re.findall(r'<option[^>]*value="([^"]*)"', m.group(1))) - {"", "__None"}  # the placeholders
    selected = set(re.findall(r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected', m.group(1)))
    return opts, {a or b for a, b in selected}


@pytest.mark.parametrize("username", ["sales1", "supervisor1"])
def test_owner_picker_offers_only_writable_owners_and_preselects_self(app, browsers, username):
    with app.app_context():
        ids = {u: str(employee(u).id) for u in ("sales1", "sales2", "sales3", "supervisor1")}
        team_a = {str(i) for i in db.session.scalars(
            select(Employee.id).where(Employee.team_id == employee("sales1").team_id))}
    # A salesperson owns only their own customers; a supervisor may assign within team A.
    allowed = {ids["sales1"]} if username == "sales1" else team_a
    html = browsers(username).get("/customerview/add").get_data(as_text=True)
    opts, selected = _options(html, "owner")
    assert opts == allowed
    assert {ids["sales1"], ids["sales3"]} <= team_a and ids["sales2"] not in opts
    assert selected == {ids[username]}


@pytest.mark.parametrize(("username", "editable"), [
    ("sales1", True), ("supervisor1", True), ("finance1", False),
])
def test_record_page_offers_edit_only_when_writable(app, browsers, rows, username, editable):
    html = browsers(username).record(f"/customerview/show/{rows['sales1'].customer}")
    assert ('id="edit-record"' in html) == editable
