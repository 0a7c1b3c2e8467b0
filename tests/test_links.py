"""No dead link, no wrong count (issue 9, item 2).

- every counter of every role's dashboard opens a list with exactly as many rows as it says;
- a list offers edit and delete only on the rows where they work (scope, own and parent state);
- every link of the appraisal index answers, for every role (finance is offered no cycle page);
- the finance collection-rate trend steps by calendar month;
- a salesperson's own cycle page shows his rank within his team, not among the one row he sees.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from decimal import Decimal
from urllib.parse import urljoin, urlsplit

import pytest

from app import models as m
from app.extensions import db
from app.models.conduct import LeaveStatus
from app.models.customers import QuotationStatus
from app.models.orders import OrderStatus
from app.models.service import TicketStatus
from app.registry import ENTITIES, MATRIX
from tests.conftest import PASSWORD, USERS, Browser, employee, factory_today
from tests.factories import make

TODAY = factory_today()
ROLES = ("sales1", "supervisor1", "finance1", "hr1", "admin")
COUNTER = re.compile(r'<a class="[^"]*\bcounter\b[^"]*" id="counter-([\w-]+)" data-count="(\d+)" href="([^"]+)"')
LIST_ROW = re.compile(r'<tr class="list-row" data-pk="(\d+)"[^>]*>(.*?)</tr>', re.S)
WORKLIST_ROW = re.compile(r'<tr class="worklist-row">')
NEXT_PAGE = re.compile(r'id="next-page" href="([^"]+)"')
FAB_PAGE_SIZE = 25  # PortalModelView.page_size


def _rows_for(owner):
    """For one salesperson: rows each preset counts and rows just beside its condition."""
    emp = employee(owner)
    make(m.Quotation, emp, status=QuotationStatus.sent, issued_on=TODAY - timedelta(days=20),
         valid_until=TODAY + timedelta(days=3))  # expiring this week
    make(m.Quotation, emp, status=QuotationStatus.sent, issued_on=TODAY - timedelta(days=20),
         valid_until=TODAY + timedelta(days=20))  # later
    make(m.Quotation, emp, status=QuotationStatus.draft, issued_on=TODAY,
         valid_until=TODAY + timedelta(days=2))  # not sent
    for due in (-45, -10, 3, 30):  # two overdue (different aging buckets), one due this week, one later
        make(m.Receivable, emp, amount=Decimal("100"), issued_on=TODAY - timedelta(days=90),
             due_date=TODAY + timedelta(days=due))
    paid = make(m.Receivable, emp, amount=Decimal("100"), issued_on=TODAY - timedelta(days=90),
                due_date=TODAY - timedelta(days=20))
    make(m.Payment, emp, receivable=paid, amount=Decimal("100"), paid_on=TODAY - timedelta(days=25))
    make(m.ServiceTicket, emp, status=TicketStatus.assessed, reported_on=TODAY - timedelta(days=3))
    make(m.ServiceTicket, emp, status=TicketStatus.closed, reported_on=TODAY - timedelta(days=30),
         satisfaction=4, summary="已解决")
    make(m.LeaveRequest, emp, status=LeaveStatus.submitted, start_date=TODAY + timedelta(days=400),
         end_date=TODAY + timedelta(days=400), submitted_on=TODAY)
    make(m.Attendance, emp, work_date=TODAY - timedelta(days=2), check_in=time(9, 40), check_out=time(18, 5))
    make(m.Visit, emp, visit_date=TODAY - timedelta(days=20), next_date=TODAY + timedelta(days=2))
    make(m.SalesOrder, emp, order_date=TODAY - timedelta(days=30), promised_date=TODAY - timedelta(days=4))


@pytest.fixture(scope="module")
def counted(app):
    with app.app_context():
        for owner in ("sales1", "sales3", "sales2"):
            _rows_for(owner)


def _fab_view_name(path: str) -> str:
    segment = path.strip("/").split("/")[0]
    return next(f"{e.name}View" for e in ENTITIES if f"{e.name.lower()}view" == segment)


def _count_rows(client, url) -> int:
    """The rows the page at ``url`` lists, over all its pages."""
    parts = urlsplit(url)
    if parts.path.startswith("/worklists/"):
        total, nxt = 0, url
        while nxt:
            resp = client.get(nxt)
            assert resp.status_code == 200, nxt
            body = resp.get_data(as_text=True)
            total += len(WORKLIST_ROW.findall(body))
            found = NEXT_PAGE.search(body)
            nxt = found.group(1).replace("&amp;", "&") if found else None
        return total
    view = _fab_view_name(parts.path)
    total, page = 0, 0
    while True:
        sep = "&" if parts.query else "?"
        resp = client.get(f"{url}{sep}page_{view}={page}")
        assert resp.status_code == 200, url
        n = len(LIST_ROW.findall(resp.get_data(as_text=True)))
        total += n
        if n < FAB_PAGE_SIZE:
            return total
        page += 1


@pytest.mark.parametrize("username", ROLES)
def test_every_dashboard_counter_opens_exactly_its_rows(browsers, counted, username):
    client = browsers(username).client
    home = client.get("/")
    assert home.status_code == 200
    counters = COUNTER.findall(home.get_data(as_text=True))
    if USERS[username][0] == "Admin":
        assert counters == []  # the admin board has figures, no counters
        return
    assert counters, username
    for key, count, href in counters:
        url = href.replace("&amp;", "&")
        assert _count_rows(client, url) == int(count), (username, key, url)
        if "preset=" in url:  # the list says which rows it shows
            assert 'id="list-preset"' in client.get(url).get_data(as_text=True), (username, key)
    if username in ("sales1", "supervisor1", "hr1"):  # the test data gives these boards rows to count
        assert sum(int(c) for _k, c, _h in counters) > 0, username


def test_counters_count_within_scope_and_presets_refuse_unknown_names(browsers, counted):
    """The team's board counts the team's rows (sales2's are another team's); a preset an entity
    has not is a 400, not every row."""
    board = dict((k, int(c)) for k, c, _h in COUNTER.findall(browsers("supervisor1").get("/").get_data(as_text=True)))
    own = dict((k, int(c)) for k, c, _h in COUNTER.findall(browsers("sales1").get("/").get_data(as_text=True)))
    assert board["quotes-expiring"] >= 2 * 1 and own["quotes-expiring"] >= 1
    assert board["receivables-overdue"] >= own["receivables-overdue"] >= 2
    assert browsers("sales1").get("/quotationview/list/?preset=nonsense").status_code == 400
    assert browsers("sales1").get("/quotationview/list/?preset=overdue").status_code == 400


# --- edit and delete only where they work --------------------------------------------------------


@pytest.fixture(scope="module")
def rows(app):
    """A row of every entity for a salesperson of each team and a colleague, plus records whose
    state locks them or their lines."""
    with app.app_context():
        for entity in ENTITIES:
            for owner in ("sales1", "sales3", "sales2"):
                emp = employee(owner)
                make(entity.model, emp, **({"team_id": emp.team_id} if entity.name == "Employee" else {}))
        s1 = employee("sales1")
        sent = make(m.Quotation, s1, status=QuotationStatus.sent, issued_on=TODAY,
                    valid_until=TODAY + timedelta(days=30))
        draft = make(m.Quotation, s1, issued_on=TODAY, valid_until=TODAY + timedelta(days=30))
        scheduled = make(m.SalesOrder, s1, status=OrderStatus.scheduled)
        return {
            "sent_line": make(m.QuotationLine, s1, quotation=sent).id,
            "draft_line": make(m.QuotationLine, s1, quotation=draft).id,
            "scheduled_line": make(m.OrderLine, s1, order=scheduled).id,
            "sent": sent.id,
            "draft": draft.id,
            "own_countermeasure": make(m.Countermeasure, s1).id,
            "other_countermeasure": make(m.Countermeasure, employee("sales3")).id,
            "own_report": make(m.MarketReport, s1).id,
            "other_report": make(m.MarketReport, employee("sales3")).id,
        }


PER_KIND = 4  # rows checked per list with and without the buttons (the newest: this module's)


def _buttons(client, path):
    """{row id: (edit href or None, has delete)} of a list page's rows."""
    resp = client.get(path)
    assert resp.status_code == 200, path
    out = {}
    for pk, cells in LIST_ROW.findall(resp.get_data(as_text=True)):
        edit = re.search(r'href="([^"]*/edit/' + pk + r'[^"]*)"', cells)
        out[int(pk)] = (edit.group(1).replace("&amp;", "&") if edit else None, f"/delete/{pk}" in cells)
    return out


@pytest.mark.parametrize("username", ROLES[:4])
def test_edit_and_delete_appear_only_where_they_work(browsers, rows, username):
    role = USERS[username][0]
    client = browsers(username).client
    checked = 0
    for entity in ENTITIES:
        cell = MATRIX[role][entity.name]
        if cell["read"] is None:
            continue
        view = f"/{entity.name.lower()}view"
        buttons = _buttons(client, f"{view}/list/")
        with_link = [pk for pk, (edit, _d) in buttons.items() if edit][:PER_KIND]
        without = [pk for pk, (edit, _d) in buttons.items() if not edit][:PER_KIND]
        for pk in with_link:
            edit, delete = buttons[pk]
            assert delete, (username, entity.name, pk)  # both need the same right over the row
            assert client.get(edit).status_code == 200, (username, entity.name, pk)
            checked += 1
        for pk in without:
            assert not buttons[pk][1], (username, entity.name, pk)
            if cell["write"] is not None:  # the screen exists for the user, not for this row
                assert client.get(f"{view}/edit/{pk}").status_code != 200, (username, entity.name, pk)
                checked += 1
    assert checked > 0, username


def test_locked_lines_and_colleagues_rows_offer_no_edit(browsers, rows):
    client = browsers("sales1").client
    lines = _buttons(client, "/quotationlineview/list/")
    assert lines[rows["draft_line"]][0] and lines[rows["draft_line"]][1]
    assert lines[rows["sent_line"]] == (None, False)
    assert client.get(f"/quotationlineview/edit/{rows['sent_line']}").status_code != 200
    order_lines = _buttons(client, "/orderlineview/list/")
    assert order_lines[rows["scheduled_line"]] == (None, False)
    for kind, view in (("countermeasure", "countermeasureview"), ("report", "marketreportview")):
        listed = _buttons(client, f"/{view}/list/")
        assert listed[rows[f"other_{kind}"]] == (None, False), kind  # read by all, written by its author
        assert listed[rows[f"own_{kind}"]][0], kind
        assert client.get(f"/{view}/edit/{rows[f'other_{kind}']}").status_code == 404
    # The lines listed on the sent quotation's own page offer no edit either.
    page = browsers("sales1").record(f"/quotationview/show/{rows['sent']}")
    assert f"/quotationlineview/show/{rows['sent_line']}" in page
    assert f"/quotationlineview/edit/{rows['sent_line']}" not in page
    # Nor a way to add one: the draft's page offers it, the sent one's does not.
    add = re.compile(r'href="/quotationlineview/add\?_flt_0_quotation=(\d+)')
    assert add.findall(browsers("sales1").record(f"/quotationview/show/{rows['draft']}")) == [
        str(rows["draft"])]
    assert not add.findall(page)


def test_a_line_of_a_sent_quotation_is_not_deleted(app, browsers, rows):
    from tests.factories import count

    browser = browsers("sales1")
    before = count(app, m.QuotationLine, m.QuotationLine.id == rows["sent_line"])
    browser.post(f"/quotationlineview/delete/{rows['sent_line']}", token_from="/quotationlineview/list/")
    assert before == 1 and count(app, m.QuotationLine, m.QuotationLine.id == rows["sent_line"]) == 1


# --- appraisal index ---------------------------------------------------------------------------

LINK = re.compile(r'href="([^"#]+)"')
SKIP = re.compile(r"/logout|/lang|/language/|/static/|/swagger|^javascript:|^data:")


@pytest.mark.parametrize("username", ROLES)
def test_every_link_on_the_appraisal_index_answers(app, browsers, username):
    with app.app_context():
        if not db.session.query(m.AppraisalCycle).count():
            make(m.AppraisalCycle, employee("hr1"))
        cycles = [c.id for c in db.session.query(m.AppraisalCycle)]
    client = browsers(username).client
    index = client.get("/appraisal/")
    home = client.get("/").get_data(as_text=True)
    if username == "finance1":
        assert index.status_code == 404
        assert 'href="/appraisal/' not in home  # not offered on the start page either
        for pk in cycles:  # nor from the cycle's record page, which finance may read
            record = client.get(f"/appraisalcycleview/show/{pk}")
            assert record.status_code == 200 and f'href="/appraisal/{pk}"' not in record.get_data(as_text=True)
        return
    assert index.status_code == 200
    body = index.get_data(as_text=True)
    content = body[body.index('id="cycles"'):body.index("</table>", body.index('id="cycles"'))]
    cycle_links = re.findall(r'href="(/appraisal/\d+)"', content)
    assert len(cycle_links) == len(cycles), username
    for href in sorted(set(LINK.findall(content))):  # the navigation's links: tests/test_crawl.py
        target = urljoin("/appraisal/", href.replace("&amp;", "&"))
        if SKIP.search(target) or urlsplit(target).netloc not in ("", "localhost"):
            continue
        assert client.get(target).status_code == 200, (username, target)


# --- collection-rate trend by calendar month ----------------------------------------------------


@pytest.mark.parametrize(("day", "first", "last"), [
    (date(2026, 12, 15), "2026-07", "2026-12"),
    (date(2026, 12, 31), "2026-07", "2026-12"),
    (date(2027, 3, 31), "2026-10", "2027-03"),
    (date(2027, 1, 1), "2026-08", "2027-01"),
])
def test_month_periods_are_calendar_months(day, first, last):
    from app.services.collection import month_periods

    periods = month_periods(day, 6)
    months = [s.strftime("%Y-%m") for s, _e in periods]
    assert months[0] == first and months[-1] == last and len(set(months)) == 6
    for (start, end), (following, _e) in zip(periods, periods[1:], strict=False):
        assert start.day == 1 and end + timedelta(days=1) == following  # no gap, no overlap
    assert periods[-1][1] == day


def test_finance_trend_in_december_shows_november(app, counted):
    """The trend the finance board draws, for a 'today' in December: November is there, and its
    rate is the one of November's receivables."""
    from flask_login import login_user

    from app.models import User
    from app.views.dashboard import collection_trend

    with app.test_request_context("/"):
        login_user(db.session.query(User).filter_by(username="finance1").one())
        # A December two years back: the module's rows (``counted``) are dated around today.
        year = TODAY.year - 2
        s1 = employee("sales1")
        rec = make(m.Receivable, s1, amount=Decimal("200"), issued_on=date(year, 10, 1),
                   due_date=date(year, 11, 30))
        make(m.Payment, s1, receivable=rec, amount=Decimal("50"), paid_on=date(year, 11, 20))
        months, rates = collection_trend(date(year, 12, 15))
        assert months == [f"{year}-{month:02}" for month in range(7, 13)]
        assert rates[months.index(f"{year}-11")] == Decimal("25.00")


# --- a salesperson's rank within his team -------------------------------------------------------


@pytest.fixture(scope="module")
def ranked_team(app):
    """A team of two salespeople with logins, one selling ten times what the other does."""
    from app.models.people import Position

    start, end = date(2026, 1, 1), date(2026, 3, 31)
    with app.app_context():
        sm = app.appbuilder.sm
        team = m.Team(name="排名测试组", region="广东")
        db.session.add(team)
        db.session.flush()
        out = {}
        for name in ("rank_low", "rank_high"):
            user = sm.add_user(name, name, "测试", f"{name}@test.local", sm.find_role("Salesperson"), PASSWORD)
            emp = m.Employee(number=f"RK-{name}", name=f"排名{name}", position=Position.salesperson,
                             team=team, user_id=user.id)
            db.session.add(emp)
            db.session.flush()
            out[name] = emp.id
        cycle = m.AppraisalCycle(name="2026Q1", kind=m.appraisal.CycleKind.quarterly, start_date=start,
                                 end_date=end)
        db.session.add(cycle)
        product = make(m.Product, emp, commit=False)
        for name, qty in (("rank_low", 1), ("rank_high", 10)):
            emp = db.session.get(m.Employee, out[name])
            cust = make(m.Customer, emp, commit=False)
            order = m.SalesOrder(number=f"RK-{name}", customer=cust, order_date=date(2026, 2, 1))
            db.session.add(order)
            db.session.add(m.OrderLine(order=order, product=product, qty=Decimal(qty), unit_price=Decimal(1000),
                                       unit_cost=Decimal(500)))
            db.session.add(m.AppraisalTarget(cycle=cycle, employee=emp, revenue=Decimal(10000),
                                             volume=Decimal(10), profit=Decimal(5000), new_customers=1))
        db.session.commit()
        out["cycle"] = cycle.id
        return out


def _ranking_rows(client, cycle_id):
    body = client.get(f"/appraisal/{cycle_id}").get_data(as_text=True)
    return re.findall(r'class="ranking-row" data-employee="(\d+)" data-final="([^"]*)"[^>]*data-rank="([^"]*)"',
                      body)


def test_a_salesperson_sees_his_rank_in_the_team_not_the_others(app, ranked_team):
    low = Browser(app.test_client(), "rank_low").client
    high = Browser(app.test_client(), "rank_high").client
    (emp, final, rank), = _ranking_rows(low, ranked_team["cycle"])  # his own row only
    assert int(emp) == ranked_team["rank_low"] and final and rank == "2"
    (emp, final, rank), = _ranking_rows(high, ranked_team["cycle"])
    assert int(emp) == ranked_team["rank_high"] and rank == "1"
    # The other's scorecard stays closed to him.
    assert low.get(f"/appraisal/{ranked_team['cycle']}/{ranked_team['rank_high']}").status_code == 404
