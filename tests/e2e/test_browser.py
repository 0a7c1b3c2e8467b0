"""End to end in a real headless Chromium (Debian's package, path in CHROMIUM_PATH, default
/usr/bin/chromium) against the demo factory served on loopback: each demo role logs in and lands
on its dashboard with its charts drawn, the training plan and a scorecard open, the language switches
to English and back, and a list's XLSX export downloads and opens with openpyxl.

Screenshots of every step are written to ``test-artifacts/e2e/`` (see ``SHOTS``)."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import demo_app
from tests.live import serve

PASSWORD = "E2e-demo-pass-1"
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# role login -> (dashboard section shown, charts expected on it)
ROLES = {"sales1": ("sales", 1), "supervisor1": ("sales", 1), "finance1": ("finance", 2),
         "hr1": ("hr", 1), "admin": ("admin", 0)}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from app.extensions import db

    app, _ = demo_app(tmp_path_factory, "e2e", PASSWORD, TESTING=False)
    with serve(app) as base:
        yield base
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def browser():
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def _login(page, base, user):
    page.goto(f"{base}/login/")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("user", list(ROLES))
def test_role_lands_on_its_dashboard_with_charts(server, browser, user):
    section, charts = ROLES[user]
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    _login(page, server, user)
    assert page.url.rstrip("/") == server
    page.wait_for_selector(f"#dashboard-{section}")
    drawn = page.locator(f"#dashboard-{section} svg.pygal-chart")
    assert drawn.count() >= charts
    for i in range(charts):
        assert drawn.nth(i).bounding_box()["height"] > 100  # actually laid out, not an empty node
    page.screenshot(path=str(SHOTS / f"1-dashboard-{user}.png"), full_page=True)
    page.close()


def test_training_plan_scorecard_language_and_export(server, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    _login(page, server, "hr1")
    page.goto(f"{server}/training-plan/")
    page.wait_for_selector("#plan-grid")
    page.screenshot(path=str(SHOTS / "2-training-plan.png"), full_page=True)

    page.goto(f"{server}/appraisal/")
    page.locator("#cycles a").first.click()
    page.wait_for_selector("#ranking")
    assert page.locator("#grade-chart svg.pygal-chart").count() == 1
    page.screenshot(path=str(SHOTS / "3-appraisal-ranking.png"), full_page=True)
    page.locator(".ranking-row a").first.click()
    page.wait_for_selector("#scorecard")
    assert page.locator("#scorecard .indicator").count() == 8
    page.screenshot(path=str(SHOTS / "4-scorecard.png"), full_page=True)

    page.click("#lang-en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("data-locale") == "en"
    assert "Work lists" in page.locator("#nav-worklists").inner_text()
    page.screenshot(path=str(SHOTS / "5-scorecard-en.png"), full_page=True)
    page.click("#lang-zh")
    page.wait_for_load_state("networkidle")
    assert "待办清单" in page.locator("#nav-worklists").inner_text()

    page.goto(f"{server}/employeeview/list/")
    with page.expect_download() as info:
        page.click("#export-xlsx")
    target = SHOTS / "employees.xlsx"
    info.value.save_as(target)
    sheet = openpyxl.load_workbook(target, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "姓名" in rows[0] and len(rows) > 10
    page.screenshot(path=str(SHOTS / "6-export-list.png"), full_page=True)
    page.close()
