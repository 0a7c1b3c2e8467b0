"""Change history: every write path leaves an entry; nobody can change the history."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import ChangeLog, Customer, LoginEvent
from tests.conftest import employee
from tests.factories import count, make


def _entries(app, entity, row_id):
    """The history of the record that has this id now (SQLite may reuse a deleted record's id)."""
    from app.history import current_record

    with app.app_context():
        db.session.expire_all()
        return db.session.scalars(select(ChangeLog).where(
            *current_record(entity, row_id)).order_by(ChangeLog.id)).all()


def test_api_create_update_delete_are_recorded(app, apis):
    api = apis("sales1")
    with app.app_context():
        me = employee("sales1").id
    resp = api.post("/api/v1/customer/", json={"code": "HIST-API", "name": "历史客户", "owner": me})
    assert resp.status_code == 201
    pk = resp.json["id"]
    assert api.put(f"/api/v1/customer/{pk}", json={"name": "历史客户二"}).status_code == 200
    assert api.delete(f"/api/v1/customer/{pk}").status_code == 200
    entries = _entries(app, "Customer", pk)
    assert [e.action.name for e in entries] == ["create", "update", "delete"]
    assert {e.username for e in entries} == {"sales1"}
    assert {e.source for e in entries} == {"api"}
    assert entries[0].changes["name"] == [None, "历史客户"]
    assert entries[1].changes == {"name": ["历史客户", "历史客户二"]}
    assert entries[2].changes["code"] == ["HIST-API", None]


def test_form_edit_is_recorded_and_shown_on_the_record(app, browsers):
    with app.app_context():
        pk = make(Customer, employee("sales1")).id
    ui = browsers("sales1")
    page = ui.record(f"/customerview/edit/{pk}")
    from tests.test_scope_leaks import model_form

    fields = model_form(page).fields
    resp = ui.post(f"/customerview/edit/{pk}", data=dict(fields, name="表单改名"))
    assert resp.status_code == 302
    entries = _entries(app, "Customer", pk)
    assert entries[-1].action.name == "update" and entries[-1].source == "ui"
    assert entries[-1].changes["name"][1] == "表单改名"
    show = ui.record(f"/customerview/show/{pk}")
    assert show.count('class="history-entry"') == len(entries)
    assert "表单改名" in show


def test_command_writes_are_recorded_without_a_user(app):
    with app.app_context():
        pk = make(Customer, employee("sales2")).id
    (entry,) = _entries(app, "Customer", pk)
    assert entry.source == "cli" and entry.user_id is None and entry.action.name == "create"


def test_failed_write_leaves_no_history(app, apis):
    with app.app_context():
        pk = make(Customer, employee("sales2")).id
    before = len(_entries(app, "Customer", pk))
    assert apis("sales1").put(f"/api/v1/customer/{pk}", json={"name": "越权"}).status_code == 404
    resp = apis("sales1").post("/api/v1/customer/", json={"code": "NEG", "name": "x", "credit_limit": -1})
    assert resp.status_code == 422
    assert len(_entries(app, "Customer", pk)) == before


def test_history_cannot_be_changed_by_anyone(app, login, apis):
    with app.app_context():
        make(Customer, employee("sales1"))
        entry_id = db.session.scalar(select(ChangeLog.id).order_by(ChangeLog.id.desc()))
    n = count(app, ChangeLog)
    admin = login("admin")
    assert admin.get("/changelogview/list/").status_code == 200
    assert admin.get(f"/changelogview/show/{entry_id}").status_code == 200
    assert admin.get(f"/changelogview/edit/{entry_id}").status_code in (302, 403)
    assert admin.post(f"/changelogview/delete/{entry_id}", token_from="/").status_code in (302, 403)
    assert admin.post("/changelogview/add", data={"entity": "X"}, token_from="/").status_code in (302, 403)
    assert apis("admin").delete(f"/api/v1/changelog/{entry_id}").status_code == 404
    assert login("sales1").get("/changelogview/list/").status_code in (302, 403)
    assert count(app, ChangeLog) == n
    with app.app_context():
        assert db.session.get(ChangeLog, entry_id) is not None


def test_login_successes_and_failures_are_journaled(app, login):
    before = count(app, LoginEvent)
    login("finance1")
    client = app.test_client()
    resp = client.post("/api/v1/security/login",
                       json={"username": "finance1", "password": "wrong", "provider": "db"})
    assert resp.status_code == 401
    with app.app_context():
        rows = db.session.scalars(select(LoginEvent).order_by(LoginEvent.id.desc()).limit(2)).all()
    assert count(app, LoginEvent) == before + 2
    assert [(r.username, r.success, r.channel) for r in rows] == [
        ("finance1", False, "api"), ("finance1", True, "form")]


def test_form_add_and_delete_and_bulk_delete_are_recorded(app, browsers):
    from tests.test_scope_leaks import model_form

    ui = browsers("sales1")
    with app.app_context():
        me = employee("sales1").id
    fields = model_form(ui.get("/customerview/add").get_data(as_text=True)).fields
    resp = ui.post("/customerview/add", data=dict(fields, code="HIST-UI", name="表单客户", owner=str(me)))
    assert resp.status_code == 302
    with app.app_context():
        pk = db.session.scalar(select(Customer.id).where(Customer.code == "HIST-UI"))
        other = make(Customer, employee("sales1")).id
    assert ui.post(f"/customerview/delete/{pk}", token_from="/customerview/list/").status_code == 302
    assert [e.action.name for e in _entries(app, "Customer", pk)] == ["create", "delete"]
    assert {e.source for e in _entries(app, "Customer", pk)} == {"ui"}
    resp = ui.post("/customerview/action_post", data={"action": "muldelete", "rowid": [str(other)]},
                   token_from="/customerview/list/")
    assert resp.status_code == 302
    assert _entries(app, "Customer", other)[-1].action.name == "delete"


def test_workflow_steps_are_recorded_through_ui_api_and_command(app, apis, browsers):
    from datetime import date, timedelta

    from app.jobs import run_daily
    from app.models import Quotation
    from app.models.customers import QuotationStatus

    with app.app_context():
        pk = make(Customer, employee("sales1")).id
    assert apis("sales1").post(f"/api/v1/workflow/customer/{pk}/to_screened", json={}).status_code == 200
    assert browsers("sales1").post(f"/workflow/customer/{pk}/to_first_visit", data={"comment": "已拜访"}
                                   ).status_code == 302
    steps = [(e.action.name, e.step, e.source, e.username, e.comment) for e in _entries(app, "Customer", pk)]
    assert steps[1:] == [("transition", "to_screened", "api", "sales1", None),
                         ("transition", "to_first_visit", "ui", "sales1", "已拜访")]
    assert _entries(app, "Customer", pk)[-1].changes == {"stage": ["screened", "first_visit"]}
    with app.app_context():
        quote = make(Quotation, employee("sales1"), issued_on=date(2034, 1, 1),
                     valid_until=date(2034, 1, 31), status=QuotationStatus.sent).id
        run_daily(date(2034, 1, 31) + timedelta(days=1))
    last = _entries(app, "Quotation", quote)[-1]
    assert (last.action.name, last.step, last.source, last.user_id) == ("transition", "expire", "cli", None)


def test_history_names_referenced_records_the_reader_may_see(app, apis, browsers):
    with app.app_context():
        pk = make(Customer, employee("sales1")).id
        sales3 = employee("sales3")
        sales3_id, sales3_name = sales3.id, sales3.name
    assert apis("supervisor1").put(f"/api/v1/customer/{pk}", json={"owner": sales3_id}).status_code == 200
    page = browsers("supervisor1").record(f"/customerview/show/{pk}")
    assert sales3_name in page


def test_a_new_record_does_not_inherit_a_deleted_ones_history(app, apis):
    api = apis("sales1")
    with app.app_context():
        me = employee("sales1").id
    first = api.post("/api/v1/customer/", json={"code": "REUSE-1", "name": "旧", "owner": me}).json["id"]
    api.put(f"/api/v1/customer/{first}", json={"name": "旧改"})
    api.delete(f"/api/v1/customer/{first}")
    second = api.post("/api/v1/customer/", json={"code": "REUSE-2", "name": "新", "owner": me}).json["id"]
    assert [e.action.name for e in _entries(app, "Customer", second)] == ["create"]


def test_several_transitions_in_one_flush_are_each_recorded_as_such(app):
    """The daily job expires many quotations in one flush: each gets its own transition entry
    (a transition once leaked its kind to the next dirty row, recorded as a step-less delete)."""
    from datetime import date

    from app.jobs import run_daily
    from app.models import Quotation
    from app.models.customers import QuotationStatus

    with app.app_context():
        quotes = [make(Quotation, employee("sales2"), issued_on=date(2036, 1, 1), valid_until=date(2036, 1, 31),
                       status=QuotationStatus.sent).id for _ in range(4)]
        run_daily(date(2036, 2, 1))
    for pk in quotes:
        last = _entries(app, "Quotation", pk)[-1]
        assert (last.action.name, last.step, last.changes) == (
            "transition", "expire", {"status": ["sent", "expired"]}), pk


def _zh(message):
    """A label as the Chinese reader sees it, from the app's own catalog."""
    from flask_babel import force_locale

    with force_locale("zh"):
        return str(message)


def test_the_journal_shows_translated_channels_record_types_and_names(app, browsers):
    """No codes ("cli", "Customer") or raw ids on the change history: the channel and record type
    by their labels, a reference by the referenced record's name, an account by its login."""
    from app.models import Employee
    from app.models.history import ChangeSource
    from app.registry import BY_NAME

    with app.app_context():
        owner = employee("sales2")
        owner_name = str(owner)
        customer_id = make(Customer, owner).id
        sm = app.appbuilder.sm
        account_id = sm.add_user("histlogin", "历史", "账号", "histlogin@test.local",
                                 sm.find_role("Salesperson"), "Test-pass-123").id
        emp = make(Employee, owner, team_id=owner.team_id)
        emp.user_id = account_id
        emp_id = emp.id
        db.session.commit()
    (created,) = _entries(app, "Customer", customer_id)
    linked = _entries(app, "Employee", emp_id)[-1]
    assert linked.changes["user_id"] == [None, account_id]
    admin = browsers("admin")
    listing = admin.get("/changelogview/list/").get_data(as_text=True)
    customer_page = admin.record(f"/changelogview/show/{created.id}")
    employee_page = admin.record(f"/changelogview/show/{linked.id}")
    with app.test_request_context():
        assert _zh(ChangeSource.cli.label) in listing and _zh(BY_NAME["Customer"].label) in listing
        assert _zh(ChangeSource.cli.label) in customer_page
    assert owner_name in customer_page and "owner_id" not in customer_page  # a name, not an id
    assert "histlogin" in employee_page and f"→ {account_id}<" not in employee_page
