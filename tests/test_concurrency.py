"""Two users editing the same record cannot silently overwrite each other (issue 3, item 8)."""

from __future__ import annotations

from app.extensions import db
from app.models import ChangeLog, Customer
from tests.conftest import employee
from tests.factories import fresh, make
from tests.test_scope_leaks import model_form


def test_second_form_save_is_refused_with_both_changes_kept(app, login):
    with app.app_context():
        pk = make(Customer, employee("sales1"), region="广州").id
    first, second = login("sales1"), login("supervisor1")
    url = f"/customerview/edit/{pk}"
    form_a = model_form(first.get(url).get_data(as_text=True)).fields
    form_b = model_form(second.get(url).get_data(as_text=True)).fields
    assert form_a["row_version"] == form_b["row_version"] != ""
    assert first.post(url, data=dict(form_a, region="深圳")).status_code == 302
    resp = second.post(url, data=dict(form_b, region="东莞"))
    assert resp.status_code == 409
    page = resp.get_data(as_text=True)
    assert 'value="东莞"' in page  # the second user's input comes back to them
    assert fresh(app, Customer, pk, "region") == {"region": "深圳"}  # the first change stands
    # Having seen the conflict, saving again (with the current version) applies the change.
    again = model_form(page).fields
    assert second.post(url, data=dict(again, region="东莞")).status_code == 302
    assert fresh(app, Customer, pk, "region") == {"region": "东莞"}


def test_api_update_with_a_stale_version_is_refused(app, apis):
    with app.app_context():
        pk = make(Customer, employee("sales1"), region="佛山").id
    client = apis("sales1")
    version = client.get(f"/api/v1/customer/{pk}").json["result"]["version"]
    assert client.put(f"/api/v1/customer/{pk}", json={"region": "中山"},
                      headers={"If-Match": str(version)}).status_code == 200
    resp = client.put(f"/api/v1/customer/{pk}", json={"region": "珠海"},
                      headers={"If-Match": str(version)})
    assert resp.status_code == 412
    assert fresh(app, Customer, pk, "region") == {"region": "中山"}


def test_workflow_step_with_a_stale_version_is_refused(app, apis):
    with app.app_context():
        pk = make(Customer, employee("sales1")).id
        version = db.session.get(Customer, pk).version
    client = apis("sales1")
    assert client.put(f"/api/v1/customer/{pk}", json={"region": "江门"}).status_code == 200
    resp = client.post(f"/api/v1/workflow/customer/{pk}/to_screened", json={"version": version})
    assert resp.status_code == 409
    assert fresh(app, Customer, pk, "stage")["stage"].name == "research"
    with app.app_context():
        assert db.session.query(ChangeLog).filter_by(entity="Customer", row_id=pk,
                                                     action="transition").count() == 0
