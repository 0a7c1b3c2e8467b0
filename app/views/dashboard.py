"""Each role's start page: what needs doing today, with counts that open the work lists and charts
drawn on the server (app/charts.py). Sections follow the user's roles; every figure goes through
the user's row scope (a salesperson's "team" figures are their own)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from .. import charts
from .. import models as m
from ..appraisal import scorecards
from ..clock import today
from ..labels import BUCKET_LABELS, person_name
from ..presets import preset
from ..queries import appraisal as cycles_q
from ..queries import collection as receivables
from ..queries import dashboard as figures
from ..queries import people
from ..queries import worklists as work
from ..queries.paging import count
from ..security.matrix import ADMIN, FINANCE, HR, SALES, SUPERVISOR
from ..security.scope import current_actor
from ..services import collection
from .appraisal import INDICATOR_LABELS
from .listing import PRESET_ARG
from .worklists import waiting_for_me

TREND_MONTHS = 6  # months of the finance collection-rate trend

SECTION_TITLES = {
    SALES: _l("My work"), SUPERVISOR: _l("My team"), FINANCE: _l("Collection"),
    HR: _l("People"), ADMIN: _l("Administration"),
}


def _can(entity_name) -> bool:
    return current_actor().may(entity_name, "read")


def _wl(name, **args):
    return url_for("WorklistView.show", name=name, **args)


def _preset_counter(key, entity, name, day):
    """A counter of a list preset (``app.presets``): the count and the list come from one condition."""
    return (key, preset(entity, name).label, figures.preset_count(entity, name, day),
            url_for(f"{entity}View.list", **{PRESET_ARG: name}))


def _sales_counters(day):
    out = []
    if _can("Visit"):
        out.append(("visits-due", _l("Return visits due"), count(work.return_visits_query(day)),
                    _wl("return-visits")))
    if _can("Quotation"):
        out.append(_preset_counter("quotes-expiring", "Quotation", "expiring", day))
    if _can("SalesOrder"):
        out.append(("orders-late", _l("Late orders"), count(work.late_orders_query(day)), _wl("late-orders")))
    if _can("Receivable"):
        due = count(receivables.due_this_week_query(day))
        out.append(("receivables-due", _l("Receivables due this week"), due, _wl("due-this-week")))
        out.append(_preset_counter("receivables-overdue", "Receivable", "overdue", day))
    if _can("ServiceTicket"):
        out.append(_preset_counter("tickets-open", "ServiceTicket", "open", day))
    return out


def _current_cards(day):
    """The current cycle and the scorecards of the appraisees the user may see (computed once for
    the targets chart and the team ranking), and whether the scope is everyone."""
    actor = current_actor()
    cycle = cycles_q.current_cycle(day)
    if not actor.may("AppraisalTarget", "read") or cycle is None:
        return None, [], False
    allowed = actor.employees("AppraisalTarget", "read")
    return cycle, scorecards(cycle, None if allowed is None else sorted(allowed)), allowed is None


def _targets_chart(cycle, cards):
    """Targets vs actual in the current cycle (6.1), summed over the user's appraisees."""
    keys = ("revenue", "profit", "volume", "new_customers")
    actual = {k: sum((ln.actual or 0) for c in cards for ln in c.lines if ln.key == k) for k in keys}
    target = {k: sum((ln.target or 0) for c in cards for ln in c.lines if ln.key == k) for k in keys}
    pct = {k: (actual[k] / target[k] * 100 if target[k] else None) for k in keys}
    return charts.bar("targets-chart", _l("%(cycle)s: actual as %% of target", cycle=cycle.name),
                      [INDICATOR_LABELS[k] for k in keys], {_l("Actual ÷ target (%)"): [pct[k] for k in keys]},
                      height=260)


def _team_ranking(cycle, cards):
    """The team's ranking in the current cycle (6.3.3), best first."""
    cards = sorted((c for c in cards if c.final is not None), key=lambda c: -c.final)
    names = {pk: person_name(name, name_en)
             for pk, name, name_en in people.names(c.employee_id for c in cards)}
    return [(cycle.id, c.employee_id, names[c.employee_id], c.final, c.grade) for c in cards[:10]]


def _approvals_count():
    """The rows of the approvals work list: the navbar badge's count, counted once per request
    for the badge and every dashboard section that shows it."""
    return waiting_for_me()


def collection_trend(day) -> tuple[list[str], list]:
    """2.5.3 collection rate of each of the last calendar months (YYYY-MM, rate or None), over the
    receivables in the user's scope."""
    periods = collection.month_periods(day, TREND_MONTHS)
    totals = receivables.collection_totals_by_period(periods)
    return ([start.strftime("%Y-%m") for start, _end in periods],
            [collection.collection_rate(collected, due) for collected, due in totals])


def _finance(day):
    """2.5.3 aging by bucket and by salesperson, 3.3.3 risk customers, collection rate trend."""
    by_bucket = receivables.outstanding_by_bucket(day)
    names = [b for b, *_ in collection.BUCKETS]
    aging_chart = charts.bar("aging-chart", _l("Outstanding by aging bucket"), [BUCKET_LABELS[b] for b in names],
                             {_l("Outstanding"): [by_bucket.get(b, (0, 0))[1] for b in names]}, height=260)
    by_person = receivables.overdue_by_owner(day, 10)
    risky = receivables.risky_customers(10) if _can("Customer") else []
    months, rates = collection_trend(day)
    trend = charts.line("collection-trend", _l("Collection rate by month (%)"), months,
                        {_l("Collection rate"): rates}, height=260)
    return {"charts": [aging_chart, trend], "by_person": by_person, "risky": risky}


def _hr(day):
    out = []
    if _can("LeaveRequest"):
        out.append(_preset_counter("leave-waiting", "LeaveRequest", "waiting", day))
    if _can("Attendance"):
        out.append(_preset_counter("attendance-exceptions", "Attendance", "exceptions", day))
    chart = None
    if _can("TrainingItem"):
        rows = figures.training_items_by_status(day.year)
        statuses = list(m.training.ItemStatus)
        chart = charts.bar("training-chart", _l("Training plan %(year)s: items by progress", year=day.year),
                           [s.label for s in statuses], {_l("Items"): [rows.get(s, 0) for s in statuses]},
                           height=240)
    cycles = cycles_q.cycles(limit=4) if _can("AppraisalCycle") else []
    return out, chart, cycles


def _admin():
    users, active = figures.user_counts()
    failures = figures.failed_logins(10)
    return {"users": users, "active": active, "failures": failures}


def sections() -> list[dict]:
    actor = current_actor()
    day = today()
    out = []
    if SALES in actor.roles or SUPERVISOR in actor.roles:
        counters = _sales_counters(day)
        if SUPERVISOR in actor.roles:
            counters.insert(0, ("approvals", _l("Awaiting my approval"), _approvals_count(), _wl("approvals")))
        cycle, cards, everyone = _current_cards(day)
        charts_ = [_targets_chart(cycle, cards)] if cycle is not None and not everyone else []
        ranking = _team_ranking(cycle, cards) if cycle is not None and SUPERVISOR in actor.roles else []
        out.append({"key": "sales", "title": SECTION_TITLES[SUPERVISOR if SUPERVISOR in actor.roles else
                                                        SALES],
                    "counters": counters, "charts": charts_, "ranking": ranking})
    if FINANCE in actor.roles:
        fin = _finance(day)
        out.append({"key": "finance", "title": SECTION_TITLES[FINANCE],
                    "counters": [("approvals", _l("Awaiting my approval"), _approvals_count(), _wl("approvals"))],
                    "charts": fin["charts"], "by_person": fin["by_person"], "risky": fin["risky"]})
    if HR in actor.roles:
        counters, chart, cycles = _hr(day)
        counters.insert(0, ("approvals", _l("Awaiting my approval"), _approvals_count(), _wl("approvals")))
        out.append({"key": "hr", "title": SECTION_TITLES[HR], "counters": counters,
                    "charts": [chart] if chart else [], "cycles": cycles})
    if ADMIN in actor.roles:
        out.append({"key": "admin", "title": SECTION_TITLES[ADMIN], "counters": [], "charts": [],
                    "admin": _admin()})
    return out
