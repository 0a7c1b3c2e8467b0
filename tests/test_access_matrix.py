"""Generated from the access matrix: every role × every entity × every verb, through UI and API.

For each entity three rows exist, anchored to sales1, sales3 (sales1's team) and sales2 (another
team). What each user may see and change is derived from the matrix and the team layout, and
checked against what the portal actually answers.
"""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from app.registry import ENTITIES, MATRIX
from tests.conftest import USERS, employee
from tests.factories import count, make

ROLE_USERS = ("sales1", "supervisor1", "finance1", "hr1", "admin")
UI_DENIED = (302, 403)  # FAB redirects anonymous users to the login page, refuses others
OWNERS = ("sales1", "sales3", "sales2")
TEAM_OF = {u: t for u, (_, t, _) in USERS.items()}


def expected_visible(viewer: str, owner: str, scope: str | None, anchored: bool) -> bool:
    if scope is None:
        return False
    if scope == "all" or not anchored:
        return True
    if scope == "team":
        return TEAM_OF[viewer] is not None and TEAM_OF[viewer] == TEAM_OF[owner]
    return viewer == owner


@pytest.fixture(scope="module")
def rows(app):
    """{entity name: {owner username: row id}}."""
    out = {}
    with app.app_context():
        for entity in ENTITIES:
            out[entity.name] = {}
            for owner in OWNERS:
                emp = employee(owner)
                if entity.name == "Employee":
                    out[entity.name][owner] = emp.id
                else:
                    out[entity.name][owner] = make(entity.model, emp).id
    return out


def _url(entity, suffix=""):
    return f"/api/v1/{entity.name.lower()}/{suffix}"


CASES = [(u, e) for u in ROLE_USERS for e in ENTITIES]


@pytest.mark.parametrize(("username", "entity"), CASES, ids=[f"{u}-{e.name}" for u, e in CASES])
def test_matrix_cell(app, apis, browsers, rows, username, entity):
    role = USERS[username][0]
    cell = MATRIX[role][entity.name]
    anchored = entity.anchor is not None
    client = apis(username)
    ui = browsers(username)

    # read: list and show, API and UI
    resp = client.get(_url(entity) + "?q=(page_size:200)")
    ui_list = ui.get(f"/{entity.name.lower()}view/list/")
    if cell["read"] is None:
        assert resp.status_code in (401, 403)
        assert ui_list.status_code in UI_DENIED
    else:
        assert resp.status_code == 200, resp.get_data(as_text=True)
        assert ui_list.status_code == 200
        listed = set(resp.json["ids"])
        for owner, pk in rows[entity.name].items():
            visible = expected_visible(username, owner, cell["read"], anchored)
            assert (pk in listed) == visible, (owner, pk)
            show = client.get(_url(entity, str(pk)))
            assert show.status_code == (200 if visible else 404), (owner, show.status_code)
            ui_show = ui.get(f"/{entity.name.lower()}view/show/{pk}")
            assert ui_show.status_code == (200 if visible else 404), (owner, ui_show.status_code)

    # write: PUT (no change) and the edit form, per row
    for owner, pk in rows[entity.name].items():
        put = client.put(_url(entity, str(pk)), json={})
        edit = ui.get(f"/{entity.name.lower()}view/edit/{pk}")
        if cell["write"] is None:
            assert put.status_code in (401, 403)
            assert edit.status_code in UI_DENIED
        else:
            writable = expected_visible(username, owner, cell["write"], anchored)
            assert put.status_code == (200 if writable else 404), (owner, put.get_data(as_text=True))
            assert edit.status_code == (200 if writable else 404), owner

    # approve: the permission FAB checks for approval actions
    with app.test_request_context():
        from flask import g

        from app.extensions import db
        from app.models import User

        g.user = db.session.query(User).filter_by(username=username).one()
        from flask_login import login_user

        login_user(g.user)
        allowed = app.appbuilder.sm.has_access("can_approve", entity.name)
        assert allowed == (cell["approve"] is not None)


def _api_view(app, entity):
    return next(v for v in app.appbuilder.baseviews if type(v).__name__ == f"{entity.name}Api")


def _fresh_body(app, entity, owner: str) -> dict:
    """A valid JSON body for a new row hanging off ``owner``: a row is made, dumped through the
    API's own add schema and removed again, so unique values and slots are free for the POST."""
    import json

    from app.extensions import db

    with app.app_context():
        emp = employee(owner)
        extra = {"team_id": emp.team_id} if entity.name == "Employee" else {}
        obj = make(entity.model, emp, **extra)
        body = json.loads(json.dumps(_api_view(app, entity).add_model_schema.dump(obj), default=str))
        db.session.delete(obj)
        db.session.commit()
    return body


@pytest.mark.parametrize(("username", "entity"), CASES, ids=[f"{u}-{e.name}" for u, e in CASES])
def test_matrix_create_and_delete(app, apis, browsers, username, entity):
    """write also means create and delete, each only within the write scope."""
    from app.extensions import db

    role = USERS[username][0]
    scope = MATRIX[role][entity.name]["write"]
    anchored = entity.anchor is not None and entity.name != "Employee"
    client, ui = apis(username), browsers(username)
    add_form = ui.get(f"/{entity.name.lower()}view/add")
    assert add_form.status_code == 200 if scope else add_form.status_code in UI_DENIED
    for owner in OWNERS:
        allowed = scope is not None and (entity.name == "Employee" and scope == "all"
                                         or expected_visible(username, owner, scope, anchored))
        body = _fresh_body(app, entity, owner)
        before = count(app, entity.model)
        resp = client.post(_url(entity), json=body)
        if scope is None:
            assert resp.status_code in (401, 403)
        elif allowed:
            assert resp.status_code == 201, (owner, resp.get_data(as_text=True))
        elif resp.status_code == 422:
            # A reference to a row the user may not read is refused like an unknown id, on the
            # field (scope before rules: nothing else about the row is told).
            refs = {r.key for r in inspect(entity.model).relationships}
            assert set(resp.json["message"]) <= refs & set(body), resp.json
        else:
            assert resp.status_code == 403, (owner, resp.get_data(as_text=True))
        assert count(app, entity.model) == before + (resp.status_code == 201)

        with app.app_context():
            pk = make(entity.model, employee(owner), **(
                {"team_id": employee(owner).team_id} if entity.name == "Employee" else {})).id
        api_del = client.delete(_url(entity, str(pk)))
        if scope is None:
            assert api_del.status_code in (401, 403)
        else:
            assert api_del.status_code == (200 if allowed else 404), owner
        with app.app_context():
            db.session.expire_all()
            assert (db.session.get(entity.model, pk) is None) == allowed

        with app.app_context():
            pk = make(entity.model, employee(owner), **(
                {"team_id": employee(owner).team_id} if entity.name == "Employee" else {})).id
        url = f"/{entity.name.lower()}view/delete/{pk}"
        ui_del = ui.post(url, token_from="/")
        if scope is None:
            assert ui_del.status_code in UI_DENIED
        else:
            assert ui_del.status_code == (302 if allowed else 404), owner
        with app.app_context():
            db.session.expire_all()
            assert (db.session.get(entity.model, pk) is None) == allowed
