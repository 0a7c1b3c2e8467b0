"""Business rules checked before a row is written, and figures derived when it is flushed.

``check(item)`` returns field → message for rules that involve more than one column or row
(called by ``validation.check_item`` for forms, API, transitions and commands alike). ``install()``
adds a ``before_flush`` hook that keeps derived columns right whoever writes: a receivable's status
from its payments (2.5.1), an attendance day's status from the clock (4.1.1) and the due date a
settlement notice announces (3.3.1), and the number of a new document left without one
(``app.numbering``).

A rule that reads other rows first locks the parent they hang off (``app.locks.lock``: the
receivable of a payment, the employee of a leave request, the order of a line), so that two
simultaneous writes are checked one after the other, each against what the other committed.
Values that must be unique are looked up first (a field message), and the database's unique
constraints refuse whatever slips past at the same moment (409, ``app.locks.Conflict``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from flask import has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import UniqueConstraint, event, func, inspect, select
from sqlalchemy.orm import RelationshipDirection, Session

from . import credit, locks, numbering, policy
from . import models as m
from .clock import today
from .extensions import db
from .formats import QUANTITY, number
from .models.policy import PolicyKey
from .registry import BY_MODEL, BY_NAME
from .security.matrix import ADMIN, FINANCE
from .security.scope import actor_reaches, anchor_employee_id, build_actor, current_actor
from .services import collection, conduct
from .services.appraisal import DEFAULTS as APPRAISAL_DEFAULTS
from .services.appraisal import SETTINGS_MAX, settings_errors
from .validation import MSG_POSITIVE, MSG_REQUIRED, ValidationFailure, value_errors

REQUIRED = MSG_REQUIRED  # one message for a missing value, whoever finds it
TAKEN = _l("Already used by another record.")
CLAUSE_ID = re.compile(r"^\d+(\.\d+){0,3}$")

_RULES: dict[type, list[Callable]] = {}


def rule(model):
    def register(fn):
        _RULES.setdefault(model, []).append(fn)
        return fn
    return register


def changed(item) -> bool:
    """New, or loaded and modified: rules about what may be written now skip untouched rows."""
    state = inspect(item)
    return not state.persistent or _session(item).is_modified(item)


def check_item(item) -> None:
    """Re-check an object about to be written (forms, API, workflow steps, commands): each value
    against its column, ranges and date order, then, when each value is sane, the rules spanning
    rows. Raises ``ValidationFailure`` with the messages by field."""
    errors = value_errors(item) or check(item)
    if errors:
        raise ValidationFailure(errors)


def check(item, unique: bool = True) -> dict[str, str]:
    """The rules spanning rows; ``unique=False`` leaves out the lookup of values that must be
    unique (an import finds its duplicates for all its rows at once)."""
    errors: dict[str, str] = {}
    for fn in (*_RULES.get(type(item), ()), *((_unique_taken,) if unique else ())):
        for key, msg in (fn(item) or {}).items():
            errors.setdefault(key, str(msg))
    return errors


def _unique_sets(model) -> list[tuple]:
    """The column sets of ``model`` that must be unique (single columns and constraints)."""
    table = model.__table__
    sets = [(c,) for c in table.columns if c.unique and not c.primary_key]
    sets += [tuple(con.columns) for con in table.constraints if isinstance(con, UniqueConstraint)]
    return sets


def _field_of(model, columns) -> str:
    """The form / API field a unique clash is reported on: its first plain column, else the
    relationship of its last foreign key (``employee`` for (cycle_id, employee_id))."""
    plain = [c for c in columns if not c.foreign_keys]
    if plain:
        return plain[0].key
    col = columns[-1]
    for rel in inspect(model).relationships:
        if rel.direction is RelationshipDirection.MANYTOONE and col in rel.local_columns:
            return rel.key
    return col.key


def _column_value(item, col):
    """A column's value, a foreign key read from its related object when only that is set (as
    forms and the API do) and not yet flushed."""
    value = getattr(item, col.key, None)
    if value is None and col.foreign_keys:
        for rel in inspect(type(item)).relationships:
            if rel.direction is RelationshipDirection.MANYTOONE and col in rel.local_columns:
                target = getattr(item, rel.key, None)
                if target is not None:
                    remote = next(r for loc, r in rel.local_remote_pairs if loc is col)
                    value = getattr(target, remote.key, None)
    return value


def _unique_taken(item):
    """A value that must be unique and is already another row's: refused on its field (422)
    before the database would refuse it."""
    model = type(item)
    state = inspect(item)
    out = {}
    for columns in _unique_sets(model):
        values = [_column_value(item, c) for c in columns]
        if any(v is None for v in values):
            continue
        if state.persistent and not any(state.attrs[c.key].history.has_changes() for c in columns):
            continue
        query = select(model.id).where(*(c == v for c, v in zip(columns, values, strict=True)))
        if state.persistent:
            query = query.where(model.id != item.id)
        if _session(item).scalar(query.limit(1)) is not None:
            out[_field_of(model, columns)] = TAKEN
    return out


def _session(item):
    return db.session



@rule(m.Customer)
def _lost_needs_reason(c):
    if c.stage is m.customers.Stage.lost and not (c.lost_reason or "").strip():
        return {"lost_reason": REQUIRED}


@rule(m.Activity)
def _activity_on_one_record_not_in_the_past(a):
    """An activity is about one record; a new planned one is not due before today."""
    errors = {}
    subjects = [rel for rel, col in m.activities.SUBJECTS
                if getattr(a, rel) is not None or getattr(a, col) is not None]
    if len(subjects) != 1:
        errors["customer"] = _l("Choose the one record this activity is about.")
    if (not inspect(a).persistent and a.status in (None, m.activities.ActivityStatus.planned)
            and a.due_date is not None and a.due_date < today()):
        errors["due_date"] = _l("A planned activity cannot be due before today.")
    if len(subjects) == 1 and changed(a) and not _assignee_sees(a, subjects[0]):
        errors["assignee"] = _l("The person assigned cannot see this record.")
    return errors or None


def _assignee_sees(a, rel: str) -> bool:
    """Whether the activity's assignee may read the record it is about (an activity planned for a
    teammate on a customer they cannot open would be one they cannot do)."""
    session = _session(a)
    target = getattr(a, rel)
    if target is None:
        col = dict(m.activities.SUBJECTS)[rel]
        target = session.get(getattr(m.Activity, rel).property.mapper.class_, getattr(a, col))
    assignee = a.assignee if a.assignee is not None else (
        session.get(m.Employee, a.assignee_id) if a.assignee_id else None)
    if target is None or assignee is None:
        return True  # a missing reference is the form's own error
    user = session.get(m.User, assignee.user_id) if assignee.user_id else None
    if user is None or not user.active:
        return False
    entity = BY_MODEL[type(target)]
    anchor = anchor_employee_id(target, entity) if entity.anchor else None
    return actor_reaches(build_actor(user), entity, "read", anchor)


@rule(m.Payment)
def _no_overpayment(p):
    """2.5.1: a payment may not exceed what is outstanding (other payments counted, not itself)."""
    rec_id = p.receivable.id if p.receivable is not None else p.receivable_id
    if rec_id is None or p.amount is None or not changed(p):
        return None
    rec = locks.lock(m.Receivable, rec_id)  # payments of one receivable are checked in turn
    if rec is None:
        return None
    if rec.status in (m.receivables.ReceivableStatus.written_off, m.receivables.ReceivableStatus.write_off_pending):
        return {"receivable": _l("This receivable is written off or awaiting write-off.")}
    others = m.receivables.paid_total(rec_id)
    if p.id is not None:
        others = others.where(m.Payment.id != p.id)
    outstanding = Decimal(rec.amount) - Decimal(_session(p).scalar(others))
    if Decimal(p.amount) > outstanding:
        return {"amount": _l("More than the outstanding amount (%(amount)s).", amount=number(outstanding))}


@rule(m.Receivable)
def _amount_covers_payments(rec):
    """2.5.1: an invoice's amount is never lowered below what has been paid against it."""
    state = inspect(rec)
    if not state.persistent or rec.amount is None or not state.attrs["amount"].history.has_changes():
        return None
    locks.lock(rec)  # a payment being booked now is counted (its rule locks the same row)
    paid = Decimal(_session(rec).scalar(m.receivables.paid_total(rec.id)))
    if Decimal(rec.amount) < paid:
        return {"amount": _l("Less than already paid (%(amount)s).", amount=number(paid))}


@rule(m.QuotationLine)
def _quotation_still_draft(line):
    """3.1.5: a quotation sent to the customer is not changed behind its back."""
    q = line.quotation if line.quotation is not None else (
        _session(line).get(m.Quotation, line.quotation_id) if line.quotation_id else None)
    if q is not None and q.status.name not in BY_NAME["QuotationLine"].parent_lock[1] and changed(line):
        return {"quotation": _l("Only a draft quotation's lines can change.")}


def _parent(item, rel: str):
    """The row ``item`` hangs off by ``rel``: the related object, else the one its key names."""
    parent = getattr(item, rel)
    if parent is None:
        key = getattr(item, f"{rel}_id")
        model = inspect(type(item)).relationships[rel].mapper.class_
        parent = _session(item).get(model, key) if key else None
    return parent


@rule(m.ContractLine)
def _contract_still_draft(line):
    """2.3.2: a contract submitted for approval is signed as it was approved."""
    c = _parent(line, "contract")
    if c is None or not changed(line):
        return None
    if inspect(c).persistent:
        locks.lock(c)  # a submission at the same moment waits, or went first (and is read here)
    if c.status.name not in BY_NAME["ContractLine"].parent_lock[1]:
        return {"contract": _l("Only a draft contract's lines can change.")}


@rule(m.Contract)
def _amount_is_the_lines_total(c):
    """A contract with lines is worth their total (kept so at every flush, ``_before_flush``):
    an amount typed over it is refused rather than silently replaced."""
    if not c.lines or not inspect(c).attrs["amount"].history.has_changes():
        return None
    total = sum((line.amount for line in c.lines), Decimal(0)).quantize(Decimal("0.01"))
    if c.amount is not None and Decimal(c.amount) != total:
        return {"amount": _l("A contract with lines is worth their total (%(total)s).", total=number(total))}


@rule(m.PaymentInstalment)
def _instalment_within_the_contract(inst):
    """2.5.1: an instalment is a share (above zero) or an amount, not both, and a contract's
    instalments never come to more than the contract (that they come to all of it is asked when
    the contract is submitted). The contract is locked: two instalments added at once are
    counted one after the other."""
    if not changed(inst):
        return None
    if (inst.share is None) == (inst.amount is None):
        return {"share": _l("Enter a share or an amount, not both.")}
    if inst.share is not None and Decimal(inst.share) <= 0:
        return {"share": MSG_POSITIVE}
    c = _parent(inst, "contract")
    if c is None:
        return None
    if inspect(c).persistent:
        locks.lock(c)  # first: a submission at the same moment waits, or went first (and is read here)
    if c.status.name not in BY_NAME["PaymentInstalment"].parent_lock[1]:
        return {"contract": _l("Only a draft contract's payment terms can change.")}
    others = _session(inst).scalars(select(m.PaymentInstalment).where(
        m.PaymentInstalment.contract_id == c.id, m.PaymentInstalment.id != (inst.id or 0))).all()
    total = sum((i.due_of(c.amount) for i in (*others, inst)), Decimal(0))
    if total > Decimal(c.amount or 0):
        return {"share" if inst.share is not None else "amount": _l(
            "The instalments would come to %(total)s, more than the contract's %(amount)s.",
            total=number(total), amount=number(c.amount or 0))}


@rule(m.OrderLine)
def _order_still_open(line):
    """3.2.2: once reviewed and scheduled, an order's lines are what the departments agreed to."""
    order_id = line.order.id if line.order is not None else line.order_id
    if order_id is None or not changed(line):
        return None
    o = locks.lock(m.SalesOrder, order_id)  # the step that schedules the order waits, or went first
    if o is not None and o.status.name not in BY_NAME["OrderLine"].parent_lock[1]:
        return {"order": _l("Lines can change only before the order is scheduled.")}


@rule(m.OrderLine)
def _within_the_contract(line):
    """3.2.1: an order on a contract with lines orders what the contract sells, and no more of it
    than is left (the contract's other orders, not cancelled, counted). The contract is locked:
    two orders drawing on it at once are counted one after the other."""
    order = _parent(line, "order")
    if order is None or not changed(line) or line.qty is None:
        return None
    contract = _parent(order, "contract")
    if contract is None or not contract.lines or order.status is m.orders.OrderStatus.cancelled:
        return None
    product_id = line.product.id if line.product is not None else line.product_id
    contracted = sum((Decimal(cl.qty) for cl in contract.lines if cl.product_id == product_id), Decimal(0))
    if not contracted:
        return {"product": _l("This product is not on the order's contract.")}
    locks.lock(contract)
    others = dict(_session(line).execute(m.orders.ordered_on_contract(
        contract.id, excluding_line=line.id if inspect(line).persistent else None)).all()).get(product_id, 0)
    left = contracted - Decimal(others)
    if Decimal(line.qty) > left:
        return {"qty": _l("At most %(qty)s are left on the contract.", qty=number(max(left, Decimal(0)), QUANTITY))}


def _parent_fixed(item):
    """A row under a record's workflow lock (``Entity.parent_lock``: a line, an instalment) stays
    on the record it was added to: moved to another, it would leave a signed contract or a sent
    quotation without it."""
    entity = BY_MODEL[type(item)]
    rel = inspect(type(item)).relationships[entity.parent_lock[0]]
    state = inspect(item)
    if not state.persistent:
        return None
    if state.attrs[rel.key].history.has_changes() or any(
            state.attrs[c.key].history.has_changes() for c in rel.local_columns):
        return {rel.key: _l("It stays on the record it was added to; delete it and add it there instead.")}


for _entity in BY_NAME.values():
    if _entity.parent_lock:
        rule(_entity.model)(_parent_fixed)


@rule(m.SalesOrder)
def _order_on_its_customers_contract(o):
    """3.2.1: an order on a contract is the contract's customer's, and keeps its contract once it
    has lines (they were checked against it: ``_within_the_contract``)."""
    c = _parent(o, "contract")
    if c is None:
        return None
    customer_id = o.customer.id if o.customer is not None else o.customer_id
    if customer_id is not None and c.customer_id != customer_id:
        return {"contract": _l("The contract is another customer's.")}
    state = inspect(o)
    moved = state.persistent and (state.attrs["contract"].history.has_changes()
                                  or state.attrs["contract_id"].history.has_changes())
    if moved and _session(o).scalar(select(func.count()).select_from(m.OrderLine).where(
            m.OrderLine.order_id == o.id)):
        return {"contract": _l("An order with lines keeps its contract.")}


@rule(m.Contract)
def _contract_of_its_customers_quotation(c):
    q = _parent(c, "quotation")
    customer_id = c.customer.id if c.customer is not None else c.customer_id
    if q is not None and customer_id is not None and q.customer_id != customer_id:
        return {"quotation": _l("The quotation is another customer's.")}


@rule(m.OrderLine)
def _credit_still_holds(line):
    """3.3.3: once an order went past its credit check (to the departments' review), a line that
    raises its total is refused when the customer's credit does not allow the new total."""
    order = _parent(line, "order")
    if order is None or not changed(line) or order.status is not m.orders.OrderStatus.under_review:
        return None
    state = inspect(line)
    before = Decimal(0)
    if state.persistent:
        qty, price = (state.attrs[k].history for k in ("qty", "unit_price"))
        old_qty = qty.deleted[0] if qty.deleted else line.qty
        old_price = price.deleted[0] if price.deleted else line.unit_price
        before = Decimal(old_qty or 0) * Decimal(old_price or 0)
    after = Decimal(line.qty or 0) * Decimal(line.unit_price or 0)
    if after <= before:
        return None
    total = Decimal(order.total or 0) - before + after
    reasons = credit.reasons(order.customer, total)
    if reasons:
        return {"qty": _l("This raises the order past what the customer's credit allows: %(reasons)s",
                          reasons=" ".join(reasons))}


# 3.2.2: a department that has a role of its own signs off orders itself, and so do the employees
# an administrator names for a department (setting order_review_signers); nobody else may record
# its sign-off (a supervisor cannot tick finance's box). A department with neither is recorded by
# whoever may write order reviews.
SIGNING_ROLES = {m.orders.Department.finance: FINANCE}
MSG_NOT_SIGNER = _l("Only a user of this department may record its sign-off.")


def may_sign(actor, department) -> bool:
    """Whether ``actor`` may record ``department``'s sign-off (administrators may)."""
    role = SIGNING_ROLES.get(department)
    named = policy.get(PolicyKey.order_review_signers).get(department, frozenset())
    if role is None and not named:
        return True
    return bool({role, ADMIN} & actor.roles) or actor.employee_id in named


@rule(m.OrderReview)
def _signed_by_the_department(review):
    """3.2.2: a sign-off is recorded by the department's own user, and names who signed."""
    if not has_request_context() or not changed(review):
        return None
    actor = current_actor()
    if actor.user_id is None:
        return None
    if review.department is not None and not may_sign(actor, review.department):
        return {"department": MSG_NOT_SIGNER}
    review.reviewer_id = actor.employee_id  # who signed: the user recording it, never chosen
    return None


@rule(m.LeaveRequest)
def _no_overlapping_leave(lr):
    """4.1.2: one employee cannot be on two leaves at once (rejected / cancelled ones aside)."""
    emp = lr.employee.id if lr.employee is not None else lr.employee_id
    if emp is None or lr.start_date is None or lr.end_date is None:
        return None
    if lr.status in m.conduct.LeaveStatus.withdrawn():
        return None
    locks.lock(m.Employee, emp)  # one employee's leave requests are checked in turn
    q = select(m.LeaveRequest.id).where(
        m.LeaveRequest.employee_id == emp,
        m.LeaveRequest.status.not_in(m.conduct.LeaveStatus.withdrawn()),
        m.LeaveRequest.start_date <= lr.end_date,
        m.LeaveRequest.end_date >= lr.start_date,
    )
    if lr.id is not None:
        q = q.where(m.LeaveRequest.id != lr.id)
    if _session(lr).scalar(q.limit(1)):
        return {"start_date": _l("Overlaps another leave request of the same employee.")}


@rule(m.ServiceTicket)
def _closed_ticket_complete(t):
    """3.4.7: a ticket is closed with the customer's satisfaction and a summary."""
    if t.status is m.service.TicketStatus.closed:
        out = {}
        if t.satisfaction is None:
            out["satisfaction"] = REQUIRED
        if not (t.summary or "").strip():
            out["summary"] = REQUIRED
        return out


@rule(m.SalesOrder)
def _delivered_has_date(o):
    if o.status is m.orders.OrderStatus.delivered and o.delivered_date is None:
        return {"delivered_date": REQUIRED}


def _cycle_closed(item) -> bool:
    cycle = item.cycle if item.cycle is not None else (
        _session(item).get(m.AppraisalCycle, item.cycle_id) if item.cycle_id else None)
    return cycle is not None and cycle.status is m.appraisal.CycleStatus.closed and changed(item)


@rule(m.AppraisalRating)
def _rating_rules(r):
    """6.3.2: nobody rates themselves; a closed cycle is frozen (6.2)."""
    out = {}
    evaluator = r.evaluator.id if r.evaluator is not None else r.evaluator_id
    employee = r.employee.id if r.employee is not None else r.employee_id
    if evaluator is not None and evaluator == employee:
        out["evaluator"] = _l("Nobody rates themselves.")
    if _cycle_closed(r):
        out["cycle"] = _l("This appraisal cycle is closed.")
    return out


@rule(m.AppraisalCycle)
def _cycle_settings_valid(c):
    """6.3.3: a cycle's settings are the groups of the defaults, numbers, weights summing to 100
    and thresholds in order; anything else would break every scorecard of the cycle."""
    s = c.settings
    if s is None:
        return None

    def is_number(v):
        return isinstance(v, int | float) and not isinstance(v, bool) and v == v and abs(v) <= SETTINGS_MAX

    ok = isinstance(s, dict) and set(s) <= set(APPRAISAL_DEFAULTS) and all(
        (isinstance(v, dict) and set(v) == set(APPRAISAL_DEFAULTS[k]) and all(is_number(x) for x in v.values()))
        if isinstance(APPRAISAL_DEFAULTS[k], dict) else is_number(v)
        for k, v in s.items())
    if not ok or settings_errors({**APPRAISAL_DEFAULTS, **s}):
        return {"settings": _l("These appraisal settings are not valid.")}


@rule(m.AppraisalTarget)
def _target_cycle_open(t):
    if _cycle_closed(t):
        return {"cycle": _l("This appraisal cycle is closed.")}


@rule(m.ConductViolation)
def _violation_clause(v):
    """A violation names the regulation clause it breaches (e.g. 4.1.2)."""
    if v.clause is not None and not CLAUSE_ID.match(v.clause.strip()):
        return {"clause": _l("Enter a clause number such as 4.1.2.")}


@rule(m.LegalCase)
def _legal_after_dunning(case):
    """3.3.4: legal action only after repeated dunning and long overdue (defaults in policy)."""
    state = inspect(case)
    if state.persistent:
        return None
    rec_id = case.receivable.id if case.receivable is not None else case.receivable_id
    rec = _session(case).get(m.Receivable, rec_id) if rec_id else None
    if rec is None or rec.status is m.receivables.ReceivableStatus.in_legal:
        return None
    if not legal_allowed(rec):
        return {"receivable": legal_refusal()}


def dunning_count(rec) -> int:
    return _session(rec).scalar(
        select(func.count()).select_from(m.DunningRecord).where(m.DunningRecord.receivable_id == rec.id))


def legal_allowed(rec) -> bool:
    return collection.legal_allowed(
        collection.days_overdue(rec.due_date, today()), dunning_count(rec),
        policy.get(PolicyKey.legal_after_days), policy.get(PolicyKey.legal_min_dunning))


def legal_refusal():
    return _l("Legal action needs at least %(n)s dunning records and more than %(days)s days overdue.",
              n=policy.get(PolicyKey.legal_min_dunning), days=policy.get(PolicyKey.legal_after_days))


# --- derived columns, kept right at every flush ---------------------------------------------


def _refresh_receivable(session, rec) -> None:
    if rec is None or rec in session.deleted:
        return
    paid = sum((Decimal(p.amount) for p in rec.payments if p not in session.deleted and p.amount),
               Decimal(0))
    current = rec.status.name if rec.status is not None else "open"
    day = today()  # the job's day when the daily job runs
    status = collection.derive_status(Decimal(rec.amount), paid, rec.due_date, day, current)
    if status != current:
        rec.status = m.receivables.ReceivableStatus[status]


def _refresh_contract_amount(session, c) -> None:
    if c is None or c in session.deleted:
        return
    new = [o for o in session.new if isinstance(o, m.ContractLine) and o not in c.lines
           and (o.contract is c or o.contract_id == c.id)]  # set by key only: not in c.lines yet
    lines = [line for line in (*c.lines, *new) if line not in session.deleted]
    if lines:
        c.amount = sum((line.amount for line in lines), Decimal(0)).quantize(Decimal("0.01"))


def _refresh_attendance(att) -> None:
    if att.work_date is None:
        return
    status = conduct.attendance_status(
        att.check_in, att.check_out, policy.get(PolicyKey.work_start),
        policy.get(PolicyKey.work_end), att.status.name if att.status else "normal")
    att.status = m.conduct.AttendanceStatus[status]


def _before_flush(session, _ctx, _instances):
    with session.no_autoflush:
        for obj in list(session.new):
            numbering.fill(session, obj)
        for obj in list(session.new) + list(session.dirty) + list(session.deleted):
            if isinstance(obj, m.Payment):
                rec = obj.receivable or (session.get(m.Receivable, obj.receivable_id)
                                         if obj.receivable_id else None)
                if obj in session.deleted and rec is not None and obj in rec.payments:
                    rec.payments.remove(obj)
                _refresh_receivable(session, rec)
            elif isinstance(obj, m.Receivable) and obj not in session.deleted:
                if obj.amount is not None and obj.due_date is not None:
                    _refresh_receivable(session, obj)
            elif isinstance(obj, m.ContractLine):
                _refresh_contract_amount(session, _parent(obj, "contract"))
            elif isinstance(obj, m.Attendance) and obj not in session.deleted:
                _refresh_attendance(obj)
            elif isinstance(obj, m.SettlementNotice) and obj.due_date is None:
                rec = obj.receivable or (session.get(m.Receivable, obj.receivable_id)
                                         if obj.receivable_id else None)
                obj.due_date = rec.due_date if rec is not None else None


def install() -> None:
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)


__all__ = ["check", "install", "legal_allowed", "legal_refusal", "dunning_count"]
