"""Approval decisions need the approve right over the row, and nobody approves their own request."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Contract, LeaveRequest
from tests.conftest import employee
from tests.factories import make


def _status(app, model, pk):
    with app.app_context():
        return db.session.get(model, pk).status.name


@pytest.fixture()
def contract(app):
    with app.app_context():
        return make(Contract, employee("sales1")).id


def test_supervisor_approves_team_contract(app, apis, contract):
    resp = apis("supervisor1").put(f"/api/v1/contract/{contract}", json={"status": "approved"})
    assert resp.status_code == 200
    assert _status(app, Contract, contract) == "approved"


@pytest.mark.parametrize("who", ["sales1", "sales3"])
def test_salespeople_cannot_approve(app, apis, contract, who):
    resp = apis(who).put(f"/api/v1/contract/{contract}", json={"status": "approved"})
    assert resp.status_code in (403, 404)
    assert _status(app, Contract, contract) == "draft"


def test_other_team_supervisor_cannot_approve(app, apis, contract):
    resp = apis("supervisor2").put(f"/api/v1/contract/{contract}", json={"status": "rejected"})
    assert resp.status_code == 404
    assert _status(app, Contract, contract) == "draft"


def test_nobody_approves_own_leave_not_even_hr(app, apis):
    with app.app_context():
        own = make(LeaveRequest, employee("hr1")).id
        other = make(LeaveRequest, employee("sales1")).id
    resp = apis("hr1").put(f"/api/v1/leaverequest/{own}", json={"status": "approved"})
    assert resp.status_code == 403
    assert _status(app, LeaveRequest, own) == "draft"
    assert apis("hr1").put(f"/api/v1/leaverequest/{other}", json={"status": "approved"}).status_code == 200
    assert _status(app, LeaveRequest, other) == "approved"


def test_decision_through_the_form_is_refused_too(app, browsers, contract):
    from tests.test_scope_leaks import model_form

    ui = browsers("sales1")
    url = f"/contractview/edit/{contract}"
    fields = model_form(ui.get(url).get_data(as_text=True)).fields
    ui.post(url, data=dict(fields, status="approved"))
    assert _status(app, Contract, contract) == "draft"
