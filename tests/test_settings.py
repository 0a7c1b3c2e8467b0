"""The configurable figures: admins change them, a bad value is refused, the figure is used."""

from __future__ import annotations

from decimal import Decimal

from app import policy
from app.extensions import db
from app.models import ChangeLog, PolicyKey, PolicySetting


def _value(app):
    with app.app_context():
        db.session.expire_all()
        row = db.session.query(PolicySetting).filter_by(key=PolicyKey.contract_finance_threshold).first()
        return row.value if row else None


def test_admin_sets_the_finance_threshold_and_bad_values_change_nothing(app, browsers):
    admin = browsers("admin")
    assert admin.get("/settings/").status_code == 200
    for bad in ("abc", "-5", "NaN"):
        resp = admin.post("/settings/", data={"key": "contract_finance_threshold", "value": bad})
        assert resp.status_code == 422, bad
        assert _value(app) is None
    assert admin.post("/settings/", data={"key": "nonsense", "value": "1"}).status_code == 422
    assert admin.post("/settings/", data={"key": "contract_finance_threshold",
                                          "value": "500000"}).status_code == 302
    assert _value(app) == "500000"
    with app.app_context():
        assert policy.get(PolicyKey.contract_finance_threshold) == Decimal("500000")
        row_id = list(PolicyKey).index(PolicyKey.contract_finance_threshold) + 1  # other keys aside
        assert db.session.query(ChangeLog).filter_by(entity="PolicySetting", row_id=row_id).count() == 1
    # Back to the default.
    assert admin.post("/settings/", data={"key": "contract_finance_threshold", "value": ""}).status_code == 302
    assert _value(app) is None


def test_only_admins_reach_settings(app, browsers):
    for user in ("sales1", "supervisor1", "finance1", "hr1"):
        assert browsers(user).get("/settings/").status_code in (302, 403)
        browsers(user).post("/settings/", data={"key": "work_start", "value": "10:00"},
                            token_from="/")
    with app.app_context():
        assert db.session.query(PolicySetting).filter_by(key=PolicyKey.work_start).count() == 0


def test_every_default_parses():
    for key, default in policy.DEFAULTS.items():
        assert policy.parse(key, default.text) is not None, key


def test_a_changed_figure_changes_the_rule(app, browsers, apis):
    """With the finance threshold raised, a 300,000 contract needs the supervisor only."""
    from app.models import Contract
    from tests.conftest import employee
    from tests.factories import make

    admin = browsers("admin")
    assert admin.post("/settings/", data={"key": "contract_finance_threshold", "value": "400000"}
                      ).status_code == 302
    try:
        with app.app_context():
            pk = make(Contract, employee("sales1"), amount=Decimal("300000")).id
        apis("sales1").post(f"/api/v1/workflow/contract/{pk}/submit", json={})
        resp = apis("supervisor1").post(f"/api/v1/workflow/contract/{pk}/approve", json={})
        assert resp.json["state"] == "approved"
    finally:
        admin.post("/settings/", data={"key": "contract_finance_threshold", "value": ""})
