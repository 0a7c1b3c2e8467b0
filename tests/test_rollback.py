"""Each test runs in a transaction rolled back at its end (tests/conftest.py, ``_rolled_back``),
and a module of such tests in one rolled back after its last test (``_module_rolled_back``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Customer
from tests.conftest import employee
from tests.factories import count, make

CODE = "ROLLBACK-1"  # a fixed unique value: free again in every test
MODULE_CODE = "ROLLBACK-M"  # the module fixture's: free again in every module


@pytest.fixture(scope="module")
def module_row(app):
    with app.app_context():
        return make(Customer, employee("sales1"), code=MODULE_CODE, name="模块行").id


@pytest.mark.parametrize("run", [1, 2])
def test_a_committed_row_is_gone_in_the_next_test(app, apis, run):
    """Run twice: the second run finds no row from the first, though the API committed it."""
    assert count(app, Customer, Customer.code == CODE) == 0
    with app.app_context():
        owner = employee("sales1").id
    resp = apis("sales1").post("/api/v1/customer/", json={
        "code": CODE, "name": f"回滚{run}", "owner": owner, "credit_limit": "1000.00",
        "payment_terms_days": 30})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert count(app, Customer, Customer.code == CODE) == 1  # every session of the test sees it


def test_a_refused_write_rolls_back_only_its_own_savepoint(app, ctx):
    """A unique violation rolls back the request's savepoint; what the test saved before stays."""
    first = make(Customer, employee("sales1"), code=CODE)
    with pytest.raises(IntegrityError):
        make(Customer, employee("sales1"), code=CODE)
    db.session.rollback()
    assert db.session.scalar(select(Customer.id).where(Customer.code == CODE)) == first.id


@pytest.mark.parametrize("run", [1, 2])
def test_a_module_row_changed_by_a_test_is_back_in_the_next(app, apis, module_row, run):
    """Run twice: each run finds the module's row as the fixture made it, though the first
    changed it through the API."""
    with app.app_context():
        assert db.session.get(Customer, module_row).name == "模块行"
    resp = apis("sales1").put(f"/api/v1/customer/{module_row}", json={"name": f"改名{run}"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert count(app, Customer, Customer.name == f"改名{run}") == 1


def test_a_module_row_is_not_committed(app, module_row):
    """Another connection of the database does not see it: it goes with the module's transaction."""
    assert count(app, Customer, Customer.code == MODULE_CODE) == 1
    with app.app_context(), db.engine.connect() as other:
        assert other.scalar(select(Customer.id).where(Customer.code == MODULE_CODE)) is None
