"""Sign-in like a bank's (issue 8, item 4), in the test process: sessions and tokens that can be
taken back, refresh-token rotation, lock-out and unlock, the trusted-proxy address, the password
policy on every path. The limits across gunicorn workers sharing Redis: ``test_logins_live.py``.

Each test works on logins of its own (``fresh_user``), so revoking or locking them touches no
other test's cached clients; each asserts the refusal and that nothing else changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import LoginEvent, LoginLock, LoginSession, PolicyKey, PolicySetting, User
from app.models.history import LoginEventKind
from app.models.logins import SessionEnd
from app.security.passwords import problems
from tests.conftest import PASSWORD, csrf_from
from tests.factories import unique

ROOT_DIR = Path(__file__).resolve().parents[1]

NEW_PASSWORD = "Other-pass-456"
WEAK = ("short-A1", "alllowercase-123", "ALLUPPER-123", "NoDigitsHere-", "NoSymbols123abc", "")
PROFILE = "/users/userinfo/"  # any logged-in user may open it; anonymous is sent to the login


def fresh_user(app, role="Salesperson", password=PASSWORD) -> str:
    name = unique("lg")
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user(name, "测", "试", f"{name}@test.local", sm.find_role(role), password)
    return name


def form_login(client, username, password=PASSWORD, **kw):
    page = client.get("/login/", **kw)
    return client.post("/login/", data={"username": username, "password": password,
                                        "csrf_token": csrf_from(page.get_data(as_text=True))}, **kw)


def api_login(client, username, password=PASSWORD, refresh=True, **kw):
    return client.post("/api/v1/security/login", json={
        "username": username, "password": password, "provider": "db", "refresh": refresh}, **kw)


def signed_in(client) -> bool:
    resp = client.get(PROFILE)
    assert resp.status_code in (200, 302)
    return resp.status_code == 200


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def token_works(client, access: str) -> bool:
    resp = client.get("/api/v1/customer/", headers=bearer(access))
    assert resp.status_code in (200, 401), resp.get_data(as_text=True)
    return resp.status_code == 200


def refresh_with(client, refresh: str):
    return client.post("/api/v1/security/refresh", headers=bearer(refresh))


def copy_of(app, client):
    """A second client holding a copy of ``client``'s session cookie (a stolen cookie)."""
    other = app.test_client()
    cookie = client.get_cookie("session")
    assert cookie is not None
    other.set_cookie("session", cookie.value)
    return other


def journal(app, username) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(select(LoginEvent).where(LoginEvent.username == username)
                                  .order_by(LoginEvent.id)).all()
        return [(r.kind, r.success, r.reason) for r in rows]


def user_row(app, username):
    with app.app_context():
        return db.session.scalars(select(User).where(User.username == username)).one()


@pytest.fixture()
def signed(app):
    """A fresh login signed in through the form (with a copied cookie) and through the API."""
    name = fresh_user(app)
    browser = app.test_client()
    assert form_login(browser, name).status_code == 302
    tokens = api_login(app.test_client(), name).json
    return name, browser, copy_of(app, browser), tokens


@pytest.fixture()
def bystander(app):
    """Another login, signed in: whatever a test revokes must leave it alone."""
    client = app.test_client()
    assert form_login(client, fresh_user(app)).status_code == 302
    return client


# --- logout -------------------------------------------------------------------------------


def test_logout_by_get_does_nothing_and_post_ends_the_copied_cookie_too(app, signed):
    name, browser, stolen, tokens = signed
    other_browser = app.test_client()
    assert form_login(other_browser, name).status_code == 302  # a second session of the same login
    assert signed_in(stolen)

    page = browser.get("/logout/")
    assert page.status_code == 200 and 'id="logout-form"' in page.get_data(as_text=True)
    assert signed_in(browser) and signed_in(stolen)
    assert browser.post("/logout/").status_code == 400  # no CSRF token
    assert signed_in(browser) and signed_in(stolen)

    assert browser.post("/logout/", data={"csrf_token": csrf_from(page.get_data(as_text=True))}
                        ).status_code == 302
    assert not signed_in(browser)
    assert not signed_in(stolen)  # the cookie copied before the logout is refused after it
    assert signed_in(other_browser)  # only that session ended
    assert token_works(app.test_client(), tokens["access_token"])
    assert journal(app, name)[-1] == (LoginEventKind.logout, None, None)


def test_the_navbar_logs_out_with_a_post_form(app, signed):
    _, browser, _, _ = signed
    html = browser.get(PROFILE).get_data(as_text=True)
    assert 'id="nav-logout-form"' in html and 'method="post" action="/logout/"' in html
    assert 'href="/logout/"' not in html


def test_api_logout_ends_the_token_family(app, signed):
    name, browser, _, tokens = signed
    client = app.test_client()
    second = api_login(client, name).json
    assert client.post("/api/v1/security/logout").status_code == 401  # needs the token
    assert client.post("/api/v1/security/logout", headers=bearer(tokens["access_token"])).status_code == 200
    assert not token_works(client, tokens["access_token"])
    assert refresh_with(client, tokens["refresh_token"]).status_code == 401
    assert token_works(client, second["access_token"])  # another login of the same user
    assert signed_in(browser)


# --- revocation ---------------------------------------------------------------------------


def _all_refused(app, stolen, tokens):
    client = app.test_client()
    assert not signed_in(stolen)
    assert not token_works(client, tokens["access_token"])
    assert refresh_with(client, tokens["refresh_token"]).status_code == 401


def _fresh_login_works(app, name, password):
    client = app.test_client()
    assert form_login(client, name, password).status_code == 302 and signed_in(client)
    assert token_works(client, api_login(client, name, password).json["access_token"])


def test_own_password_change_revokes_old_cookie_and_tokens_but_keeps_this_browser(app, signed, bystander):
    name, browser, stolen, tokens = signed
    page = browser.get("/resetmypassword/form")
    assert page.status_code == 200
    resp = browser.post("/resetmypassword/form", data={
        "password": NEW_PASSWORD, "conf_password": NEW_PASSWORD,
        "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert resp.status_code == 302
    assert signed_in(browser)  # the browser that changed it got a new session
    _all_refused(app, stolen, tokens)
    assert form_login(app.test_client(), name, PASSWORD).status_code == 302  # back to the login page
    assert not signed_in(_client_after(app, name, PASSWORD))
    _fresh_login_works(app, name, NEW_PASSWORD)
    assert signed_in(bystander)  # nobody else was signed out
    assert (LoginEventKind.revoked, None, SessionEnd.password) in journal(app, name)


def _client_after(app, name, password):
    client = app.test_client()
    form_login(client, name, password)
    return client


def test_admin_password_reset_revokes_everything_of_that_user(app, signed, browsers, bystander):
    name, _, stolen, tokens = signed
    admin = browsers("admin")
    pk = user_row(app, name).id
    url = f"/resetpassword/form?pk={pk}"
    resp = admin.post(url, data={"password": NEW_PASSWORD, "conf_password": NEW_PASSWORD})
    assert resp.status_code == 302
    _all_refused(app, stolen, tokens)
    _fresh_login_works(app, name, NEW_PASSWORD)
    assert signed_in(admin.client) and signed_in(bystander)  # the administrator stays signed in
    assert (LoginEventKind.revoked, None, SessionEnd.password) in journal(app, name)


def test_deactivation_revokes_and_reactivation_does_not_revive(app, signed, bystander):
    name, _, stolen, tokens = signed
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.find_user(username=name)
        user.active = False
        sm.update_user(user)  # the path of FAB's user edit form
    _all_refused(app, stolen, tokens)
    assert form_login(app.test_client(), name).status_code == 302
    assert api_login(app.test_client(), name).status_code == 401
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.find_user(username=name)
        user.active = True
        sm.update_user(user)
    _all_refused(app, stolen, tokens)  # reactivated, the old cookie and tokens stay dead
    _fresh_login_works(app, name, PASSWORD)
    assert signed_in(bystander)
    assert (LoginEventKind.revoked, None, SessionEnd.deactivated) in journal(app, name)


def test_admin_signs_a_user_out_everywhere(app, signed, browsers, bystander):
    name, _, stolen, tokens = signed
    pk = user_row(app, name).id
    admin = browsers("admin")
    assert admin.get("/login-security/").status_code == 200
    assert admin.get(f"/login-security/signout/{pk}").status_code == 405
    assert admin.client.post(f"/login-security/signout/{pk}").status_code == 400  # no CSRF token
    assert signed_in(stolen)
    # Not for anybody else: a salesperson is refused and nothing ends.
    sales = browsers("sales1")
    assert sales.post(f"/login-security/signout/{pk}", token_from="/").status_code in (302, 403)
    assert signed_in(stolen) and token_works(app.test_client(), tokens["access_token"])

    assert admin.post(f"/login-security/signout/{pk}", token_from="/login-security/").status_code == 302
    _all_refused(app, stolen, tokens)
    assert signed_in(bystander) and signed_in(admin.client) and signed_in(sales.client)
    _fresh_login_works(app, name, PASSWORD)
    assert (LoginEventKind.revoked, None, SessionEnd.signout) in journal(app, name)


# --- refresh tokens -----------------------------------------------------------------------


def test_refresh_rotates_and_a_reused_refresh_token_ends_its_family(app):
    name = fresh_user(app)
    client = app.test_client()
    first = api_login(client, name).json
    other = api_login(client, name).json  # another login (family) of the same user
    assert client.post("/api/v1/security/refresh", headers=bearer(first["access_token"])).status_code in (401, 422)

    resp = refresh_with(client, first["refresh_token"])
    assert resp.status_code == 200
    second = resp.json
    assert second["refresh_token"] != first["refresh_token"]
    assert token_works(client, second["access_token"])
    assert token_works(client, first["access_token"])  # access tokens live their 15 minutes

    assert refresh_with(client, first["refresh_token"]).status_code == 401  # used already
    # The reuse ended the family: the rotated tokens too.
    assert refresh_with(client, second["refresh_token"]).status_code == 401
    assert not token_works(client, second["access_token"])
    assert not token_works(client, first["access_token"])
    # Another login of the same user is untouched.
    assert refresh_with(client, other["refresh_token"]).status_code == 200
    assert (LoginEventKind.revoked, None, SessionEnd.refresh_reuse) in journal(app, name)


def test_token_lifetimes_access_minutes_refresh_days(app):
    from flask_jwt_extended import decode_token

    name = fresh_user(app)
    tokens = api_login(app.test_client(), name).json
    with app.app_context():
        access, refresh = decode_token(tokens["access_token"]), decode_token(tokens["refresh_token"])
        assert access["exp"] - access["iat"] == 15 * 60
        assert refresh["exp"] - refresh["iat"] == 7 * 24 * 3600
        row = db.session.get(LoginSession, refresh["sid"])
        assert row.refresh_jti == refresh["jti"] and row.channel == "api"
    assert timedelta(days=1) < app.config["JWT_REFRESH_TOKEN_EXPIRES"] <= timedelta(days=14)
    no_refresh = api_login(app.test_client(), name, refresh=False).json
    assert "refresh_token" not in no_refresh


def test_tokens_without_a_session_are_refused(app):
    """A token signed with the right key but bound to no live session (e.g. one issued before
    this release, or forged from a leaked id) does not work."""
    from flask_jwt_extended import create_access_token

    name = fresh_user(app)
    pk = user_row(app, name).id
    with app.app_context():
        bare = create_access_token(identity=str(pk))
        bogus = create_access_token(identity=str(pk), additional_claims={"sid": "nope"})
    client = app.test_client()
    assert not token_works(client, bare)
    assert not token_works(client, bogus)


# --- lock-out (in one process; across gunicorn workers: test_logins_live.py) ----------------


def _set_policy(app, key, value):
    with app.app_context():
        row = db.session.scalar(select(PolicySetting).where(PolicySetting.key == key))
        if value is None:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(PolicySetting(key=key, value=value))
        else:
            row.value = value
        db.session.commit()


@pytest.fixture()
def three_failures_lock(app):
    _set_policy(app, PolicyKey.login_lock_failures, "3")
    yield 3
    _set_policy(app, PolicyKey.login_lock_failures, None)


def _active_locks(app, login):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LoginLock).where(
            LoginLock.login == login, LoginLock.unlocked_at.is_(None)))


def test_lockout_counts_failures_only_refuses_the_right_password_and_unknown_names_alike(
        app, browsers, three_failures_lock):
    name = fresh_user(app)
    ghost = "nobody"
    client = app.test_client()
    for _ in range(5):  # successes are not counted
        assert api_login(client, name).status_code == 200
    assert api_login(client, name, "wrong-Pass-1").status_code == 401
    assert api_login(client, name).status_code == 200  # a success starts the count again
    for _ in range(3):
        assert api_login(client, name, "wrong-Pass-1").status_code == 401
        assert api_login(client, ghost, "wrong-Pass-1").status_code == 401
    locked, locked_ghost = api_login(client, name), api_login(client, ghost)
    assert locked.status_code == locked_ghost.status_code == 401  # the right password is refused
    assert locked.json == locked_ghost.json  # and an unknown name is answered the same way
    assert locked.json != api_login(client, fresh_user(app), "wrong-Pass-1").json  # not "invalid"
    browser = app.test_client()
    resp = form_login(browser, name)
    assert resp.status_code == 302 and "/login/" in resp.location and not signed_in(browser)
    assert _active_locks(app, name) == 1 and _active_locks(app, ghost) == 1

    admin = browsers("admin")
    with app.app_context():
        lock_id = db.session.scalar(select(LoginLock.id).where(LoginLock.login == name))
    assert admin.get(f"/login-security/unlock/{lock_id}").status_code == 405
    assert admin.client.post(f"/login-security/unlock/{lock_id}").status_code == 400  # CSRF
    assert browsers("sales1").post(f"/login-security/unlock/{lock_id}", token_from="/").status_code in (302, 403)
    assert api_login(client, name).status_code == 401
    assert admin.post(f"/login-security/unlock/{lock_id}", token_from="/login-security/").status_code == 302
    assert api_login(client, name).status_code == 200
    assert _active_locks(app, name) == 0 and _active_locks(app, ghost) == 1
    kinds = [k for k, _, _ in journal(app, name)]
    assert kinds.count(LoginEventKind.locked) == 1 and kinds.count(LoginEventKind.unlocked) == 1
    assert kinds[-3:] == [LoginEventKind.refused, LoginEventKind.unlocked, LoginEventKind.attempt]
    with app.app_context():
        unlocked = db.session.scalars(select(LoginEvent).where(
            LoginEvent.username == name, LoginEvent.kind == LoginEventKind.unlocked)).one()
        assert unlocked.actor == "admin"


def test_journal_screen_tells_locks_from_failures(app, browsers, three_failures_lock):
    from flask_babel import force_locale

    name = fresh_user(app)
    client = app.test_client()
    for _ in range(3):
        api_login(client, name, "wrong-Pass-1")
    html = browsers("admin").get(f"/logineventview/list/?_flt_0_username={name}").get_data(as_text=True)
    with app.test_request_context():
        for kind in (LoginEventKind.locked, LoginEventKind.attempt):
            labels = set()
            for locale in ("zh", "en"):
                with force_locale(locale):
                    labels.add(str(kind.label))
            assert any(label in html for label in labels), kind


# --- trusted proxies ----------------------------------------------------------------------


@contextmanager
def _app_with(app, **config):
    """Another app on the test database with other settings; its connections closed after."""
    from app import create_app

    other = create_app("config", TESTING=True, SECRET_KEY=app.config["SECRET_KEY"],
                       SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], **config)
    try:
        yield other
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def _last_ip(app, username):
    with app.app_context():
        return db.session.scalars(select(LoginEvent.ip).where(LoginEvent.username == username)
                                  .order_by(LoginEvent.id.desc())).first()


def test_forwarded_for_is_ignored_without_a_trusted_proxy(app):
    name = fresh_user(app)
    forged = {"X-Forwarded-For": "203.0.113.9"}
    api_login(app.test_client(), name, "wrong-Pass-1", headers=forged)
    assert _last_ip(app, name) == "127.0.0.1"
    # And counted by the peer: a forged header per attempt does not escape the address limit.
    with _app_with(app, RATELIMIT_ENABLED=True, LOGIN_ADDRESS_LIMIT="3 per 15 minutes",
                   RATELIMIT_STORAGE_URI="memory://") as limited:
        client = limited.test_client()
        for i in range(3):
            resp = api_login(client, fresh_user(app), "wrong-Pass-1",
                             headers={"X-Forwarded-For": f"198.51.100.{i}"})
            assert resp.status_code == 401
        resp = api_login(client, name, headers={"X-Forwarded-For": "198.51.100.77"})
        assert resp.status_code == 429 and int(resp.headers["Retry-After"]) > 0


def test_forwarded_for_is_believed_through_one_trusted_proxy(app):
    name = fresh_user(app)
    office, home = {"X-Forwarded-For": "203.0.113.9"}, {"X-Forwarded-For": "192.0.2.1, 203.0.113.10"}
    with _app_with(app, PROXY_FIX_X_FOR=1, RATELIMIT_ENABLED=True,
                   LOGIN_ADDRESS_LIMIT="3 per 15 minutes", RATELIMIT_STORAGE_URI="memory://") as proxied:
        client = proxied.test_client()
        for _ in range(3):
            assert api_login(client, fresh_user(app), "wrong-Pass-1", headers=office).status_code == 401
        assert api_login(client, name, headers=office).status_code == 429  # the office's address
        assert _last_ip(app, name) is None  # refused before anything was checked
        assert api_login(client, name, headers=home).status_code == 200  # only the last hop counts
        assert _last_ip(app, name) == "203.0.113.10"
        page = client.get("/login/", headers=office)
        resp = client.post("/login/", headers=office, data={
            "username": name, "password": PASSWORD, "csrf_token": csrf_from(page.get_data(as_text=True))})
        assert resp.status_code == 429
        assert not signed_in(client)


# --- password policy ----------------------------------------------------------------------


def test_demo_and_test_passwords_meet_the_policy():
    env = {k: v for k, v in os.environ.items() if k != "DEMO_PASSWORD"}
    out = subprocess.run([sys.executable, "-c", "import config; print(config.DEMO_PASSWORD)"],
                         cwd=ROOT_DIR, env=env, capture_output=True, text=True, check=True)
    demo = out.stdout.strip()
    assert demo and demo != "demo12345"
    assert problems(demo) == [] and problems(PASSWORD) == []
    for weak in WEAK:
        assert problems(weak), weak


def test_weak_passwords_are_refused_on_every_path(app, browsers, apis, signed):
    from flask_appbuilder.cli import fab
    from flask_appbuilder.exceptions import PasswordComplexityValidationError

    from app.seed import seed_demo

    name, browser, stolen, tokens = signed
    weak = "weakpass1"
    with app.app_context():
        sm = app.appbuilder.sm
        role_id = sm.find_role("Salesperson").id
        with pytest.raises(PasswordComplexityValidationError):
            sm.add_user("weakling", "a", "b", "weakling@test.local", sm.find_role("Salesperson"), weak)
        with pytest.raises(PasswordComplexityValidationError):
            sm.reset_password(sm.find_user(username=name).id, weak)
        with pytest.raises(RuntimeError):
            seed_demo(weak)
        db.session.rollback()
    runner = app.test_cli_runner()  # FAB's commands are a plugin group, not in app.cli
    result = runner.invoke(fab, ["reset-password", "--username", name, "--password", weak])
    assert isinstance(result.exception, PasswordComplexityValidationError)
    result = runner.invoke(fab, ["create-user", "--role", "Salesperson", "--username", "weak2",
                                 "--firstname", "a", "--lastname", "b", "--email", "weak2@test.local",
                                 "--password", weak])
    assert isinstance(result.exception, PasswordComplexityValidationError)

    page = browser.get("/resetmypassword/form")
    resp = browser.post("/resetmypassword/form", data={
        "password": weak, "conf_password": weak, "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert resp.status_code == 200  # the form again, with the policy's message
    admin = browsers("admin")
    pk = user_row(app, name).id
    assert admin.post(f"/resetpassword/form?pk={pk}", data={"password": weak, "conf_password": weak}
                      ).status_code == 200
    add = admin.get("/users/add")
    assert add.status_code == 200
    resp = admin.post("/users/add", data={
        "first_name": "a", "last_name": "b", "username": "weak3", "active": "y",
        "email": "weak3@test.local", "roles": [str(role_id)],
        "password": weak, "conf_password": weak})
    assert resp.status_code == 200
    admin_api = apis("admin")
    resp = admin_api.post("/api/v1/security/users/", json={
        "first_name": "a", "last_name": "b", "username": "weak4", "email": "weak4@test.local",
        "active": True, "roles": [role_id], "password": weak})
    # refused on the field (the security API's body checks, app/security/api.py)
    assert resp.status_code == 422 and "password" in resp.json["message"], resp.json
    resp = admin_api.put(f"/api/v1/security/users/{pk}", json={"password": weak})
    assert resp.status_code == 422 and "password" in resp.json["message"], resp.json

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(
            User.username.in_(["weakling", "weak2", "weak3", "weak4"]))) == 0
    # The same requests with a good password are accepted: only the password was refused.
    strong = "Strong-pass-789"
    result = runner.invoke(fab, ["create-user", "--role", "Salesperson", "--username", "strong2",
                                 "--firstname", "a", "--lastname", "b", "--email", "strong2@test.local",
                                 "--password", strong])
    assert result.exit_code == 0
    resp = admin.post("/users/add", data={
        "first_name": "a", "last_name": "b", "username": "strong3", "active": "y",
        "email": "strong3@test.local", "roles": [str(role_id)], "password": strong, "conf_password": strong})
    assert resp.status_code == 302
    resp = admin_api.post("/api/v1/security/users/", json={
        "first_name": "a", "last_name": "b", "username": "strong4", "email": "strong4@test.local",
        "active": True, "roles": [role_id], "password": strong})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(
            User.username.in_(["strong2", "strong3", "strong4"]))) == 3
    # The password did not change and nothing was revoked.
    assert signed_in(browser) and signed_in(stolen)
    assert token_works(app.test_client(), tokens["access_token"])
    _fresh_login_works(app, name, PASSWORD)
    assert form_login(app.test_client(), name, weak).status_code == 302
    assert SessionEnd.password not in [r for _, _, r in journal(app, name)]
