"""What leaves by the REST API is chosen, not inherited (issue 8, items 1 and 2).

For every role and every entity, the API list and a record's show are read as an attacker would:
no credential field or password hash anywhere in the body, every reference to another row is
``{id}`` or ``{id, label}`` and never a nested row, and the label is there exactly when the reader
may open that row by its own API (asked of the API itself, an independent oracle). Writes that
name rows outside the reader's scope are refused alike, whatever those rows' state: the answer of
an unknown id and of an invisible one is the same, and business rules never run on them.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from app.extensions import db
from app.models import Employee, LeaveRequest, OrderLine, Product, SalesOrder
from app.models.orders import OrderStatus
from app.registry import BY_MODEL, ENTITIES
from app.security.scope import reference_relationships
from tests.conftest import employee
from tests.factories import count, fresh, make

ROLES = ("sales1", "sales2", "supervisor1", "finance1", "hr1", "admin")
CREDENTIAL_KEYS = re.compile(r"password|passwd|hash|token|secret|salt", re.I)
HASH_VALUE = re.compile(r"\b(scrypt|pbkdf2|argon2|bcrypt)[:$]")
REF_KEYS = {"id", "label"}


@pytest.fixture(scope="module")
def rows(app):
    """One row of every entity for sales1 (team A) and one for sales2 (team B), so that every
    role's lists hold rows in and out of its scope, references to both included."""
    with app.app_context():
        out = {}
        for entity in ENTITIES:
            for owner in ("sales1", "sales2"):
                emp = employee(owner)
                extra = {"team_id": emp.team_id} if entity.name == "Employee" else {}
                out[(entity.name, owner)] = make(entity.model, emp, **extra).id
        return out


def _walk(value, path=""):
    """Every (path, key, value) of a JSON body."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield path, k, v
            yield from _walk(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}[{i}]")


def assert_no_credentials(body, where):
    for path, key, value in _walk(body):
        assert not CREDENTIAL_KEYS.search(str(key)), f"{where}: credential field {path}.{key}"
        if isinstance(value, str):
            assert not HASH_VALUE.search(value), f"{where}: a password hash in {path}.{key}"


class Oracle:
    """Whether a reader may open a row, asked of the API's own show endpoint (cached)."""

    def __init__(self, client):
        self.client = client
        self.seen = {}

    def readable(self, entity, pk) -> bool:
        key = (entity.name, pk)
        if key not in self.seen:
            resp = self.client.get(f"/api/v1/{entity.name.lower()}/{pk}")
            assert resp.status_code in (200, 401, 403, 404), resp.status_code
            self.seen[key] = resp.status_code == 200
        return self.seen[key]


def assert_references_scoped(entity, record, oracle, where):
    refs = {rel.key: BY_MODEL[rel.mapper.class_] for rel in reference_relationships(entity.model)}
    for key, value in record.items():
        # A column with a screen of its own (a cycle's settings, JSON) is shown as data.
        if isinstance(value, dict | list) and key not in entity.own_screen:
            assert key in refs, f"{where}: {key} is nested but is not a reference"
        if key not in refs or value is None:
            continue
        assert isinstance(value, dict) and set(value) <= REF_KEYS and "id" in value, (where, key, value)
        target = refs[key]
        assert ("label" in value) == oracle.readable(target, value["id"]), (
            f"{where}: {key} #{value['id']} label shown={('label' in value)}")


@pytest.mark.parametrize("username", ROLES)
def test_api_bodies_hold_no_credentials_and_only_readable_references(app, apis, rows, username):
    client = apis(username)
    oracle = Oracle(client)
    checked = 0
    for entity in ENTITIES:
        url = f"/api/v1/{entity.name.lower()}/"
        listing = client.get(url, query_string={"q": "(page_size:200)"})
        if listing.status_code in (401, 403):
            continue
        assert listing.status_code == 200, (url, listing.status_code)
        assert_no_credentials(listing.json, url)
        for record in listing.json["result"]:
            assert_references_scoped(entity, record, oracle, url)
            checked += 1
        # a record page (show) of a row in scope, and of the row as listed with chosen columns
        for pk in listing.json["ids"][:3]:
            show = client.get(f"{url}{pk}")
            assert show.status_code == 200
            assert_no_credentials(show.json, f"{url}{pk}")
            assert_references_scoped(entity, show.json["result"], oracle, f"{url}{pk}")
        refs = [r.key for r in reference_relationships(entity.model)]
        if refs:
            cols = ",".join(refs)
            picked = client.get(url, query_string={"q": f"(columns:!({cols}),page_size:200)"})
            assert picked.status_code == 200
            for record in picked.json["result"]:
                assert_references_scoped(entity, record, oracle, f"{url}?columns")
    assert checked > 0


def test_employee_api_has_no_login_row(apis, rows):
    body = apis("admin").get("/api/v1/employee/", query_string={"q": "(page_size:200)"}).json
    assert "user" not in body["list_columns"]
    assert all("user" not in r and "user_id" not in r for r in body["result"])
    picked = apis("admin").get("/api/v1/employee/", query_string={"q": "(columns:!(user,name))"}).json
    assert all(set(r) <= {"name"} for r in picked["result"])


def test_hr_sees_no_customer_inside_integrity_records(app, apis, rows):
    """The finding: HR (no customer access) read full customer rows nested in integrity records."""
    with app.app_context():
        from app.models import Customer, IntegrityRecord

        cust = make(Customer, employee("sales1"))
        rec = make(IntegrityRecord, employee("sales1"), customer_id=cust.id)
        pk, cust_id = rec.id, cust.id
    body = apis("hr1").get(f"/api/v1/integrityrecord/{pk}").json["result"]
    assert body["customer"] == {"id": cust_id}
    assert body["employee"]["label"]


def test_salesperson_sees_no_other_team_employee_nested(app, apis, rows, org):
    """The finding: sales1 read team B's employees (phone, e-mail) nested in teams and others."""
    client = apis("sales1")
    teams = client.get("/api/v1/team/", query_string={"q": "(page_size:200)"}).json["result"]
    team_b = next(t for t in teams if t["id"] == org.teams["B"])
    assert team_b["supervisor"] == {"id": org.employees["supervisor2"]}
    team_a = next(t for t in teams if t["id"] == org.teams["A"])
    assert set(team_a["supervisor"]) == REF_KEYS


def test_html_record_page_hides_the_name_of_an_unreadable_reference(app, browsers, org):
    with app.app_context():
        emp = db.session.get(Employee, org.employees["supervisor2"])
        name = emp.name
    page = browsers("sales1").record(f"/teamview/show/{org.teams['B']}")
    assert name not in page
    page = browsers("supervisor2").record(f"/teamview/show/{org.teams['B']}")
    assert name in page


# --- scope before rules: refusals that tell nothing ------------------------------------------------


def _bodies_equal(a, b):
    return a.status_code == b.status_code and a.get_json() == b.get_json()


def test_leave_overlap_is_not_an_oracle_for_another_employee(app, apis, org):
    """sales1 could find sales2's leave days by bisecting overlap errors."""
    start = date(2026, 4, 1)
    with app.app_context():
        make(LeaveRequest, employee("sales2"), start_date=start, end_date=start + timedelta(days=4), days=5)
    client = apis("sales1")
    before = count(app, LeaveRequest)

    def post(employee_id, day):
        return client.post("/api/v1/leaverequest/", json={
            "employee": employee_id, "leave_type": "annual", "start_date": day.isoformat(),
            "end_date": day.isoformat(), "days": 1, "reason": "探亲"})

    overlapping = post(org.employees["sales2"], start + timedelta(days=2))
    free = post(org.employees["sales2"], start + timedelta(days=40))
    unknown = post(999_999, start + timedelta(days=2))
    assert overlapping.status_code == 422
    assert _bodies_equal(overlapping, free) and _bodies_equal(overlapping, unknown)
    assert set(overlapping.json["message"]) == {"employee"}
    # a teammate sales1 may see but not write for: refused by scope (403) before the overlap rule
    teammate = post(org.employees["sales3"], start)
    assert teammate.status_code == 403
    assert count(app, LeaveRequest) == before


def test_order_line_errors_do_not_reveal_another_salespersons_order(app, apis):
    """sales1 read the state of sales2's orders from line errors (403 / 422 / 500)."""
    with app.app_context():
        s2 = employee("sales2")
        open_order = make(SalesOrder, s2).id
        scheduled = make(SalesOrder, s2, status=OrderStatus.scheduled).id
        product = make(Product, s2).id
    client = apis("sales1")
    before = count(app, OrderLine)

    def post(order_id):
        return client.post("/api/v1/orderline/", json={
            "order": order_id, "product": product, "qty": 1, "unit_price": 10, "unit_cost": 5})

    answers = [post(open_order), post(scheduled), post(999_999)]
    assert answers[0].status_code == 422 and set(answers[0].json["message"]) == {"order"}
    assert all(_bodies_equal(answers[0], a) for a in answers[1:])
    assert count(app, OrderLine) == before
    assert fresh(app, SalesOrder, scheduled, "status")["status"] is OrderStatus.scheduled
