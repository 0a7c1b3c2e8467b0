"""Safety basics: the secret key, CSRF on forms, JWT-only API writes, API docs for admins."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _import_config(env):
    return subprocess.run([sys.executable, "-c", "import config"], cwd=ROOT, env=env,
                          capture_output=True, text=True)


def test_secret_key_required_outside_development():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["APP_ENV"] = "production"
    result = _import_config(env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    env["SECRET_KEY"] = "x" * 40
    assert _import_config(env).returncode == 0


def test_form_post_without_csrf_token_is_refused(app, login):
    from app.extensions import db
    from app.models import Customer

    ui = login("sales1")
    with app.app_context():
        before = db.session.query(Customer).count()
    resp = ui.client.post("/customerview/add", data={"code": "CSRF1", "name": "无令牌客户"})
    assert resp.status_code == 400
    with app.app_context():
        assert db.session.query(Customer).count() == before


def test_api_refuses_browser_session_cookie_for_writes(app, login):
    """The API answers to JWT only, so a logged-in browser cannot be used for CSRF on it."""
    ui = login("sales1")
    resp = ui.client.post("/api/v1/customer/", json={"code": "X1", "name": "x"})
    assert resp.status_code == 401


def test_openapi_and_swagger_for_admin_only(apis, browsers):
    assert apis("admin").get("/api/v1/_openapi").status_code == 200
    assert apis("sales1").get("/api/v1/_openapi").status_code in (401, 403)
    assert browsers("admin").get("/swagger/v1").status_code == 200
    assert browsers("sales1").get("/swagger/v1").status_code in (302, 403)
