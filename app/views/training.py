"""The annual training plan as a year on a page (5.1–5.3).

``/training-plan/<year>`` shows one plan: a grid of months (columns) × the topics of 5.1.2 (rows)
with each month's items, their method (5.2) and status; per item the enrolment and assessment
figures (5.3) from one grouped query over the enrolments the user may read, with totals per topic
and per method; the budget used (held and assessed items) against the plan's budget; and, per
active salesperson, the required topics they have not yet attended this year. HR may start next
year's plan from this one (``POST /training-plan/<year>/copy``).

The class is not called ``TrainingPlanView``: that name is the generated CRUD view's blueprint
(``url_for("TrainingPlanView.show", ...)``), and Flask refuses two blueprints of one name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import abort, flash, redirect, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p
from flask_login import login_required
from sqlalchemy.exc import IntegrityError

from ..display import display
from ..extensions import db
from ..guard import check_write
from ..labels import COLUMNS
from ..models import Employee, TrainingItem, TrainingPlan
from ..models.training import ItemStatus, Method, PlanStatus, Topic
from ..queries import training
from ..registry import BY_NAME
from ..security.scope import ScopeError, current_actor
from ..validation import ValidationFailure

MONTHS = tuple(range(1, 13))
BADGES = {  # Bootstrap 3 label class per item status
    ItemStatus.planned: "label-default",
    ItemStatus.held: "label-info",
    ItemStatus.assessed: "label-success",
    ItemStatus.cancelled: "label-warning",
}
FIGURES = (  # progress columns: key, label
    ("enrolled", _l("Enrolled")),
    ("attended", COLUMNS["attended"]),
    ("assessed", _p("training", "Assessed")),
    ("passed", COLUMNS["passed"]),
    ("pass_rate", _l("Pass rate")),
)


def percent(part, whole) -> Decimal | None:
    """part ÷ whole in percent, one decimal; None when the whole is zero."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def shift_year(day: date | None) -> date | None:
    """The same day one year later; 29 February becomes 28 February."""
    if day is None:
        return None
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


@dataclass
class Figures:
    """Enrolment and assessment counts (5.3) of one item or of a group of items."""

    items: int = 0
    hours: Decimal = Decimal("0")
    cost: Decimal = Decimal("0")
    enrolled: int = 0
    attended: int = 0
    assessed: int = 0  # enrolments with a score
    passed: int = 0

    @property
    def pass_rate(self) -> Decimal | None:
        return percent(self.passed, self.assessed)

    def add(self, other: Figures) -> None:
        for name in ("items", "hours", "cost", "enrolled", "attended", "assessed", "passed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def item_figures(plan: TrainingPlan, items: list[TrainingItem]) -> dict[int, Figures]:
    """Per item of the plan: enrolled, attended, assessed and passed, in one grouped query over the
    enrolments the user may read."""
    counts = training.enrolment_counts(plan.id)
    out = {}
    for item in items:
        enrolled, attended, assessed, passed = counts.get(item.id, (0, 0, 0, 0))
        out[item.id] = Figures(1, item.hours, item.cost, enrolled, attended, assessed, passed)
    return out


def topic_gaps(plan: TrainingPlan, people: list[Employee]) -> dict[int, set[Topic]]:
    """Per salesperson: the topics of 5.1.2 attended in this plan's year (one grouped query over
    the readable enrolments on the plan's items that were not cancelled)."""
    if not people:
        return {}
    done: dict[int, set[Topic]] = {p.id: set() for p in people}
    for emp_id, topic in training.attended_topics(plan.id, [p.id for p in people]):
        done[emp_id].add(topic)
    return done


def next_title(plan: TrainingPlan, year: int) -> str:
    old = str(plan.year)
    title = plan.title.replace(old, str(year)) if old in plan.title else f"{year} {plan.title}"
    return title[:120]


class TrainingPlanYearView(BaseView):
    route_base = "/training-plan"
    default_view = "index"
    record_entity = "TrainingPlan"  # a plan's record page links to its year

    @classmethod
    def record_link(cls, item, actor):
        return _l("Year at a glance"), url_for(f"{cls.__name__}.year", year=item.year), "plan-year"

    def _plan(self, year: int) -> TrainingPlan:
        if not current_actor().may("TrainingPlan", "read"):
            abort(404)
        plan = training.plan(year)
        if plan is None:
            abort(404)
        return plan

    @expose("/")
    @login_required
    def index(self):
        if not current_actor().may("TrainingPlan", "read"):
            abort(404)
        latest = training.latest_year()
        if latest is None:
            abort(404)
        return redirect(url_for(".year", year=latest))

    @expose("/<int:year>")
    @login_required
    def year(self, year):
        plan = self._plan(year)
        actor = current_actor()
        years = training.years()
        items = training.items(plan.id)
        grid = {(t, mo): [] for t in Topic for mo in MONTHS}
        for item in items:
            grid[(item.topic, item.month)].append(item)
        figures = item_figures(plan, items)
        by_topic = {t: Figures() for t in Topic}
        by_method = {me: Figures() for me in Method}
        total = Figures()
        for item in items:
            by_topic[item.topic].add(figures[item.id])
            by_method[item.method].add(figures[item.id])
            total.add(figures[item.id])
        used = training.budget_used(plan.id)
        people = training.salespeople()
        attended = topic_gaps(plan, people)
        return self.render_template(
            "portal/training_plan.html", plan=plan, years=years, months=MONTHS, topics=list(Topic),
            methods=list(Method), grid=grid, items=items, figures=figures, figure_columns=FIGURES,
            by_topic=by_topic, by_method=by_method, total=total, used=used,
            used_percent=percent(used, plan.budget), people=people, attended=attended,
            badges=BADGES, can_copy=actor.may("TrainingPlan", "write"),
            display=display, columns=COLUMNS,
        )

    @expose("/<int:year>/copy", methods=["POST"])
    @login_required
    def copy(self, year):
        """Start next year's plan from this one: draft, same budget, every item not cancelled with
        its month kept and its dates a year later, planned, without enrolments."""
        plan = self._plan(year)
        actor = current_actor()
        if not actor.may("TrainingPlan", "write") or not actor.may("TrainingItem", "write"):
            abort(403)
        target = year + 1
        back = redirect(url_for(".year", year=year))
        if target > BY_NAME["TrainingPlan"].ranges["year"][1]:
            flash(str(_l("A plan for %(year)s cannot be created.", year=target)), "danger")
            return back
        exists = _l("The training plan for %(year)s already exists; nothing was copied.", year=target)
        if training.plan_exists(target):
            flash(str(exists), "warning")
            return back
        items = training.items_to_copy(plan.id)
        try:
            new = TrainingPlan(year=target, title=next_title(plan, target), budget=plan.budget,
                               status=PlanStatus.draft)
            check_write(new, adding=True)
            db.session.add(new)
            db.session.flush()
            for item in items:
                copy = TrainingItem(
                    plan=new, title=item.title, topic=item.topic, method=item.method, trainer=item.trainer,
                    month=item.month, start_date=shift_year(item.start_date),
                    end_date=shift_year(item.end_date), hours=item.hours, audience=item.audience,
                    cost=item.cost, status=ItemStatus.planned,
                )
                check_write(copy, adding=True)
                db.session.add(copy)
            db.session.commit()
        except IntegrityError:  # another request created the plan meanwhile
            db.session.rollback()
            flash(str(exists), "warning")
            return back
        except (ScopeError, ValidationFailure) as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return back
        flash(str(_l("The training plan for %(year)s was created from this one as a draft "
                     "with %(count)s items.", year=target, count=len(items))), "success")
        return redirect(url_for(".year", year=target))


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(TrainingPlanYearView())


__all__ = ["TrainingPlanYearView", "register"]
