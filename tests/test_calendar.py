"""The calendar: a month or a week from Monday, the reader's events only (their own, or a team
member's and the team's for a supervisor), each on its days, in both languages."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from app.models import Activity, Customer, LeaveRequest, Visit
from app.models.conduct import LeaveStatus
from tests.conftest import employee, factory_today
from tests.factories import make

DAY = factory_today() + timedelta(days=20)


def cell(html, day: date) -> str:
    found = re.search(rf'data-date="{day.isoformat()}">(.*?)</td>', html, re.S)
    return found.group(1) if found else ""


def kinds(html, day) -> list[str]:
    return re.findall(r'data-kind="(\w+)"', cell(html, day))


def test_a_planned_visit_and_leave_are_on_their_days_for_their_people_only(app, login, org):
    with app.app_context():
        s1 = employee("sales1")
        cust = make(Customer, s1, name="日程测试客户")
        make(Activity, s1, subject="拜访日程测试客户", kind="visit", due_date=DAY, customer=cust, assignee=s1)
        make(Visit, s1, customer=cust, visit_date=factory_today() - timedelta(days=40), next_date=DAY)
        make(LeaveRequest, s1, start_date=DAY + timedelta(days=1), end_date=DAY + timedelta(days=3),
             days=Decimal("3"), status=LeaveStatus.approved)
    url = f"/calendar/?date={DAY.isoformat()}"
    mine = login("sales1").get(url).get_data(as_text=True)
    assert "activity" in kinds(mine, DAY) and "return_visit" in kinds(mine, DAY)
    assert "拜访日程测试客户" in cell(mine, DAY)
    for i in (1, 2, 3):  # leave spans its days
        leave_day = DAY + timedelta(days=i)
        page = login("sales1").get(f"/calendar/?view=week&date={leave_day.isoformat()}").get_data(as_text=True)
        assert "leave" in kinds(page, leave_day), leave_day
    assert "leave" not in kinds(mine, DAY)
    # Another salesperson sees none of it, even naming sales1.
    other = login("sales2").get(f"{url}&who={org.employees['sales1']}").get_data(as_text=True)
    assert "拜访日程测试客户" not in other and "日程测试客户" not in other
    # The team's supervisor: the team, or sales1 alone; another team's supervisor: nothing.
    for who in ("team", str(org.employees["sales1"])):
        sup = login("supervisor1").get(f"{url}&who={who}").get_data(as_text=True)
        assert "activity" in kinds(sup, DAY), who
    assert "activity" not in kinds(login("supervisor1").get(url).get_data(as_text=True), DAY)  # "me"
    assert "拜访日程测试客户" not in login("supervisor2").get(f"{url}&who=team").get_data(as_text=True)


def test_weeks_start_on_monday_in_both_languages(app, login):
    client = login("sales1")
    week = client.get(f"/calendar/?view=week&date={DAY.isoformat()}").get_data(as_text=True)
    days = re.findall(r'class="calendar-day[^"]*" data-date="([\d-]+)"', week)
    assert len(days) == 7 and date.fromisoformat(days[0]).weekday() == 0
    assert DAY.isoformat() in days
    assert "周一" in week
    month = client.get(f"/calendar/?date={DAY.isoformat()}").get_data(as_text=True)
    cells = re.findall(r'class="calendar-day[^"]*" data-date="([\d-]+)"', month)
    assert len(cells) % 7 == 0 and date.fromisoformat(cells[0]).weekday() == 0
    assert f"{DAY.year}年{DAY.month}月" in month
    client.post("/language/en", token_from="/calendar/")
    english = client.get(f"/calendar/?view=week&date={DAY.isoformat()}").get_data(as_text=True)
    assert ">Mon<" in english and "周一" not in english


def test_bad_arguments_fall_back(app, login):
    client = login("sales1")
    for query in ("date=2026-13-40", "date=x" * 50, "view=year", "who=999999", "who=team", "who=%27"):
        assert client.get(f"/calendar/?{query}").status_code == 200, query


def test_dates_at_the_edges_and_odd_digits(app, login):
    client = login("supervisor1")
    for query in ("date=9999-12-31", "date=9999-12-31&view=week", "date=0001-01-01", "date=0001-01-03&view=week",
                  "who=%C2%B2"):
        assert client.get(f"/calendar/?{query}").status_code == 200, query
    for url in ("/pipeline/?owner=%C2%B2", "/pipeline/?team=%C2%B2", "/inbox/?page=%C2%B2",
                "/customerview/list/?owner=%C2%B2"):
        assert client.get(url).status_code == 200, url
