"""Activities: planned on one record the user may see, for an employee within their scope, not due
in the past; "My activities" groups them; done with an outcome (a visit done is the customer's visit
record); customers nobody follows up are flagged (2.2.2)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Activity, Customer, Visit
from tests.conftest import employee, factory_today
from tests.factories import make

TODAY = factory_today()


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def body(customer_id, **values):
    return {"subject": "回访确认样品", "kind": "visit", "due_date": TODAY.isoformat(), "customer": customer_id,
            **values}


def test_refused_activities_change_nothing(app, apis, org):
    with app.app_context():
        mine = make(Customer, employee("sales1")).id
        theirs = make(Customer, employee("sales2")).id
    client = apis("sales1")
    before = count(app, Activity)
    past = client.post("/api/v1/activity/", json=body(mine, due_date=(TODAY - timedelta(days=1)).isoformat()))
    assert past.status_code == 422 and set(past.json["message"]) == {"due_date"}
    hidden = client.post("/api/v1/activity/", json=body(theirs))
    unknown = client.post("/api/v1/activity/", json=body(999_999))
    assert hidden.status_code == 422 and set(hidden.json["message"]) == {"customer"}
    assert hidden.json == unknown.json  # a customer out of scope reads as one that does not exist
    # A teammate sales1 may see but not plan for (own scope): refused by scope.
    teammate = client.post("/api/v1/activity/", json=body(mine, assignee=org.employees["sales3"]))
    assert teammate.status_code == 403
    nothing = client.post("/api/v1/activity/", json={k: v for k, v in body(mine).items() if k != "customer"})
    assert nothing.status_code == 422 and "customer" in nothing.json["message"]
    assert count(app, Activity) == before


def test_plan_then_do_a_visit(app, apis, login, org):
    with app.app_context():
        cid = make(Customer, employee("sales1")).id
    resp = apis("sales1").post("/api/v1/activity/", json=body(cid))
    assert resp.status_code == 201, resp.json
    pk = resp.json["id"]
    with app.app_context():
        a = db.session.get(Activity, pk)
        assert a.assignee_id == org.employees["sales1"] and a.status.name == "planned"  # the planner by default
    page = login("sales1").get("/activities/").get_data(as_text=True)
    today_group = page.split('id="activities-today"')[1].split('id="activities-planned"')[0]
    assert f'data-id="{pk}"' in today_group
    assert f'data-id="{pk}"' not in login("sales2").get("/activities/").get_data(as_text=True)
    # The supervisor plans one for a salesperson of the team.
    sup = apis("supervisor1").post("/api/v1/activity/", json=body(cid, kind="call", assignee=org.employees["sales1"],
                                                                 due_date=(TODAY + timedelta(days=3)).isoformat()))
    assert sup.status_code == 201
    # Done needs its outcome; then the visit is the customer's visit record.
    visits = count(app, Visit, Visit.customer_id == cid)
    assert apis("sales1").post(f"/api/v1/workflow/activity/{pk}/done", json={}).status_code == 422
    assert count(app, Visit, Visit.customer_id == cid) == visits
    done = apis("sales1").post(f"/api/v1/workflow/activity/{pk}/done", json={"outcome": "客户确认样品合格"})
    assert done.status_code == 200, done.json
    with app.app_context():
        a = db.session.get(Activity, pk)
        assert a.status.name == "done" and a.done_on == TODAY
        visit = db.session.scalars(select(Visit).where(Visit.customer_id == cid).order_by(Visit.id.desc())).first()
        assert visit.summary == "客户确认样品合格" and visit.visit_date == TODAY
    assert count(app, Visit, Visit.customer_id == cid) == visits + 1
    # A done activity is no longer planned, nor editable.
    assert f'data-id="{pk}"' not in login("sales1").get("/activities/").get_data(as_text=True)
    assert apis("sales1").put(f"/api/v1/activity/{pk}", json={"subject": "改"}).status_code == 409


def test_customers_without_follow_up_are_flagged(app, apis, login):
    with app.app_context():
        cust = make(Customer, employee("sales1"))
        cid, code = cust.id, cust.code
    flagged = login("sales1").get("/worklists/no-follow-up").get_data(as_text=True)
    assert code in flagged
    assert apis("sales1").post("/api/v1/activity/", json=body(cid, kind="call")).status_code == 201
    assert code not in login("sales1").get("/worklists/no-follow-up").get_data(as_text=True)


def test_the_customer_page_lists_its_activities(app, apis, login):
    with app.app_context():
        cid = make(Customer, employee("sales1")).id
    assert apis("sales1").post("/api/v1/activity/", json=body(cid, subject="确认交期")).status_code == 201
    page = login("sales1").record(f"/customerview/show/{cid}")
    assert "确认交期" in page


def test_an_activity_only_for_someone_who_sees_its_record_and_a_visit_only_by_who_may_record_it(app, apis, login, org):
    from app.models import Visit

    with app.app_context():
        theirs = make(Customer, employee("sales3")).id  # sales1's teammate's customer
        mine = make(Customer, employee("sales1")).id
    before = count(app, Activity)
    # supervisor1 sees sales3's customer, sales1 does not: not an activity sales1 could do.
    resp = apis("supervisor1").post("/api/v1/activity/", json=body(theirs, assignee=org.employees["sales1"]))
    assert resp.status_code == 422 and set(resp.json["message"]) == {"assignee"}
    assert count(app, Activity) == before
    # Finance plans a visit on a customer it reads but whose visits it may not record: done refused.
    resp = apis("finance1").post("/api/v1/activity/", json=body(mine))
    assert resp.status_code == 201, resp.json
    pk = resp.json["id"]
    visits = count(app, Visit, Visit.customer_id == mine)
    done = apis("finance1").post(f"/api/v1/workflow/activity/{pk}/done", json={"outcome": "伪造的回访记录"})
    assert done.status_code == 409
    assert count(app, Visit, Visit.customer_id == mine) == visits
    with app.app_context():
        assert db.session.get(Activity, pk).status.name == "planned"
    # A call is done by finance without a visit record.
    assert apis("finance1").put(f"/api/v1/activity/{pk}", json={"kind": "call"}).status_code == 200
    assert apis("finance1").post(f"/api/v1/workflow/activity/{pk}/done", json={"outcome": "已电话催款"}).status_code == 200
    assert count(app, Visit, Visit.customer_id == mine) == visits
