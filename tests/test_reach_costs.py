"""No N+1 on the pages of issue 12: the inbox, My activities, the pipeline board, the calendar and
the search each ask the database as many times with many rows to show as with few."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.models import Activity, Contract, Customer, Notification, Quotation, Visit
from app.models.customers import QuotationStatus, Stage
from tests.conftest import employee, factory_today
from tests.factories import make
from tests.test_query_counts import QueryCounter

DAY = factory_today() + timedelta(days=10)


def _count(app, client, url) -> int:
    with app.app_context():
        engine = db.engine
    client.get(url)  # warm: what a first request asks once per process
    with QueryCounter(engine) as qc:
        assert client.get(url).status_code == 200
    return qc.count


def _rows(app, n):
    """``n`` more of everything the pages show, for sales1 (and supervisor1's inbox)."""
    with app.app_context():
        s1, sup = employee("sales1"), employee("supervisor1")
        for i in range(n):
            cust = make(Customer, s1, commit=False, name=f"成本测试客户{i}", stage=list(Stage)[i % 7])
            make(Visit, s1, commit=False, customer=cust, visit_date=DAY, next_date=DAY + timedelta(days=1))
            make(Quotation, s1, commit=False, customer=cust, status=QuotationStatus.sent)
            make(Activity, s1, commit=False, customer=cust, due_date=DAY, assignee=s1)
            contract = make(Contract, s1, commit=False, customer=cust)
            db.session.flush()
            db.session.add(Notification(user_id=sup.user_id, kind="approval_requested", entity="Contract",
                                        row_id=contract.id, key=f"cost{i}"))
        db.session.commit()


def test_the_pages_ask_no_more_with_more_rows(app, login):
    pages = {"sales1": ["/activities/", "/pipeline/", f"/calendar/?date={DAY.isoformat()}",
                        f"/calendar/?view=week&date={DAY.isoformat()}", "/search/?q=成本测试客户"],
             "supervisor1": ["/inbox/", "/pipeline/", f"/calendar/?who=team&date={DAY.isoformat()}"]}
    clients = {user: login(user) for user in pages}
    _rows(app, 2)
    few = {(u, url): _count(app, clients[u], url) for u, urls in pages.items() for url in urls}
    _rows(app, 25)
    many = {(u, url): _count(app, clients[u], url) for u, urls in pages.items() for url in urls}
    assert many == few
