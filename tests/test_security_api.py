"""FAB's security REST API (issue 8, items 5 and 6): JWT only, refused to a session cookie and to
non-administrators, and every malformed body answered 4xx with a translated message that
changes nothing, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

BASE = "/api/v1/security"
RESOURCES = ["users", "roles", "permissions", "resources", "permissions-resources", "groups"]
BIG = 2**70
STRONG = "Strong-Pass-12"
DB_WORDS = ("sql", "sqlite", "psycopg", "insert", "constraint", "integrity", "select ", "traceback")


def snapshot():
    """Everything the security API could change."""
    from flask_appbuilder.security.sqla.models import Group, Permission, PermissionView, Role, User, ViewMenu

    from app.extensions import db

    db.session.expire_all()
    return {
        "users": sorted((u.id, u.username, u.email, u.first_name, u.last_name, u.active, u.password,
                         tuple(sorted(r.id for r in u.roles)), tuple(sorted(g.id for g in u.groups)))
                        for u in db.session.query(User)),
        "roles": sorted((r.id, r.name, tuple(sorted(p.id for p in r.permissions)))
                        for r in db.session.query(Role)),
        "groups": sorted((g.id, g.name, g.label, g.description, tuple(sorted(r.id for r in g.roles)))
                         for g in db.session.query(Group)),
        "permissions": sorted((p.id, p.name) for p in db.session.query(Permission)),
        "view_menus": sorted((v.id, v.name) for v in db.session.query(ViewMenu)),
        "pvs": sorted((p.id, p.permission_id, p.view_menu_id) for p in db.session.query(PermissionView)),
    }


def translated(app, message, **params) -> str:
    """The message as the portal sends it by default (Chinese)."""
    with app.test_request_context(), force_locale("zh"):
        return str(message) % params if params else str(message)


@pytest.fixture()
def scratch(app, apis):
    """A role, a group, a view menu, a permission on it and a user, made through the API as
    admin, removed afterwards."""
    admin = apis("admin")
    made = {}
    role = admin.post(f"{BASE}/roles/", json={"name": "临时角色"})
    assert role.status_code == 201, role.json
    made["roles"] = role.json["id"]
    group = admin.post(f"{BASE}/groups/", json={"name": "临时组", "roles": [made["roles"]]})
    assert group.status_code == 201, group.json
    made["groups"] = group.json["id"]
    view = admin.post(f"{BASE}/resources/", json={"name": "临时资源"})
    assert view.status_code == 201, view.json
    made["resources"] = view.json["id"]
    with app.app_context():
        from flask_appbuilder.security.sqla.models import Permission

        from app.extensions import db

        perm_id = db.session.query(Permission.id).filter_by(name="can_read").scalar()
    pv = admin.post(f"{BASE}/permissions-resources/", json={"permission_id": perm_id,
                                                            "view_menu_id": made["resources"]})
    assert pv.status_code == 201, pv.json
    made["permissions-resources"] = pv.json["id"]
    made["permissions"] = perm_id
    user = admin.post(f"{BASE}/users/", json={
        "username": "api-scratch", "first_name": "临", "last_name": "时", "email": "scratch@test.local",
        "password": STRONG, "roles": [made["roles"]]})
    assert user.status_code == 201, user.json
    made["users"] = user.json["id"]
    yield made
    for resource in ("users", "permissions-resources", "resources", "groups", "roles"):
        assert admin.delete(f"{BASE}/{resource}/{made[resource]}").status_code in (200, 404)


def _hashes(resp) -> bool:
    """A password hash, or a value named password, in an answer."""
    text = resp.get_data(as_text=True)
    return bool(re.search(r'"password"\s*:', text)) or "scrypt:" in text or "pbkdf2:" in text


def _requests(made):
    """(method, url, body) for every endpoint of the security API."""
    out = []
    for resource in RESOURCES:
        pk = made[resource]
        out += [("get", f"{BASE}/{resource}/", None), ("get", f"{BASE}/{resource}/_info", None),
                ("get", f"{BASE}/{resource}/{pk}", None)]
        if resource != "permissions":  # read only
            out += [("post", f"{BASE}/{resource}/", {"name": "x"}), ("put", f"{BASE}/{resource}/{pk}", {"name": "x"}),
                    ("delete", f"{BASE}/{resource}/{pk}", None)]
    role = made["roles"]
    out += [("get", f"{BASE}/roles/{role}/permissions/", None),
            ("post", f"{BASE}/roles/{role}/permissions", {"permission_view_menu_ids": []}),
            ("put", f"{BASE}/roles/{role}/users", {"user_ids": []}),
            ("put", f"{BASE}/roles/{role}/groups", {"group_ids": []})]
    return out


def test_a_session_cookie_alone_opens_nothing(app, login, scratch):
    """The administrator's browser session (the cookie a forged cross-site request would carry)
    can neither read nor write: 401, nothing changes."""
    ui = login("admin")
    with app.app_context():
        before = snapshot()
    token = ui.token("/users/userinfo/")  # even with the form's CSRF token
    for method, url, body in _requests(scratch):
        resp = getattr(ui.client, method)(url, json=body, headers={"X-CSRFToken": token})
        assert resp.status_code == 401, (method, url, resp.status_code)
    with app.app_context():
        assert snapshot() == before


def test_a_salesperson_is_refused(app, apis, scratch):
    sales = apis("sales1")
    with app.app_context():
        before = snapshot()
    for method, url, body in _requests(scratch):
        resp = getattr(sales, method)(url, json=body)
        assert resp.status_code == 403, (method, url, resp.status_code)
    with app.app_context():
        assert snapshot() == before


def test_the_jwt_decides_not_the_cookie(app, api, login, scratch):
    """A salesperson's token sent from a browser holding an administrator's session is the
    salesperson's request."""
    ui = login("admin")
    sales_token = api("sales1").headers
    with app.app_context():
        before = snapshot()
    for method, url, body in _requests(scratch):
        resp = getattr(ui.client, method)(url, json=body, headers=sales_token)
        assert resp.status_code == 403, (method, url, resp.status_code)
    with app.app_context():
        assert snapshot() == before


def test_an_administrator_with_a_jwt_manages_everything(app, apis, scratch, org):
    admin = apis("admin")
    role, group, user = scratch["roles"], scratch["groups"], scratch["users"]
    for resource in RESOURCES:
        listing = admin.get(f"{BASE}/{resource}/")
        assert listing.status_code == 200 and listing.json["count"] >= 1
        assert admin.get(f"{BASE}/{resource}/{scratch[resource]}").status_code == 200
        assert not _hashes(listing)
    assert admin.put(f"{BASE}/roles/{role}", json={"name": "临时角色2"}).json["result"] == {"name": "临时角色2"}
    pvs = [p["id"] for p in admin.get(f"{BASE}/permissions-resources/").json["result"][:3]]
    assert admin.post(f"{BASE}/roles/{role}/permissions", json={"permission_view_menu_ids": pvs}).status_code == 200
    assert sorted(p["id"] for p in admin.get(f"{BASE}/roles/{role}/permissions/").json["result"]) == sorted(pvs)
    assert admin.put(f"{BASE}/roles/{role}/users", json={"user_ids": [user]}).status_code == 200
    assert admin.put(f"{BASE}/roles/{role}/groups", json={"group_ids": [group]}).status_code == 200
    assert admin.put(f"{BASE}/groups/{group}", json={"label": "标签", "description": None}).status_code == 200
    changed = admin.put(f"{BASE}/users/{user}", json={"first_name": "改", "active": False, "groups": [group]})
    assert changed.status_code == 200, changed.json
    shown = admin.get(f"{BASE}/users/{user}").json["result"]
    assert shown["first_name"] == "改" and shown["active"] is False
    assert admin.put(f"{BASE}/resources/{scratch['resources']}", json={"name": "临时资源2"}).status_code == 200
    with app.app_context():
        from flask_appbuilder.security.sqla.models import Role

        from app.extensions import db

        assert db.session.get(Role, role).name == "临时角色2"


BAD_BODIES = [
    None, [], [1], "x", 1, True, {"name": None}, {"name": 1}, {"name": ["a"]}, {"name": {"a": 1}},
    {"name": ""}, {"name": "   "}, {"name": "x" * 600}, {"name": "a\x00b"}, {"name": "a\x1bb"},
    {"unknown": 1}, {"permission_view_menu_ids": [BIG]}, {"permission_view_menu_ids": None},
    {"permission_view_menu_ids": [1, 1]}, {"permission_view_menu_ids": [0]},
    {"permission_view_menu_ids": ["1"]}, {"permission_view_menu_ids": [True]},
    {"permission_view_menu_ids": [999999]}, {"permission_view_menu_ids": 5},
    {"user_ids": [BIG]}, {"user_ids": [999999]}, {"user_ids": None}, {"group_ids": [-1]},
    {"group_ids": [999999]}, {"roles": [BIG]}, {"roles": None}, {"roles": [999999]},
    {"users": [BIG]}, {"users": [1, 1]}, {"groups": "1"},
    {"permission_id": BIG, "view_menu_id": 1}, {"permission_id": 999999, "view_menu_id": 999999},
    {"permission_id": "x", "view_menu_id": None}, {"permission_id": 1.5, "view_menu_id": 1},
    {"username": "admin", "first_name": "a", "last_name": "b", "email": "admin@test.local",
     "password": STRONG, "roles": [1]},
    {"username": "api-new", "first_name": "a", "last_name": "b", "email": "not-an-address",
     "password": STRONG, "roles": [1]},
    {"username": "api-new", "first_name": "a", "last_name": "b", "email": "n@test.local",
     "password": "short", "roles": [1]},
    {"username": "api-new", "first_name": None, "last_name": "b", "email": "n@test.local",
     "password": STRONG, "roles": [1]},
    {"username": "api-new", "first_name": "a", "last_name": "b", "email": "n@test.local",
     "password": STRONG, "roles": [1], "active": None},
    {"username": "api-new", "first_name": "a", "last_name": "b", "email": "n@test.local",
     "password": STRONG, "roles": [], "groups": []},
    {"username": "api-new", "first_name": "a", "last_name": "b", "email": "n@test.local",
     "password": STRONG, "roles": [BIG]},
    {"name": "g-new", "label": "x" * 200}, {"name": "g-new", "roles": [1], "users": [999999]},
    {"name": "g-new", "description": 5},
]
RAW_BODIES = [b"{", b"\xff\xfe", b'{"name": NaN}', b'{"name": Infinity}', b'{"name": "\\ud800"}',
              b'{"name": "a\\u0000b"}', b"[" * 100_000, b'{"name": 1' + b"0" * 400 + b"}", b""]


def _assert_refused(app, resp, where):
    assert resp.status_code in (400, 404, 422), (where, resp.status_code, resp.get_data(as_text=True)[:300])
    assert resp.is_json and "message" in resp.json, where
    text = str(resp.json["message"]).lower()
    assert not [w for w in DB_WORDS if w in text], (where, text)


def test_malformed_bodies_are_refused_and_change_nothing(app, apis, scratch):
    admin = apis("admin")
    targets = [("post", f"{BASE}/{r}/") for r in RESOURCES if r != "permissions"]
    targets += [("put", f"{BASE}/{r}/{scratch[r]}") for r in RESOURCES if r != "permissions"]
    role = scratch["roles"]
    targets += [("post", f"{BASE}/roles/{role}/permissions"), ("put", f"{BASE}/roles/{role}/users"),
                ("put", f"{BASE}/roles/{role}/groups")]
    with app.app_context():
        before = snapshot()
    for method, url in targets:
        for body in BAD_BODIES:
            _assert_refused(app, getattr(admin, method)(url, json=body), (method, url, body))
        for raw in RAW_BODIES:
            resp = getattr(admin, method)(url, data=raw, headers={"Content-Type": "application/json"})
            _assert_refused(app, resp, (method, url, raw[:40]))
        resp = getattr(admin, method)(url, data="name=x", headers={"Content-Type": "text/plain"})
        _assert_refused(app, resp, (method, url, "not JSON"))
    with app.app_context():
        assert snapshot() == before


def test_duplicates_are_refused(app, apis, scratch):
    """Names, usernames, e-mails and permission-resource pairs are unique: a duplicate is a 422
    naming the field, on create and on update, and changes nothing."""
    admin = apis("admin")
    other = {  # a second record of each kind, to rename into the scratch one's name
        "roles": admin.post(f"{BASE}/roles/", json={"name": "另一角色"}).json["id"],
        "groups": admin.post(f"{BASE}/groups/", json={"name": "另一组", "roles": [scratch["roles"]]}).json["id"],
        "resources": admin.post(f"{BASE}/resources/", json={"name": "另一资源"}).json["id"],
    }
    try:
        with app.app_context():
            before = snapshot()
        for resource, body, field in [
            ("roles", {"name": "临时角色"}, "name"), ("groups", {"name": "临时组"}, "name"),
            ("resources", {"name": "临时资源"}, "name"),
        ]:
            for resp in (admin.post(f"{BASE}/{resource}/", json=body),
                         admin.put(f"{BASE}/{resource}/{other[resource]}", json=body)):
                assert resp.status_code == 422 and list(resp.json["message"]) == [field], resp.json
        user = {"username": "api-scratch", "first_name": "a", "last_name": "b", "email": "new@test.local",
                "password": STRONG, "roles": [scratch["roles"]]}
        for body, field in [(user, "username"), ({**user, "username": "api-2", "email": "scratch@test.local"}, "email")]:
            resp = admin.post(f"{BASE}/users/", json=body)
            assert resp.status_code == 422 and list(resp.json["message"]) == [field], resp.json
        resp = admin.put(f"{BASE}/users/{scratch['users']}", json={"email": "sales1@test.local"})
        assert resp.status_code == 422 and list(resp.json["message"]) == ["email"], resp.json
        pair = {"permission_id": scratch["permissions"], "view_menu_id": scratch["resources"]}
        resp = admin.post(f"{BASE}/permissions-resources/", json=pair)
        assert resp.status_code == 422 and list(resp.json["message"]) == ["view_menu_id"], resp.json
        resp = admin.put(f"{BASE}/users/{scratch['users']}", json={"roles": []})  # no group either
        assert resp.status_code == 422 and list(resp.json["message"]) == ["roles"], resp.json
        with app.app_context():
            assert snapshot() == before
    finally:
        for resource, pk in other.items():
            admin.delete(f"{BASE}/{resource}/{pk}")


def test_bad_ids_and_queries_answer_4xx(app, apis, scratch):
    admin = apis("admin")
    with app.app_context():
        before = snapshot()
    for resource in RESOURCES:
        for pk in (str(BIG), "99999999999", "0", "-1", "abc", "1.5", "%00", "1%0A"):
            for method in ("get", "put", "delete"):
                resp = getattr(admin, method)(f"{BASE}/{resource}/{pk}", json={"name": "x"})
                assert resp.status_code in (404, 405), (method, resource, pk, resp.status_code)
        for q in ["(", "(page:99999999999999999999,page_size:10)", "(page_size:99999999999999999999)",
                  "(filters:!((col:name,opr:ct,value:!(1,2))))", "(filters:!((col:name,opr:sw,value:(a:1))))",
                  "(filters:!((col:id,opr:eq,value:abc)))", "(filters:!((col:id,opr:eq,value:99999999999999999999)))",
                  "(filters:!((col:roles,opr:rel_m_m,value:99999999999999999999)))",
                  "(filters:!((col:roles,opr:rel_m_m,value:abc)))", "(order_column:nope,order_direction:up)",
                  "(columns:!(password))", "(page:-1,page_size:-5)", "!(1,2)"]:
            for url in (f"{BASE}/{resource}/", f"{BASE}/{resource}/_info", f"{BASE}/{resource}/{scratch[resource]}"):
                resp = admin.get(url, query_string={"q": q})
                assert resp.status_code in (200, 400), (url, q, resp.status_code)
                assert not _hashes(resp), (url, q)
    for pk in (str(BIG), "abc"):
        for method, sub in (("get", "permissions/"), ("post", "permissions"), ("put", "users"), ("put", "groups")):
            resp = getattr(admin, method)(f"{BASE}/roles/{pk}/{sub}", json={"user_ids": []})
            assert resp.status_code == 404, (method, pk, sub, resp.status_code)
    with app.app_context():
        assert snapshot() == before


def test_messages_are_translated_and_name_the_field(app, apis, scratch):
    from app.security import api as security_api

    admin = apis("admin")
    resp = admin.post(f"{BASE}/roles/", json={"name": "Admin"})
    assert resp.status_code == 422
    assert resp.json["message"] == {"name": [translated(app, security_api.MSG_TAKEN)]}
    resp = admin.put(f"{BASE}/roles/{scratch['roles']}/users", json={"user_ids": [999999]})
    assert resp.status_code == 422
    assert resp.json["message"] == {"user_ids": [translated(app, security_api.MSG_MISSING, ids="999999")]}
    resp = admin.post(f"{BASE}/roles/", json=[{"name": "x"}])
    assert resp.status_code == 400 and resp.json["message"] == translated(app, security_api.MSG_NOT_JSON)
    assert admin.get(f"{BASE}/roles/{BIG}").json["message"] == translated(app, security_api.MSG_NOT_FOUND)


def test_a_user_still_in_use_is_not_deleted(app, apis, org):
    """sales1 has an employee record: deleting the login answers 422 with our message (the
    database's text never reaches the client) and deletes nothing."""
    from app.security import api as security_api

    with app.app_context():
        from flask_appbuilder.security.sqla.models import User

        from app.extensions import db

        user_id = db.session.query(User.id).filter_by(username="sales3").scalar()
        before = snapshot()
    resp = apis("admin").delete(f"{BASE}/users/{user_id}")
    assert resp.status_code == 422
    assert resp.json["message"] == translated(app, security_api.MSG_CONFLICT)
    with app.app_context():
        assert snapshot() == before


def test_a_duplicate_that_slips_past_the_check_is_a_422(app, apis, scratch, monkeypatch):
    """A name taken by a concurrent request between the check and the commit: the unique
    constraint refuses it, the answer is our 422, not FAB's 500."""
    from app.security import api as security_api

    monkeypatch.setattr(security_api, "check_fields", lambda *a, **kw: None)
    admin = apis("admin")
    with app.app_context():
        before = snapshot()
    for method, url, body in [("post", f"{BASE}/roles/", {"name": "Admin"}),
                              ("put", f"{BASE}/roles/{scratch['roles']}", {"name": "Admin"}),
                              ("post", f"{BASE}/groups/", {"name": "临时组"}),
                              ("post", f"{BASE}/resources/", {"name": "临时资源"}),
                              ("post", f"{BASE}/users/", {"username": "api-scratch", "first_name": "a",
                                                          "last_name": "b", "email": "x@test.local",
                                                          "password": STRONG, "roles": [scratch["roles"]]})]:
        resp = getattr(admin, method)(url, json=body)
        assert resp.status_code == 422, (url, resp.status_code, resp.json)
        assert resp.json["message"] == translated(app, security_api.MSG_CONFLICT)
    with app.app_context():
        assert snapshot() == before
