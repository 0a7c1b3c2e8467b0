"""Change history: every write path leaves an entry; nobody can change the history."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import ChangeLog, Customer, LoginEvent
from tests.conftest import employee
from tests.factories import count, make


def _entries(app, entity, row_id):
    with app.app_context():
        db.session.expire_all()
        return db.session.scalars(select(ChangeLog).where(
            ChangeLog.entity == entity, ChangeLog.row_id == row_id).order_by(ChangeLog.id)).all()


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
    page = ui.get(f"/customerview/edit/{pk}").get_data(as_text=True)
    from tests.test_scope_leaks import model_form

    fields = model_form(page).fields
    resp = ui.post(f"/customerview/edit/{pk}", data=dict(fields, name="表单改名"))
    assert resp.status_code == 302
    entries = _entries(app, "Customer", pk)
    assert entries[-1].action.name == "update" and entries[-1].source == "ui"
    assert entries[-1].changes["name"][1] == "表单改名"
    show = ui.get(f"/customerview/show/{pk}").get_data(as_text=True)
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
