"""An appraisal cycle's settings (issue 9, item 1): bad settings are refused on every write path
and change nothing, so the cycle page and every start page keep working; the raw settings column
is on no generated form or record page, and the API shows it as an object it never takes.

Write paths: the cycle's settings form (422, the page again with the error), the generated add and
edit forms (no settings field: a posted ``settings`` is ignored), the API POST and PUT (422: not a
field they accept)."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.conftest import employee
from tests.factories import fresh, make, settings_form
from tests.test_scope_leaks import model_form

GARBAGE = ("garbage", "[1]", '{"part_weights": "x"}', "{}", "null")
START_PAGES = ("sales1", "supervisor1", "hr1", "finance1", "admin")


@pytest.fixture(scope="module")
def cycle(app):
    from app.models import AppraisalCycle

    with app.app_context():
        row = make(AppraisalCycle, employee("hr1"))
        return row.id


def _state(app, pk):
    from app.models import AppraisalCycle

    return fresh(app, AppraisalCycle, pk, "settings", "version", "name")


def _all_pages_work(browsers, pk):
    assert browsers("hr1").get(f"/appraisal/{pk}").status_code == 200
    for user in START_PAGES:
        assert browsers(user).get("/").status_code == 200, user


def test_the_settings_form_refuses_bad_settings(app, browsers, cycle):
    hr = browsers("hr1")
    before = _state(app, cycle)
    for bad in ({"pw_quantitative": "garbage"}, {"pw_quantitative": "90"}, {"gt_A": "10"},
                {"bonus_base": "-1"}, {"iw_revenue": "nan"}):
        resp = hr.post(f"/appraisal/{cycle}/settings", data=settings_form(**bad),
                       token_from=f"/appraisal/{cycle}")
        assert resp.status_code == 422, bad
        page = resp.get_data(as_text=True)
        assert 'name="pw_quantitative"' in page and "alert-danger" in page, bad  # the form, with the error
    assert _state(app, cycle) == before
    _all_pages_work(browsers, cycle)


def test_the_generated_forms_have_no_settings_field(app, browsers, cycle):
    hr = browsers("hr1")
    for url in ("/appraisalcycleview/add", f"/appraisalcycleview/edit/{cycle}"):
        page = hr.get(url)
        assert page.status_code == 200
        assert "settings" not in model_form(page.get_data(as_text=True)).fields, url


def test_the_generated_edit_form_ignores_posted_settings(app, browsers, cycle):
    hr = browsers("hr1")
    url = f"/appraisalcycleview/edit/{cycle}"
    fields = model_form(hr.get(url).get_data(as_text=True)).fields
    before = _state(app, cycle)
    for bad in GARBAGE:
        resp = hr.post(url, data=dict(fields, settings=bad))
        assert resp.status_code in (200, 302), bad
        assert _state(app, cycle)["settings"] == before["settings"], bad
    _all_pages_work(browsers, cycle)


def test_the_generated_add_form_ignores_posted_settings(app, browsers):
    from app.models import AppraisalCycle

    hr = browsers("hr1")
    fields = model_form(hr.get("/appraisalcycleview/add").get_data(as_text=True)).fields
    fields |= {"name": "设置字段测试", "kind": "quarterly", "start_date": "2026-01-01",
               "end_date": "2026-03-31", "settings": "garbage"}
    resp = hr.post("/appraisalcycleview/add", data=fields)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    with app.app_context():
        row = db.session.query(AppraisalCycle).filter_by(name="设置字段测试").one()
        assert row.settings is None
        pk = row.id
    _all_pages_work(browsers, pk)


def test_the_api_refuses_settings_in_post_and_put(app, apis, cycle):
    from app.models import AppraisalCycle

    client = apis("hr1")
    before = _state(app, cycle)
    with app.app_context():
        count = db.session.query(AppraisalCycle).count()
    valid = {"name": "API 设置测试", "kind": "quarterly", "start_date": "2026-04-01", "end_date": "2026-06-30"}
    bodies = ("garbage", [1], {"part_weights": "x"}, None,
              {"part_weights": {"quantitative": 60, "qualitative": 30, "training": 10}})
    for bad in bodies:
        resp = client.put(f"/api/v1/appraisalcycle/{cycle}", json={"settings": bad})
        assert resp.status_code == 422, (bad, resp.get_data(as_text=True))
        assert resp.json["message"], bad
        resp = client.post("/api/v1/appraisalcycle/", json=valid | {"settings": bad})
        assert resp.status_code == 422, (bad, resp.get_data(as_text=True))
    assert _state(app, cycle) == before
    with app.app_context():
        assert db.session.query(AppraisalCycle).count() == count


def test_the_api_shows_settings_as_an_object(app, apis, browsers, cycle):
    hr = browsers("hr1")
    resp = hr.post(f"/appraisal/{cycle}/settings", data=settings_form(pw_quantitative=70, pw_qualitative=20),
                   token_from=f"/appraisal/{cycle}")
    assert resp.status_code == 302
    # The record page shows no raw JSON (the cycle page shows the settings as a form).
    show = hr.record(f"/appraisalcycleview/show/{cycle}")
    assert "part_weights" not in show and "indicator_weights" not in show
    body = apis("hr1").get(f"/api/v1/appraisalcycle/{cycle}").json["result"]
    assert isinstance(body["settings"], dict)  # an object, never JSON text
    assert body["settings"]["part_weights"]["quantitative"] == 70
    _all_pages_work(browsers, cycle)
