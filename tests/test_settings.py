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


def _stored(app, key):
    with app.app_context():
        db.session.expire_all()
        row = db.session.query(PolicySetting).filter_by(key=key).first()
        return row.value if row else None


def _translated(app, message, **values):
    """A message as the (Chinese) admin reads it, from the app's own catalog."""
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("zh"):
        return gettext(message, **values)


def test_settings_are_edited_with_translated_pickers_in_the_stored_format(app, browsers):
    """Departments: a multi-select of their labels; severity -> days: a number field per severity;
    severity -> penalty: a select per severity. The stored text keeps its format."""
    from app.models.conduct import Severity as ConductSeverity
    from app.models.orders import Department
    from app.models.service import Severity as TicketSeverity

    admin = browsers("admin")
    page = admin.get("/settings/").get_data(as_text=True)
    with app.test_request_context():
        from flask_babel import force_locale

        with force_locale("zh"):
            assert f'<option value="production">{Department.production.label}</option>' in page
            assert str(ConductSeverity.minor.label) in page and str(TicketSeverity.critical.label) in page
    assert 'name="value.critical"' in page and 'name="value.minor"' in page

    resp = admin.post("/settings/", data={"key": "order_review_departments", "value": ["quality", "production"]})
    assert resp.status_code == 302
    assert _stored(app, PolicyKey.order_review_departments) == "quality,production"
    with app.app_context():
        assert policy.get(PolicyKey.order_review_departments) == (Department.quality, Department.production)

    resp = admin.post("/settings/", data={"key": "ticket_due_days", "value.critical": "2",
                                          "value.major": "4", "value.minor": "8"})
    assert resp.status_code == 302
    assert _stored(app, PolicyKey.ticket_due_days) == "critical:2,major:4,minor:8"

    resp = admin.post("/settings/", data={"key": "penalty_scale", "value.minor": "warning",
                                          "value.moderate": "warning", "value.serious": "fine"})
    assert resp.status_code == 302
    assert _stored(app, PolicyKey.penalty_scale) == "minor:warning,moderate:warning,serious:fine"

    # Every field empty: back to the default.
    resp = admin.post("/settings/", data={"key": "ticket_due_days", "value.critical": "",
                                          "value.major": "", "value.minor": ""})
    assert resp.status_code == 302 and _stored(app, PolicyKey.ticket_due_days) is None
    for key in ("order_review_departments", "penalty_scale"):
        assert admin.post("/settings/", data={"key": key}).status_code == 302
        assert _stored(app, PolicyKey[key]) is None


def test_bad_picker_input_is_refused_translated_and_changes_nothing(app, browsers):
    from app.models.service import Severity as TicketSeverity

    admin = browsers("admin")
    with app.app_context():
        before = {r.key: r.value for r in db.session.query(PolicySetting)}
    cases = [
        ("order_review_departments", {"value": ["production", "nonsense"]}),
        ("ticket_due_days", {"value.critical": "1", "value.major": "", "value.minor": "7"}),
        ("ticket_due_days", {"value.critical": "1", "value.major": "abc", "value.minor": "7"}),
        ("ticket_due_days", {"value.critical": "1", "value.major": "3", "value.minor": "9999"}),
        ("penalty_scale", {"value.minor": "warning", "value.moderate": "beheading", "value.serious": "fine"}),
    ]
    for key, fields in cases:
        resp = admin.post("/settings/", data={"key": key, **fields})
        assert resp.status_code == 422, (key, fields)
        body = resp.get_data(as_text=True)
        assert 'class="text-danger"' in body, (key, fields)
        with app.app_context():
            assert {r.key: r.value for r in db.session.query(PolicySetting)} == before, (key, fields)
    # The half-filled severity map names the severities in the reader's language.
    resp = admin.post("/settings/", data={"key": "ticket_due_days", "value.critical": "1", "value.major": ""})
    with app.test_request_context():
        from flask_babel import force_locale

        with force_locale("zh"):
            names = ", ".join(str(s.label) for s in TicketSeverity)
    assert _translated(app, "Enter a value for each of: %(names)s.", names=names) in resp.get_data(as_text=True)
