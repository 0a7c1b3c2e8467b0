"""Dashboards: each role's start page, its figures within the user's scope (issue 4)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from app import models as m
from tests.conftest import employee, factory_today
from tests.factories import make


def counter(page: str, key: str) -> int:
    found = re.search(rf'id="counter-{key}" data-count="(\d+)"', page)
    assert found, key
    return int(found.group(1))


def test_each_role_lands_on_its_sections(app, browsers):
    expected = {"sales1": "sales", "supervisor1": "sales", "finance1": "finance", "hr1": "hr", "admin": "admin"}
    for user, section in expected.items():
        page = browsers(user).get("/").get_data(as_text=True)
        assert f'id="dashboard-{section}"' in page, user
    assert 'id="dashboard-finance"' not in browsers("sales1").get("/").get_data(as_text=True)
    assert 'id="aging-chart"' in browsers("finance1").get("/").get_data(as_text=True)
    assert 'id="login-failures"' in browsers("admin").get("/").get_data(as_text=True)


def test_dashboard_figures_respect_scope(app, browsers):
    before = {u: counter(browsers(u).get("/").get_data(as_text=True), "receivables-overdue")
              for u in ("sales1", "sales2", "supervisor1", "supervisor2")}
    with app.app_context():
        day = factory_today()
        make(m.Receivable, employee("sales2"), amount=Decimal("10"), issued_on=day - timedelta(days=60),
             due_date=day - timedelta(days=30))
    after = {u: counter(browsers(u).get("/").get_data(as_text=True), "receivables-overdue")
             for u in before}
    assert after["sales2"] == before["sales2"] + 1 and after["supervisor2"] == before["supervisor2"] + 1
    assert after["sales1"] == before["sales1"] and after["supervisor1"] == before["supervisor1"]
