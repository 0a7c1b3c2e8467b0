"""Each role's start page: what needs doing today, with counts that open the work lists and charts
drawn on the server (app/charts.py). Sections follow the user's roles; every figure goes through
the user's row scope (a salesperson's "team" figures are their own)."""

from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from .. import charts
from .. import models as m
from ..extensions import db
from ..labels import BUCKET_LABELS
from ..registry import BY_NAME
from ..rules import today
from ..security.scope import current_actor, filter_query
from ..services import collection

SECTION_TITLES = {
    "Salesperson": _l("My work"), "Supervisor": _l("My team"), "Finance": _l("Collection"),
    "HR": _l("People"), "Admin": _l("Administration"),
}


def _q(entity_name, verb="read"):
    entity = BY_NAME[entity_name]
    return filter_query(db.session.query(entity.model), entity, verb)


def _can(entity_name) -> bool:
    return current_actor().scope(entity_name, "read") is not None


def _wl(name, **args):
    return url_for("WorklistView.show", name=name, **args)


def _sales_counters(day):
    out = []
    if _can("Visit"):
        other = aliased(m.Visit)
        later = select(other.id).where(other.customer_id == m.Visit.customer_id,
                                       other.visit_date > m.Visit.visit_date).exists()
        n = _q("Visit").filter(m.Visit.next_date.is_not(None), m.Visit.next_date <= day + timedelta(days=7),
                               ~later).count()
        out.append(("visits-due", _l("Return visits due"), n, _wl("return-visits")))
    if _can("Quotation"):
        n = _q("Quotation").filter(m.Quotation.status == "sent", m.Quotation.valid_until >= day,
                                   m.Quotation.valid_until <= day + timedelta(days=7)).count()
        out.append(("quotes-expiring", _l("Quotations expiring this week"), n,
                    url_for("QuotationView.list")))
    if _can("SalesOrder"):
        n = _q("SalesOrder").filter(m.SalesOrder.promised_date < day,
                                    m.SalesOrder.status.not_in(["delivered", "cancelled"])).count()
        out.append(("orders-late", _l("Late orders"), n, _wl("late-orders")))
    if _can("Receivable"):
        due = _q("Receivable").filter(m.Receivable.status.in_(["open", "partially_paid"]),
                                      m.Receivable.due_date >= day,
                                      m.Receivable.due_date <= day + timedelta(days=7)).count()
        overdue = _q("Receivable").filter(m.Receivable.status == "overdue").count()
        out.append(("receivables-due", _l("Receivables due this week"), due, _wl("due-this-week")))
        out.append(("receivables-overdue", _l("Overdue receivables"), overdue, _wl("aging", bucket="d1_30")))
    if _can("ServiceTicket"):
        n = _q("ServiceTicket").filter(m.ServiceTicket.status != "closed").count()
        out.append(("tickets-open", _l("Open service tickets"), n, url_for("ServiceTicketView.list")))
    return out


def _targets_chart(day):
    """Targets vs actual in the current cycle (6.1), for the appraisees the user may see."""
    from ..appraisal import scorecards
    from .appraisal import INDICATOR_LABELS

    actor = current_actor()
    scope = actor.scope("AppraisalTarget", "read")
    if scope is None:
        return None
    cycle = _current_cycle(day)
    if cycle is None:
        return None
    allowed = actor.allowed_employees(scope)
    if allowed is None:
        return None
    cards = scorecards(cycle, sorted(allowed))
    keys = ("revenue", "profit", "volume", "new_customers")
    actual = {k: sum((ln.actual or 0) for c in cards for ln in c.lines if ln.key == k) for k in keys}
    target = {k: sum((ln.target or 0) for c in cards for ln in c.lines if ln.key == k) for k in keys}
    pct = {k: (actual[k] / target[k] * 100 if target[k] else None) for k in keys}
    return charts.bar("targets-chart", _l("%(cycle)s: actual as %% of target", cycle=cycle.name),
                      [INDICATOR_LABELS[k] for k in keys], {_l("Actual ÷ target (%)"): [pct[k] for k in keys]},
                      height=260)


def _team_ranking(day):
    """The team's ranking in the current cycle (6.3.3), best first."""
    from ..appraisal import scorecards

    actor = current_actor()
    scope = actor.scope("AppraisalTarget", "read")
    cycle = _current_cycle(day)
    if scope is None or cycle is None:
        return []
    allowed = actor.allowed_employees(scope)
    cards = [c for c in scorecards(cycle, None if allowed is None else sorted(allowed)) if c.final is not None]
    cards.sort(key=lambda c: -c.final)
    names = dict(db.session.execute(select(m.Employee.id, m.Employee.name).where(
        m.Employee.id.in_([c.employee_id for c in cards]))).all())
    return [(cycle.id, c.employee_id, names[c.employee_id], c.final, c.grade) for c in cards[:10]]


def _current_cycle(day):
    return db.session.scalar(select(m.AppraisalCycle).where(
        m.AppraisalCycle.start_date <= day, m.AppraisalCycle.end_date >= day).order_by(
        m.AppraisalCycle.start_date.desc()).limit(1))


def _approvals_count():
    from .worklists import approvals

    return len(approvals(today())["rows"])


def _finance(day):
    """2.5.3 aging by bucket and by salesperson, 3.3.3 risk customers, collection rate trend."""
    paid = (select(m.Payment.receivable_id, func.sum(m.Payment.amount).label("paid"))
            .group_by(m.Payment.receivable_id).subquery())
    left = m.Receivable.amount - func.coalesce(paid.c.paid, 0)
    bucket = collection.bucket_case(m.Receivable.due_date, day)
    base = _q("Receivable").filter(m.Receivable.status.in_(["open", "partially_paid", "overdue", "in_legal"])) \
        .outerjoin(paid, paid.c.receivable_id == m.Receivable.id)
    by_bucket = dict(base.with_entities(bucket, func.sum(left)).group_by(bucket).all())
    names = [b for b, *_ in collection.BUCKETS]
    aging_chart = charts.bar("aging-chart", _l("Outstanding by aging bucket"), [BUCKET_LABELS[b] for b in names],
                             {_l("Outstanding"): [by_bucket.get(b, 0) for b in names]}, height=260)
    owner = m.Employee
    by_person = base.join(m.Customer, m.Receivable.customer_id == m.Customer.id) \
        .join(owner, m.Customer.owner_id == owner.id) \
        .filter(m.Receivable.due_date < day) \
        .with_entities(owner.name, func.sum(left)).group_by(owner.name).order_by(func.sum(left).desc()).limit(10).all()
    red_first = case((m.Customer.risk_level == "red", 0), else_=1)
    risky = _q("Customer").filter(m.Customer.risk_level != "green").order_by(
        red_first, m.Customer.code).limit(10).all() if _can("Customer") else []
    ids = _q("Receivable").with_entities(m.Receivable.id).scalar_subquery()
    months, rates = [], []
    first = day.replace(day=1)
    for i in range(5, -1, -1):
        start = (first - timedelta(days=31 * i)).replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        collected, due = collection.collection_totals(db.session, m, ids, start, min(end, day))
        months.append(start.strftime("%Y-%m"))
        rates.append(collection.collection_rate(collected, due))
    trend = charts.line("collection-trend", _l("Collection rate by month (%)"), months,
                        {_l("Collection rate"): rates}, height=260)
    return {"charts": [aging_chart, trend], "by_person": by_person, "risky": risky}


def _hr(day):
    out = []
    if _can("LeaveRequest"):
        out.append(("leave-waiting", _l("Leave requests waiting"),
                    _q("LeaveRequest").filter(m.LeaveRequest.status == "submitted").count(),
                    _wl("approvals")))
    if _can("Attendance"):
        out.append(("attendance-exceptions", _l("Attendance exceptions (30 days)"),
                    _q("Attendance").filter(m.Attendance.status.in_(["late", "left_early", "absent"]),
                                            m.Attendance.work_date >= day - timedelta(days=30)).count(),
                    _wl("attendance-exceptions")))
    chart = None
    if _can("TrainingItem"):
        rows = dict(db.session.execute(
            select(m.TrainingItem.status, func.count()).join(m.TrainingPlan)
            .where(m.TrainingPlan.year == day.year).group_by(m.TrainingItem.status)).all())
        statuses = list(m.training.ItemStatus)
        chart = charts.bar("training-chart", _l("Training plan %(year)s: items by progress", year=day.year),
                           [s.label for s in statuses], {_l("Items"): [rows.get(s, 0) for s in statuses]},
                           height=240)
    cycles = db.session.scalars(select(m.AppraisalCycle).order_by(m.AppraisalCycle.start_date.desc()).limit(4)).all() \
        if _can("AppraisalCycle") else []
    return out, chart, cycles


def _admin():
    from flask_appbuilder.security.sqla.models import User

    users = db.session.scalar(select(func.count()).select_from(User))
    active = db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(True)))
    failures = db.session.scalars(select(m.LoginEvent).where(m.LoginEvent.success.is_(False))
                                  .order_by(m.LoginEvent.id.desc()).limit(10)).all()
    return {"users": users, "active": active, "failures": failures}


def sections() -> list[dict]:
    actor = current_actor()
    day = today()
    out = []
    if "Salesperson" in actor.roles or "Supervisor" in actor.roles:
        counters = _sales_counters(day)
        if "Supervisor" in actor.roles:
            counters.insert(0, ("approvals", _l("Awaiting my approval"), _approvals_count(), _wl("approvals")))
        chart = _targets_chart(day)
        out.append({"key": "sales", "title": SECTION_TITLES["Supervisor" if "Supervisor" in actor.roles else
                                                        "Salesperson"],
                    "counters": counters, "charts": [chart] if chart else [],
                    "ranking": _team_ranking(day) if "Supervisor" in actor.roles else []})
    if "Finance" in actor.roles:
        fin = _finance(day)
        out.append({"key": "finance", "title": SECTION_TITLES["Finance"],
                    "counters": [("approvals", _l("Awaiting my approval"), _approvals_count(), _wl("approvals"))],
                    "charts": fin["charts"], "by_person": fin["by_person"], "risky": fin["risky"]})
    if "HR" in actor.roles:
        counters, chart, cycles = _hr(day)
        counters.insert(0, ("approvals", _l("Awaiting my approval"), _approvals_count(), _wl("approvals")))
        out.append({"key": "hr", "title": SECTION_TITLES["HR"], "counters": counters,
                    "charts": [chart] if chart else [], "cycles": cycles})
    if "Admin" in actor.roles:
        out.append({"key": "admin", "title": SECTION_TITLES["Admin"], "counters": [], "charts": [],
                    "admin": _admin()})
    return out
