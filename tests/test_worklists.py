"""Work lists show what needs doing, each within the user's scope (2.2.2, 2.5.3, 3.2, 3.3, 3.4, 4.1)."""

from __future__ import annotations

import re
from datetime import time, timedelta
from decimal import Decimal

import pytest

from app import models as m
from app.extensions import db
from app.models.service import Severity, TicketStatus
from tests.conftest import employee, factory_today
from tests.factories import make

TODAY = factory_today()


def _visit(owner):
    return make(m.Visit, owner, visit_date=TODAY - timedelta(days=20), next_date=TODAY + timedelta(days=2)), "Visit"


def _late_order(owner):
    return make(m.SalesOrder, owner, order_date=TODAY - timedelta(days=30),
                promised_date=TODAY - timedelta(days=4)), "SalesOrder"


def _due_soon(owner):
    return make(m.Receivable, owner, amount=Decimal("100"), issued_on=TODAY - timedelta(days=20),
                due_date=TODAY + timedelta(days=3)), "Receivable"


def _overdue(owner):
    return make(m.Receivable, owner, amount=Decimal("100"), issued_on=TODAY - timedelta(days=90),
                due_date=TODAY - timedelta(days=45)), "Receivable"


def _long_overdue(owner):  # older than any other test row: first on the to-do (most overdue first)
    return make(m.Receivable, owner, amount=Decimal("100"), issued_on=TODAY - timedelta(days=5030),
                due_date=TODAY - timedelta(days=5000)), "Receivable"


def _ticket(owner):
    return make(m.ServiceTicket, owner, reported_on=TODAY - timedelta(days=10), due_date=TODAY - timedelta(days=2),
                severity=Severity.critical, status=TicketStatus.assessed), "ServiceTicket"


def _attendance(owner):
    return make(m.Attendance, owner, work_date=TODAY - timedelta(days=1), check_in=time(9, 40),
                check_out=time(18, 5)), "Attendance"


CASES = [
    ("return-visits", _visit, ("sales1", "supervisor1"), ("sales2", "supervisor2")),
    ("late-orders", _late_order, ("sales1", "supervisor1", "finance1"), ("sales2",)),
    ("due-this-week", _due_soon, ("sales1", "finance1"), ("sales2", "supervisor2")),
    ("aging", _overdue, ("sales1", "supervisor1", "finance1"), ("sales2", "sales3")),
    ("collection-todo", _long_overdue, ("sales1", "supervisor1", "finance1"), ("sales2", "sales3")),
    ("overdue-tickets", _ticket, ("sales1", "supervisor1"), ("sales2",)),
    ("attendance-exceptions", _attendance, ("sales1", "hr1"), ("sales3",)),
]


@pytest.mark.parametrize(("name", "build", "see", "not_see"), CASES, ids=[c[0] for c in CASES])
def test_worklist_row_is_seen_only_within_scope(app, browsers, name, build, see, not_see):
    with app.app_context():
        obj, entity = build(employee("sales1"))
        url = f"/{entity.lower()}view/show/{obj.id}"
    query = "?bucket=d31_60" if name == "aging" else ""
    for user in see:
        page = browsers(user).get(f"/worklists/{name}{query}")
        assert page.status_code == 200 and url in page.get_data(as_text=True), user
    for user in not_see:
        page = browsers(user).get(f"/worklists/{name}{query}")
        assert url not in page.get_data(as_text=True), user


def test_attendance_status_follows_the_clock(app):
    with app.app_context():
        att, _ = _attendance(employee("sales3"))
        assert att.status.name == "late"
        att.check_in = time(8, 50)
        db.session.commit()
        assert att.status.name == "normal"


def test_aging_summary_counts_the_buckets(app, browsers):
    page = browsers("finance1").get("/worklists/aging?bucket=d90_plus").get_data(as_text=True)
    assert 'id="summary"' in page and 'data-key="d90_plus"' in page and 'id="collection-rates"' in page
    assert browsers("finance1").get("/worklists/aging?bucket=nonsense").status_code == 400


def test_recurring_causes_are_grouped_across_tickets(app, browsers):
    with app.app_context():
        owner = employee("sales1")
        product = make(m.Product, owner)
        for _ in range(3):
            ticket = make(m.ServiceTicket, owner, reported_on=TODAY - timedelta(days=5), product=product)
            make(m.RootCause, owner, ticket=ticket, category=m.service.CauseCategory.transport)
        name = product.name
    page = browsers("supervisor1").get("/worklists/recurring-causes").get_data(as_text=True)
    assert name in page
    assert name not in browsers("sales2").get("/worklists/recurring-causes").get_data(as_text=True)


def test_long_work_lists_are_paged(app, browsers):
    """Finance's collection to-do spans every team: pages of 100 with a pager, every row reachable."""
    with app.app_context():
        owner = employee("sales2")
        for _ in range(101):
            _overdue(owner)
    ui = browsers("finance1")
    first = ui.get("/worklists/collection-todo").get_data(as_text=True)
    assert first.count('class="worklist-row"') == 100 and 'id="next-page"' in first
    second = ui.get("/worklists/collection-todo?page=2").get_data(as_text=True)
    assert 'id="prev-page"' in second and second.count('class="worklist-row"') >= 1
    assert ui.get("/worklists/collection-todo?page=x").status_code == 400


def test_aging_export_is_the_whole_list_in_scope(app, browsers):
    from io import BytesIO

    import openpyxl

    with app.app_context():
        mine, _ = _overdue(employee("sales1"))
        theirs, _ = _overdue(employee("sales2"))
        mine_no, theirs_no = mine.number, theirs.number
    resp = browsers("sales1").get("/worklists/aging/export.xlsx?bucket=d31_60")
    assert resp.status_code == 200
    book = openpyxl.load_workbook(BytesIO(resp.data))
    numbers = [row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert mine_no in numbers and theirs_no not in numbers
    assert book.worksheets[0].cell(1, 1).value == "编号"
    assert len(book.worksheets) == 2  # the bucket summary
    assert browsers("sales1").get("/worklists/nonsense/export.xlsx").status_code == 404


# --- counts, the navbar badge, who waits for whom (issue 9, item 6) -------------------------------

COUNT = re.compile(r'id="wl-([\w-]+)"[^>]*>\s*<span class="badge" data-count="(\d+)"')
BADGE = re.compile(r'id="nav-waiting" data-count="(\d+)"')


def _listed(client, url) -> list[str]:
    """The record links of every page of a work list."""
    out = []
    while url:
        body = client.get(url).get_data(as_text=True)
        out += re.findall(r'<tr class="worklist-row">.*?<a href="([^"]+)" class="btn btn-xs', body, re.S)
        nxt = re.search(r'id="next-page" href="([^"]+)"', body)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
    return out


@pytest.fixture(scope="module")
def submitted(app, apis):
    """A contract of sales1 submitted for approval: supervisor1 decides it."""
    with app.app_context():
        pk = make(m.Contract, employee("sales1"), amount=Decimal("1234.50")).id
    assert apis("sales1").post(f"/api/v1/workflow/contract/{pk}/submit", json={}).status_code == 200
    return f"/contractview/show/{pk}"


@pytest.mark.parametrize("user", ["sales1", "supervisor1", "finance1", "hr1"])
def test_counts_on_the_index_equal_the_rows_listed_and_the_badge_waiting_for_me(browsers, submitted, user):
    client = browsers(user)
    index = client.get("/worklists/").get_data(as_text=True)
    counts = dict(COUNT.findall(index))
    assert counts and "approvals" in counts and "waiting-for-others" in counts, user
    for name, count in counts.items():
        assert int(count) == len(_listed(client, f"/worklists/{name}")), (user, name)
    badge = BADGE.search(index)
    assert (int(badge.group(1)) if badge else 0) == int(counts["approvals"]), user


def test_waiting_for_me_is_apart_from_waiting_for_others(browsers, submitted):
    assert submitted in _listed(browsers("supervisor1"), "/worklists/approvals")
    assert submitted not in _listed(browsers("supervisor1"), "/worklists/waiting-for-others")
    assert submitted not in _listed(browsers("sales1"), "/worklists/approvals")
    assert submitted in _listed(browsers("sales1"), "/worklists/waiting-for-others")
    assert submitted not in _listed(browsers("sales2"), "/worklists/waiting-for-others")
    assert BADGE.search(browsers("supervisor1").get("/").get_data(as_text=True))


def test_approval_rows_show_customer_amount_submitter_and_age(app, browsers, submitted):
    body = browsers("supervisor1").get("/worklists/approvals").get_data(as_text=True)
    row = next(r for r in re.findall(r'<tr class="worklist-row">(.*?)</tr>', body, re.S) if submitted in r)
    cells = re.findall(r'<td data-key="(\w+)">(.*?)</td>', row, re.S)
    values = dict(cells)
    with app.app_context():
        contract = db.session.get(m.Contract, int(submitted.rsplit("/", 1)[1]))
        customer, submitter = str(contract.customer), employee("sales1").name
    assert values["customer"].strip() == customer
    assert values["amount"].strip() == "1,234.50"
    assert values["submitter"].strip() == submitter
    assert values["age"].strip() == "0"


@pytest.mark.parametrize("user", ["supervisor1", "finance1", "admin"])
def test_navbar_badge_costs_one_query(app, submitted, user):
    """The badge is on every page: its count is one SQL statement once the user's rights, team and
    the settings are loaded (as every page of a user with a team scope loads them anyway)."""
    from flask import g
    from sqlalchemy import event

    from app import policy
    from app.models import User
    from app.queries.worklists import count_waiting_for_me
    from app.security.scope import build_actor
    from app.views.worklists import approvals

    with app.test_request_context():
        g._portal_actor = build_actor(db.session.query(User).filter_by(username=user).one())
        g._portal_actor.team_employee_ids  # noqa: B018 - loaded the first time a team scope is asked
        policy.overrides()
        statements = []
        listen = lambda *args, **kw: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            count = count_waiting_for_me()
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        assert len(statements) <= 1, statements
        assert count == len(approvals(factory_today())["rows"])
        if user == "supervisor1":
            assert count >= 1


# --- queries apart from the view (issue 10) -------------------------------------------------------


def test_collection_rates_are_figures_the_page_formats(app, browsers):
    """2.5.3: the view is given amounts and rates as numbers; the page reads the amounts with
    thousands separators and the rate in percent, and a period with nothing due as "—"."""
    from datetime import date

    from app.clock import job_day
    from app.security.scope import build_actor
    from app.views.worklists import collection_rates

    day = date(2026, 3, 15)  # this test's receivable only: the module's rows are years older
    with app.app_context():
        s1 = employee("sales1")
        rec = make(m.Receivable, s1, amount=Decimal("1234.50"), issued_on=date(2026, 2, 1),
                   due_date=date(2026, 3, 10))
        make(m.Payment, s1, receivable=rec, amount=Decimal("617.25"), paid_on=date(2026, 3, 12))
    with app.test_request_context("/worklists/aging"):
        from flask import g

        from app.models import User

        g._portal_actor = build_actor(db.session.query(User).filter_by(username="finance1").one())
        rates = collection_rates(day)
    assert [(r["collected"], r["due"], r["rate"]) for r in rates] == [
        (Decimal("617.25"), Decimal("1234.50"), Decimal("50.00")), (0, 0, None),
        (Decimal("617.25"), Decimal("1234.50"), Decimal("50.00"))]
    with job_day(day):
        body = browsers("finance1").get("/worklists/aging").get_data(as_text=True)
    table = re.search(r'id="collection-rates">.*?<tbody>(.*?)</tbody>', body, re.S).group(1)
    cells = [re.findall(r"<td>(?:<strong>)?(.*?)(?:</strong>)?</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table)]
    assert [c[1:] for c in cells] == [["617.25", "1,234.50", "50.00%"], ["0.00", "0.00", "—"],
                                      ["617.25", "1,234.50", "50.00%"]]


def test_a_window_fetches_a_page_every_row_or_only_the_count(app):
    """``queries.fetch``: a page with its total, every row without counting (the export), only
    the count in one statement (the index's badges)."""
    from sqlalchemy import event

    from app.queries.paging import Window, fetch

    with app.app_context():
        owner = employee("sales3")
        made = [make(m.Visit, owner).id for _ in range(3)]
        query = db.session.query(m.Visit).filter(m.Visit.id.in_(made)).order_by(m.Visit.id)
        ids = [a.id for a in query]
        rows, total = fetch(query, Window(offset=1, limit=2, counted=True))
        assert [a.id for a in rows] == ids[1:3] and total == len(ids)
        rows, total = fetch(query, Window())
        assert [a.id for a in rows] == ids and total is None
        statements = []
        listen = lambda *args, **kw: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            assert fetch(query, Window(limit=0, counted=True)) == ([], len(ids))
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        assert len(statements) == 1, statements
