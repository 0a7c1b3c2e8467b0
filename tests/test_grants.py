"""A set of roles' permissions is kept per process while the access grid's revision is unchanged
(app.security.grants): every change of FAB's permission tables moves the revision, by whatever
path it is made (plain SQL here: what another process, a console or a migration does), and the
next request of a signed-in user follows it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select, text

from app.extensions import db
from app.models import Customer
from app.models.access import GRID_TABLES, AccessRevision
from tests.conftest import employee
from tests.factories import make

CUSTOMER_RIGHT = (
    "(SELECT pv.id FROM ab_permission_view pv JOIN ab_permission p ON p.id = pv.permission_id "
    "JOIN ab_view_menu v ON v.id = pv.view_menu_id WHERE v.name = 'Customer' AND p.name = :perm)")
SALES_ROLE = "(SELECT id FROM ab_role WHERE name = 'Salesperson')"


def _grant(app, perm: str) -> None:
    """Give the Salesperson role ``perm`` on customers by plain SQL, as another process would."""
    with app.app_context():
        db.session.execute(text("INSERT INTO ab_permission_view_role (id, permission_view_id, role_id) "
                                f"SELECT (SELECT max(id) + 1 FROM ab_permission_view_role), {CUSTOMER_RIGHT}, "
                                f"{SALES_ROLE}"), {"perm": perm})
        db.session.commit()


def _revoke(app, perm: str) -> None:
    with app.app_context():
        db.session.execute(text(f"DELETE FROM ab_permission_view_role WHERE role_id = {SALES_ROLE} "
                                f"AND permission_view_id = {CUSTOMER_RIGHT}"), {"perm": perm})
        db.session.commit()


def _revision() -> int:
    return db.session.scalar(select(AccessRevision.value).where(AccessRevision.id == 1))


@pytest.mark.parametrize("table", GRID_TABLES)
def test_a_change_of_any_grid_table_moves_the_revision(app, table):
    with app.app_context():
        before = _revision()
        key = "permission_view_id" if table == "ab_permission_view_role" else "id"
        db.session.execute(text(f"UPDATE {table} SET {key} = {key} WHERE id = (SELECT min(id) FROM {table})"))
        assert _revision() != before


def _customer_list(ui):
    """Whether sales1's customer list opens (refused without the right)."""
    resp = ui.get("/customerview/list/")
    assert resp.status_code in (200, 302, 403)
    return resp.status_code == 200 and 'class="list-row"' in resp.get_data(as_text=True)


def test_a_right_taken_and_given_by_plain_sql_holds_on_the_next_request(app, login):
    with app.app_context():
        make(Customer, employee("sales1"))
    ui = login("sales1")
    assert _customer_list(ui) and _customer_list(ui)  # the second from the kept grants
    _revoke(app, "can_read_own")
    assert not _customer_list(ui)
    _grant(app, "can_read_own")
    assert _customer_list(ui)


def test_a_signed_in_request_reads_no_permissions_while_the_grid_is_unchanged(app, login):
    """The kept grants are used: the second page asks nothing of the permission tables."""
    ui = login("sales1")
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def keep(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", keep)
    try:
        assert ui.get("/customerview/list/").status_code == 200
        first = [s for s in statements if "ab_permission_view_role" in s]
        statements.clear()
        assert ui.get("/customerview/list/").status_code == 200
        second = [s for s in statements if "ab_permission_view_role" in s]
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert len(first) <= 1 and second == []


def test_a_widened_scope_shows_in_a_kept_picker_at_once(app, login):
    """Pickers and record pages keep their statements per reader's scope
    (``ScopedInterface._kept``): a salesperson granted every customer sees sales2's customer in
    their order's customer picker on the next request, and no longer once the grant is gone."""
    from app.models import SalesOrder

    with app.app_context():
        theirs = make(Customer, employee("sales2")).id
        order = make(SalesOrder, employee("sales1")).id
    ui = login("sales1")

    def offered() -> bool:
        resp = ui.get(f"/salesorderview/edit/{order}")
        assert resp.status_code == 200
        picker = re.search(r'<select[^>]*id="customer".*?</select>', resp.get_data(as_text=True), re.S)
        return f'value="{theirs}"' in picker.group(0)

    assert not offered() and not offered()  # the second from the kept statement
    _grant(app, "can_read_all")
    assert offered()
    _revoke(app, "can_read_all")
    assert not offered()
