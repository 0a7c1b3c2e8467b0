"""Test app on a migrated database (SQLite by default, PostgreSQL when TEST_DATABASE_URL is set).

The schema comes from ``flask db upgrade`` and the roles from ``flask roles sync``, exactly as in
production. A small fixed organisation is created once per session:

    team A (supervisor1): sales1, sales3        team B (supervisor2): sales2
    finance1, hr1, admin (no team)
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text

os.environ.setdefault("SECRET_KEY", "test-secret-key-of-at-least-32-bytes-long")

PASSWORD = "Test-pass-123"
USERS = {
    # username: (role, team key or None, position)
    "admin": ("Admin", None, "other"),
    "sales1": ("Salesperson", "A", "salesperson"),
    "sales3": ("Salesperson", "A", "salesperson"),
    "sales2": ("Salesperson", "B", "salesperson"),
    "supervisor1": ("Supervisor", "A", "supervisor"),
    "supervisor2": ("Supervisor", "B", "supervisor"),
    "finance1": ("Finance", None, "finance"),
    "hr1": ("HR", None, "hr"),
}


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    # Start from an empty schema so `flask db upgrade` runs every migration.
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def scratch_database_url(tmp_path_factory, name: str) -> str:
    """An empty database of its own: a SQLite file, or, when the suite runs on PostgreSQL, a
    database ``<test database>_<name>`` on the same server (dropped and created anew)."""
    from sqlalchemy.engine import make_url

    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp(name) / 'demo.db'}"
    scratch = make_url(url).set(database=f"{make_url(url).database}_{name}")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{scratch.database}"'))
    engine.dispose()
    return scratch.render_as_string(hide_password=False)


def demo_app(tmp_path_factory, name: str, password: str, on_test_server: bool = False, **config):
    """A separate app on its own database (SQLite; with ``on_test_server``, the suite's database
    server, PostgreSQL included), migrated, roles synced and the demo factory seeded once;
    returns the app and the seed's summary."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.security.sync import sync
    from app.seed import seed_demo

    url = (scratch_database_url(tmp_path_factory, name) if on_test_server
           else f"sqlite:///{tmp_path_factory.mktemp(name) / 'demo.db'}")
    settings = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                "AUTH_RATE_LIMITED": False, "SECRET_KEY": "test-secret-key-of-at-least-32-bytes"}
    app = create_app("config", **(settings | config))
    with app.app_context():
        upgrade()
        sync(app.appbuilder)
        summary = seed_demo(password)
        db.session.remove()
    return app, summary


def free_port() -> int:
    """A free TCP port on loopback, for a server a test starts."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis the machine runs (``.ci/run`` starts it); a test that needs it fails without it,
    it is never skipped. Each test run uses its own key prefix (see ``RATELIMIT_KEY_PREFIX``)."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    redis.Redis.from_url(url).ping()
    return url


@dataclass
class Org:
    employees: dict  # username -> Employee id
    teams: dict  # key -> Team id


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    from flask_migrate import upgrade

    from app import create_app
    from app.security.sync import sync

    url = _database_url(tmp_path_factory)
    app = create_app(
        "config",
        TESTING=True,
        SQLALCHEMY_DATABASE_URI=url,
        RATELIMIT_ENABLED=False,
        AUTH_RATE_LIMITED=False,
        SECRET_KEY="test-secret-key-of-at-least-32-bytes-long",
    )
    with app.app_context():
        upgrade()
        sync(app.appbuilder)
        _create_org(app)
    _join_test_transactions(app)
    yield app
    with app.app_context():  # close pooled connections (PostgreSQL warns about open ones)
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


class _Rollback:
    """The connection whose outer transaction is rolled back at the end of the running test or,
    for a module of rolled-back tests only, of the running module."""

    url = None  # the test database's URL
    connection = None
    module_started = None  # time.monotonic() when the running module's transaction began


def _join_test_transactions(app) -> None:
    """Make ``db.session`` join the running test's transaction (SQLAlchemy's "Joining a Session
    into an External Transaction"): while a test runs (``_rolled_back``), every session made in
    an app context of ``app`` (each request of the test client, each ``app.app_context()`` of the
    test) uses the test's one connection, and its commits and rollbacks only release or roll back
    a savepoint inside that connection's transaction.

    Flask-SQLAlchemy's Session picks the app's engine in ``get_bind`` and ignores a ``bind``
    given to the session, so the session class gets a ``get_bind`` that answers the test's
    connection first. It is keyed by the database: a second app a test starts on the test
    database (other settings, a production profile) joins the transaction as well, while the apps
    on a database of their own (``demo_app``, start-up checks) share the ``db`` extension but keep
    their own engines.
    ``join_transaction_mode`` only matters for a session bound to a connection, so it can stay
    set for the whole run."""
    from flask import current_app, has_app_context

    from app.extensions import db

    factory = db.session.session_factory
    base = factory.class_

    class RollbackSession(base):
        def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
            if (bind is None and _Rollback.connection is not None and has_app_context()
                    and current_app.config["SQLALCHEMY_DATABASE_URI"] == _Rollback.url):
                return _Rollback.connection
            return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)

    # A subclass of the sessionmaker's own class: the session events registered on it still apply.
    factory.class_ = RollbackSession
    factory.configure(join_transaction_mode="create_savepoint")


def _module_rolls_back(module_items) -> bool:
    """A module runs in a transaction of its own when its tests use the app and none commits."""
    return (any("app" in item.fixturenames for item in module_items)
            and not any(item.get_closest_marker("commits") for item in module_items))


@pytest.fixture(scope="module", autouse=True)
def _module_rolled_back(request):
    """A module of rolled-back tests runs in one transaction rolled back after its last test:
    the rows its module-scoped fixtures make are gone with it, so they need no values of their
    own against other modules' rows, and each test runs in a savepoint inside it
    (``_rolled_back``). The session's clients sign in first, outside it: their login rows stay."""
    items = [item for item in request.session.items if item.module is request.module]
    if not _module_rolls_back(items):
        yield
        return
    from tests.factories import rolled_back_module

    app = request.getfixturevalue("app")
    request.getfixturevalue("browsers")("admin")
    request.getfixturevalue("apis")("admin")
    for client in _SESSION_APIS:
        client.renew_if_due()
    connection, outer = _begin(app)
    _Rollback.module_started = time.monotonic()
    try:
        with rolled_back_module():
            yield
    finally:
        _end(app, connection, outer)
        # A token renewed inside the module's transaction lost its login row with it.
        for client in _SESSION_APIS:
            if client.issued >= _Rollback.module_started:
                client._login()
        _Rollback.module_started = None


def _begin(app):
    """The test database's connection, in an outer transaction every session joins."""
    from app.extensions import db

    with app.app_context():
        connection = db.engine.connect()
    # FAB asks the session's bind for the engine's name (``get_bind().name``, before paging): the
    # bind is this Connection now, which has none of its own.
    connection.name = connection.engine.name
    outer = connection.begin()
    _Rollback.url, _Rollback.connection = app.config["SQLALCHEMY_DATABASE_URI"], connection
    return connection, outer


def _end(app, connection, outer) -> None:
    _Rollback.url = _Rollback.connection = None
    outer.rollback()
    connection.close()
    _forget_sign_in_counters(app)


@pytest.fixture(autouse=True)
def _rolled_back(request):
    """Each test that uses the app runs in one transaction rolled back at its end (see
    ``_join_test_transactions``), so tests need no unique values to stay apart: a fixed year, name
    or number is free again for the next test. In a module of such tests only, the transaction is
    a savepoint inside the module's (``_module_rolled_back``); elsewhere the session- and
    module-scoped fixtures are set up before it and commit for real.

    Tests marked ``commits`` opt out (pyproject.toml says which and why)."""
    if "app" not in request.fixturenames:
        yield
        return
    for client in _SESSION_APIS:  # renewed outside any test's transaction: the login row stays
        client.renew_if_due()
    if request.node.get_closest_marker("commits"):
        yield
        return
    from tests.factories import rolled_back_test

    app = request.getfixturevalue("app")
    if _Rollback.module_started is not None:
        savepoint = _Rollback.connection.begin_nested()
        try:
            with rolled_back_test():
                yield
        finally:
            if savepoint.is_active:
                savepoint.rollback()
            _forget_sign_in_counters(app)
        return
    connection, outer = _begin(app)
    try:
        with rolled_back_test():
            yield
    finally:
        _end(app, connection, outer)


def _forget_sign_in_counters(app) -> None:
    """The test app counts failed sign-ins in this process's memory, by user id or login name.
    Its rows are gone with the rollback, and SQLite gives the next test's new users the same ids:
    their counts go too. (Counters in Redis, of the live servers, are not touched.)"""
    from limits.storage import MemoryStorage

    counters = app.extensions["portal_login_counters"]
    if isinstance(counters, MemoryStorage):
        counters.reset()


def _create_org(app) -> None:
    from app.extensions import db
    from app.models import Employee, Team
    from app.models.people import Position

    sm = app.appbuilder.sm
    teams = {"A": Team(name="测试A组", region="广东"), "B": Team(name="测试B组", region="浙江")}
    db.session.add_all(teams.values())
    db.session.flush()
    for i, (username, (role, team, position)) in enumerate(USERS.items(), start=1):
        user = sm.add_user(username, username, "测试", f"{username}@test.local", sm.find_role(role), PASSWORD)
        emp = Employee(number=f"T{i:03d}", name=f"员工{username}", position=Position(position),
                       team=teams.get(team), user_id=user.id)
        db.session.add(emp)
        db.session.flush()
        if position == "supervisor":
            teams[team].supervisor_id = emp.id
    db.session.commit()


@pytest.fixture(scope="session")
def org(app) -> Org:
    from app.extensions import db
    from app.models import Employee, Team

    with app.app_context():
        emps = {}
        for e in db.session.query(Employee).all():
            if e.user is not None:
                emps[e.user.username] = e.id
        teams = {t.name[-2]: t.id for t in db.session.query(Team).all()}
        return Org(emps, teams)


class Mailbox:
    """What a real SMTP server on loopback (aiosmtpd) received, as parsed messages."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        import email
        import email.policy

        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture()
def smtp(app):
    """An SMTP server on loopback the app mails through for the test."""
    from aiosmtpd.controller import Controller

    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    old = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    yield box
    app.config.update(old)
    controller.stop()


@pytest.fixture()
def ctx(app):
    with app.app_context():
        yield


def factory_today():
    """The factory's calendar day, as the app computes it (``app.rules.today``: DISPLAY_TIMEZONE);
    between 16:00 and 24:00 UTC it is already tomorrow in China."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import config

    return datetime.now(ZoneInfo(config.DISPLAY_TIMEZONE)).date()


def employee(username: str):
    from app.extensions import db
    from app.models import Employee, User

    return db.session.query(Employee).join(User, Employee.user_id == User.id).filter(
        User.username == username).one()


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# A related list's pane on a record page, before its tab is opened (app/views/related.py).
_PANE = re.compile(r'<div class="related-pane" data-related-url="([^"]+)">.*?</div>', re.S)


def related_panes(html: str) -> list[str]:
    """The URLs of the related lists a record page loads when their tabs are opened."""
    return _PANE.findall(html)


def csrf_from(html: str) -> str:
    m = _CSRF.search(html)
    assert m, "no CSRF token on the page"
    return m.group(1)


class Browser:
    """A logged-in HTML client that sends the CSRF token like a browser form would."""

    def __init__(self, client, username):
        self.client = client
        self.username = username
        page = client.get("/login/")
        resp = client.post("/login/", data={"username": username, "password": PASSWORD,
                                            "csrf_token": csrf_from(page.get_data(as_text=True))})
        assert resp.status_code == 302, f"login of {username} failed"

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def record(self, url, **kw) -> str:
        """A record page (show or edit) as a browser shows it with every tab opened: each related
        list's pane holds what its URL answers, asked with the page's own arguments, as
        static/js/related-lists.js asks it."""
        html = self.get(url, **kw).get_data(as_text=True)
        query = url[url.index("?"):] if "?" in url else ""

        def pane(m):
            resp = self.get(m.group(1) + query, **kw)
            assert resp.status_code == 200, (m.group(1), resp.status_code)
            return resp.get_data(as_text=True)

        return _PANE.sub(pane, html)

    def token(self, url="/"):
        return csrf_from(self.client.get(url).get_data(as_text=True))

    def post(self, url, data=None, token_from=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token(token_from or url))
        return self.client.post(url, data=data, **kw)


@pytest.fixture()
def login(app):
    """A fresh logged-in browser per call."""

    def _login(username):
        return Browser(app.test_client(), username)

    return _login


_SESSION_APIS: list = []  # the session's cached API clients, renewed between tests


def _per_user(app, client_class):
    """One logged-in client per username for the whole session (password hashing makes logins
    slow); tests that change a session use ``login`` / ``api`` instead.

    All users sign in at once, when the fixture is first used: before the test's transaction
    (``_rolled_back``), so their login rows are committed. A login inside a test would be rolled
    back at its end, and the next test's requests with that cookie or token refused."""
    cache = {username: client_class(app.test_client(), username) for username in USERS}
    if client_class is Api:
        _SESSION_APIS.extend(cache.values())
    return cache.__getitem__


@pytest.fixture(scope="session")
def browsers(app):
    return _per_user(app, Browser)


@pytest.fixture(scope="session")
def apis(app):
    return _per_user(app, Api)


class Api:
    """An API client with a JWT. Access tokens last 15 minutes (config.py) and the suite runs
    longer on a loaded machine, so a client cached for the session signs in again, as a real
    client would, before its token runs out."""

    RENEW_AFTER = 10 * 60  # seconds, well inside the token's lifetime

    def __init__(self, client, username):
        self.client = client
        self.username = username
        self._login()

    def _login(self):
        resp = self.client.post("/api/v1/security/login",
                                json={"username": self.username, "password": PASSWORD, "provider": "db"})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        self._headers = {"Authorization": f"Bearer {resp.json['access_token']}"}
        self.issued = time.monotonic()

    def renew_if_due(self) -> None:
        if time.monotonic() - self.issued > self.RENEW_AFTER:
            self._login()

    @property
    def headers(self) -> dict:
        """The Authorization header (tests hand it to live servers). A client cached for the
        session is renewed between tests instead (``_rolled_back``): a login inside a test is
        rolled back at its end."""
        if self not in _SESSION_APIS:
            self.renew_if_due()
        return self._headers

    def __getattr__(self, verb):
        method = getattr(self.client, verb)
        return lambda url, headers=None, **kw: method(url, headers={**self.headers, **(headers or {})}, **kw)


@pytest.fixture()
def api(app):
    def _api(username):
        return Api(app.test_client(), username)

    return _api
