"""Work lists: what needs doing, per user, each through the user's read scope.

One ``Worklist`` per list users expect from the regulation (awaiting my approval, return visits
due 2.2.2, late orders 3.2, receivables due this week and overdue by bucket 2.5.3, my collection
to-do 3.3.2, overdue tickets by severity and recurring causes 3.4, attendance exceptions and late
leave requests 4.1). Each builds one scoped query (plus one for a summary); one template shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import abort, g, request, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import func, select

from .. import clock, policy, queries
from .. import models as m
from ..clock import today
from ..display import display
from ..extensions import db
from ..labels import BUCKET_LABELS, DUNNING_LABELS
from ..models.policy import PolicyKey
from ..presets import preset
from ..registry import BY_NAME
from ..security.scope import current_actor, scoped
from ..services import collection
from ..services.sql import days_between
from ..workflow.definitions import WORKFLOWS
from ..workflow.engine import requester
from .export import worklist_xlsx

LIMIT = 200  # candidate rows per entity in the approvals list
PAGE = 100  # rows per page of a work list


def _page(query):
    """One page of a list (``?page=N``), its total counted in SQL for the pager."""
    if request.endpoint == "WorklistView.export":
        return query.limit(50_000)  # the whole list (as the XLSX export caps it)
    if g.get("worklist_counting"):  # the index: only how many rows the list has
        g.worklist_total = query.order_by(None).count()
        return query.limit(0)
    try:
        page = max(int(request.args.get("page", 1)), 1)
    except ValueError:
        abort(400)
    total = query.order_by(None).count()
    args = {k: v for k, v in request.args.items() if k != "page"}
    name = request.view_args["name"]
    g.worklist_pager = {
        "page": page, "total": total, "pages": (total - 1) // PAGE + 1,
        "prev": url_for(".show", name=name, page=page - 1, **args) if page > 1 else None,
        "next": url_for(".show", name=name, page=page + 1, **args) if page * PAGE < total else None,
    }
    return query.offset((page - 1) * PAGE).limit(PAGE)



@dataclass(frozen=True)
class Worklist:
    name: str
    label: object
    entity: str  # the user needs read access to it to see the list
    clauses: tuple[str, ...]
    build: Callable  # (today) -> {"columns": [...], "rows": [...], "summary": [...]}


def _row(entity_name, obj, **values):
    return {"url": url_for(f"{entity_name}View.show", pk=obj.id), "values": values}


def _cols(entity_name, *names):
    labels = BY_NAME[entity_name].column_labels(names)
    return [(n, labels.get(n, n)) for n in names]


def _waiting_rows(day, name, entity, wf, objs, by, kind=None, state=None):
    """Approval rows: the record, its customer and amount, who submitted it and since when."""
    users = {u for u in by.values() if u}
    names = dict(db.session.execute(select(m.Employee.user_id, m.Employee.name)
                                    .where(m.Employee.user_id.in_(users))).all()) if users else {}
    rows = []
    for obj in objs:
        since = obj.updated_at or obj.created_at
        rows.append(_row(name, obj, kind=kind or entity.label, record=str(obj),
                         customer=getattr(obj, "customer", None), amount=_amount(obj),
                         submitter=names.get(by.get(obj.id), "—"),
                         age=(day - clock.local(since).date()).days if since else None,
                         state=state or getattr(obj, wf.field).label))
    return rows


def _amount(obj):
    amount = getattr(obj, "amount", None)
    if amount is None and hasattr(obj, "total"):
        amount = obj.total
    return amount


_WAITING_COLS = [("kind", _l("Record type")), ("record", _l("Record")), ("customer", _l("Customer")),
                 ("amount", _l("Amount")), ("submitter", _l("Submitted by")), ("age", _l("Days waiting")),
                 ("state", _l("Waiting for"))]


def approvals(day):
    """Every record waiting for a decision the user may take: approval steps of the workflows, in
    the user's approve scope and role, not their own and not requested by themselves; and orders
    under review missing a department sign-off the user can record (3.2.2)."""
    actor = current_actor()
    rows = []
    for name, entity, wf, query in queries.decision_queries(actor):
        found = query.order_by(entity.model.id).limit(LIMIT).all()
        by = requester(name, [o.id for o in found])
        mine = [o for o in found if actor.user_id is None or by.get(o.id) != actor.user_id]
        rows += _waiting_rows(day, name, entity, wf, mine, by)
    required = queries.signable_departments(actor)
    if required:
        orders = scoped("SalesOrder").filter(m.SalesOrder.status == m.orders.OrderStatus.under_review).limit(LIMIT).all()
        done = {}
        for oid, dept in db.session.execute(select(m.OrderReview.order_id, m.OrderReview.department)
                                            .where(m.OrderReview.order_id.in_([o.id for o in orders]))):
            done.setdefault(oid, set()).add(dept)
        waiting = [(o, required - done.get(o.id, set())) for o in orders]
        waiting = [(o, missing) for o, missing in waiting if missing]
        by = requester("SalesOrder", [o.id for o, _ in waiting])
        for o, missing in waiting:
            rows += _waiting_rows(day, "SalesOrder", BY_NAME["SalesOrder"], WORKFLOWS["SalesOrder"], [o], by,
                                  kind=_l("Order review sign-off"),
                                  state=", ".join(sorted(str(d.label) for d in missing)))
    return {"columns": _WAITING_COLS, "rows": rows}


def waiting_for_others(day):
    """Records the user can read that wait for someone else's decision (their own requests, their
    team's): the same approval states, without those waiting for the user."""
    actor = current_actor()
    for_me = {r["url"] for r in approvals(day)["rows"]}
    rows = []
    for name, wf in WORKFLOWS.items():
        entity = BY_NAME[name]
        steps = [s for s in wf.steps if s.verb == "approve" and s.approval]
        if not steps or not actor.may(name, "read"):
            continue
        states = sorted({st for s in steps for st in s.source})
        found = scoped(name).filter(getattr(entity.model, wf.field).in_(states)).order_by(
            entity.model.id).limit(LIMIT).all()
        found = [o for o in found if url_for(f"{name}View.show", pk=o.id) not in for_me]
        rows += _waiting_rows(day, name, entity, wf, found, requester(name, [o.id for o in found]))
    return {"columns": _WAITING_COLS, "rows": rows}


def return_visits(day):
    query = queries.return_visits_due(day).order_by(m.Visit.next_date)
    rows = [_row("Visit", v, customer=str(v.customer), visit_date=v.visit_date, next_date=v.next_date,
                 next_action=v.next_action, overdue=v.next_date < day)
            for v in _page(query)]
    return {"columns": [*_cols("Visit", "customer", "visit_date", "next_date", "next_action"),
                        ("overdue", _l("Overdue"))], "rows": rows}


def late_orders(day):
    query = queries.late_orders_query(day).order_by(m.SalesOrder.promised_date)
    rows = [_row("SalesOrder", o, number=o.number, customer=str(o.customer), status=o.status,
                 promised_date=o.promised_date, days_late=(day - o.promised_date).days)
            for o in _page(query)]
    return {"columns": [*_cols("SalesOrder", "number", "customer", "status", "promised_date"),
                        ("days_late", _l("Days late"))], "rows": rows}


def _receivable_row(r, day):
    days = collection.days_overdue(r.due_date, day)
    level = collection.dunning_level(days, policy.get(PolicyKey.dunning_level_days))
    return _row("Receivable", r, number=r.number, customer=str(r.customer), due_date=r.due_date,
                outstanding=r.outstanding, days_overdue=days,
                dunning_level=DUNNING_LABELS.get(level, "") if level else "")


_REC_COLS = [*_cols("Receivable", "number", "customer", "due_date", "outstanding"),
             ("days_overdue", _l("Days overdue")), ("dunning_level", _l("Dunning level"))]


def due_this_week(day):
    query = queries.due_this_week_query(day).order_by(m.Receivable.due_date)
    return {"columns": _REC_COLS, "rows": [_receivable_row(r, day) for r in _page(query)]}


def aging(day):
    """2.5.3: outstanding by aging bucket (summary in one aggregate query), and the receivables
    of the chosen bucket."""
    sums = queries.outstanding_by_bucket(day)
    base = scoped("Receivable").filter(m.Receivable.status.in_(m.receivables.ReceivableStatus.unpaid()))
    summary = [{"key": b, "label": BUCKET_LABELS[b], "count": sums.get(b, (0, 0))[0],
                "amount": sums.get(b, (0, 0))[1] or 0, "url": url_for(".show", name="aging", bucket=b)}
               for b, *_ in collection.BUCKETS]
    chosen = request.args.get("bucket", "d1_30")
    if chosen not in BUCKET_LABELS:
        abort(400)
    lo_hi = next((lo, hi) for b, lo, hi in collection.BUCKETS if b == chosen)
    query = base.filter(m.Receivable.due_date <= day - timedelta(days=lo_hi[0]))
    if lo_hi[1] is not None:
        query = query.filter(m.Receivable.due_date >= day - timedelta(days=lo_hi[1]))
    rows = [_receivable_row(r, day) for r in _page(query.order_by(m.Receivable.due_date))]
    return {"columns": _REC_COLS, "rows": rows, "summary": summary, "chosen": BUCKET_LABELS[chosen],
            "rates": collection_rates(day)}


def collection_rates(day):
    """2.5.3 collection rate (collected ÷ due) for this month, last month and the year so far."""
    ids = scoped("Receivable").with_entities(m.Receivable.id).scalar_subquery()
    month = day.replace(day=1)
    last_month = (month - timedelta(days=1)).replace(day=1)
    periods = ((_l("This month"), month, day), (_l("Last month"), last_month, month - timedelta(days=1)),
               (_l("Year to date"), day.replace(month=1, day=1), day))
    out = []
    for label, start, end in periods:
        collected, due = collection.collection_totals(db.session, m, ids, start, end)
        rate = collection.collection_rate(collected, due)
        out.append({"label": label, "collected": display(collected), "due": display(due),
                    "rate": f"{rate}%" if rate is not None else "—"})
    return out


def collection_todo(day):
    """3.3.2: overdue receivables in the user's write scope for dunning, most overdue first, with
    the level the days overdue call for and the last contact."""
    actor = current_actor()
    if not actor.may("DunningRecord", "write"):
        return {"columns": _REC_COLS, "rows": []}
    last = (select(m.DunningRecord.receivable_id, func.max(m.DunningRecord.contacted_on).label("last"),
                   func.count().label("n")).group_by(m.DunningRecord.receivable_id).subquery())
    query = (scoped("Receivable").filter(m.Receivable.status.in_(m.receivables.ReceivableStatus.collecting()),
                                          m.Receivable.due_date < day)
             .outerjoin(last, last.c.receivable_id == m.Receivable.id)
             .add_columns(last.c.last, last.c.n).order_by(m.Receivable.due_date))
    rows = []
    for r, last_on, n in _page(query):
        row = _receivable_row(r, day)
        row["values"].update(last_contact=last_on, dunning_count=n or 0)
        rows.append(row)
    return {"columns": [*_REC_COLS, ("last_contact", _l("Last contact")),
                        ("dunning_count", _l("Dunning records"))], "rows": rows}


def overdue_tickets(day):
    """3.4: open tickets past their due date, counted by severity."""
    base = scoped("ServiceTicket").filter(m.ServiceTicket.status != m.service.TicketStatus.closed,
                                           m.ServiceTicket.due_date < day)
    counts = dict(base.with_entities(m.ServiceTicket.severity, func.count())
                  .group_by(m.ServiceTicket.severity).all())
    summary = [{"key": s.name, "label": s.label, "count": counts.get(s, 0)}
               for s in m.service.Severity]
    rows = [_row("ServiceTicket", t, number=t.number, customer=str(t.customer), severity=t.severity,
                 status=t.status, due_date=t.due_date, days_late=(day - t.due_date).days)
            for t in _page(base.order_by(m.ServiceTicket.severity, m.ServiceTicket.due_date))]
    return {"columns": [*_cols("ServiceTicket", "number", "customer", "severity", "status", "due_date"),
                        ("days_late", _l("Days late"))], "rows": rows, "summary": summary}


def recurring_causes(day):
    """2.6.2, 3.4.7: root-cause categories seen on more than one ticket in the last twelve months,
    per product, so that a recurring cause is visible across tickets."""
    since = day - timedelta(days=365)
    query = (scoped("RootCause").join(m.ServiceTicket, m.RootCause.ticket_id == m.ServiceTicket.id)
             .outerjoin(m.Product, m.ServiceTicket.product_id == m.Product.id)
             .filter(m.ServiceTicket.reported_on >= since)
             .with_entities(m.RootCause.category, m.Product.name, func.count(),
                            func.sum(func.cast(~m.RootCause.verified, db.Integer)))
             .group_by(m.RootCause.category, m.Product.name)
             .having(func.count() > 1).order_by(func.count().desc()))
    rows = [{"url": url_for("RootCauseView.list", _flt_0_category=cat.name), "values": {
        "category": cat, "product": prod or "—", "tickets": n, "unverified": unverified or 0}}
        for cat, prod, n, unverified in query.limit(LIMIT)]  # one row per cause and product
    return {"columns": [*_cols("RootCause", "category", "product"), ("tickets", _l("Tickets")),
                        ("unverified", _l("Actions not yet verified"))], "rows": rows}


def attendance_exceptions(day):
    """4.1.1: late, left early and absent days of the last 30 days."""
    query = scoped("Attendance").filter(preset("Attendance", "exceptions").condition(day)).order_by(
        m.Attendance.work_date.desc())
    rows = [_row("Attendance", a, employee=a.employee.display_name, work_date=a.work_date, check_in=a.check_in,
                 check_out=a.check_out, status=a.status) for a in _page(query)]
    return {"columns": _cols("Attendance", "employee", "work_date", "check_in", "check_out", "status"),
            "rows": rows}


def late_leave(day):
    """4.1.2: leave requests submitted with less notice than the policy asks."""
    notice = policy.get(PolicyKey.leave_notice_days)
    query = scoped("LeaveRequest").filter(
        m.LeaveRequest.submitted_on.is_not(None),
        days_between(m.LeaveRequest.start_date, m.LeaveRequest.submitted_on) < notice,
    ).order_by(m.LeaveRequest.start_date.desc())
    rows = _page(query).all()
    return {"columns": _cols("LeaveRequest", "employee", "leave_type", "start_date", "submitted_on", "status"),
            "rows": [_row("LeaveRequest", lr, employee=lr.employee.display_name, leave_type=lr.leave_type,
                          start_date=lr.start_date, submitted_on=lr.submitted_on, status=lr.status)
                     for lr in rows]}


WORKLISTS: tuple[Worklist, ...] = (
    Worklist("approvals", _l("Awaiting my approval"), "", ("3.1.7", "3.2.2", "4.1.2", "7.2"), approvals),
    Worklist("waiting-for-others", _l("Waiting for others"), "", ("3.1.7", "4.1.2", "7.2"), waiting_for_others),
    Worklist("return-visits", _l("Return visits due"), "Visit", ("2.2.2",), return_visits),
    Worklist("late-orders", _l("Late orders"), "SalesOrder", ("3.2",), late_orders),
    Worklist("due-this-week", _l("Receivables due this week"), "Receivable", ("3.3.1",), due_this_week),
    Worklist("aging", _l("Overdue by aging bucket"), "Receivable", ("2.5.3",), aging),
    Worklist("collection-todo", _l("My collection to-do"), "DunningRecord", ("3.3.2",), collection_todo),
    Worklist("overdue-tickets", _l("Overdue service tickets"), "ServiceTicket", ("3.4",), overdue_tickets),
    Worklist("recurring-causes", _l("Recurring causes"), "RootCause", ("2.6.2", "3.4.7"), recurring_causes),
    Worklist("attendance-exceptions", _l("Attendance exceptions"), "Attendance", ("4.1.1",),
             attendance_exceptions),
    Worklist("late-leave", _l("Leave requested late"), "LeaveRequest", ("4.1.2",), late_leave),
)
BY_SLUG = {w.name: w for w in WORKLISTS}


def count_rows(wl, day) -> int:
    """How many rows a work list has: what its pages list altogether."""
    g.worklist_counting = True
    try:
        data = wl.build(day)
        return g.pop("worklist_total", None) if "worklist_total" in g else len(data["rows"])
    finally:
        g.pop("worklist_counting", None)
        g.pop("worklist_total", None)


def counts(lists) -> dict[str, int]:
    day = today()
    return {wl.name: count_rows(wl, day) for wl in lists}


def waiting_for_me() -> int:
    """The navbar's badge: records waiting for the current user's decision (once per request)."""
    if "_portal_waiting" not in g:
        g._portal_waiting = queries.count_waiting_for_me() if current_actor().user_id else 0
    return g._portal_waiting


def install(app) -> None:
    app.add_template_global(waiting_for_me, "portal_waiting_for_me")


def visible_worklists():
    actor = current_actor()
    return [w for w in WORKLISTS if not w.entity or actor.may(w.entity, "read")]


class WorklistView(BaseView):
    route_base = "/worklists"
    default_view = "index"

    @expose("/")
    @login_required
    def index(self):
        lists = visible_worklists()
        return self.render_template("portal/worklists.html", lists=lists, current=None,
                                    data=None, display=display, counts=counts(lists))

    @expose("/<string:name>")
    @login_required
    def show(self, name):
        wl = BY_SLUG.get(name)
        if wl is None or wl not in visible_worklists():
            abort(404)
        data = wl.build(today())
        pager = g.get("worklist_pager")
        return self.render_template("portal/worklists.html", lists=visible_worklists(), current=wl,
                                    data=data, display=display,
                                    counts={wl.name: pager["total"] if pager else len(data["rows"])})

    @expose("/<string:name>/export.xlsx")
    @login_required
    def export(self, name):
        """The whole list (and its summary) as XLSX with headers in the UI language."""
        wl = BY_SLUG.get(name)
        if wl is None or wl not in visible_worklists():
            abort(404)
        data = wl.build(today())
        title = f"{wl.label}: {data['chosen']}" if data.get("chosen") else str(wl.label)
        return worklist_xlsx(title, data, basename=name)


__all__ = ["WORKLISTS", "WorklistView"]
