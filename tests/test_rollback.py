"""Each test runs in a transaction rolled back at its end (tests/conftest.py, ``_rolled_back``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Customer
from tests.conftest import employee
from tests.factories import count, make

CODE = "ROLLBACK-1"  # a fixed unique value: free again in every test


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
