"""Appraisal screens (6): a cycle's ranking and grade distribution, each salesperson's scorecard,
and the cycle's settings (weights, thresholds, bonus coefficients) for HR."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal, InvalidOperation

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from .. import charts, locks
from .. import models as m
from ..appraisal import salespeople, scorecards
from ..labels import person_name
from ..models.appraisal import CycleStatus
from ..models.training import Topic
from ..queries import appraisal as cycles_q
from ..queries import people
from ..registry import SCREEN_BY_MENU
from ..security.scope import current_actor
from ..services.appraisal import (
    DEFAULTS,
    GRADES,
    INDICATORS,
    PARTS,
    ROLES,
    SETTINGS_MAX,
    ranks,
    settings_errors,
)
from ..validation import MSG_RANGE
from .export import worklist_xlsx

INDICATOR_LABELS = {
    "revenue": _l("Sales revenue"), "volume": _l("Sales volume"), "profit": _l("Profit"),
    "new_customers": _l("New customers"), "collection_rate": _l("Collection rate (%)"),
    "satisfaction": _l("Customer satisfaction"), "complaint_rate": _l("Complaint rate (%)"),
    "overdue": _l("Overdue amount at period end"),
}
PART_LABELS = {"quantitative": _l("Quantitative (6.1.1–6.1.3)"), "qualitative": _l("Qualitative (6.3.2)"),
               "training": _l("Training assessment (5.3.2)")}
HOW = {
    "ratio": _l("actual ÷ target × 100, at most 100"),
    "collection": _l("collected %(collected)s ÷ due %(due)s of the receivables due in the period"),
    "satisfaction": _l("average of %(n)s visit and ticket ratings ÷ 5 × 100"),
    "complaints": _l("%(tickets)s quality tickets ÷ %(delivered)s delivered orders; 100 at or below the target"),
    "overdue": _l("100 × (1 − overdue ÷ revenue %(revenue)s), at least 0"),
}
MISSING = _l("no data: left out, the other weights re-weighted")
RECOMMENDATIONS = {"promotion": _l("Promotion candidate"), "raise": _l("Pay raise"),
                   "keep": _l("Keep position and pay"), "improve": _l("Improvement plan")}
ERRORS = {"weights": _l("Enter a non-negative number for every weight."),
          "sum": _l("The weights must sum to 100."),
          "thresholds": _l("Thresholds must satisfy 100 ≥ A > B > C ≥ 0.")}


def may_open_cycles(actor=None) -> bool:
    """Whether the user may open cycle pages: they read cycles and some appraisees' targets (finance
    reads the cycles as records but no scorecards, so it is offered no cycle page)."""
    actor = actor or current_actor()
    return all(actor.may(entity, "read") for entity in SCREEN_BY_MENU["menu_Scorecards"].entities)


def _visible(cycle) -> list[int]:
    """Appraisees the user may see: own, team or all, by their read scope on appraisal targets."""
    actor = current_actor()
    if not actor.may("AppraisalTarget", "read"):
        abort(404)
    return [e for e in salespeople(cycle) if actor.reaches("AppraisalTarget", "read", e)]


def _cycle(cycle_id):
    if not may_open_cycles():
        abort(404)
    cycle = cycles_q.cycle(cycle_id)
    if cycle is None:
        abort(404)
    return cycle


def _names(ids) -> dict[int, str]:
    return {pk: person_name(name, name_en) for pk, name, name_en in people.names(ids)}


def _how(line) -> str:
    if line.score is None:
        return str(MISSING)
    return str(HOW[line.how]) % line.values if "%(" in str(HOW[line.how]) else str(HOW[line.how])


def _may_rate(employee_id) -> bool:
    """Whether the user may add a rating of this salesperson (6.3.2; never of themselves)."""
    actor = current_actor()
    return employee_id != actor.employee_id and actor.reaches("AppraisalRating", "write", employee_id)


def _rank_pool(cycle) -> list[int] | None:
    """The appraisees a user's ranks are counted among (6.3.3: within the team): their team when
    they see only themselves, else those they see (their team, or everyone)."""
    actor = current_actor()
    scope = actor.scope("AppraisalTarget", "read")
    if scope == "own":
        return [e for e in salespeople(cycle) if e in actor.team_employee_ids]
    return None


def _ranking(cycle):
    """The scorecards the user may see, best first, with names and ranks within the user's team.
    A salesperson sees only his own card but its rank among his team's: the others' cards are
    computed for the rank alone and never leave this function."""
    visible = _visible(cycle)
    pool = _rank_pool(cycle)
    pool_cards = scorecards(cycle, pool if pool is not None else visible)
    places = ranks(pool_cards)
    shown = set(visible)
    cards = [c for c in pool_cards if c.employee_id in shown]
    places = {e: r for e, r in places.items() if e in shown}
    ranked = sorted(cards, key=lambda c: (places.get(c.employee_id) is None, places.get(c.employee_id, 0)))
    return ranked, _names(c.employee_id for c in cards), places


def _one_card(cycle, employee_id):
    if employee_id not in _visible(cycle):
        abort(404)
    (card,) = scorecards(cycle, [employee_id]) or [None]
    if card is None:
        abort(404)
    return card


class AppraisalView(BaseView):
    route_base = "/appraisal"
    default_view = "index"
    record_entity = "AppraisalCycle"  # a cycle's record page links to its scorecards

    @classmethod
    def record_link(cls, item, actor):
        if may_open_cycles(actor):
            return _l("Scorecards and ranking"), url_for(f"{cls.__name__}.cycle", cycle_id=item.id), "cycle-scorecards"
        return None

    @expose("/")
    @login_required
    def index(self):
        if not may_open_cycles():
            abort(404)
        cycles = cycles_q.cycles()
        return self.render_template("portal/appraisal_index.html", cycles=cycles)

    @expose("/<int:cycle_id>")
    @login_required
    def cycle(self, cycle_id):
        cycle = _cycle(cycle_id)
        ranked, names, ranks = _ranking(cycle)
        grades = Counter(c.grade for c in ranked if c.grade)
        chart = charts.bar("grade-chart", _l("Grade distribution"), GRADES,
                           {_l("Salespeople"): [grades.get(g, 0) for g in GRADES]}, height=260)
        editable = (cycle.status is not CycleStatus.closed
                    and current_actor().may("AppraisalCycle", "write"))
        return self.render_template(
            "portal/appraisal_cycle.html", cycle=cycle, cards=ranked, names=names, ranks=ranks,
            chart=chart, recommendations=RECOMMENDATIONS, editable=editable,
            settings=cycle.effective_settings(), indicator_labels=INDICATOR_LABELS, roles=ROLES,
            parts=PARTS, part_labels=PART_LABELS, role_labels=m.appraisal.EvaluatorRole,
            errors={}, grades=GRADES)

    @expose("/<int:cycle_id>/<int:employee_id>")
    @login_required
    def card(self, cycle_id, employee_id):
        cycle = _cycle(cycle_id)
        card = _one_card(cycle, employee_id)
        lines = [(INDICATOR_LABELS[ln.key], ln, _how(ln)) for ln in card.lines]
        chart = charts.bar("score-chart", _l("Indicator scores"), [label for label, _ln, _h in lines],
                           {_l("Score"): [ln.score for _l_, ln, _h in lines]}, horizontal=True,
                           height=300, range=(0, 100))
        return self.render_template(
            "portal/appraisal_card.html", cycle=cycle, card=card, name=_names([employee_id])[employee_id],
            lines=lines, chart=chart, roles=ROLES, role_labels=m.appraisal.EvaluatorRole,
            part_labels=PART_LABELS, recommendations=RECOMMENDATIONS,
            topics=[Topic[t].label for t in card.development], settings=cycle.effective_settings(),
            can_rate=cycle.status is not CycleStatus.closed and _may_rate(employee_id))

    @expose("/<int:cycle_id>/export.xlsx")
    @login_required
    def export_cycle(self, cycle_id):
        """HR's appraisal results (ranking of the appraisees the user may see) as XLSX."""
        cycle = _cycle(cycle_id)
        ranked, names, ranks = _ranking(cycle)
        columns = [("rank", _l("Rank")), ("name", _l("Salesperson")),
                   *((p, PART_LABELS[p]) for p in PARTS), ("final", _l("Final score")),
                   ("grade", _l("Grade")), ("bonus", _l("Bonus")), ("recommendation", _l("Recommendation"))]
        rows = [{"values": {"rank": ranks.get(c.employee_id), "name": names[c.employee_id],
                            "quantitative": c.quantitative, "qualitative": c.qualitative,
                            "training": c.training, "final": c.final, "grade": c.grade, "bonus": c.bonus,
                            "recommendation": str(RECOMMENDATIONS.get(c.recommendation, ""))}}
                for c in ranked]
        return worklist_xlsx(cycle.name, {"columns": columns, "rows": rows}, basename=f"appraisal-{cycle.id}")

    @expose("/<int:cycle_id>/<int:employee_id>/export.xlsx")
    @login_required
    def export_card(self, cycle_id, employee_id):
        """One scorecard as XLSX: each indicator with actual, target, score, weight and how."""
        cycle = _cycle(cycle_id)
        card = _one_card(cycle, employee_id)
        columns = [("indicator", _l("Indicator")), ("actual", _l("Actual")), ("target", _l("Target")),
                   ("score", _l("Score")), ("weight", _l("Weight")), ("how", _l("How it was computed"))]
        rows = [{"values": {"indicator": str(INDICATOR_LABELS[ln.key]), "actual": ln.actual, "target": ln.target,
                            "score": ln.score, "weight": ln.weight, "how": _how(ln)}} for ln in card.lines]
        rows += [{"values": {"indicator": str(PART_LABELS[p]), "score": getattr(card, p),
                             "weight": Decimal(str(cycle.effective_settings()["part_weights"][p]))}} for p in PARTS]
        rows.append({"values": {"indicator": str(_l("Final score")), "score": card.final,
                                "how": f"{_l('Grade')} {card.grade or '—'}"}})
        title = f"{_names([employee_id])[employee_id]} {cycle.name}"
        return worklist_xlsx(title, {"columns": columns, "rows": rows},
                             basename=f"scorecard-{cycle.id}-{employee_id}")

    @expose("/<int:cycle_id>/settings", methods=["POST"])
    @login_required
    def save_settings(self, cycle_id):
        cycle = _cycle(cycle_id)
        if not current_actor().may("AppraisalCycle", "write"):
            abort(403)
        locks.lock(cycle)  # closing the cycle at the same moment waits, or went first
        if cycle.status is CycleStatus.closed:
            flash(str(_l("This appraisal cycle is closed.")), "danger")
            return self.cycle(cycle_id), 409
        new, bad = parse_settings(request.form)
        errors = {k: str(ERRORS[v]) for k, v in settings_errors(new).items()} if not bad else bad
        if errors:
            for message in dict.fromkeys(errors.values()):
                flash(message, "danger")
            return self.cycle(cycle_id), 422
        cycle.settings = new
        try:
            locks.commit()
        except locks.Conflict as exc:
            flash(str(exc), "danger")
            return self.cycle(cycle_id), 409
        flash(str(_l("Settings of the cycle saved.")), "success")
        return redirect(url_for(".cycle", cycle_id=cycle_id))


def parse_settings(form) -> tuple[dict, dict]:
    """The settings form's values as numbers; (settings, errors)."""
    new = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULTS.items()}
    errors = {}

    def num(name):
        try:
            value = Decimal(form.get(name, "").strip())
        except InvalidOperation:
            errors[name] = str(_l("Enter a number."))
            return 0
        if not value.is_finite():
            errors[name] = str(_l("Enter a number."))
            return 0
        if abs(value) > SETTINGS_MAX:  # checked before int(): 1e999999 would take minutes
            errors[name] = str(MSG_RANGE % {"min": 0, "max": f"{SETTINGS_MAX:,}"})
            return 0
        return int(value) if value == value.to_integral() else float(value)

    new["indicator_weights"] = {k: num(f"iw_{k}") for k in INDICATORS}
    new["role_weights"] = {k: num(f"rw_{k}") for k in ROLES}
    new["part_weights"] = {k: num(f"pw_{k}") for k in PARTS}
    new["grade_thresholds"] = {g: num(f"gt_{g}") for g in "ABC"}
    new["complaint_target"] = num("complaint_target")
    new["bonus_base"] = num("bonus_base")
    new["bonus_coefficients"] = {g: num(f"bc_{g}") for g in GRADES}
    for key in ("complaint_target", "bonus_base"):
        if new[key] < 0:
            errors[key] = str(_l("Must not be negative."))
    return new, errors

