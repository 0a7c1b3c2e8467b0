"""The annual training plan as a year on a page (5.1–5.3): grid, progress, budget, topic gaps, and
HR's "next year's plan from this one".

The plan is for a leap year (2024), so that a 29 February can be shifted; its copy goes to 2025.
Each test makes the plan anew and runs rolled back, so no other test's plan meets it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import Enrolment, TrainingItem, TrainingPlan
from app.models.training import ItemStatus, Method, PlanStatus, Topic
from tests.conftest import employee
from tests.factories import make

YEAR, NEXT = 2024, 2025
URL = f"/training-plan/{YEAR}"
COPY = f"/training-plan/{YEAR}/copy"


# --- a small HTML tree to query by ids and data attributes -----------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict
    children: list = field(default_factory=list)
    text: str = ""

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()

    def find_all(self, tag=None, **attrs):
        want = {k.replace("_", "-"): str(v) for k, v in attrs.items()}
        return [n for n in self.walk() if (tag is None or n.tag == tag)
                and all(n.attrs.get(k) == v for k, v in want.items())]

    def find(self, tag=None, **attrs):
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, f"expected one <{tag} {attrs}>, found {len(found)}"
        return found[0]

    def by_id(self, ident):
        return self.find(id=ident)

    def all_text(self):
        return (self.text + "".join(c.all_text() for c in self.children)).strip()


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(Node("#text", {}, text=data))


def page(client, url=URL) -> Node:
    resp = client.get(url)
    assert resp.status_code == 200, resp.status_code
    builder = TreeBuilder()
    builder.feed(resp.get_data(as_text=True))
    return builder.root


def figures(row: Node) -> dict[str, str]:
    return {c.attrs["data-field"]: c.all_text() for c in row.find_all("td") + row.find_all("th")
            if "data-field" in c.attrs}


# --- data -------------------------------------------------------------------------------------


@pytest.fixture()
def plan(app):
    """Five items in four months; enrolments of sales1, sales2 and sales3 (hand-computed below)."""
    with app.app_context():
        hr = employee("hr1")
        s1, s2, s3 = employee("sales1"), employee("sales2"), employee("sales3")
        p = make(TrainingPlan, hr, year=YEAR, title=f"{YEAR}年度销售培训计划", budget=Decimal("10000"),
                 status=PlanStatus.approved)

        def item(key, topic, method, month, status, cost, start=None, end=None):
            return make(TrainingItem, hr, plan_id=p.id, title=f"T{YEAR}-{key}", topic=topic, method=method,
                        month=month, status=status, cost=Decimal(cost), hours=Decimal("4"),
                        start_date=start, end_date=end, trainer="讲师", audience="全体业务员")

        items = {
            "A": item("A", Topic.product, Method.internal, 3, ItemStatus.assessed, "1000",
                      date(YEAR, 3, 10), date(YEAR, 3, 11)),
            "B": item("B", Topic.sales_skills, Method.external, 3, ItemStatus.held, "3000"),
            "C": item("C", Topic.law, Method.online, 7, ItemStatus.planned, "500", date(YEAR, 7, 1)),
            "D": item("D", Topic.ethics, Method.internal, 12, ItemStatus.cancelled, "2000"),
            "E": item("E", Topic.market_analysis, Method.external, 2, ItemStatus.planned, "700",
                      date(YEAR, 2, 29), date(YEAR, 3, 1)),
        }
        a, b, c, d = (items[k].id for k in "ABCD")
        # item_id, not item: the factory would otherwise build a spare item for the unique key
        make(Enrolment, s1, item_id=a, attended=True, score=Decimal("80"), passed=True)
        make(Enrolment, s2, item_id=a, attended=True, score=Decimal("50"), passed=False)
        make(Enrolment, s3, item_id=a, attended=True)  # attended, not yet scored
        make(Enrolment, s1, item_id=b, attended=True)
        make(Enrolment, s2, item_id=b, attended=False)
        make(Enrolment, s1, item_id=c, attended=False)
        make(Enrolment, s1, item_id=d, attended=True)  # cancelled item: no topic trained
        return {"plan": p.id, **{k: v.id for k, v in items.items()},
                "sales1": s1.id, "sales2": s2.id, "sales3": s3.id}


# --- visibility -------------------------------------------------------------------------------


def test_readers_see_the_plan_others_get_404(browsers, plan):
    for user in ("hr1", "sales1", "supervisor1", "admin"):
        assert browsers(user).get(URL).status_code == 200, user
    assert browsers("finance1").get(URL).status_code == 404  # no read scope on TrainingPlan
    assert browsers("finance1").get("/training-plan/").status_code == 404
    assert browsers("hr1").get(f"/training-plan/{NEXT + 1}").status_code == 404  # no such plan


def test_index_redirects_to_the_latest_plan(app, browsers, plan):
    with app.app_context():
        latest = db.session.scalar(select(func.max(TrainingPlan.year)))
    resp = browsers("sales1").get("/training-plan/")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/training-plan/{latest}")


# --- the grid ---------------------------------------------------------------------------------


def test_grid_puts_each_item_in_its_month_and_topic(browsers, plan):
    grid = page(browsers("sales1")).by_id("plan-grid")
    expected = {"A": ("product", 3), "B": ("sales_skills", 3), "C": ("law", 7), "D": ("ethics", 12),
                "E": ("market_analysis", 2)}
    for key, (topic, month) in expected.items():
        cells = [c for c in grid.find_all("td") if c.find_all("div", data_item=plan[key])]
        assert [(c.attrs["data-topic"], c.attrs["data-month"]) for c in cells] == [(topic, str(month))], key
    cell = grid.find("td", data_topic="product", data_month=3)
    a = cell.find("div", data_item=plan["A"])
    assert a.attrs["data-status"] == "assessed" and a.attrs["data-method"] == "internal"
    assert a.find("a").attrs["href"].endswith(f"/trainingitemview/show/{plan['A']}")
    assert grid.find("td", data_topic="product", data_month=4).find_all("div") == []
    assert len(grid.find_all("td", data_month=1)) == len(Topic)  # every topic row has every month
    assert grid.find("div", data_item=plan["D"]).attrs["data-status"] == "cancelled"


# --- progress ---------------------------------------------------------------------------------

# item: (enrolled, attended, assessed, passed, pass rate) per user, by hand from the fixture.
PROGRESS = {
    "hr1": {"A": ("3", "3", "2", "1", "50.0%"), "B": ("2", "1", "0", "0", "—"), "C": ("1", "0", "0", "0", "—"),
            "D": ("1", "1", "0", "0", "—"), "E": ("0", "0", "0", "0", "—")},
    "sales1": {"A": ("1", "1", "1", "1", "100.0%"), "B": ("1", "1", "0", "0", "—"),
               "C": ("1", "0", "0", "0", "—"), "D": ("1", "1", "0", "0", "—"), "E": ("0", "0", "0", "0", "—")},
    "sales2": {"A": ("1", "1", "1", "0", "0.0%"), "B": ("1", "0", "0", "0", "—"), "C": ("0", "0", "0", "0", "—"),
               "D": ("0", "0", "0", "0", "—"), "E": ("0", "0", "0", "0", "—")},
    "supervisor1": {"A": ("2", "2", "1", "1", "100.0%"), "B": ("1", "1", "0", "0", "—"),
                    "C": ("1", "0", "0", "0", "—"), "D": ("1", "1", "0", "0", "—"),
                    "E": ("0", "0", "0", "0", "—")},
}
KEYS = ("enrolled", "attended", "assessed", "passed", "pass_rate")


@pytest.mark.parametrize("user", PROGRESS)
def test_progress_counts_only_the_enrolments_the_user_may_read(browsers, plan, user):
    table = page(browsers(user)).by_id("plan-progress")
    for key, want in PROGRESS[user].items():
        got = figures(table.find("tr", data_item=plan[key]))
        assert tuple(got[k] for k in KEYS) == want, (user, key, got)


def test_totals_per_topic_and_method(browsers, plan):
    root = page(browsers("hr1"))
    topics = root.by_id("topic-totals")
    product = figures(topics.find("tr", data_group="product"))
    assert (product["items"], product["cost"]) == ("1", "1,000.00")
    assert tuple(product[k] for k in KEYS) == ("3", "3", "2", "1", "50.0%")
    methods = root.by_id("method-totals")
    internal = figures(methods.find("tr", data_group="internal"))  # A and D
    assert (internal["items"], internal["cost"]) == ("2", "3,000.00")
    assert tuple(internal[k] for k in KEYS) == ("4", "4", "2", "1", "50.0%")
    online = figures(methods.find("tr", data_group="online"))  # C
    assert tuple(online[k] for k in ("items", *KEYS)) == ("1", "1", "0", "0", "0", "—")
    total = figures(methods.find("tr", data_group="total"))
    assert tuple(total[k] for k in ("items", *KEYS)) == ("5", "7", "5", "2", "1", "50.0%")
    assert total["cost"] == "7,200.00"
    assert figures(topics.find("tr", data_group="total")) == total
    # sales1's totals are over their own enrolments only
    mine = figures(page(browsers("sales1")).by_id("method-totals").find("tr", data_group="total"))
    assert tuple(mine[k] for k in KEYS) == ("4", "3", "1", "1", "100.0%")


def test_budget_used_counts_held_and_assessed_items(browsers, plan):
    used = page(browsers("sales1")).by_id("budget-used")
    # A (assessed, 1000) + B (held, 3000); planned C, E and cancelled D do not count
    assert Decimal(used.attrs["data-used"]) == Decimal("4000")
    assert Decimal(used.attrs["data-budget"]) == Decimal("10000")
    assert used.attrs["data-percent"] == "40.0"
    assert "4,000.00" in used.all_text() and "40.0%" in used.all_text()


# --- topic gaps -------------------------------------------------------------------------------


def _gaps(client, plan) -> dict[int, dict[str, str]]:
    table = page(client).by_id("topic-gaps")
    return {int(row.attrs["data-employee"]): {c.attrs["data-topic"]: c.attrs["data-trained"]
                                              for c in row.find_all("td") if "data-topic" in c.attrs}
            for row in table.find_all("tr") if "data-employee" in row.attrs}


def test_topic_gaps_list_exactly_the_topics_not_attended(browsers, plan):
    gaps = _gaps(browsers("hr1"), plan)
    # sales1 attended A (product) and B (sales skills); C was missed and D cancelled
    assert gaps[plan["sales1"]] == {"product": "yes", "sales_skills": "yes", "market_analysis": "no",
                                    "law": "no", "ethics": "no"}
    assert gaps[plan["sales2"]] == {"product": "yes", "sales_skills": "no", "market_analysis": "no",
                                    "law": "no", "ethics": "no"}
    assert gaps[plan["sales3"]]["product"] == "yes"
    cell = page(browsers("hr1")).by_id("topic-gaps").find("tr", data_employee=plan["sales1"]).find(
        "td", data_topic="law")
    assert cell.all_text() == "—"


def test_topic_gaps_follow_row_scope(browsers, plan):
    assert set(_gaps(browsers("sales1"), plan)) == {plan["sales1"]}  # own enrolments only
    sup1 = _gaps(browsers("supervisor1"), plan)
    assert {plan["sales1"], plan["sales3"]} <= set(sup1) and plan["sales2"] not in sup1
    assert plan["sales1"] not in _gaps(browsers("supervisor2"), plan)


# --- next year's plan -------------------------------------------------------------------------


def _plans(app, year):
    with app.app_context():
        db.session.expire_all()
        return db.session.scalars(select(TrainingPlan).where(TrainingPlan.year == year)).all()


def _count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_only_hr_sees_the_copy_button(browsers, plan):
    assert page(browsers("hr1")).find_all(id="copy-plan")
    for user in ("sales1", "supervisor1"):
        assert not page(browsers(user)).find_all(id="copy-plan"), user


def test_copy_creates_next_years_plan_once(app, browsers, login, plan):
    before = (_count(app, TrainingPlan), _count(app, TrainingItem))
    for user in ("sales1", "supervisor1"):
        resp = browsers(user).post(COPY, token_from=URL)
        assert resp.status_code == 403, user
    assert browsers("finance1").post(COPY, token_from="/").status_code == 404
    assert (_count(app, TrainingPlan), _count(app, TrainingItem)) == before
    assert _plans(app, NEXT) == []

    hr = login("hr1")
    resp = hr.post(COPY, token_from=URL)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/training-plan/{NEXT}")
    with app.app_context():
        new = db.session.scalars(select(TrainingPlan).where(TrainingPlan.year == NEXT)).one()
        assert new.status is PlanStatus.draft
        assert new.title == f"{NEXT}年度销售培训计划"
        assert new.budget == Decimal("10000")
        copies = {i.title: i for i in new.items}
        assert set(copies) == {f"T{YEAR}-{k}" for k in "ABCE"}  # cancelled D is not copied
        dates = {t[-1]: (i.month, i.start_date, i.end_date) for t, i in copies.items()}
        assert dates == {"A": (3, date(NEXT, 3, 10), date(NEXT, 3, 11)), "B": (3, None, None),
                         "C": (7, date(NEXT, 7, 1), None), "E": (2, date(NEXT, 2, 28), date(NEXT, 3, 1))}
        assert {i.status for i in new.items} == {ItemStatus.planned}
        a = copies[f"T{YEAR}-A"]
        assert (a.topic, a.method, a.cost, a.hours, a.trainer) == (
            Topic.product, Method.internal, Decimal("1000"), Decimal("4"), "讲师")
        ids = [i.id for i in new.items]
    assert _count(app, Enrolment, Enrolment.item_id.in_(ids)) == 0
    after = (_count(app, TrainingPlan), _count(app, TrainingItem))
    assert after == (before[0] + 1, before[1] + 4)
    grid = page(browsers("hr1"), f"/training-plan/{NEXT}").by_id("plan-grid")
    assert grid.find("td", data_topic="market_analysis", data_month=2).find_all("div", data_status="planned")

    with hr.client.session_transaction() as sess:
        assert [c for c, _ in sess.pop("_flashes", [])] == ["success"]

    # a second copy is refused and changes nothing
    resp = hr.post(COPY, token_from=URL)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(URL)
    with hr.client.session_transaction() as sess:
        assert [c for c, _ in sess.pop("_flashes", [])] == ["warning"]
    assert (_count(app, TrainingPlan), _count(app, TrainingItem)) == after
    assert len(_plans(app, NEXT)) == 1


def test_copy_needs_the_csrf_token(app, login, plan):
    before = _count(app, TrainingPlan)
    resp = login("hr1").client.post(COPY, data={})
    assert resp.status_code == 400
    assert _count(app, TrainingPlan) == before


def test_copy_stays_within_the_allowed_years(app, login, plan):
    with app.app_context():
        make(TrainingPlan, employee("hr1"), year=2100, title="2100", budget=Decimal("1"))
    before = _count(app, TrainingPlan)
    hr = login("hr1")
    resp = hr.post("/training-plan/2100/copy", token_from="/training-plan/2100")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/training-plan/2100")
    with hr.client.session_transaction() as sess:
        assert [c for c, _ in sess.pop("_flashes", [])] == ["danger"]
    assert _count(app, TrainingPlan) == before


# --- queries ----------------------------------------------------------------------------------


def test_page_queries_do_not_grow_with_items_or_enrolments(app, browsers, plan):
    with app.app_context():
        pid = make(TrainingPlan, employee("hr1"), year=2026, title="2026", budget=Decimal("100")).id
        engine = db.engine

    def add(n):
        with app.app_context():
            hr = employee("hr1")
            people = [employee(u) for u in ("sales1", "sales2", "sales3")]
            for k in range(n):
                it = make(TrainingItem, hr, plan_id=pid, title=f"Q{k}", topic=list(Topic)[k % 5],
                          method=list(Method)[k % 3], month=k % 12 + 1, status=ItemStatus.held,
                          cost=Decimal("1"), hours=Decimal("1"))
                for e in people:
                    make(Enrolment, e, item_id=it.id, attended=True, score=Decimal("70"), passed=True)

    add(1)

    def count():
        n = [0]

        def inc(*a, **k):
            n[0] += 1

        event.listen(engine, "before_cursor_execute", inc)
        try:
            assert browsers("hr1").get("/training-plan/2026").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", inc)
        return n[0]

    small = count()
    add(8)
    assert count() == small
