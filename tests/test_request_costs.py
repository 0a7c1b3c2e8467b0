"""Issue 11's per-request shortcuts answer exactly what FAB and SQLAlchemy answered before: the
planner hint changes no result, the public role is still asked, a bad API argument is still
refused, and a count over the rows' keys is the rows' count."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from app import models as m
from app.extensions import db
from app.queries.paging import count
from app.registry import ENTITIES
from app.services.sql import rarely
from tests.conftest import employee
from tests.factories import make


def test_rarely_is_a_hint_on_sqlite_and_the_condition_elsewhere():
    cond = rarely(m.SalesOrder.status == m.orders.OrderStatus.under_review)
    query = select(m.SalesOrder.id).where(cond)
    on_sqlite = str(query.compile(dialect=sqlite.dialect()))
    on_postgresql = str(query.compile(dialect=postgresql.dialect()))
    assert "WHERE likelihood(sales_order.status = ?, 0.001)" in on_sqlite
    assert "= 1" not in on_sqlite  # SQLite reads likelihood() as a hint only where it is the term
    assert "likelihood" not in on_postgresql and "WHERE sales_order.status = %(status_1)s" in on_postgresql


def test_rarely_changes_no_result(app):
    with app.app_context():
        owner = employee("sales1")
        order = make(m.SalesOrder, owner, status=m.orders.OrderStatus.under_review)
        make(m.SalesOrder, owner, status=m.orders.OrderStatus.delivered)
        plain = select(m.SalesOrder.id).where(m.SalesOrder.status == m.orders.OrderStatus.under_review)
        hinted = select(m.SalesOrder.id).where(rarely(m.SalesOrder.status == m.orders.OrderStatus.under_review))
        assert order.id in db.session.scalars(hinted).all()
        assert sorted(db.session.scalars(hinted)) == sorted(db.session.scalars(plain))


def test_a_count_over_keys_is_the_rows_count(app):
    """``paging.count`` selects only the keys; an order's computed margin (a subquery on its
    lines) and a join that repeats no row leave the count as ``Query.count()`` had it."""
    with app.app_context():
        owner = employee("sales1")
        cust = make(m.Customer, owner)
        for _ in range(3):
            make(m.SalesOrder, owner, customer=cust)
        query = db.session.query(m.SalesOrder).filter(m.SalesOrder.customer_id == cust.id)
        assert count(query) == query.count() == 3
        joined = query.join(m.Customer, m.Customer.id == m.SalesOrder.customer_id).order_by(m.SalesOrder.id)
        assert count(joined) == 3


def test_the_public_role_is_asked_in_one_query(app):
    """``is_item_public`` (FAB's ``protect`` asks it on every API call) answers from the public
    role's permissions: none by default, and the one it is granted."""
    with app.app_context():
        sm = app.appbuilder.sm
        assert not sm.is_item_public("can_read", "Customer")
        pv = sm.find_permission_view_menu("can_read_all", "Customer") or sm.find_permission_view_menu(
            "can_read", "Customer")
        assert pv is not None
        public = sm.find_role(app.config["AUTH_ROLE_PUBLIC"])
        public.permissions.append(pv)
        db.session.flush()
        assert sm.is_item_public(pv.permission.name, "Customer")
        assert not sm.is_item_public(pv.permission.name, "SalesOrder")


def test_a_bad_rison_argument_is_still_refused(apis):
    """FAB's schema check, kept once per schema, still refuses an argument outside it (400) and
    still takes one inside it."""
    api = apis("sales1")
    refused = api.get("/api/v1/salesorder/?q=(page_size:'many')")
    assert refused.status_code == 400
    assert api.get("/api/v1/salesorder/?q=(page_size:2)").status_code == 200
    again = api.get("/api/v1/salesorder/?q=(order_direction:sideways)")
    assert again.status_code == 400


def test_collection_figures_follow_the_row_scope(app):
    """The overdue figure per owner, built from the unpaid receivables (outstanding per
    receivable), counts the reader's own receivables only: 100 due, 40 paid, 60 left."""
    from flask_login import login_user

    from app.queries.collection import overdue_by_owner

    day = date(2001, 6, 30)
    with app.app_context():
        mine, theirs = employee("sales1"), employee("sales2")
        for owner, amount in ((mine, "100"), (theirs, "900")):
            cust = make(m.Customer, owner)
            r = make(m.Receivable, owner, customer=cust, amount=Decimal(amount), issued_on=day - timedelta(days=60),
                     due_date=day - timedelta(days=30), status=m.receivables.ReceivableStatus.overdue)
            db.session.add(m.Payment(receivable=r, paid_on=day - timedelta(days=20), amount=Decimal("40")))
        db.session.flush()
        name = mine.name
    with app.test_request_context():
        login_user(app.appbuilder.sm.find_user(username="sales1"))
        assert dict(overdue_by_owner(day, 10)) == {name: Decimal("60.00")}


@pytest.mark.parametrize("entity", [e for e in ENTITIES if e.anchor and "." in e.anchor], ids=lambda e: e.name)
def test_a_pinned_scope_selects_the_same_rows(app, entity):
    """``scope_clause(..., pinned=True)`` (EXISTS on the first step of the anchor path, for
    queries that name their rows) selects exactly the rows of the IN form lists use, and its
    negation exactly the others: one row each of two salespeople, one of them in scope."""
    from app.security.scope import scope_clause

    model = entity.model
    with app.app_context():
        mine, theirs = employee("sales1"), employee("sales2")
        ids = [make(model, owner).id for owner in (mine, theirs)]
        allowed = frozenset({mine.id})
        within = model.id.in_(ids)
        for clause in (lambda p: scope_clause(entity, allowed, p), lambda p: ~scope_clause(entity, allowed, p)):
            listed = set(db.session.scalars(select(model.id).where(within, clause(False))))
            pinned = set(db.session.scalars(select(model.id).where(within, clause(True))))
            assert listed == pinned and len(listed) == 1
