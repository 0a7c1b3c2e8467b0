"""Appraisal scores (6): indicators from the portal's own records, ratings, training, final grade.

Plain functions of plain values: the figures per salesperson come from grouped SQL aggregates
for all salespeople of a cycle at once (``app.appraisal``, a handful of queries whatever the
number of orders) and are combined here per salesperson. The
weights, thresholds and coefficients are per-cycle settings (``DEFAULTS`` are domain.md's
*default* figures; a cycle stores its own copy, see ``AppraisalCycle.settings``).

Scoring, each on 0-100:
- higher-is-better indicators (revenue, volume, profit, new customers, collection rate, 6.1.1-6.1.3):
  ``min(100, actual ÷ target × 100)``; no target → the indicator is missing;
- satisfaction (visits and closed tickets, 1-5): ``average ÷ 5 × 100``; no rating → missing;
- complaint rate (quality tickets ÷ delivered orders, 6.1.2): 100 at or below the target rate,
  else ``100 × target ÷ actual``; no delivered order → missing;
- overdue amount at the cycle's end (6.1.3): ``100 × (1 − overdue ÷ revenue)``, at least 0;
  no revenue → missing;
- qualitative (6.3.2): each evaluator role's average of the five abilities ÷ 5 × 100, combined by
  the role weights (default supervisor 50, peers 30, customers 20);
- training (5.3.2): the average assessment score of the cycle's training.
A missing indicator, role or part is left out and the remaining weights re-weighted to 100 — never
averaged in as zero (6.3.3). Final = parts by weight (default 60 / 30 / 10); grade A ≥ 90, B ≥ 75,
C ≥ 60, else D.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

INDICATORS = ("revenue", "volume", "profit", "new_customers", "collection_rate", "satisfaction",
              "complaint_rate", "overdue")
ABILITIES = ("market_analysis", "sales_skills", "negotiation", "cooperation", "team_contribution")
ROLES = ("supervisor", "peer", "customer")
PARTS = ("quantitative", "qualitative", "training")
GRADES = ("A", "B", "C", "D")

DEFAULTS: dict = {
    "indicator_weights": {"revenue": 30, "profit": 20, "volume": 10, "new_customers": 10,
                          "collection_rate": 15, "satisfaction": 5, "complaint_rate": 5, "overdue": 5},
    "role_weights": {"supervisor": 50, "peer": 30, "customer": 20},
    "part_weights": {"quantitative": 60, "qualitative": 30, "training": 10},
    "grade_thresholds": {"A": 90, "B": 75, "C": 60},
    "complaint_target": 2,  # % of delivered orders
    "bonus_base": 10000,  # CNY per cycle, times the grade coefficient (6.4.1)
    "bonus_coefficients": {"A": 1.5, "B": 1.2, "C": 1.0, "D": 0},
}
# 6.4.3: the training topic (5.1.2) that strengthens each indicator or ability.
TRAINING_FOR = {
    "revenue": "sales_skills", "volume": "sales_skills", "profit": "product",
    "new_customers": "market_analysis", "collection_rate": "law", "overdue": "law",
    "satisfaction": "ethics", "complaint_rate": "product", "market_analysis": "market_analysis",
    "sales_skills": "sales_skills", "negotiation": "sales_skills", "cooperation": "ethics",
    "team_contribution": "ethics",
}
HUNDRED = Decimal(100)
# The largest figure a cycle's settings may hold (weights and thresholds are percentages, the
# bonus base an amount per cycle): beyond it the scorecard arithmetic would lose its meaning.
SETTINGS_MAX = 10**9


def settings_errors(s: dict) -> dict[str, str]:
    """Problems in a cycle's settings, by group (message ids for the caller to translate)."""
    errors = {}
    for group, keys in (("indicator_weights", INDICATORS), ("role_weights", ROLES),
                        ("part_weights", PARTS)):
        values = s.get(group, {})
        if set(values) != set(keys) or any(not isinstance(v, int | float) or v < 0 for v in values.values()):
            errors[group] = "weights"
        elif sum(values.values()) != 100:
            errors[group] = "sum"
    t = s.get("grade_thresholds", {})
    if not (isinstance(t, dict) and all(isinstance(t.get(g), int | float) for g in "ABC")
            and 100 >= t["A"] > t["B"] > t["C"] >= 0):
        errors["grade_thresholds"] = "thresholds"
    return errors


def q2(x) -> Decimal:
    return Decimal(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Line:
    """One indicator of a scorecard: actual, target, score, weight and how it was computed."""

    key: str
    actual: Decimal | None
    target: Decimal | None
    score: Decimal | None  # None: missing, left out and re-weighted
    weight: Decimal
    how: str  # a formula id with its values, rendered in the UI language by the view
    values: dict = field(default_factory=dict)


@dataclass
class Scorecard:
    employee_id: int
    lines: list[Line]
    quantitative: Decimal | None
    roles: dict[str, Decimal | None]
    qualitative: Decimal | None
    training: Decimal | None
    final: Decimal | None
    grade: str | None
    bonus: Decimal | None
    recommendation: str | None
    development: list[str]  # training topics, weakest first
    rank: int | None = None


def weighted(scores: dict[str, Decimal | None], weights: dict[str, float]) -> Decimal | None:
    """Weighted mean over the parts present; missing parts re-weighted away (6.3.3)."""
    present = {k: v for k, v in scores.items() if v is not None and weights.get(k, 0) > 0}
    total = sum(Decimal(str(weights[k])) for k in present)
    if not total:
        return None
    return q2(sum(v * Decimal(str(weights[k])) for k, v in present.items()) / total)


def ratio_score(actual, target) -> Decimal | None:
    if actual is None or not target:
        return None
    return q2(min(HUNDRED, Decimal(actual) / Decimal(target) * HUNDRED))


def grade_of(score: Decimal | None, thresholds: dict) -> str | None:
    if score is None:
        return None
    for g in "ABC":
        if score >= Decimal(str(thresholds[g])):
            return g
    return "D"


def recommendation_of(grade: str | None) -> str | None:
    """6.4.2: A → promotion candidate, B → pay raise, C → keep, D → improvement plan."""
    return {"A": "promotion", "B": "raise", "C": "keep", "D": "improve"}.get(grade)


# --- combining --------------------------------------------------------------------------------


def scorecard(emp: int, f: dict, target, rated: dict, trained, s: dict) -> Scorecard:
    """One salesperson's scorecard from the figures (see the module docstring for the formulas)."""
    w = {k: Decimal(str(v)) for k, v in s["indicator_weights"].items()}
    lines = []

    def add(key, actual, tgt, score, how, **values):
        lines.append(Line(key, None if actual is None else q2(actual), None if tgt is None else q2(tgt),
                          score, w[key], how, {k: str(v) for k, v in values.items()}))

    for key in ("revenue", "volume", "profit", "new_customers"):
        actual = f.get(key, Decimal(0))
        tgt = getattr(target, key, None) if target is not None else None
        add(key, actual, tgt, ratio_score(actual, tgt), "ratio")
    rate = (f["collected"] / f["due"] * HUNDRED) if f.get("due") else None
    tgt = target.collection_rate if target is not None else None
    add("collection_rate", rate, tgt, ratio_score(rate, tgt) if rate is not None else None,
        "collection", collected=q2(f.get("collected", 0)), due=q2(f.get("due", 0)))
    # Visit and ticket ratings pooled: the mean of all the period's ratings, not of two means.
    rated_n = f.get("satisfaction_n", 0)
    sat = Decimal(f["satisfaction_sum"]) / Decimal(rated_n) if rated_n else None
    add("satisfaction", sat, Decimal(5), q2(sat / 5 * HUNDRED) if sat is not None else None,
        "satisfaction", n=rated_n)
    delivered = f.get("delivered", 0)
    ctarget = Decimal(str(s["complaint_target"]))
    crate = Decimal(f.get("quality_tickets", 0)) / delivered * HUNDRED if delivered else None
    cscore = None if crate is None else (HUNDRED if crate <= ctarget else q2(HUNDRED * ctarget / crate))
    add("complaint_rate", crate, ctarget, cscore, "complaints", tickets=f.get("quality_tickets", 0),
        delivered=delivered)
    revenue = f.get("revenue", Decimal(0))
    overdue = max(f.get("overdue", Decimal(0)), Decimal(0))
    oscore = q2(max(Decimal(0), HUNDRED * (1 - overdue / revenue))) if revenue else None
    add("overdue", overdue, Decimal(0), oscore, "overdue", revenue=q2(revenue))

    quantitative = weighted({ln.key: ln.score for ln in lines}, s["indicator_weights"])
    roles = {}
    for role in ROLES:
        r = rated.get(role)
        roles[role] = q2(sum(r[ab] for ab in ABILITIES) / len(ABILITIES) / 5 * HUNDRED) if r else None
    qualitative = weighted(roles, s["role_weights"])
    training = trained[0] if trained else None
    final = weighted({"quantitative": quantitative, "qualitative": qualitative, "training": training},
                     s["part_weights"])
    grade = grade_of(final, s["grade_thresholds"])
    bonus = (q2(Decimal(str(s["bonus_base"])) * Decimal(str(s["bonus_coefficients"].get(grade, 0))))
             if grade else None)
    # 6.4.3: training on the two weakest scored indicators or abilities.
    weakest = sorted([(ln.score, ln.key) for ln in lines if ln.score is not None])
    abilities = {ab: sum(rated[r][ab] for r in rated) / len(rated) / 5 * HUNDRED for ab in ABILITIES} if rated else {}
    weakest += sorted((q2(v), ab) for ab, v in abilities.items())
    weakest.sort()
    development = []
    for _score, key in weakest:
        topic = TRAINING_FOR[key]
        if topic not in development:
            development.append(topic)
        if len(development) == 2:
            break
    return Scorecard(emp, lines, quantitative, roles, qualitative, training, final, grade, bonus,
                     recommendation_of(grade), development)


def ranked(cards: list[Scorecard]) -> list[Scorecard]:
    """The scorecards with their rank among them (6.3.3, ties share a rank), best first; those
    without a final score last, by employee."""
    places = ranks(cards)
    for card in cards:
        card.rank = places.get(card.employee_id)
    return sorted(cards, key=lambda c: (c.rank is None, c.rank or 0, c.employee_id))


def ranks(cards) -> dict[int, int]:
    """Rank by final score among ``cards``, best first; ties share a rank, no score no rank."""
    ordered = sorted((c for c in cards if c.final is not None), key=lambda c: -c.final)
    out, previous, rank = {}, None, 0
    for i, card in enumerate(ordered, start=1):
        if card.final != previous:
            rank, previous = i, card.final
        out[card.employee_id] = rank
    return out
