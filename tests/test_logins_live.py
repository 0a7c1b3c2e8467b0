"""The sign-in limits hold across processes: two gunicorn instances of two workers each share
their counters in Redis, on the test database.

Requests alternate between the instances, so no single process ever sees more than about half
of the attempts: a counter kept per process could never reach the configured count and these
tests would fail. The address is 127.0.0.1 for every request, so one address limit covers
the whole test (set to 20 failures here; the account lock-out is the default, 5).
"""

from __future__ import annotations

import itertools
import re
import uuid

import pytest
import redis
import requests
from sqlalchemy import select

from app.extensions import db
from app.models import LoginEvent, LoginLock
from app.models.history import LoginEventKind as K
from tests.conftest import PASSWORD
from tests.live import gunicorn

# Gunicorn workers in other processes see only committed rows.
pytestmark = pytest.mark.commits

ADDRESS_LIMIT = 20
WRONG = "Wrong-pass-999"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(scope="module")
def portal(app, redis_url):
    """Two gunicorn instances (two workers each) on the test database and one Redis; yields a
    function giving the base URL of the next request, alternating between them."""
    prefix = f"test-{uuid.uuid4().hex}"
    env = {"REDIS_URL": redis_url, "RATELIMIT_ENABLED": "1", "RATELIMIT_KEY_PREFIX": prefix,
           "LOGIN_ADDRESS_LIMIT": f"{ADDRESS_LIMIT} per 15 minutes"}
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with gunicorn(url, workers=2, threads=2, **env) as one, gunicorn(url, workers=2, threads=2, **env) as two:
        turns = itertools.cycle((one, two))
        yield lambda: next(turns)
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"*{prefix}/*"):
        client.delete(key)


def _users(app, *names):
    with app.app_context():
        sm = app.appbuilder.sm
        for name in names:
            sm.add_user(name, "测", "试", f"{name}@test.local", sm.find_role("Salesperson"), PASSWORD)


def api_login(base, username, password):
    return requests.post(f"{base}/api/v1/security/login", timeout=30,
                         json={"username": username, "password": password, "provider": "db"})


def form_login(portal, username, password, browser=None):
    """(status of the POST, browser, whether it is signed in afterwards)."""
    browser = browser or requests.Session()
    page = browser.get(f"{portal()}/login/", timeout=30)
    token = _CSRF.search(page.text).group(1)
    resp = browser.post(f"{portal()}/login/", timeout=30, allow_redirects=False, data={
        "username": username, "password": password, "csrf_token": token})
    profile = browser.get(f"{portal()}/users/userinfo/", timeout=30, allow_redirects=False)
    return resp.status_code, browser, profile.status_code == 200


def _journal(app, username):
    with app.app_context():
        db.session.expire_all()
        rows = db.session.scalars(select(LoginEvent).where(LoginEvent.username == username)
                                  .order_by(LoginEvent.id)).all()
        return [(r.kind, r.success, r.channel) for r in rows]


def _lock_id(app, username):
    with app.app_context():
        return db.session.scalars(select(LoginLock.id).where(
            LoginLock.login == username, LoginLock.unlocked_at.is_(None))).one()


def test_limits_across_workers_and_instances(app, portal):
    tag = uuid.uuid4().hex[:6]
    alice, bob, carol = f"live_a{tag}", f"live_b{tag}", f"live_c{tag}"
    _users(app, alice, bob, carol)

    # API, alice: successes are never counted.
    for _ in range(6):
        assert api_login(portal(), alice, PASSWORD).status_code == 200
    for _ in range(5):  # the default lock-out: 5 failures in a row
        resp = api_login(portal(), alice, WRONG)
        assert resp.status_code == 401
    invalid = resp.json()
    refused = api_login(portal(), alice, PASSWORD)
    assert refused.status_code == 401 and refused.json() != invalid  # locked: the right one too
    assert _journal(app, alice) == [(K.attempt, True, "api")] * 6 + [(K.attempt, False, "api")] * 5 + [
        (K.locked, False, "api"), (K.refused, False, "api")]

    # Form, bob from the same address: not locked by alice's failures, then locked by his own.
    for _ in range(2):
        assert form_login(portal, bob, PASSWORD)[2]
    for _ in range(4):
        status, _, inside = form_login(portal, bob, WRONG)
        assert status == 302 and not inside
    assert form_login(portal, bob, PASSWORD)[2]  # 4 + alice's 5 failures: bob still gets in
    for _ in range(5):
        assert not form_login(portal, bob, WRONG)[2]
    assert not form_login(portal, bob, PASSWORD)[2]  # locked now
    assert _journal(app, bob)[-2:] == [(K.locked, False, "form"), (K.refused, False, "form")]

    # An administrator unlocks both; they get in again (16 failures so far from this address).
    status, admin, inside = form_login(portal, "admin", PASSWORD)
    assert inside
    for name in (alice, bob):
        page = admin.get(f"{portal()}/login-security/", timeout=30)
        assert page.status_code == 200 and name in page.text
        token = _CSRF.search(page.text).group(1)
        resp = admin.post(f"{portal()}/login-security/unlock/{_lock_id(app, name)}", timeout=30,
                          data={"csrf_token": token}, allow_redirects=False)
        assert resp.status_code == 302
    assert api_login(portal(), alice, PASSWORD).status_code == 200
    assert form_login(portal, bob, PASSWORD)[2]
    for name in (alice, bob):
        kinds = [k for k, _, _ in _journal(app, name)]
        assert kinds[-2:] == [K.unlocked, K.attempt] and kinds.count(K.locked) == 1

    # The address limit: 4 more failures make 20, then every login from here is refused, with
    # the right password, through the form and the API, whatever X-Forwarded-For claims.
    for _ in range(4):
        assert api_login(portal(), carol, WRONG).status_code == 401
    for name in (carol, alice, "admin"):
        resp = api_login(portal(), name, PASSWORD)
        assert resp.status_code == 429 and int(resp.headers["Retry-After"]) > 0
    forged = requests.post(f"{portal()}/api/v1/security/login", timeout=30,
                           headers={"X-Forwarded-For": "203.0.113.50"},
                           json={"username": carol, "password": PASSWORD, "provider": "db"})
    assert forged.status_code == 429
    browser = requests.Session()
    page = browser.get(f"{portal()}/login/", timeout=30)
    resp = browser.post(f"{portal()}/login/", timeout=30, allow_redirects=False, data={
        "username": carol, "password": PASSWORD, "csrf_token": _CSRF.search(page.text).group(1)})
    assert resp.status_code == 429
    assert browser.get(f"{portal()}/users/userinfo/", timeout=30, allow_redirects=False).status_code == 302
    kinds = [k for k, _, _ in _journal(app, carol)]
    assert kinds == [K.attempt] * 3 + [K.attempt, K.address_limited]
    # The limited attempts were refused before any check: no lock, nothing else journaled.
    assert [k for k, _, _ in _journal(app, alice)][-1] == K.attempt
    with app.app_context():
        assert db.session.scalars(select(LoginLock).where(LoginLock.login == carol)).first() is None
