"""Work lists: what needs doing, per user, each through the user's read scope.

One ``Worklist`` per list users expect from the regulation (awaiting my approval, return visits
due 2.2.2, late orders 3.2, receivables due this week and overdue by bucket 2.5.3, my collection
to-do 3.3.2, overdue tickets by severity and recurring causes 3.4, attendance exceptions and late
leave requests 4.1). Each formats the rows of one scoped query of ``app.queries`` (plus one for a
summary) and builds their links; one template shows them. A paged list is given the ``Window`` of
rows to fetch (a page with its total, every row for the export, only the count for the index).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import abort, g, request, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from .. import clock, policy
from ..clock import today
from ..display import display, record_url
from ..labels import BUCKET_LABELS, DUNNING_LABELS
from ..models.policy import PolicyKey
from ..models.service import Severity
from ..queries import activities, people
from ..queries import collection as receivables
from ..queries import worklists as work
from ..queries.paging import Window, fetch
from ..registry import BY_NAME
from ..security.scope import current_actor
from ..services import collection
from ..workflow.definitions import WORKFLOWS
from .export import worklist_xlsx

LIMIT = 200  # candidate rows per entity in the approvals list
PAGE = 100  # rows per page of a work list
EXPORT_ROWS = 50_000  # a paged list's rows in its export (as the XLSX export of a list caps it)
COUNT_ONLY = Window(limit=0, counted=True)  # the index: how many rows each list has, no rows


@dataclass(frozen=True)
class Worklist:
    name: str
    label: object
    entity: str  # the user needs read access to it to see the list
    clauses: tuple[str, ...]
    build: Callable  # (today[, window]) -> {"columns": [...], "rows": [...], "summary": [...], "total": n}
    paged: bool = True  # build takes a Window of the rows; else it lists every row, and no total

    def data(self, day, window: Window) -> dict:
        return self.build(day, window) if self.paged else self.build(day)


def total_rows(data: dict) -> int:
    """How many rows a list has altogether: counted in SQL when paged, else the rows listed."""
    total = data.get("total")
    return len(data["rows"]) if total is None else total


def _row(entity_name, obj, **values):
    return {"url": record_url(entity_name, obj.id), "values": values}


def _cols(entity_name, *names):
    labels = BY_NAME[entity_name].column_labels(names)
    return [(n, labels.get(n, n)) for n in names]


def _waiting_rows(day, name, entity, wf, objs, by, names, kind=None, state=None):
    """Approval rows: the record, its customer and amount, who submitted it and since when."""
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
    for name, entity, wf, mine, by in work.waiting_for_decision(actor, LIMIT):
        rows += _waiting_rows(day, name, entity, wf, mine, by, people.employee_names(by.values()))
    waiting, by = work.sign_offs_missing(actor, LIMIT)
    names = people.employee_names(by.values()) if waiting else {}
    for o, missing in waiting:
        rows += _waiting_rows(day, "SalesOrder", BY_NAME["SalesOrder"], WORKFLOWS["SalesOrder"], [o], by, names,
                              kind=_l("Order review sign-off"),
                              state=", ".join(sorted(str(d.label) for d in missing)))
    return {"columns": _WAITING_COLS, "rows": rows}


def waiting_for_others(day):
    """Records the user can read that wait for someone else's decision (their own requests, their
    team's): the same approval states, without those waiting for the user."""
    for_me = {r["url"] for r in approvals(day)["rows"]}
    rows = []
    for name, entity, wf, found, by in work.in_approval_states(current_actor(), LIMIT):
        found = [o for o in found if record_url(name, o.id) not in for_me]
        rows += _waiting_rows(day, name, entity, wf, found, by, people.employee_names(by.get(o.id) for o in found))
    return {"columns": _WAITING_COLS, "rows": rows}


def return_visits(day, window):
    items, total = fetch(work.return_visits_query(day), window)
    rows = [_row("Visit", v, customer=str(v.customer), visit_date=v.visit_date, next_date=v.next_date,
                 next_action=v.next_action, overdue=v.next_date < day) for v in items]
    return {"columns": [*_cols("Visit", "customer", "visit_date", "next_date", "next_action"),
                        ("overdue", _l("Overdue"))], "rows": rows, "total": total}


def without_follow_up(day, window):
    """2.2.2: customers with no planned activity and no recent visit."""
    items, total = fetch(activities.without_follow_up_query(day), window)
    rows = [_row("Customer", c, code=c.code, name=c.name, stage=c.stage, owner=c.owner.display_name)
            for c in items]
    return {"columns": _cols("Customer", "code", "name", "stage", "owner"), "rows": rows, "total": total}


def late_orders(day, window):
    items, total = fetch(work.late_orders_query(day), window)
    rows = [_row("SalesOrder", o, number=o.number, customer=str(o.customer), status=o.status,
                 promised_date=o.promised_date, days_late=(day - o.promised_date).days) for o in items]
    return {"columns": [*_cols("SalesOrder", "number", "customer", "status", "promised_date"),
                        ("days_late", _l("Days late"))], "rows": rows, "total": total}


def _receivable_rows(receivables, day):
    """Receivable rows with the days overdue and the dunning level those call for (3.3.2)."""
    level_days = policy.get(PolicyKey.dunning_level_days)
    rows = []
    for r in receivables:
        days = collection.days_overdue(r.due_date, day)
        level = collection.dunning_level(days, level_days)
        rows.append(_row("Receivable", r, number=r.number, customer=str(r.customer), due_date=r.due_date,
                         outstanding=r.outstanding, days_overdue=days,
                         dunning_level=DUNNING_LABELS.get(level, "") if level else ""))
    return rows


_REC_COLS = [*_cols("Receivable", "number", "customer", "due_date", "outstanding"),
             ("days_overdue", _l("Days overdue")), ("dunning_level", _l("Dunning level"))]


def due_this_week(day, window):
    items, total = fetch(receivables.due_this_week_query(day), window)
    return {"columns": _REC_COLS, "rows": _receivable_rows(items, day), "total": total}


def aging(day, window):
    """2.5.3: outstanding by aging bucket (summary in one aggregate query), and the receivables
    of the chosen bucket."""
    sums = receivables.outstanding_by_bucket(day)
    summary = [{"key": b, "label": BUCKET_LABELS[b], "count": sums.get(b, (0, 0))[0],
                "amount": sums.get(b, (0, 0))[1] or 0, "url": url_for(".show", name="aging", bucket=b)}
               for b, *_ in collection.BUCKETS]
    chosen = request.args.get("bucket", "d1_30")
    if chosen not in BUCKET_LABELS:
        abort(400)
    items, total = fetch(receivables.overdue_in_bucket_query(day, chosen), window)
    return {"columns": _REC_COLS, "rows": _receivable_rows(items, day), "total": total,
            "summary": summary, "chosen": BUCKET_LABELS[chosen], "rates": collection_rates(day)}


def collection_rates(day):
    """2.5.3 collection rate (collected ÷ due) for this month, last month and the year so far:
    the amounts and the rate in percent (None when nothing was due), for the page to format."""
    month = day.replace(day=1)
    last_month = (month - timedelta(days=1)).replace(day=1)
    periods = ((_l("This month"), month, day), (_l("Last month"), last_month, month - timedelta(days=1)),
               (_l("Year to date"), day.replace(month=1, day=1), day))
    totals = receivables.collection_totals_by_period([(start, end) for _label, start, end in periods])
    return [{"label": label, "collected": collected, "due": due,
             "rate": collection.collection_rate(collected, due)}
            for (label, _start, _end), (collected, due) in zip(periods, totals, strict=True)]


def collection_todo(day, window):
    """3.3.2: overdue receivables for the user to dun, most overdue first, with the level the days
    overdue call for and the last contact."""
    if not current_actor().may("DunningRecord", "write"):
        return {"columns": _REC_COLS, "rows": [], "total": 0}
    items, total = fetch(receivables.collection_todo_query(day), window)
    rows = _receivable_rows([r for r, _last, _n in items], day)
    for row, (_r, last_on, n) in zip(rows, items, strict=True):
        row["values"].update(last_contact=last_on, dunning_count=n or 0)
    return {"columns": [*_REC_COLS, ("last_contact", _l("Last contact")), ("dunning_count", _l("Dunning records"))],
            "rows": rows, "total": total}


def overdue_tickets(day, window):
    """3.4: open tickets past their due date, counted by severity."""
    counts = work.overdue_tickets_by_severity(day)
    summary = [{"key": s.name, "label": s.label, "count": counts.get(s, 0)}
               for s in Severity]
    items, total = fetch(work.overdue_tickets_query(day), window)
    rows = [_row("ServiceTicket", t, number=t.number, customer=str(t.customer), severity=t.severity,
                 status=t.status, due_date=t.due_date, days_late=(day - t.due_date).days) for t in items]
    return {"columns": [*_cols("ServiceTicket", "number", "customer", "severity", "status", "due_date"),
                        ("days_late", _l("Days late"))], "rows": rows, "summary": summary, "total": total}


def recurring_causes(day):
    """2.6.2, 3.4.7: root-cause categories seen on more than one ticket in the last twelve months,
    per product, so that a recurring cause is visible across tickets."""
    rows = [{"url": url_for("RootCauseView.list", _flt_0_category=cat.name), "values": {
        "category": cat, "product": prod or "—", "tickets": n, "unverified": unverified or 0}}
        for cat, prod, n, unverified in work.recurring_causes(day, LIMIT)]  # one row per cause and product
    return {"columns": [*_cols("RootCause", "category", "product"), ("tickets", _l("Tickets")),
                        ("unverified", _l("Actions not yet verified"))], "rows": rows}


def attendance_exceptions(day, window):
    """4.1.1: late, left early and absent days of the last 30 days."""
    items, total = fetch(work.attendance_exceptions_query(day), window)
    rows = [_row("Attendance", a, employee=a.employee.display_name, work_date=a.work_date, check_in=a.check_in,
                 check_out=a.check_out, status=a.status) for a in items]
    return {"columns": _cols("Attendance", "employee", "work_date", "check_in", "check_out", "status"),
            "rows": rows, "total": total}


def late_leave(day, window):
    """4.1.2: leave requests submitted with less notice than the policy asks."""
    items, total = fetch(work.late_leave_query(), window)
    return {"columns": _cols("LeaveRequest", "employee", "leave_type", "start_date", "submitted_on", "status"),
            "rows": [_row("LeaveRequest", lr, employee=lr.employee.display_name, leave_type=lr.leave_type,
                          start_date=lr.start_date, submitted_on=lr.submitted_on, status=lr.status)
                     for lr in items], "total": total}


WORKLISTS: tuple[Worklist, ...] = (
    Worklist("approvals", _l("Awaiting my approval"), "", ("3.1.7", "3.2.2", "4.1.2", "7.2"), approvals,
             paged=False),
    Worklist("waiting-for-others", _l("Waiting for others"), "", ("3.1.7", "4.1.2", "7.2"), waiting_for_others,
             paged=False),
    Worklist("return-visits", _l("Return visits due"), "Visit", ("2.2.2",), return_visits),
    Worklist("no-follow-up", _l("Customers without follow-up"), "Customer", ("2.2.2",), without_follow_up),
    Worklist("late-orders", _l("Late orders"), "SalesOrder", ("3.2",), late_orders),
    Worklist("due-this-week", _l("Receivables due this week"), "Receivable", ("3.3.1",), due_this_week),
    Worklist("aging", _l("Overdue by aging bucket"), "Receivable", ("2.5.3",), aging),
    Worklist("collection-todo", _l("My collection to-do"), "DunningRecord", ("3.3.2",), collection_todo),
    Worklist("overdue-tickets", _l("Overdue service tickets"), "ServiceTicket", ("3.4",), overdue_tickets),
    Worklist("recurring-causes", _l("Recurring causes"), "RootCause", ("2.6.2", "3.4.7"), recurring_causes,
             paged=False),
    Worklist("attendance-exceptions", _l("Attendance exceptions"), "Attendance", ("4.1.1",),
             attendance_exceptions),
    Worklist("late-leave", _l("Leave requested late"), "LeaveRequest", ("4.1.2",), late_leave),
)
BY_SLUG = {w.name: w for w in WORKLISTS}


def counts(lists) -> dict[str, int]:
    """How many rows each work list has: what its pages list altogether."""
    day = today()
    return {wl.name: total_rows(wl.data(day, COUNT_ONLY)) for wl in lists}


def waiting_for_me() -> int:
    """The navbar's badge: records waiting for the current user's decision. A template global the
    navbar calls; g only keeps the count for the rest of the request (a cache, not a channel)."""
    if "_portal_waiting" not in g:
        g._portal_waiting = work.count_waiting_for_me() if current_actor().user_id else 0
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
        page = _page_number() if wl.paged else 1  # a list that is not paged ignores ?page=
        data = wl.data(today(), Window(offset=(page - 1) * PAGE, limit=PAGE, counted=True))
        total = total_rows(data)
        return self.render_template("portal/worklists.html", lists=visible_worklists(), current=wl,
                                    data=data, display=display, counts={wl.name: total},
                                    pager=_pager(name, page, total) if wl.paged else None)

    @expose("/<string:name>/export.xlsx")
    @login_required
    def export(self, name):
        """The whole list (and its summary) as XLSX with headers in the UI language."""
        wl = BY_SLUG.get(name)
        if wl is None or wl not in visible_worklists():
            abort(404)
        data = wl.data(today(), Window(limit=EXPORT_ROWS))
        title = f"{wl.label}: {data['chosen']}" if data.get("chosen") else str(wl.label)
        return worklist_xlsx(title, data, basename=name)


def _page_number() -> int:
    """The page asked for (``?page=N``, from 1); 400 when it is not a number."""
    try:
        return max(int(request.args.get("page", 1)), 1)
    except ValueError:
        abort(400)


def _pager(name, page, total) -> dict:
    """The pager under a paged list: where the user is, and the links to the pages around."""
    args = {k: v for k, v in request.args.items() if k != "page"}
    return {
        "page": page, "total": total, "pages": (total - 1) // PAGE + 1,
        "prev": url_for(".show", name=name, page=page - 1, **args) if page > 1 else None,
        "next": url_for(".show", name=name, page=page + 1, **args) if page * PAGE < total else None,
    }


__all__ = ["WORKLISTS", "WorklistView"]
