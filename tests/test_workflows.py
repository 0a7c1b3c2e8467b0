"""Workflows end to end through the HTTP interface, as the roles that do them in real life, and
every refusal leaving the record, its history and its figures unchanged."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    ChangeLog,
    Contract,
    ContractApproval,
    Customer,
    DunningRecord,
    LeaveRequest,
    OrderReview,
    Payment,
    Penalty,
    Receivable,
    SalesOrder,
    ServiceTicket,
    Shipment,
)
from app.models.customers import Stage
from app.models.orders import Department, Feasibility, OrderStatus
from app.models.receivables import DunningChannel
from tests.conftest import employee, factory_today
from tests.factories import make

TODAY = factory_today()


def wf(kind, pk, step=""):
    return f"/api/v1/workflow/{kind}/{pk}" + (f"/{step}" if step else "")


def state(app, model, pk, field="status"):
    with app.app_context():
        db.session.expire_all()
        return getattr(db.session.get(model, pk), field).name


def history_count(app, entity, pk):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ChangeLog).where(
            ChangeLog.entity == entity, ChangeLog.row_id == pk))


def walk(app, client, kind, pk, steps, model, field="status"):
    """Take each (step, body, expected state) in turn as ``client``."""
    for step, body, expected in steps:
        resp = client.post(wf(kind, pk, step), json=body)
        assert resp.status_code == 200, (step, resp.get_data(as_text=True))
        assert state(app, model, pk, field) == expected, step


def new(app, model, owner, **values):
    with app.app_context():
        return make(model, employee(owner), **values).id


def refused(app, call, status, model, pk, before_state, field="status"):
    """A refusal: the expected HTTP status, the state unchanged and no history written."""
    before = history_count(app, model.__name__, pk)
    resp = call()
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert state(app, model, pk, field) == before_state
    assert history_count(app, model.__name__, pk) == before
    return resp


def test_contract_above_threshold_needs_supervisor_then_finance(app, apis):
    pk = new(app, Contract, "sales1", amount=Decimal("350000.00"))
    assert apis("sales1").post(wf("contract", pk, "submit"), json={}).status_code == 200
    assert state(app, Contract, pk) == "submitted"
    # Neither the salesperson nor another team's people can approve it.
    refused(app, lambda: apis("sales1").post(wf("contract", pk, "approve"), json={}), 403, Contract, pk, "submitted")
    refused(app, lambda: apis("sales2").post(wf("contract", pk, "approve"), json={}), 404, Contract, pk, "submitted")
    refused(app, lambda: apis("supervisor2").post(wf("contract", pk, "approve"), json={}), 404, Contract, pk,
            "submitted")
    # Finance cannot take the supervisor's step.
    refused(app, lambda: apis("finance1").post(wf("contract", pk, "approve"), json={}), 403, Contract, pk,
            "submitted")
    resp = apis("supervisor1").post(wf("contract", pk, "approve"), json={"comment": "价格合理"})
    assert resp.status_code == 200 and resp.json["state"] == "finance_review"
    refused(app, lambda: apis("supervisor1").post(wf("contract", pk, "finance_approve"), json={}), 403,
            Contract, pk, "finance_review")
    assert apis("finance1").post(wf("contract", pk, "finance_approve"), json={}).status_code == 200
    assert state(app, Contract, pk) == "approved"
    # Signing needs the sign date.
    refused(app, lambda: apis("sales1").post(wf("contract", pk, "sign"), json={}), 422, Contract, pk, "approved")
    assert apis("sales1").post(wf("contract", pk, "sign"),
                               json={"sign_date": TODAY.isoformat()}).status_code == 200
    assert state(app, Contract, pk) == "signed"
    with app.app_context():
        approvals = db.session.scalars(select(ContractApproval).where(
            ContractApproval.contract_id == pk).order_by(ContractApproval.id)).all()
        assert [(a.level.name, a.verdict.name) for a in approvals] == [
            ("supervisor", "approved"), ("finance", "approved")]
        assert approvals[0].comment == "价格合理"
    timeline = apis("sales1").get(wf("contract", pk)).json["timeline"]
    assert [(t["step_name"], t["from_state"], t["to_state"]) for t in timeline] == [
        ("submit", "draft", "submitted"), ("approve", "submitted", "finance_review"),
        ("finance_approve", "finance_review", "approved"), ("sign", "approved", "signed")]
    # Who took a step is shown like any reference to an employee: sales1 reads its team, not
    # finance's employee row (matrix: Employee "t"), finance reads every employee.
    whos = [t["who"] for t in timeline]
    assert whos[:2] == ["sales1", "supervisor1"] and whos[3] == "sales1" and whos[2] != "finance1"
    assert [t["who"] for t in apis("finance1").get(wf("contract", pk)).json["timeline"]] == [
        "sales1", "supervisor1", "finance1", "sales1"]


def test_contract_below_threshold_is_approved_by_the_supervisor_alone(app, apis):
    pk = new(app, Contract, "sales3", amount=Decimal("1000.00"))
    apis("sales3").post(wf("contract", pk, "submit"), json={})
    assert apis("supervisor1").post(wf("contract", pk, "approve"), json={}).json["state"] == "approved"


def test_rejection_needs_a_comment_and_is_recorded(app, apis):
    pk = new(app, Contract, "sales1", amount=Decimal("1000.00"))
    apis("sales1").post(wf("contract", pk, "submit"), json={})
    before = history_count(app, "Contract", pk)
    resp = refused(app, lambda: apis("supervisor1").post(wf("contract", pk, "reject"), json={}), 422,
                   Contract, pk, "submitted")
    assert "comment" in resp.json["errors"]
    assert history_count(app, "Contract", pk) == before
    assert apis("supervisor1").post(wf("contract", pk, "reject"), json={"comment": "价格过低"}).status_code == 200
    with app.app_context():
        entry = db.session.scalars(select(ChangeLog).where(
            ChangeLog.entity == "Contract", ChangeLog.row_id == pk).order_by(ChangeLog.id.desc())).first()
        assert entry.action.name == "transition" and entry.step == "reject"
        assert entry.comment == "价格过低" and entry.changes["status"] == ["submitted", "rejected"]


def test_illegal_transition_is_409_and_changes_nothing(app, apis):
    pk = new(app, Contract, "sales1", amount=Decimal("1000.00"))
    before = history_count(app, "Contract", pk)
    refused(app, lambda: apis("sales1").post(wf("contract", pk, "sign"), json={"sign_date": TODAY.isoformat()}),
            409, Contract, pk, "draft")
    refused(app, lambda: apis("sales1").post(wf("contract", pk, "no_such_step"), json={}), 404, Contract, pk, "draft")
    assert history_count(app, "Contract", pk) == before


def test_status_cannot_be_set_through_edit(app, apis):
    pk = new(app, Contract, "sales1", amount=Decimal("1000.00"))
    resp = apis("supervisor1").put(f"/api/v1/contract/{pk}", json={"status": "approved"})
    assert 400 <= resp.status_code < 500
    assert state(app, Contract, pk) == "draft"


def test_stage_cannot_be_set_through_the_edit_form(app, browsers):
    from tests.test_scope_leaks import model_form

    pk = new(app, Customer, "sales1")
    ui = browsers("sales1")
    url = f"/customerview/edit/{pk}"
    fields = model_form(ui.get(url).get_data(as_text=True)).fields
    assert "stage" not in fields and "status" not in fields
    ui.post(url, data=dict(fields, stage="contracted"))
    assert state(app, Customer, pk, "stage") == "research"


def test_leave_through_the_ui_supervisor_approves_nobody_their_own(app, browsers, apis):
    start = TODAY + timedelta(days=40)
    pk = new(app, LeaveRequest, "sales1", start_date=start, end_date=start + timedelta(days=1),
             days=Decimal("2"))
    ui = browsers("sales1")
    url = f"/workflow/leaverequest/{pk}/submit"
    assert ui.get(url).status_code == 200
    assert ui.post(url, data={}).status_code == 302
    assert state(app, LeaveRequest, pk) == "submitted"
    # The salesperson has no approve right; the supervisor approves through the same page.
    assert browsers("sales1").post(f"/workflow/leaverequest/{pk}/approve", data={},
                                   token_from=url).status_code == 403
    sup = browsers("supervisor1")
    page = sup.get(f"/leaverequestview/show/{pk}").get_data(as_text=True)
    assert 'data-step="approve"' in page
    assert sup.post(f"/workflow/leaverequest/{pk}/approve", data={}).status_code == 302
    assert state(app, LeaveRequest, pk) == "approved"
    with app.app_context():
        entries = db.session.scalars(select(ChangeLog).where(
            ChangeLog.entity == "LeaveRequest", ChangeLog.row_id == pk,
            ChangeLog.action == "transition").order_by(ChangeLog.id)).all()
        assert [(e.step, e.username, e.source) for e in entries] == [
            ("submit", "sales1", "ui"), ("approve", "supervisor1", "ui")]
    assert 'class="timeline-entry"' in sup.get(f"/leaverequestview/show/{pk}").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(LeaveRequest, pk).approver_id == employee("supervisor1").id
    # HR sees all leave but never approves their own.
    own = new(app, LeaveRequest, "hr1", start_date=start + timedelta(days=10),
              end_date=start + timedelta(days=11), days=Decimal("2"))
    apis("hr1").post(wf("leaverequest", own, "submit"), json={})
    refused(app, lambda: apis("hr1").post(wf("leaverequest", own, "approve"), json={}), 403, LeaveRequest, own,
            "submitted")


def test_leave_submitted_after_it_starts_is_flagged(app, apis, browsers):
    start = TODAY - timedelta(days=1)
    pk = new(app, LeaveRequest, "sales3", start_date=start, end_date=start, days=Decimal("1"))
    apis("sales3").post(wf("leaverequest", pk, "submit"), json={})
    with app.app_context():
        assert db.session.get(LeaveRequest, pk).late_submission is True
    early = new(app, LeaveRequest, "sales3", start_date=TODAY + timedelta(days=60),
                end_date=TODAY + timedelta(days=60), days=Decimal("1"))
    apis("sales3").post(wf("leaverequest", early, "submit"), json={})
    with app.app_context():
        assert db.session.get(LeaveRequest, early).late_submission is False
    page = browsers("hr1").get("/worklists/late-leave").get_data(as_text=True)
    assert f"/leaverequestview/show/{pk}" in page and f"/leaverequestview/show/{early}" not in page


def test_overlapping_leave_is_refused(app, apis):
    start = TODAY + timedelta(days=200)
    new(app, LeaveRequest, "sales2", start_date=start, end_date=start + timedelta(days=4), days=Decimal("5"))
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(LeaveRequest))
    resp = apis("sales2").post("/api/v1/leaverequest/", json={
        "leave_type": "personal", "start_date": (start + timedelta(days=2)).isoformat(),
        "end_date": (start + timedelta(days=6)).isoformat(), "days": 3, "reason": "重叠"})
    assert resp.status_code == 422, resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LeaveRequest)) == before


def test_customer_lost_needs_a_reason_and_quoted_needs_a_quotation(app, apis):
    pk = new(app, Customer, "sales1", stage=Stage.negotiating)
    refused(app, lambda: apis("sales1").post(wf("customer", pk, "lose"), json={}), 422, Customer, pk,
            "negotiating", field="stage")
    refused(app, lambda: apis("sales1").post(wf("customer", pk, "to_contracted"), json={}), 409, Customer, pk,
            "negotiating", field="stage")
    assert apis("sales1").post(wf("customer", pk, "lose"), json={"lost_reason": "选择了竞争对手"}).status_code == 200
    assert state(app, Customer, pk, "stage") == "lost"
    fresh = new(app, Customer, "sales1")
    for stage in ("screened", "first_visit", "needs"):
        assert apis("sales1").post(wf("customer", fresh, f"to_{stage}"), json={}).status_code == 200
    refused(app, lambda: apis("sales1").post(wf("customer", fresh, "to_quoted"), json={}), 409, Customer, fresh,
            "needs", field="stage")


def test_order_is_scheduled_only_after_every_department_signs_off(app, apis):
    pk = new(app, SalesOrder, "sales1", promised_date=TODAY + timedelta(days=30))
    apis("sales1").post(wf("salesorder", pk, "review"), json={})
    refused(app, lambda: apis("sales1").post(wf("salesorder", pk, "schedule"), json={}), 409, SalesOrder, pk,
            "under_review")
    with app.app_context():
        for dept in Department:
            if dept is not Department.technical:
                db.session.add(OrderReview(order_id=pk, department=dept, verdict=Feasibility.feasible,
                                           reviewed_on=TODAY))
        db.session.commit()
    assert apis("sales1").post(wf("salesorder", pk, "schedule"), json={}).status_code == 200
    apis("sales1").post(wf("salesorder", pk, "produce"), json={})
    refused(app, lambda: apis("sales1").post(wf("salesorder", pk, "ship"), json={}), 409, SalesOrder, pk,
            "in_production")
    with app.app_context():
        db.session.add(Shipment(order_id=pk, carrier="顺丰", shipped_on=TODAY))
        db.session.commit()
    assert apis("sales1").post(wf("salesorder", pk, "ship"), json={}).status_code == 200
    refused(app, lambda: apis("sales1").post(wf("salesorder", pk, "deliver"), json={}), 422, SalesOrder, pk, "shipped")
    assert apis("sales1").post(wf("salesorder", pk, "deliver"),
                               json={"delivered_date": TODAY.isoformat()}).status_code == 200


def test_ticket_walks_the_seven_steps_and_closes_only_with_satisfaction(app, apis):
    pk = new(app, ServiceTicket, "sales1", reported_on=TODAY)
    steps = [("assess", {}), ("coordinate", {"departments": "质量部"}), ("define_solution", {"solution": "更换"}),
             ("implement", {}), ("request_confirmation", {})]
    for step, body in steps:
        assert apis("sales1").post(wf("serviceticket", pk, step), json=body).status_code == 200, step
    with app.app_context():
        assert db.session.get(ServiceTicket, pk).due_date is not None  # set at assessment
    refused(app, lambda: apis("sales1").post(wf("serviceticket", pk, "close"), json={"summary": "已解决"}), 422,
            ServiceTicket, pk, "awaiting_confirmation")
    refused(app, lambda: apis("sales1").post(wf("serviceticket", pk, "close"),
                                     json={"summary": "已解决", "satisfaction": 9}), 422,
            ServiceTicket, pk, "awaiting_confirmation")
    assert apis("sales1").post(wf("serviceticket", pk, "close"),
                               json={"summary": "已解决", "satisfaction": 5}).status_code == 200
    with app.app_context():
        t = db.session.get(ServiceTicket, pk)
        assert t.status.name == "closed" and t.closed_on is not None and t.satisfaction == 5


def _receivable(app, owner, amount="1000.00", due=None):
    return new(app, Receivable, owner, amount=Decimal(amount), issued_on=TODAY - timedelta(days=150),
               due_date=due or TODAY - timedelta(days=120))


def test_overpayment_is_refused_and_partial_payments_derive_the_status(app, apis):
    pk = _receivable(app, "sales1", due=TODAY + timedelta(days=10))
    fin = apis("finance1")
    assert fin.post("/api/v1/payment/", json={"receivable": pk, "paid_on": TODAY.isoformat(),
                                              "amount": "400.00"}).status_code == 201
    assert state(app, Receivable, pk) == "partially_paid"
    resp = fin.post("/api/v1/payment/", json={"receivable": pk, "paid_on": TODAY.isoformat(),
                                              "amount": "600.01"})
    assert resp.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Payment).where(
            Payment.receivable_id == pk)) == 1
    assert state(app, Receivable, pk) == "partially_paid"
    assert fin.post("/api/v1/payment/", json={"receivable": pk, "paid_on": TODAY.isoformat(),
                                              "amount": "600.00"}).status_code == 201
    assert state(app, Receivable, pk) == "paid"


def test_legal_action_only_after_repeated_dunning(app, apis):
    pk = _receivable(app, "sales1")  # 120 days overdue
    fin = apis("finance1")
    refused(app, lambda: fin.post(wf("receivable", pk, "start_legal"), json={"comment": "起诉"}), 409,
            Receivable, pk, "overdue")
    with app.app_context():
        for i in range(3):
            db.session.add(DunningRecord(receivable_id=pk, contacted_on=TODAY - timedelta(days=30 - i),
                                         channel=DunningChannel.phone))
        db.session.commit()
    refused(app, lambda: apis("sales1").post(wf("receivable", pk, "start_legal"), json={"comment": "起诉"}), 403,
            Receivable, pk, "overdue")
    assert fin.post(wf("receivable", pk, "start_legal"), json={"comment": "起诉"}).status_code == 200
    assert state(app, Receivable, pk) == "in_legal"


def test_write_off_needs_a_second_person(app, apis):
    pk = _receivable(app, "sales2")
    assert apis("finance1").post(wf("receivable", pk, "request_write_off"),
                                 json={"comment": "客户破产"}).status_code == 200
    refused(app, lambda: apis("finance1").post(wf("receivable", pk, "approve_write_off"), json={}), 403,
            Receivable, pk, "write_off_pending")
    assert apis("admin").post(wf("receivable", pk, "approve_write_off"), json={}).status_code == 200
    assert state(app, Receivable, pk) == "written_off"


def test_penalty_is_approved_by_hr_not_by_the_penalised(app, apis):
    pk = new(app, Penalty, "sales1")
    refused(app, lambda: apis("supervisor1").post(wf("penalty", pk, "approve"), json={}), 403, Penalty, pk, "proposed")
    assert apis("hr1").post(wf("penalty", pk, "approve"), json={}).status_code == 200
    own = new(app, Penalty, "hr1")
    refused(app, lambda: apis("hr1").post(wf("penalty", own, "approve"), json={}), 403, Penalty, own, "proposed")


def test_awaiting_my_approval_lists_what_the_user_may_decide(app, apis, browsers):
    pk = new(app, Contract, "sales3", amount=Decimal("500.00"))
    apis("sales3").post(wf("contract", pk, "submit"), json={})
    assert f"/contractview/show/{pk}" in browsers("supervisor1").get("/worklists/approvals").get_data(as_text=True)
    assert f"/contractview/show/{pk}" not in browsers("supervisor2").get("/worklists/approvals").get_data(as_text=True)
    assert f"/contractview/show/{pk}" not in browsers("sales3").get("/worklists/approvals").get_data(as_text=True)


@pytest.mark.parametrize("name", ["approvals", "return-visits", "late-orders", "due-this-week", "aging",
                                  "collection-todo", "overdue-tickets", "recurring-causes",
                                  "attendance-exceptions", "late-leave"])
def test_every_worklist_answers_for_every_role_that_sees_it(app, browsers, name):
    from tests.conftest import USERS

    for user in USERS:
        resp = browsers(user).get(f"/worklists/{name}")
        assert resp.status_code in (200, 404), (user, resp.status_code)


def test_violation_leads_to_a_penalty_on_the_scale_then_hr_decides(app, browsers, apis):
    from app.models import ConductViolation
    from app.models.conduct import Severity as ConductSeverity

    pk = new(app, ConductViolation, "sales3", clause="4.1.1", severity=ConductSeverity.moderate,
             facts="一个月内迟到五次")
    sup = browsers("supervisor1")
    page = sup.get(f"/conductviolationview/show/{pk}").get_data(as_text=True)
    assert 'id="propose-penalty"' in page
    url = f"/conduct/violation/{pk}/propose-penalty"
    assert 'data-kind="serious_warning"' in sup.get(url).get_data(as_text=True)  # the default scale
    # Another team's supervisor cannot even see the violation; a salesperson cannot propose.
    assert browsers("supervisor2").get(url).status_code == 404
    assert 'id="propose-penalty"' not in browsers("sales3").get(
        f"/conductviolationview/show/{pk}").get_data(as_text=True)
    resp = sup.post(url, data={})
    assert resp.status_code == 302
    with app.app_context():
        penalty = db.session.scalars(select(Penalty).where(Penalty.violation_id == pk)).one()
        assert (penalty.kind.name, penalty.status.name, penalty.clause) == ("serious_warning", "proposed", "4.1.1")
        penalty_id = penalty.id
    refused(app, lambda: apis("supervisor1").post(wf("penalty", penalty_id, "approve"), json={}), 403, Penalty,
            penalty_id, "proposed")
    assert apis("hr1").post(wf("penalty", penalty_id, "approve"), json={}).status_code == 200


def test_violation_must_name_a_clause(app, apis):
    from app.models import ConductViolation

    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(ConductViolation))
        emp = employee("sales1").id
    resp = apis("supervisor1").post("/api/v1/conductviolation/", json={
        "employee": emp, "occurred_on": TODAY.isoformat(), "clause": "迟到", "facts": "迟到"})
    assert resp.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ConductViolation)) == before


def test_record_pages_show_collection_and_lateness_figures(app, browsers):
    pk = _receivable(app, "sales1", amount="300.00", due=TODAY - timedelta(days=45))
    page = browsers("finance1").get(f"/receivableview/show/{pk}").get_data(as_text=True)
    assert "45" in page and "31–60" in page
    order = new(app, SalesOrder, "sales1", order_date=TODAY - timedelta(days=20),
                promised_date=TODAY - timedelta(days=3))
    with app.app_context():
        assert db.session.get(SalesOrder, order).days_late == 3


def test_quotation_is_sent_with_lines_and_answered_by_the_customer(app, apis):
    from app.models import Quotation, QuotationLine

    pk = new(app, Quotation, "sales1", issued_on=TODAY, valid_until=TODAY + timedelta(days=30))
    refused(app, lambda: apis("sales1").post(wf("quotation", pk, "send"), json={}), 409, Quotation, pk,
            "draft")
    with app.app_context():
        make(QuotationLine, employee("sales1"), quotation_id=pk)
    walk(app, apis("sales1"), "quotation", pk, [("send", {}, "sent")], Quotation)
    refused(app, lambda: apis("sales1").post(wf("quotation", pk, "expire"), json={}), 409, Quotation, pk,
            "sent")  # still valid
    refused(app, lambda: apis("sales1").post(wf("quotation", pk, "decline"), json={}), 422, Quotation, pk,
            "sent")  # the customer's reason is required
    walk(app, apis("sales1"), "quotation", pk, [("decline", {"comment": "价格偏高"}, "rejected"),
                                               ("revise", {}, "draft")], Quotation)


def test_shipment_and_legal_case_follow_their_steps(app, apis):
    from app.models import LegalCase

    ship = new(app, Shipment, "sales1", shipped_on=TODAY - timedelta(days=2))
    refused(app, lambda: apis("sales1").post(wf("shipment", ship, "deliver"), json={}), 422, Shipment, ship,
            "shipped")
    walk(app, apis("sales1"), "shipment", ship,
         [("transit", {}, "in_transit"), ("deliver", {"delivered_on": TODAY.isoformat()}, "delivered")],
         Shipment)
    case = new(app, LegalCase, "sales2")
    refused(app, lambda: apis("sales2").post(wf("legalcase", case, "file"), json={}), 403, LegalCase, case,
            "review")
    walk(app, apis("finance1"), "legalcase", case, [
        ("file", {"filed_on": TODAY.isoformat(), "counsel": "广州某律师事务所"}, "filed"),
        ("judge", {}, "judgment"), ("enforce", {}, "enforcement"),
        ("close", {"amount_recovered": "1200.50", "comment": "执行完毕"}, "closed")], LegalCase)


def test_countermeasure_is_adopted_by_the_supervisor_not_the_proposer(app, apis):
    from app.models import Countermeasure

    pk = new(app, Countermeasure, "sales1")
    refused(app, lambda: apis("sales1").post(wf("countermeasure", pk, "adopt"), json={}), 403,
            Countermeasure, pk, "proposed")
    refused(app, lambda: apis("supervisor2").post(wf("countermeasure", pk, "adopt"), json={}), 403,
            Countermeasure, pk, "proposed")  # readable by all, approvable by the team's supervisor
    walk(app, apis("supervisor1"), "countermeasure", pk, [("adopt", {}, "adopted")], Countermeasure)
    walk(app, apis("sales1"), "countermeasure", pk, [("complete", {}, "done")], Countermeasure)


def test_hr_runs_the_appraisal_cycle_and_a_closed_cycle_is_frozen(app, apis):
    from app.models import AppraisalCycle, AppraisalTarget

    pk = new(app, AppraisalCycle, "hr1", start_date=date(2035, 1, 1), end_date=date(2035, 3, 31))
    refused(app, lambda: apis("supervisor1").post(wf("appraisalcycle", pk, "start_scoring"), json={}), 403,
            AppraisalCycle, pk, "open")
    walk(app, apis("hr1"), "appraisalcycle", pk, [("start_scoring", {}, "scoring"),
                                                  ("calibrate", {}, "calibration"),
                                                  ("close", {}, "closed")], AppraisalCycle)
    refused(app, lambda: apis("hr1").post(wf("appraisalcycle", pk, "start_scoring"), json={}), 409,
            AppraisalCycle, pk, "closed")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AppraisalTarget))
        emp = employee("sales1").id
    resp = apis("hr1").post("/api/v1/appraisaltarget/", json={
        "cycle": pk, "employee": emp, "revenue": "100000", "volume": "10", "profit": "20000",
        "new_customers": 2})
    assert resp.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AppraisalTarget)) == before


def test_training_plan_is_approved_by_someone_other_than_its_author(app, apis):
    from app.models import TrainingItem, TrainingPlan

    resp = apis("hr1").post("/api/v1/trainingplan/", json={"year": 2026, "title": "2026年度培训计划",
                                                          "budget": "50000"})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    pk = resp.json["id"]
    refused(app, lambda: apis("hr1").post(wf("trainingplan", pk, "approve"), json={}), 403, TrainingPlan,
            pk, "draft")
    walk(app, apis("admin"), "trainingplan", pk, [("approve", {}, "approved")], TrainingPlan)
    item = new(app, TrainingItem, "hr1", plan_id=pk)
    refused(app, lambda: apis("hr1").post(wf("trainingitem", item, "cancel"), json={}), 422, TrainingItem,
            item, "planned")
    walk(app, apis("hr1"), "trainingitem", item, [("hold", {}, "held"), ("assess", {}, "assessed")],
         TrainingItem)


def test_workflow_form_needs_the_csrf_token(app, browsers):
    pk = new(app, Customer, "sales1")
    resp = browsers("sales1").client.post(f"/workflow/customer/{pk}/to_screened", data={})
    assert resp.status_code == 400
    assert state(app, Customer, pk, "stage") == "research"


@pytest.mark.parametrize("body", [
    {"delivered_date": "not-a-date"}, {"delivered_date": ["2030-01-01"]}, {"delivered_date": 5},
    {"delivered_date": "2030-01-01", "comment": "长" * 501},
])
def test_malformed_step_bodies_are_422_never_500(app, apis, body):
    pk = new(app, SalesOrder, "sales1", status=OrderStatus.shipped)
    refused(app, lambda: apis("sales1").post(wf("salesorder", pk, "deliver"), json=body), 422, SalesOrder,
            pk, "shipped")


def test_workflow_api_needs_a_token(app):
    pk = 1
    client = app.test_client()
    assert client.get(wf("customer", pk)).status_code == 401
    assert client.post(wf("customer", pk, "to_screened"), json={}).status_code == 401


def test_a_submitted_contract_is_locked_until_rejected(app, apis, browsers):
    pk = new(app, Contract, "sales1", amount=Decimal("1000.00"))
    assert apis("sales1").post(wf("contract", pk, "submit"), json={}).status_code == 200
    before = history_count(app, "Contract", pk)
    resp = apis("sales1").put(f"/api/v1/contract/{pk}", json={"amount": "900000.00"})
    assert resp.status_code == 409
    assert apis("sales1").delete(f"/api/v1/contract/{pk}").status_code == 409
    ui = browsers("sales1")
    assert 'id="edit-record"' not in ui.get(f"/contractview/show/{pk}").get_data(as_text=True)
    assert ui.get(f"/contractview/edit/{pk}").status_code == 302
    with app.app_context():
        assert db.session.get(Contract, pk).amount == Decimal("1000.00")
    assert history_count(app, "Contract", pk) == before
    apis("supervisor1").post(wf("contract", pk, "reject"), json={"comment": "请修改"})
    apis("sales1").post(wf("contract", pk, "revise"), json={})
    assert apis("sales1").put(f"/api/v1/contract/{pk}", json={"amount": "1200.00"}).status_code == 200


def test_lines_of_a_sent_quotation_cannot_change(app, apis):
    from app.models import Quotation, QuotationLine

    pk = new(app, Quotation, "sales1", issued_on=TODAY, valid_until=TODAY + timedelta(days=30))
    with app.app_context():
        line = make(QuotationLine, employee("sales1"), quotation_id=pk).id
    apis("sales1").post(wf("quotation", pk, "send"), json={})
    resp = apis("sales1").put(f"/api/v1/quotationline/{line}", json={"qty": "999"})
    assert resp.status_code == 422
    with app.app_context():
        assert db.session.get(QuotationLine, line).qty != Decimal("999")
