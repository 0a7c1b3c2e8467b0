"""The state machines of the regulation, as data: one ``Workflow`` per entity with a status.

Each ``Step`` says from which states it may be taken, to which state it leads, which right over the
row it needs (``write``, or ``approve`` for decisions; the scope comes from the access matrix),
which roles may take it when the right alone is too broad (a supervisor's approval is not finance's),
which record fields the user must fill in, whether a comment is required, and whether it is an
approval that nobody may take on their own record or request. ``when`` is a precondition on the
row (returns the refusal message or None), ``effect`` what the step also does (an approval record,
dates). The engine (``app.workflow.engine``) is the only code that changes these fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import credit, policy, terms
from .. import models as m
from ..appraisal import freeze
from ..models.policy import PolicyKey
from ..notify import DECIDERS, REQUESTER, SIGNERS
from ..registry import BY_NAME
from ..rules import legal_allowed, legal_refusal
from ..security.matrix import ADMIN, FINANCE, HR, SUPERVISOR
from ..security.scope import actor_reaches, current_actor
from ..services.collection import derive_status

NONE, OPTIONAL, REQUIRED = "none", "optional", "required"


@dataclass(frozen=True)
class Step:
    name: str
    label: object
    source: tuple[str, ...]
    target: str
    verb: str = "write"
    roles: tuple[str, ...] = ()  # empty: any role holding the verb over the row
    fields: tuple[str, ...] = ()  # record fields entered at this step, all required
    comment: str = OPTIONAL
    approval: bool = False  # never on one's own record, nor on a request one made oneself
    when: Callable | None = None  # (row, ctx) -> refusal message or None
    effect: Callable | None = None  # (row, ctx) -> None, after the state is set
    route: Callable | None = None  # (row, ctx) -> target state, when it depends on the row
    style: str = "default"
    # Who is told when the step is taken (``app.notify``): DECIDERS of the state it leads to,
    # the REQUESTER of what it decides, the order's SIGNERS, the OWNER, their SUPERVISOR.
    tell: tuple[str, ...] = ()

    def open_to(self, roles) -> bool:
        """Whether a user of ``roles`` may take the step (its verb over the row aside): any role
        when the step names none, else one of those it names, or the administrator."""
        return not self.roles or bool((set(self.roles) | {ADMIN}) & set(roles))


@dataclass(frozen=True)
class Workflow:
    entity: str
    field: str
    steps: tuple[Step, ...]
    # States in which the record itself may no longer be edited or deleted (a submitted contract,
    # a closed cycle); only its steps move it on.
    locked: tuple[str, ...] = ()
    # Who is told when a record is created in a state an approval step starts from (a proposed
    # penalty): see ``Step.tell``.
    created_tell: tuple[str, ...] = ()
    by_name: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "by_name", {s.name: s for s in self.steps})

    def states(self) -> set[str]:
        return {s for st in self.steps for s in (*st.source, st.target)}


@dataclass
class Context:
    """What a precondition or effect may use: the session, the acting employee, today, the
    comment and the policy figures."""

    session: object
    employee_id: int | None
    today: date
    comment: str | None


# --- preconditions and effects --------------------------------------------------------------


def _count(ctx, model, *where) -> int:
    return ctx.session.scalar(select(func.count()).select_from(model).where(*where))


def _has_quotation(c, ctx):
    if not _count(ctx, m.Quotation, m.Quotation.customer_id == c.id):
        return _l("Record a quotation for this customer first (3.1.5).")


def _has_signed_contract(c, ctx):
    if not _count(ctx, m.Contract, m.Contract.customer_id == c.id,
                  m.Contract.status.in_([m.contracts.ContractStatus.signed, m.contracts.ContractStatus.executing,
                                           m.contracts.ContractStatus.fulfilled])):
        return _l("The customer needs a signed contract first (3.1.7).")


def _quotation_sendable(q, ctx):
    if not q.lines:
        return _l("Add at least one line to the quotation first.")
    if q.valid_until < ctx.today:
        return _l("The quotation's validity has passed; change the date first.")


def _quotation_expired(q, ctx):
    if q.valid_until >= ctx.today:
        return _l("The quotation is still valid.")


def _threshold():
    return policy.get(PolicyKey.contract_finance_threshold)


def _contract_route(c, ctx):
    """3.1.7: above the threshold the contract also needs finance approval; so does one whose
    customer's credit it would strain or whose risk is high (3.3.3, ``app.credit``)."""
    return "finance_review" if c.amount > _threshold() or credit.of_document(c) else "approved"


def _order_route(o, ctx):
    """3.3.3: an order for a customer whose credit it would strain, or whose risk is high, goes to
    finance's credit review before the departments' (``app.credit``)."""
    return "credit_review" if credit.of_document(o) else "under_review"


def _terms_add_up(c, ctx):
    """2.3.2, 2.5.1: a contract's payment instalments come to its amount."""
    return terms.refusal(c)


def _receivables_at(bases):
    """2.5.1: the event raises the receivables of the instalments counted from it (``app.terms``):
    a contract's signing, an order's shipment (its last shipment's date) or delivery."""
    def effect(row, ctx):
        if isinstance(row, m.Contract):
            terms.raise_for(row, bases, row.sign_date or ctx.today)
        elif row.contract is not None:
            if bases == terms.AT_SHIPMENT:
                day = ctx.session.scalar(select(func.max(m.Shipment.shipped_on)).where(
                    m.Shipment.order_id == row.id))
            else:
                day = row.delivered_date
            terms.raise_for(row.contract, bases, day or ctx.today, order=row)
    return effect


def _record_approval(level, verdict):
    def effect(c, ctx):
        ctx.session.add(m.ContractApproval(
            contract=c, approver_id=ctx.employee_id, level=m.contracts.ApprovalLevel[level],
            verdict=m.contracts.Verdict[verdict], comment=ctx.comment))
    return effect


def _reviews_feasible(o, ctx):
    """3.2.2: the order is scheduled only when every required department found it feasible."""
    required = set(policy.get(PolicyKey.order_review_departments))
    rows = ctx.session.execute(
        select(m.OrderReview.department, m.OrderReview.verdict).where(m.OrderReview.order_id == o.id)
    ).all()
    if any(v is m.orders.Feasibility.not_feasible for _d, v in rows):
        return _l("A department found the order not feasible.")
    missing = required - {d for d, _v in rows}
    if missing:
        names = ", ".join(sorted(str(d.label) for d in missing))
        return _l("Sign-off missing from: %(departments)s.", departments=names)


def _has_shipment(o, ctx):
    if not _count(ctx, m.Shipment, m.Shipment.order_id == o.id):
        return _l("Record the shipment first (3.2.6).")


def _legal_allowed(r, ctx):
    if not legal_allowed(r):
        return legal_refusal()


def _open_legal_case(r, ctx):
    ctx.session.add(m.LegalCase(receivable=r, status=m.receivables.LegalStatus.review,
                                notes=ctx.comment))


def _derived_receivable_state(r, ctx):
    paid = ctx.session.scalar(m.receivables.paid_total(r.id))
    return derive_status(r.amount, paid, r.due_date, ctx.today, "open")


def _ticket_due(t, ctx):
    """3.4.2: once assessed, a ticket is due within the days its severity allows."""
    if t.due_date is None:
        days = policy.get(PolicyKey.ticket_due_days)[t.severity]
        t.due_date = max(t.reported_on, ctx.today) + timedelta(days=days)


def _close_ticket(t, ctx):
    t.closed_on = ctx.today


def _submit_leave(lr, ctx):
    lr.submitted_on = ctx.today


def _decide_leave(lr, ctx):
    lr.approver_id = ctx.employee_id


def _freeze_appraisal(cycle, ctx):
    """6.2: closing freezes every scorecard; later changes to orders do not alter it."""
    freeze(cycle)


def _decide_penalty(p, ctx):
    p.approver_id = ctx.employee_id


def _activity_customer(a):
    """The customer an activity is about: its own, or its document's."""
    return a.customer or next((getattr(a, rel).customer for rel, _col in m.activities.SUBJECTS
                               if rel != "customer" and getattr(a, rel) is not None), None)


def _visit_recordable(a, ctx):
    """2.2.2: a visit done is also the customer's visit record, so whoever marks it done must be
    allowed to record that customer's visits (the activity's own scope is its assignee's)."""
    if a.kind is not m.activities.ActivityKind.visit or ctx.employee_id is None:
        return None
    customer = _activity_customer(a)
    if customer is not None and not actor_reaches(current_actor(), BY_NAME["Visit"], "write", customer.owner_id):
        return _l("You may not record a visit for this customer; mark the activity done as another kind.")


def _activity_done(a, ctx):
    """An activity done records when; a visit done is also the customer's visit record (2.2.2),
    its summary the outcome."""
    a.done_on = ctx.today
    if a.kind is m.activities.ActivityKind.visit:
        customer = _activity_customer(a)
        if customer is not None:
            ctx.session.add(m.Visit(customer=customer, visit_date=ctx.today,
                                    kind=m.customers.VisitKind.return_visit, summary=a.outcome))


# --- the workflows --------------------------------------------------------------------------

S = m.customers.Stage
_FUNNEL = [s.name for s in S if s is not S.lost]
_STAGE_WHEN = {"quoted": _has_quotation, "contracted": _has_signed_contract}

CUSTOMER = Workflow("Customer", "stage", (
    *(Step(f"to_{b}", S[b].label, (a,), b, when=_STAGE_WHEN.get(b), style="primary")
      for a, b in zip(_FUNNEL, _FUNNEL[1:], strict=False)),
    Step("lose", _l("Mark as lost"), tuple(_FUNNEL[:-1]), "lost", fields=("lost_reason",),
         style="danger"),
    Step("reopen", _l("Reopen"), ("lost",), "research"),
))

QUOTATION = Workflow("Quotation", "status", (
    Step("send", _l("Send to customer"), ("draft",), "sent", when=_quotation_sendable, style="primary"),
    Step("accept", _l("Record acceptance"), ("sent",), "accepted", style="primary"),
    Step("decline", _l("Record decline"), ("sent",), "rejected", comment=REQUIRED),
    Step("expire", _l("Mark expired"), ("sent",), "expired", when=_quotation_expired),
    Step("revise", _l("Revise"), ("rejected", "expired"), "draft"),
), locked=("sent", "accepted", "rejected", "expired"))

CONTRACT = Workflow("Contract", "status", (
    Step("submit", _l("Submit for approval"), ("draft",), "submitted", when=_terms_add_up, style="primary",
         tell=(DECIDERS,)),
    Step("approve", _l("Approve"), ("submitted",), "approved", verb="approve", roles=(SUPERVISOR,),
         approval=True, route=_contract_route, effect=_record_approval("supervisor", "approved"),
         style="success", tell=(REQUESTER, DECIDERS)),
    Step("reject", _l("Reject"), ("submitted",), "rejected", verb="approve", roles=(SUPERVISOR,),
         approval=True, comment=REQUIRED, effect=_record_approval("supervisor", "rejected"),
         style="danger", tell=(REQUESTER,)),
    Step("finance_approve", _l("Approve (finance)"), ("finance_review",), "approved", verb="approve",
         roles=(FINANCE,), approval=True, effect=_record_approval("finance", "approved"),
         style="success", tell=(REQUESTER,)),
    Step("finance_reject", _l("Reject (finance)"), ("finance_review",), "rejected", verb="approve",
         roles=(FINANCE,), approval=True, comment=REQUIRED,
         effect=_record_approval("finance", "rejected"), style="danger", tell=(REQUESTER,)),
    Step("revise", _l("Revise"), ("rejected",), "draft"),
    Step("sign", _l("Sign contract"), ("approved",), "signed", fields=("sign_date",),
         effect=_receivables_at(terms.AT_SIGNING), style="primary"),
    Step("execute", _l("Start execution"), ("signed",), "executing"),
    Step("fulfil", _l("Mark fulfilled"), ("executing",), "fulfilled"),
    Step("terminate", _l("Terminate"), ("signed", "executing"), "terminated", verb="approve",
         roles=(SUPERVISOR,), comment=REQUIRED, style="danger"),
), locked=("submitted", "finance_review", "approved", "signed",
            "executing", "fulfilled", "terminated"))

SALES_ORDER = Workflow("SalesOrder", "status", (
    Step("review", _l("Start order review"), ("received",), "under_review", route=_order_route,
         style="primary", tell=(SIGNERS, DECIDERS)),
    Step("credit_approve", _l("Approve credit"), ("credit_review",), "under_review", verb="approve",
         roles=(FINANCE,), approval=True, style="success", tell=(REQUESTER, SIGNERS)),
    Step("credit_reject", _l("Refuse credit"), ("credit_review",), "cancelled", verb="approve",
         roles=(FINANCE,), approval=True, comment=REQUIRED, style="danger", tell=(REQUESTER,)),
    Step("schedule", _l("Schedule production"), ("under_review",), "scheduled",
         when=_reviews_feasible, style="primary"),
    Step("purchase", _l("Start purchasing"), ("scheduled",), "purchasing"),
    Step("produce", _l("Start production / QC"), ("scheduled", "purchasing"), "in_production"),
    Step("ship", _l("Ship order"), ("in_production",), "shipped", when=_has_shipment,
         effect=_receivables_at(terms.AT_SHIPMENT), style="primary"),
    Step("deliver", _l("Confirm delivery"), ("shipped",), "delivered", fields=("delivered_date",),
         effect=_receivables_at(terms.AT_DELIVERY), style="primary"),
    Step("cancel", _l("Cancel order"),
         ("received", "credit_review", "under_review", "scheduled", "purchasing", "in_production"), "cancelled",
         comment=REQUIRED, style="danger"),
), locked=("delivered", "cancelled"))

SHIPMENT = Workflow("Shipment", "status", (
    Step("transit", _l("Mark in transit"), ("shipped",), "in_transit"),
    Step("deliver", _l("Confirm delivery"), ("shipped", "in_transit"), "delivered", fields=("delivered_on",),
         style="primary"),
    Step("return", _l("Record return"), ("shipped", "in_transit"), "returned", comment=REQUIRED,
         style="danger"),
))

_COLLECTING = ("open", "partially_paid", "overdue")
RECEIVABLE = Workflow("Receivable", "status", (
    Step("start_legal", _l("Start legal action"), _COLLECTING, "in_legal", verb="approve",
         roles=(FINANCE,), comment=REQUIRED, when=_legal_allowed, effect=_open_legal_case,
         style="danger"),
    Step("request_write_off", _l("Request write-off"), (*_COLLECTING, "in_legal"),
         "write_off_pending", comment=REQUIRED, tell=(DECIDERS,)),
    Step("approve_write_off", _l("Approve write-off"), ("write_off_pending",), "written_off",
         verb="approve", roles=(FINANCE,), approval=True, style="danger", tell=(REQUESTER,)),
    Step("reject_write_off", _l("Reject write-off"), ("write_off_pending",), "open", verb="approve",
         roles=(FINANCE,), approval=True, comment=REQUIRED, route=_derived_receivable_state,
         tell=(REQUESTER,)),
), locked=("write_off_pending", "written_off"))

LEGAL_CASE = Workflow("LegalCase", "status", (
    Step("file", _l("File with the court"), ("review",), "filed", fields=("filed_on", "counsel"),
         style="primary"),
    Step("judge", _l("Record judgment"), ("filed",), "judgment"),
    Step("enforce", _l("Start enforcement"), ("judgment",), "enforcement"),
    Step("close", _l("Close case"), ("review", "filed", "judgment", "enforcement"), "closed",
         fields=("amount_recovered",), comment=REQUIRED),
), locked=("closed",))

SERVICE_TICKET = Workflow("ServiceTicket", "status", (
    Step("assess", _l("Assess"), ("received",), "assessed", effect=_ticket_due, style="primary"),
    Step("coordinate", _l("Coordinate departments"), ("assessed",), "coordinating",
         fields=("departments",), style="primary"),
    Step("define_solution", _l("Define solution"), ("coordinating",), "solution_defined",
         fields=("solution",), style="primary"),
    Step("implement", _l("Start implementing"), ("solution_defined",), "implementing", style="primary"),
    Step("request_confirmation", _l("Ask customer to confirm"), ("implementing",),
         "awaiting_confirmation", style="primary"),
    Step("close", _l("Close ticket"), ("awaiting_confirmation",), "closed",
         fields=("satisfaction", "summary"), effect=_close_ticket, style="success"),
    Step("reopen", _l("Not resolved: back to implementing"), ("awaiting_confirmation",),
         "implementing", comment=REQUIRED),
), locked=("closed",))

LEAVE = Workflow("LeaveRequest", "status", (
    Step("submit", _l("Submit"), ("draft",), "submitted", effect=_submit_leave, style="primary",
         tell=(DECIDERS,)),
    Step("approve", _l("Approve"), ("submitted",), "approved", verb="approve", approval=True,
         effect=_decide_leave, style="success", tell=(REQUESTER,)),
    Step("reject", _l("Reject"), ("submitted",), "rejected", verb="approve", approval=True,
         comment=REQUIRED, effect=_decide_leave, style="danger", tell=(REQUESTER,)),
    Step("cancel", _l("Cancel"), ("draft", "submitted", "approved"), "cancelled"),
), locked=("submitted", "approved", "rejected", "cancelled"))

PENALTY = Workflow("Penalty", "status", (
    Step("approve", _l("Approve"), ("proposed",), "approved", verb="approve", roles=(HR,),
         approval=True, effect=_decide_penalty, style="success", tell=(REQUESTER,)),
    Step("reject", _l("Reject"), ("proposed",), "rejected", verb="approve", roles=(HR,),
         approval=True, comment=REQUIRED, effect=_decide_penalty, style="danger", tell=(REQUESTER,)),
), locked=("approved", "rejected"), created_tell=(DECIDERS,))

COUNTERMEASURE = Workflow("Countermeasure", "status", (
    Step("adopt", _l("Adopt"), ("proposed",), "adopted", verb="approve", approval=True,
         style="success", tell=(REQUESTER,)),
    Step("reject", _l("Reject"), ("proposed",), "rejected", verb="approve", approval=True,
         comment=REQUIRED, style="danger", tell=(REQUESTER,)),
    Step("complete", _l("Mark done"), ("adopted",), "done"),
), locked=("rejected", "done"), created_tell=(DECIDERS,))

CYCLE = Workflow("AppraisalCycle", "status", (
    Step("start_scoring", _l("Start scoring"), ("open",), "scoring", style="primary"),
    Step("calibrate", _l("Start calibration"), ("scoring",), "calibration", style="primary"),
    Step("close", _l("Close cycle"), ("calibration",), "closed", verb="approve",
         effect=_freeze_appraisal, style="danger"),
), locked=("closed",))

TRAINING_PLAN = Workflow("TrainingPlan", "status", (
    Step("approve", _l("Approve"), ("draft",), "approved", verb="approve", approval=True,
         style="success", tell=(REQUESTER,)),
), locked=("approved",), created_tell=(DECIDERS,))

TRAINING_ITEM = Workflow("TrainingItem", "status", (
    Step("hold", _l("Mark held"), ("planned",), "held", style="primary"),
    Step("assess", _l("Assess"), ("held",), "assessed", style="primary"),
    Step("cancel", _l("Cancel"), ("planned",), "cancelled", comment=REQUIRED, style="danger"),
))

ACTIVITY = Workflow("Activity", "status", (
    Step("done", _l("Mark done"), ("planned",), "done", fields=("outcome",), when=_visit_recordable,
         effect=_activity_done, style="success"),
    Step("cancel", _l("Cancel"), ("planned",), "cancelled", style="danger"),
), locked=("done", "cancelled"))

WORKFLOWS: dict[str, Workflow] = {w.entity: w for w in (
    ACTIVITY, CUSTOMER, QUOTATION, CONTRACT, SALES_ORDER, SHIPMENT, RECEIVABLE, LEGAL_CASE, SERVICE_TICKET,
    LEAVE, PENALTY, COUNTERMEASURE, CYCLE, TRAINING_PLAN, TRAINING_ITEM,
)}
