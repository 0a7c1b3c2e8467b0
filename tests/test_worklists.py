"""Work lists show what needs doing, each within the user's scope (2.2.2, 2.5.3, 3.2, 3.3, 3.4, 4.1)."""

from __future__ import annotations

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
