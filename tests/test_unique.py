"""Values that must be unique (customer codes, receivable and contract numbers, one attendance per
employee and day) are refused with a field message, never a 500, through the API and the forms;
whatever slips past the check at the same moment is refused by the database and answered 409.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Attendance, Contract, Customer, Receivable
from tests.conftest import employee
from tests.factories import count, fresh, make
from tests.test_scope_leaks import model_form

DAY = date(2026, 4, 1)


def field_error(html: str, name: str) -> bool:
    """The form shows an error under the field ``name`` (FAB's ``alert-danger`` block)."""
    cell = re.search(rf'name="{name}".*?</td>', html, re.S)
    return cell is not None and '<div class="alert alert-danger">' in cell.group(0)


def _customer_body(app, code):
    with app.app_context():
        owner = employee("sales1").id
    return {"code": code, "name": "重复客户", "owner": owner, "credit_limit": "100.00",
            "payment_terms_days": 30}


def test_api_post_of_a_taken_customer_code_is_422_on_the_field(app, apis):
    with app.app_context():
        taken = make(Customer, employee("sales1")).code
    resp = apis("sales1").post("/api/v1/customer/", json=_customer_body(app, taken))
    assert resp.status_code == 422
    assert set(resp.json["message"]) == {"code"}
    assert count(app, Customer, Customer.code == taken) == 1


def test_api_post_of_a_code_taken_in_another_team_is_refused_too(app, apis):
    """Unique across the factory: sales2's code is refused for sales1 (without showing the row)."""
    with app.app_context():
        taken = make(Customer, employee("sales2")).code
    resp = apis("sales1").post("/api/v1/customer/", json=_customer_body(app, taken))
    assert resp.status_code == 422 and set(resp.json["message"]) == {"code"}
    assert count(app, Customer, Customer.code == taken) == 1


def test_api_put_to_a_taken_receivable_number_is_422(app, apis):
    with app.app_context():
        owner = employee("sales1")
        first = make(Receivable, owner, amount=Decimal("100.00"), issued_on=DAY, due_date=DAY)
        second = make(Receivable, owner, amount=Decimal("100.00"), issued_on=DAY, due_date=DAY)
        taken, pk, before = first.number, second.id, second.number
    resp = apis("finance1").put(f"/api/v1/receivable/{pk}", json={"number": taken})
    assert resp.status_code == 422 and set(resp.json["message"]) == {"number"}
    assert fresh(app, Receivable, pk, "number") == {"number": before}


def test_api_post_of_a_taken_contract_number_is_422(app, apis, org):
    with app.app_context():
        owner = employee("sales1")
        existing = make(Contract, owner)
        body = {"number": existing.number, "customer": existing.customer_id, "amount": "5000",
                "start_date": DAY.isoformat(), "end_date": DAY.isoformat()}
    resp = apis("sales1").post("/api/v1/contract/", json=body)
    assert resp.status_code == 422 and set(resp.json["message"]) == {"number"}
    assert count(app, Contract, Contract.number == existing.number) == 1


def test_api_second_attendance_of_one_day_is_422(app, apis):
    """A unique constraint over two columns (employee, day) is checked like a unique column."""
    with app.app_context():
        emp = employee("sales3").id
    body = {"employee": emp, "work_date": DAY.isoformat(), "check_in": "09:00:00",
            "check_out": "18:00:00"}
    hr = apis("hr1")
    assert hr.post("/api/v1/attendance/", json=body).status_code == 201
    resp = hr.post("/api/v1/attendance/", json=dict(body, check_in="08:30:00"))
    assert resp.status_code == 422 and set(resp.json["message"]) == {"work_date"}
    assert count(app, Attendance, Attendance.employee_id == emp, Attendance.work_date == DAY) == 1


def test_form_add_of_a_taken_code_shows_the_form_with_the_field_error(app, browsers):
    with app.app_context():
        taken = make(Customer, employee("sales1")).code
    ui = browsers("sales1")
    form = model_form(ui.get("/customerview/add").get_data(as_text=True)).fields
    resp = ui.post("/customerview/add", data=dict(form, code=taken, name="表单重复"))
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert field_error(page, "code") and 'value="表单重复"' in page
    assert count(app, Customer, Customer.code == taken) == 1


def test_form_edit_to_a_taken_code_shows_the_form_with_the_field_error(app, browsers):
    with app.app_context():
        taken = make(Customer, employee("sales1")).code
        mine = make(Customer, employee("sales1"))
        pk, before = mine.id, mine.code
    ui = browsers("sales1")
    url = f"/customerview/edit/{pk}"
    form = model_form(ui.get(url).get_data(as_text=True)).fields
    resp = ui.post(url, data=dict(form, code=taken))
    assert resp.status_code == 200 and field_error(resp.get_data(as_text=True), "code")
    assert fresh(app, Customer, pk, "code") == {"code": before}


def test_form_add_of_a_second_attendance_of_one_day_shows_the_field_error(app, browsers):
    with app.app_context():
        emp = employee("sales1")
        make(Attendance, emp, work_date=date(2026, 4, 2))
        emp_id = emp.id
    ui = browsers("hr1")
    form = model_form(ui.get("/attendanceview/add").get_data(as_text=True)).fields
    resp = ui.post("/attendanceview/add", data=dict(form, employee=str(emp_id), work_date="2026-04-02",
                                                    check_in="09:00", check_out="18:00"))
    assert resp.status_code == 200 and field_error(resp.get_data(as_text=True), "work_date")
    assert count(app, Attendance, Attendance.employee_id == emp_id,
                 Attendance.work_date == date(2026, 4, 2)) == 1


def _waiting_on_a_lock(app) -> bool:
    with app.app_context():
        return bool(db.session.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()")))


@pytest.mark.commits  # a request in a thread racing a second connection
def test_form_add_racing_another_insert_of_the_code_keeps_the_input(app, browsers):
    """Another transaction inserts the same code while the form is saved. PostgreSQL: the form's
    check cannot see the uncommitted row, its insert waits for it, then the database refuses it
    (409); SQLite: the form's transaction waits for the other one and its check sees the row
    (200). Either way the form comes back with the user's input, and one customer is stored."""
    code = f"RACEUI{time.time_ns() % 10**8}"
    with app.app_context():
        owner = employee("sales1").id
    ui = browsers("sales1")
    form = model_form(ui.get("/customerview/add").get_data(as_text=True)).fields
    data = dict(form, code=code, name="表单竞争", owner=str(owner))
    data["csrf_token"] = ui.token("/customerview/add")
    postgres = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    result = {}
    thread = threading.Thread(target=lambda: result.update(
        resp=ui.client.post("/customerview/add", data=data)))
    with app.app_context(), db.engine.connect() as conn:
        other = Session(bind=conn)
        other.add(Customer(code=code, name="先到客户", owner_id=owner, credit_limit=Decimal("1"),
                           payment_terms_days=1))
        other.flush()  # inserted, not committed (on SQLite this holds the write lock)
        thread.start()
        deadline = time.monotonic() + 10
        if postgres:  # until the form's insert waits on the uncommitted row
            while not _waiting_on_a_lock(app) and time.monotonic() < deadline:
                time.sleep(0.05)
        else:
            time.sleep(0.5)
        other.commit()
        other.close()
    thread.join(timeout=30)
    resp = result["resp"]
    page = resp.get_data(as_text=True)
    assert resp.status_code == (409 if postgres else 200), page[:300]
    assert 'value="表单竞争"' in page and f'value="{code}"' in page
    assert count(app, Customer, Customer.code == code) == 1


@pytest.mark.commits  # a request in a thread racing a second connection
def test_form_edit_racing_another_change_of_the_row_keeps_the_input(app, browsers):
    """Another transaction changes the customer while its edit form is saved. PostgreSQL: the
    form's update waits on the row, then finds its version gone (409); SQLite: the form's
    transaction waits, then its version check sees the change (409). The form comes back with the
    user's input and the current version; the other change stands; saving again applies it."""
    with app.app_context():
        mine = make(Customer, employee("sales1"), region="原区域")
        pk = mine.id
    ui = browsers("sales1")
    url = f"/customerview/edit/{pk}"
    form = model_form(ui.get(url).get_data(as_text=True)).fields
    data = dict(form, region="表单区域")
    data["csrf_token"] = ui.token(url)
    postgres = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    result = {}
    thread = threading.Thread(target=lambda: result.update(resp=ui.client.post(url, data=data)))
    with app.app_context(), db.engine.connect() as conn:
        other = Session(bind=conn)
        other.get(Customer, pk).name = "别人改名"
        other.flush()  # the row (PostgreSQL) or the database (SQLite) is held until the commit
        thread.start()
        deadline = time.monotonic() + 10
        if postgres:
            while not _waiting_on_a_lock(app) and time.monotonic() < deadline:
                time.sleep(0.05)
        else:
            time.sleep(0.5)
        other.commit()
        other.close()
    thread.join(timeout=30)
    resp = result["resp"]
    page = resp.get_data(as_text=True)
    assert resp.status_code == 409, page[:300]
    assert 'value="表单区域"' in page
    assert fresh(app, Customer, pk, "name", "region") == {"name": "别人改名", "region": "原区域"}
    again = model_form(page).fields
    assert ui.post(url, data=dict(again, region="表单区域")).status_code == 302
    assert fresh(app, Customer, pk, "region") == {"region": "表单区域"}


def test_api_delete_of_a_row_others_refer_to_is_409_without_database_text(app, apis):
    with app.app_context():
        contract = make(Contract, employee("sales1"))
        pk = contract.customer_id
    resp = apis("sales1").delete(f"/api/v1/customer/{pk}")
    assert resp.status_code == 409
    text_ = resp.get_data(as_text=True)
    assert "message" in resp.json and "constraint" not in text_.lower() and "sql" not in text_.lower()
    assert fresh(app, Customer, pk, "id") == {"id": pk}


def test_form_delete_of_a_row_others_refer_to_keeps_it(app, browsers):
    with app.app_context():
        contract = make(Contract, employee("sales1"))
        pk = contract.customer_id
    ui = browsers("sales1")
    resp = ui.post(f"/customerview/delete/{pk}", token_from="/")
    assert resp.status_code == 302
    assert fresh(app, Customer, pk, "id") == {"id": pk}
    page = ui.get("/customerview/list/").get_data(as_text=True)
    assert "constraint" not in page.lower() and "IntegrityError" not in page
