"""A record's related lists, loaded when their tab is opened (issue 11, app/views/related.py).

- the record page and edit form hold an empty pane per related list the reader may read, and
  build no list for it; the pane's URL answers the list, paged and sorted by the record page's
  own arguments, with its links leading back to the record page;
- a pane answers only for a record in the reader's scope, a list of that record's view, and a
  reader who may read that list (FAB listed every related list under a record, readable or not:
  finance saw a customer's visits);
- bad arguments are a 400, an id no row can have a 404, and nothing changes.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app import models as m
from app.extensions import db
from app.registry import BY_NAME, MATRIX
from tests.conftest import USERS, employee, factory_today, related_panes
from tests.factories import make

PAGE_SIZE = 25  # PortalModelView.page_size
ROW = re.compile(r'<tr class="list-row" data-pk="(\d+)"')


@pytest.fixture()
def customer(app):
    """sales1's customer with a page and a bit of visits; sales2's customer with one."""
    with app.app_context():
        owner = employee("sales1")
        mine = make(m.Customer, owner)
        for day in range(PAGE_SIZE + 2):
            make(m.Visit, owner, customer=mine, visit_date=factory_today() - timedelta(days=day))
        theirs = make(m.Customer, employee("sales2"))
        make(m.Visit, employee("sales2"), customer=theirs)
        db.session.commit()
        visits = sorted(v.id for v in db.session.query(m.Visit).filter_by(customer_id=mine.id))
        return {"mine": mine.id, "theirs": theirs.id, "visits": visits}


def _visit_pane(html: str) -> str:
    return next(url for url in related_panes(html) if "/VisitView/" in url)


@pytest.mark.parametrize("page", ["show", "edit"])
def test_a_record_page_holds_panes_and_each_pane_is_its_related_list(browsers, customer, page):
    ui = browsers("sales1")
    url = f"/customerview/{page}/{customer['mine']}"
    html = ui.get(url).get_data(as_text=True)
    panes = related_panes(html)
    children = [c for c in BY_NAME["Customer"].related if MATRIX["Salesperson"][c]["read"]]
    assert sorted(p.split("/")[4] for p in panes) == sorted(f"{c}View" for c in children)
    assert all(p.endswith(f"/{page}") for p in panes)
    assert not ROW.search(html)  # no list is built for a tab that is not open
    first = ROW.findall(ui.get(_visit_pane(html)).get_data(as_text=True))
    assert len(first) == PAGE_SIZE and set(map(int, first)) <= set(customer["visits"])
    # Its links to other pages of itself lead to the record page with that list's arguments ...
    pane = ui.get(_visit_pane(html)).get_data(as_text=True)
    links = re.findall(r'href="([^"]*page_VisitView=1[^"]*)"', pane)
    assert links and all(link.startswith(url + "?") for link in links), links
    # ... and the pane asked with them is that page.
    second = ROW.findall(ui.get(_visit_pane(html) + "?page_VisitView=1").get_data(as_text=True))
    assert len(second) == 2 and not set(first) & set(second)
    assert set(map(int, first + second)) == set(customer["visits"])


def test_a_pane_of_a_record_out_of_scope_is_404(browsers, customer):
    ui = browsers("sales1")
    theirs = f"/customerview/related/{customer['theirs']}/VisitView/show"
    resp = ui.get(theirs)
    assert resp.status_code == 404
    assert b"list-row" not in resp.get_data()
    assert browsers("supervisor2").get(theirs).status_code == 200  # sales2's supervisor reads it


@pytest.mark.parametrize("path", [
    "related/{pk}/NoSuchView/show",        # not a list of this record
    "related/{pk}/EmployeeView/show",      # a view, but not one of the customer's lists
    "related/{pk}/VisitView/delete",       # not a page a pane belongs to
    "related/0/VisitView/show",            # ids no row can have
    "related/99999999999999999999/VisitView/show",
    "related/abc/VisitView/show",
])
def test_a_pane_that_is_no_list_of_a_record_is_404(browsers, customer, path):
    resp = browsers("sales1").get("/customerview/" + path.format(pk=customer["mine"]))
    assert resp.status_code == 404, resp.status_code


@pytest.mark.parametrize("args", ["page_VisitView=abc", "psize_VisitView=abc",
                                  "_oc_VisitView=__class__&_od_VisitView=asc"])
def test_a_pane_with_bad_arguments_is_400(app, browsers, customer, args):
    with app.app_context():
        before = db.session.query(m.Visit).count()
    resp = browsers("sales1").get(f"/customerview/related/{customer['mine']}/VisitView/show?{args}")
    assert resp.status_code == 400, resp.status_code
    with app.app_context():
        assert db.session.query(m.Visit).count() == before


def _unreadable_children():
    """(user, parent, child): a related list under a record the user reads, of rows they may not read."""
    roles = {role: user for user, (role, *_rest) in reversed(USERS.items())}
    return [(roles[role], parent, child)
            for role, entities in MATRIX.items() if role in roles
            for parent in ("Customer", "SalesOrder") if entities[parent]["read"]
            for child in BY_NAME[parent].related if not entities[child]["read"]]


def test_related_lists_the_reader_may_not_read_are_not_offered(app, browsers, customer):
    cases = _unreadable_children()
    assert ("finance1", "Customer", "Visit") in cases, cases  # finance does not read visits
    with app.app_context():
        order = make(m.SalesOrder, employee("sales1"), customer=db.session.get(m.Customer, customer["mine"]))
        make(m.ServiceTicket, employee("sales1"), customer=order.customer, order=order)
        db.session.commit()
        records = {"Customer": customer["mine"], "SalesOrder": order.id}
    for user, parent, child in cases:
        ui = browsers(user)
        url = f"/{parent.lower()}view/show/{records[parent]}"
        html = ui.get(url).get_data(as_text=True)
        assert f"#{child}View" not in html and f"/{child}View/" not in html, (user, parent, child)
        assert ui.get(f"/{parent.lower()}view/related/{records[parent]}/{child}View/show").status_code == 404
