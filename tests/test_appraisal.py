"""Appraisal scores on a hand-computed case, missing parts re-weighted, frozen at close, and the
bad inputs of issue 4 (6.1-6.4, 5.3.2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app import models as m
from app.appraisal import scorecards
from app.extensions import db
from app.models.appraisal import EvaluatorRole
from app.models.people import Position
from app.services.appraisal import weighted
from tests.conftest import employee
from tests.factories import count, fresh, make, settings_form

START, END = date(2026, 1, 1), date(2026, 3, 31)


def _order(owner_customer, day, qty, price, cost, product, status="received"):
    order = m.SalesOrder(number=f"AP{day:%m%d}{qty}{price}", customer=owner_customer, order_date=day,
                         status=m.orders.OrderStatus[status])
    db.session.add(order)
    db.session.add(m.OrderLine(order=order, product=product, qty=Decimal(qty), unit_price=Decimal(price),
                               unit_cost=Decimal(cost)))
    return order


@pytest.fixture(scope="module")
def case(app):
    """Salesperson "评估甲" in team A with every figure known, and "评估乙" with orders only."""
    with app.app_context():
        team = employee("sales1").team_id
        a = m.Employee(number="AP-001", name="评估甲", position=Position.salesperson, team_id=team)
        b = m.Employee(number="AP-002", name="评估乙", position=Position.salesperson, team_id=team)
        db.session.add_all([a, b])
        db.session.flush()
        cycle = m.AppraisalCycle(name="2026Q1", kind=m.appraisal.CycleKind.quarterly, start_date=START,
                                 end_date=END)
        db.session.add(cycle)
        product = make(m.Product, a, commit=False)
        cust = make(m.Customer, a, commit=False)
        _order(cust, date(2026, 1, 10), 10, 1000, 600, product)
        _order(cust, date(2026, 2, 5), 5, 2000, 1500, product)
        _order(cust, date(2026, 2, 20), 100, 1000, 1, product, status="cancelled")  # not counted
        db.session.add(m.AppraisalTarget(cycle=cycle, employee=a, revenue=Decimal(40000), volume=Decimal(10),
                                         profit=Decimal(6500), new_customers=2, collection_rate=Decimal(80)))
        rec = m.Receivable(number="AP-R1", customer=cust, amount=Decimal(20000), issued_on=date(2026, 1, 29),
                           due_date=date(2026, 2, 28))
        db.session.add(rec)
        db.session.add(m.Payment(receivable=rec, paid_on=date(2026, 3, 10), amount=Decimal(15000)))
        for day, sat in ((date(2026, 1, 15), 4), (date(2026, 2, 15), 5)):
            db.session.add(m.Visit(customer=cust, visit_date=day, summary="回访", satisfaction=sat))
        db.session.add(m.AppraisalRating(cycle=cycle, employee=a, evaluator_role=EvaluatorRole.supervisor,
                                         evaluator_id=employee("supervisor1").id, market_analysis=4,
                                         sales_skills=4, negotiation=5, cooperation=3, team_contribution=4))
        plan = m.TrainingPlan(year=2026, title="2026年度培训计划")
        item = m.TrainingItem(plan=plan, title="谈判技巧", topic=m.training.Topic.sales_skills,
                              method=m.training.Method.internal, month=2, start_date=date(2026, 2, 10),
                              end_date=date(2026, 2, 11), hours=Decimal(8))
        db.session.add(m.Enrolment(item=item, employee=a, attended=True, score=Decimal(70), passed=True))
        cust_b = make(m.Customer, b, commit=False)
        _order(cust_b, date(2026, 3, 1), 4, 500, 300, product)
        db.session.add(m.AppraisalTarget(cycle=cycle, employee=b, revenue=Decimal(4000), volume=Decimal(4),
                                         profit=Decimal(800), new_customers=1, collection_rate=Decimal(90)))
        db.session.commit()
        return {"cycle": cycle.id, "a": a.id, "b": b.id, "customer": cust.id, "product": product.id}


def _card(app, case, who):
    with app.app_context():
        cycle = db.session.get(m.AppraisalCycle, case["cycle"])
        (card,) = scorecards(cycle, [case[who]])
        return card


def test_hand_computed_scorecard(app, case):
    """revenue 20,000 ÷ 40,000 → 50; volume 15 ÷ 10 → 100 (capped); profit 6,500 ÷ 6,500 → 100;
    new customers 1 ÷ 2 → 50; collection 15,000 ÷ 20,000 = 75 % ÷ 80 % → 93.75; satisfaction
    (4 + 5) ÷ 2 = 4.5 → 90; complaints: no delivered order → missing; overdue 5,000 ÷ revenue
    20,000 → 75. Quantitative = (50·30 + 100·20 + 100·10 + 50·10 + 93.75·15 + 90·5 + 75·5) ÷ 95
    (the complaint weight 5 re-weighted away) = 76.12. Qualitative: supervisor (4+4+5+3+4) ÷ 5 = 4
    → 80, peers and customers missing → 80. Training 70. Final = (76.12·60 + 80·30 + 70·10) ÷ 100
    = 76.67 → grade B, bonus 10,000 × 1.2, pay raise."""
    card = _card(app, case, "a")
    scores = {ln.key: ln.score for ln in card.lines}
    assert scores == {"revenue": Decimal("50.00"), "volume": Decimal("100.00"), "profit": Decimal("100.00"),
                      "new_customers": Decimal("50.00"), "collection_rate": Decimal("93.75"),
                      "satisfaction": Decimal("90.00"), "complaint_rate": None, "overdue": Decimal("75.00")}
    actual = {ln.key: ln.actual for ln in card.lines}
    assert actual["revenue"] == Decimal("20000.00") and actual["profit"] == Decimal("6500.00")
    assert actual["collection_rate"] == Decimal("75.00") and actual["overdue"] == Decimal("5000.00")
    assert card.quantitative == Decimal("76.12")
    assert card.roles == {"supervisor": Decimal("80.00"), "peer": None, "customer": None}
    assert card.qualitative == Decimal("80.00") and card.training == Decimal("70.00")
    assert card.final == Decimal("76.67") and card.grade == "B"
    assert card.bonus == Decimal("12000.00") and card.recommendation == "raise"
    assert card.development[0] == "market_analysis"  # new customers (50) is among the weakest


def test_missing_parts_are_reweighted_not_zeroed(app, case):
    card = _card(app, case, "b")
    assert card.qualitative is None and card.training is None
    assert card.final == card.quantitative  # not quantitative × 60 %
    assert weighted({"a": Decimal(80), "b": None}, {"a": 60, "b": 40}) == Decimal("80.00")
    assert weighted({"a": None}, {"a": 60}) is None


def test_scorecard_page_shows_how_and_scope(app, case, browsers):
    url = f"/appraisal/{case['cycle']}/{case['a']}"
    page = browsers("supervisor1").get(url).get_data(as_text=True)
    assert 'data-final="76.67"' in page and 'data-key="collection_rate" data-score="93.75"' in page
    assert 'id="score-chart"' in page and "<svg" in page
    assert browsers("supervisor2").get(url).status_code == 404  # another team
    assert browsers("sales1").get(url).status_code == 404  # a colleague's card
    assert browsers("finance1").get(url).status_code == 404
    ranking = browsers("hr1").get(f"/appraisal/{case['cycle']}").get_data(as_text=True)
    assert f'data-employee="{case["a"]}"' in ranking and 'id="grade-chart"' in ranking


def test_weights_not_summing_to_100_are_refused(app, case, browsers):
    hr = browsers("hr1")
    form = settings_form()
    url = f"/appraisal/{case['cycle']}/settings"
    for bad in ({"pw_training": 20}, {"iw_revenue": "abc"}, {"rw_peer": -10, "rw_supervisor": 90},
                {"gt_B": 95}):
        resp = hr.post(url, data=form | bad, token_from=f"/appraisal/{case['cycle']}")
        assert resp.status_code == 422, bad
        assert fresh(app, m.AppraisalCycle, case["cycle"], "settings") == {"settings": None}
    assert browsers("sales1").post(url, data=form, token_from="/").status_code in (403, 404)
    assert hr.post(url, data=form | {"pw_quantitative": 70, "pw_qualitative": 20},
                   token_from=f"/appraisal/{case['cycle']}").status_code == 302
    assert fresh(app, m.AppraisalCycle, case["cycle"], "settings")["settings"]["part_weights"] == {
        "quantitative": 70, "qualitative": 20, "training": 10}
    hr.post(url, data=form, token_from=f"/appraisal/{case['cycle']}")  # back to the defaults


@pytest.mark.parametrize(("body", "who", "status"), [
    ({"sales_skills": 6}, "supervisor1", 422),  # a rating outside 1-5
    ({"evaluator": "self"}, "supervisor1", 422),  # rating oneself
    ({}, "supervisor2", 422),  # someone outside one's team: refused like an unknown employee
])
def test_bad_ratings_are_refused(app, case, apis, body, who, status):
    with app.app_context():
        me = employee(who).id
    rated = me if body.get("evaluator") == "self" else case["a"]
    payload = {"cycle": case["cycle"], "employee": rated, "evaluator_role": "supervisor", "evaluator": me,
               "market_analysis": 3, "sales_skills": 3, "negotiation": 3, "cooperation": 3,
               "team_contribution": 3} | {k: v for k, v in body.items() if k != "evaluator"}
    before = count(app, m.AppraisalRating)
    resp = apis(who).post("/api/v1/appraisalrating/", json=payload)
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert count(app, m.AppraisalRating) == before


def test_zero_target_and_bad_training_score_are_refused(app, case, apis):
    before = count(app, m.AppraisalTarget)
    resp = apis("hr1").post("/api/v1/appraisaltarget/", json={
        "cycle": case["cycle"], "employee": employee_id(app, "sales3"), "revenue": "0", "volume": "1",
        "profit": "1", "new_customers": 1})
    assert resp.status_code == 422 and count(app, m.AppraisalTarget) == before
    with app.app_context():
        item = db.session.scalar(select(m.TrainingItem.id).where(m.TrainingItem.title == "谈判技巧"))
    before = count(app, m.Enrolment)
    resp = apis("hr1").post("/api/v1/enrolment/", json={"item": item, "employee": employee_id(app, "sales3"),
                                                        "score": "101"})
    assert resp.status_code == 422 and count(app, m.Enrolment) == before


def employee_id(app, username):
    with app.app_context():
        return employee(username).id


def test_closed_cycle_is_frozen(app, case, apis):
    hr = apis("hr1")
    for step in ("start_scoring", "calibrate", "close"):
        assert hr.post(f"/api/v1/workflow/appraisalcycle/{case['cycle']}/{step}", json={}).status_code == 200
    before = _card(app, case, "a")
    with app.app_context():
        cust = db.session.get(m.Customer, case["customer"])
        product = db.session.get(m.Product, case["product"])
        _order(cust, date(2026, 3, 20), 50, 1000, 500, product)  # a late change to the period's orders
        db.session.commit()
        stored = db.session.scalar(select(m.AppraisalResult).where(
            m.AppraisalResult.cycle_id == case["cycle"], m.AppraisalResult.employee_id == case["a"]))
        assert stored.final == Decimal("76.67") and stored.grade == "B"
    after = _card(app, case, "a")
    assert after.final == before.final == Decimal("76.67")
    # The closed cycle itself and its targets no longer change.
    assert hr.put(f"/api/v1/appraisalcycle/{case['cycle']}", json={"name": "改名"}).status_code == 409
    with app.app_context():
        target = db.session.scalar(select(m.AppraisalTarget.id).where(
            m.AppraisalTarget.cycle_id == case["cycle"], m.AppraisalTarget.employee_id == case["a"]))
    assert hr.put(f"/api/v1/appraisaltarget/{target}", json={"revenue": "1"}).status_code == 422


def test_results_and_scorecard_export_in_scope(app, case, browsers):
    from io import BytesIO

    import openpyxl

    resp = browsers("hr1").get(f"/appraisal/{case['cycle']}/{case['a']}/export.xlsx")
    assert resp.status_code == 200
    rows = list(openpyxl.load_workbook(BytesIO(resp.data)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("指标", "实际", "目标", "得分")
    assert rows[1][0] == "销售额" and rows[1][1] == 20000 and rows[1][3] == 50
    results = browsers("supervisor1").get(f"/appraisal/{case['cycle']}/export.xlsx")
    names = [r[1] for r in openpyxl.load_workbook(BytesIO(results.data)).active.iter_rows(values_only=True)]
    assert "评估甲" in names and "员工sales2" not in names  # team A only
    assert browsers("supervisor2").get(f"/appraisal/{case['cycle']}/{case['a']}/export.xlsx").status_code == 404


def test_supervisor_adds_a_rating_from_the_scorecard(app, browsers):
    from tests.test_scope_leaks import model_form

    with app.app_context():
        cycle = make(m.AppraisalCycle, employee("hr1"), start_date=date(2026, 4, 1), end_date=date(2026, 6, 30))
        cycle_id, rated = cycle.id, employee("sales3").id
    ui = browsers("supervisor1")
    card = ui.get(f"/appraisal/{cycle_id}/{rated}").get_data(as_text=True)
    assert 'id="add-rating"' in card
    import re

    add = re.search(r'id="add-rating"[^>]*href="([^"]+)"', card).group(1).replace("&amp;", "&")
    form = model_form(ui.get(add).get_data(as_text=True)).fields
    assert "employee" not in form and "cycle" not in form  # fixed by the link
    form |= {"evaluator_role": "supervisor", "evaluator": str(employee_id(app, "supervisor1")),
             "market_analysis": "4", "sales_skills": "4", "negotiation": "4", "cooperation": "4",
             "team_contribution": "4"}
    assert ui.post(add, data=form).status_code == 302
    with app.app_context():
        rating = db.session.scalar(select(m.AppraisalRating).where(m.AppraisalRating.cycle_id == cycle_id))
        assert (rating.employee_id, rating.evaluator_role.name) == (rated, "supervisor")
    own = browsers("sales3").get(f"/appraisal/{cycle_id}/{rated}").get_data(as_text=True)
    assert 'id="add-rating"' not in own


def test_overdue_at_the_period_end_counts_what_was_paid_after_it(app):
    """6.1.3, hand-computed for one salesperson and the quarter July–September: receivables that
    fell due in August of 1,000 (paid in full in September: nothing overdue at the end), 2,000
    (paid in full in October: all 2,000 overdue on 30 September), 500 (unpaid: 500) and 300 (paid
    200 in September, 100 in November: 100). Due in the quarter 3,800, collected by its end
    1,200; overdue at its end 2,600. A receivable due in October counts in neither."""
    from app.appraisal import figures

    start, end = date(2026, 7, 1), date(2026, 9, 30)
    with app.app_context():
        owner = employee("sales2")
        cust = make(m.Customer, owner)

        def rec(amount, *payments, due=date(2026, 8, 10)):
            r = make(m.Receivable, owner, customer=cust, amount=Decimal(amount), issued_on=date(2026, 7, 10),
                     due_date=due)
            for paid_on, value in payments:
                db.session.add(m.Payment(receivable=r, paid_on=paid_on, amount=Decimal(value)))
            db.session.flush()
            return r

        assert rec("1000", (date(2026, 9, 5), "1000")).status is m.receivables.ReceivableStatus.paid
        assert rec("2000", (date(2026, 10, 5), "2000")).status is m.receivables.ReceivableStatus.paid
        rec("500")
        rec("300", (date(2026, 9, 20), "200"), (date(2026, 11, 3), "100"))
        rec("700", due=date(2026, 10, 20))
        got = figures(start, end, [owner.id])[owner.id]
        assert (got["due"], got["collected"], got["overdue"]) == (
            Decimal("3800.00"), Decimal("1200.00"), Decimal("2600.00"))
