"""Roles come from the matrix; drift is reported; the permission grid edits the database roles."""

from __future__ import annotations

from app.registry import MATRIX
from app.security.sync import desired, drift
from tests.factories import grid_form


def test_sync_leaves_no_drift(app):
    with app.app_context():
        assert drift(app.appbuilder.sm) == []


def test_desired_permissions_follow_the_matrix():
    assert ("can_read_own", "Customer") in desired("Salesperson")
    assert ("can_read_team", "Customer") in desired("Supervisor")
    assert not any(view == "Customer" for _, view in desired("HR") if _ != "menu_access")
    assert ("menu_access", "menu_Customer") not in desired("HR")
    assert MATRIX["Admin"]["Payment"] == {"read": "all", "write": "all", "approve": "all"}


def test_roles_sync_check_command_reports_drift_and_sync_repairs_it(app):
    from flask_appbuilder.security.sqla.models import Role

    from app.extensions import db

    runner = app.test_cli_runner()
    assert runner.invoke(args=["roles", "sync", "--check"]).exit_code == 0
    with app.app_context():
        sm = app.appbuilder.sm
        pv = sm.find_permission_view_menu("can_read_all", "Customer")
        hr = db.session.query(Role).filter_by(name="HR").one()
        hr.permissions.append(pv)
        db.session.commit()
    result = runner.invoke(args=["roles", "sync", "--check"])
    assert result.exit_code == 1
    assert "HR: - can_read_all on Customer" in result.output
    assert runner.invoke(args=["roles", "sync"]).exit_code == 0
    assert runner.invoke(args=["roles", "sync", "--check"]).exit_code == 0


def test_permission_grid_changes_roles_and_shows_drift(app, login):
    ui = login("admin")
    page = ui.get("/permission-grid/?role=HR")
    assert page.status_code == 200
    # Give HR read access to products through the grid (all other cells as they are).
    form = grid_form(app, "HR", **{"Product.read": "all"})
    resp = ui.post("/permission-grid/", data=form, token_from="/permission-grid/?role=HR")
    assert resp.status_code == 302
    from tests.conftest import Api

    fresh = Api(app.test_client(), "hr1")
    assert fresh.get("/api/v1/product/").status_code == 200
    with app.app_context():
        lines = [line for d in drift(app.appbuilder.sm) for line in d.lines()]
    assert "HR: - can_read_all on Product (database grants, matrix does not)" in lines
    # Restore the matrix.
    assert app.test_cli_runner().invoke(args=["roles", "sync"]).exit_code == 0
    assert Api(app.test_client(), "hr1").get("/api/v1/product/").status_code in (401, 403)


def test_grid_is_admin_only_and_refuses_bad_input(app, login):
    assert login("supervisor1").get("/permission-grid/").status_code in (302, 403)
    ui = login("admin")
    bad = ui.post("/permission-grid/", data={"role": "HR", "Product.read": "galaxy"},
                  token_from="/permission-grid/")
    assert bad.status_code == 302
    with app.app_context():
        assert drift(app.appbuilder.sm) == []
    no_role = ui.post("/permission-grid/", data={"role": "Nobody"}, token_from="/permission-grid/")
    assert no_role.status_code == 302
