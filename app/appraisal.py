"""Running the appraisal of a cycle: who is appraised, the actuals per salesperson in grouped SQL
aggregates, live scorecards, freezing them at close. The scoring formulas are plain functions in
``app.services.appraisal``.

These queries sit here, below ``app.workflow``, and not in ``app.queries`` (above it): closing a
cycle is a workflow step whose effect (``freeze``) computes every scorecard."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, delete, func, or_, select, union

from . import models as m
from .extensions import db
from .services.appraisal import ABILITIES, Line, Scorecard, q2, ranked, scorecard
from .services.sql import rarely


def salespeople(cycle) -> list[int]:
    """The cycle's appraisees: active salespeople, and anyone with a target in the cycle."""
    targeted = select(m.AppraisalTarget.employee_id).where(m.AppraisalTarget.cycle_id == cycle.id)
    return list(db.session.scalars(
        select(m.Employee.id).where(or_(
            (m.Employee.position == m.people.Position.salesperson) & (m.Employee.status == m.people.EmployeeStatus.active),
            m.Employee.id.in_(targeted)))
        .order_by(m.Employee.id)))


def figures(start: date, end: date, employee_ids) -> dict[int, dict]:
    """Raw figures per salesperson for [start, end], in six grouped queries: revenue, volume and
    profit (6.1.1), new customers, satisfaction ratings (sum and count, visits and tickets
    pooled), quality tickets and delivered orders (6.1.2), due, collected and overdue (6.1.3)."""
    ids = list(employee_ids)
    out: dict[int, dict] = {e: {} for e in ids}
    if not ids:
        return out
    C, Ord, L = m.Customer, m.SalesOrder, m.OrderLine  # noqa: N806
    in_period = and_(Ord.order_date >= start, Ord.order_date <= end,
                     Ord.status != m.orders.OrderStatus.cancelled)
    for emp, revenue, volume, profit in db.session.execute(
        select(C.owner_id, func.sum(L.qty * L.unit_price), func.sum(L.qty),
               func.sum(L.qty * (L.unit_price - L.unit_cost)))
        .select_from(L).join(Ord, L.order_id == Ord.id).join(C, Ord.customer_id == C.id)
        .where(in_period, C.owner_id.in_(ids)).group_by(C.owner_id)
    ):
        out[emp].update(revenue=Decimal(revenue or 0), volume=Decimal(volume or 0),
                        profit=Decimal(profit or 0))
    # New customers: their first order (ever) falls in the period, i.e. they have an order in
    # the period and none before it; asked of the appraisees' own customers, each an index
    # lookup (customer, date), instead of every customer's first order over the whole table.
    def orders_of_customer(*when):
        return (select(Ord.id).where(Ord.customer_id == C.id, Ord.status != m.orders.OrderStatus.cancelled, *when)
                .exists())

    for emp, n in db.session.execute(
        select(C.owner_id, func.count()).select_from(C)
        .where(C.owner_id.in_(ids), orders_of_customer(Ord.order_date >= start, Ord.order_date <= end),
               ~orders_of_customer(Ord.order_date < start))
        .group_by(C.owner_id)
    ):
        out[emp]["new_customers"] = Decimal(n)
    # Satisfaction: visit ratings and closed tickets' ratings of the period, pooled.
    V, T = m.Visit, m.ServiceTicket  # noqa: N806
    pooled: dict[int, list] = {}
    for emp, total, n in db.session.execute(
        select(C.owner_id, func.sum(V.satisfaction), func.count(V.satisfaction))
        .select_from(V).join(C, V.customer_id == C.id)
        .where(V.visit_date >= start, V.visit_date <= end, C.owner_id.in_(ids)).group_by(C.owner_id)
    ):
        pooled.setdefault(emp, [0, 0])
        pooled[emp][0] += total or 0
        pooled[emp][1] += n
    for emp, total, n, quality in db.session.execute(
        select(C.owner_id,
               func.sum(case((and_(T.closed_on >= start, T.closed_on <= end), T.satisfaction), else_=None)),
               func.count(case((and_(T.closed_on >= start, T.closed_on <= end), T.satisfaction), else_=None)),
               func.count(case((and_(T.kind == "quality", T.reported_on >= start, T.reported_on <= end), T.id),
                               else_=None)))
        .select_from(T).join(C, T.customer_id == C.id).where(C.owner_id.in_(ids)).group_by(C.owner_id)
    ):
        pooled.setdefault(emp, [0, 0])
        pooled[emp][0] += total or 0
        pooled[emp][1] += n
        out[emp]["quality_tickets"] = quality
    for emp, (total, n) in pooled.items():
        out[emp].update(satisfaction_sum=total, satisfaction_n=n)
    for emp, n in db.session.execute(
        select(C.owner_id, func.count()).select_from(Ord).join(C, Ord.customer_id == C.id)
        .where(Ord.delivered_date >= start, Ord.delivered_date <= end, C.owner_id.in_(ids))
        .group_by(C.owner_id)
    ):
        out[emp]["delivered"] = n
    # Collection (2.5.3): the receivables due in the period and what was paid on them by its end;
    # overdue at the period's end: what fell due before it (issued by then, not written off) less
    # what was paid on it by then. A receivable whose status is paid was paid in full (the status
    # is derived from its payments at every change, and no payment exceeds what is left): if its
    # payments all came by the period's end it owed nothing then. So the overdue figure reads only
    # the receivables unpaid today and those paid after the period's end, not the whole history.
    R, P, RS = m.Receivable, m.Payment, m.receivables.ReceivableStatus  # noqa: N806
    paid_by_end = m.receivables.paid_total(R.id, until=end).correlate(R).scalar_subquery()
    figures_of = {}
    for emp, due, collected in db.session.execute(
        select(C.owner_id, func.sum(R.amount), func.sum(paid_by_end)).select_from(R).join(C, R.customer_id == C.id)
        .where(C.owner_id.in_(ids), R.due_date >= start, R.due_date <= end).group_by(C.owner_id)
    ):
        figures_of[emp] = {"due": Decimal(due or 0), "collected": Decimal(collected or 0), "overdue": Decimal(0)}
    open_at_end = R.id.in_(union(select(R.id).where(rarely(R.status.in_([s for s in RS if s is not RS.paid]))),
                                 select(P.receivable_id).where(P.paid_on > end)))
    for emp, overdue in db.session.execute(
        select(C.owner_id, func.sum(R.amount - paid_by_end)).select_from(R).join(C, R.customer_id == C.id)
        .where(C.owner_id.in_(ids), R.due_date < end, R.issued_on <= end, R.status != RS.written_off, open_at_end)
        .group_by(C.owner_id)
    ):
        figures_of.setdefault(emp, {"due": Decimal(0), "collected": Decimal(0)})["overdue"] = Decimal(overdue or 0)
    for emp, found in figures_of.items():
        out[emp].update(found)
    return out


def ratings(cycle_id: int, employee_ids) -> dict[int, dict[str, dict]]:
    """6.3.2: average of each ability per evaluator role: {employee: {role: {ability: avg, "n": count}}}."""
    A = m.AppraisalRating  # noqa: N806
    out: dict[int, dict[str, dict]] = {}
    for row in db.session.execute(
        select(A.employee_id, A.evaluator_role, func.count(),
               *(func.avg(getattr(A, ab)) for ab in ABILITIES))
        .where(A.cycle_id == cycle_id, A.employee_id.in_(list(employee_ids)))
        .group_by(A.employee_id, A.evaluator_role)
    ):
        emp, role, n, *avgs = row
        out.setdefault(emp, {})[role.name] = {"n": n, **{ab: Decimal(str(v)) for ab, v in zip(ABILITIES, avgs,
                                                                                            strict=True)}}
    return out


def training_scores(start: date, end: date, employee_ids) -> dict[int, tuple[Decimal, int]]:
    """5.3.2: average assessment score of the training held in the period (the item's end date,
    else its start date, within the period), and how many scores."""
    E, Item = m.Enrolment, m.TrainingItem  # noqa: N806
    rows = db.session.execute(
        select(E.employee_id, func.avg(E.score), func.count(E.score))
        .join(Item, E.item_id == Item.id)
        .where(E.employee_id.in_(list(employee_ids)), E.score.is_not(None),
               func.coalesce(Item.end_date, Item.start_date) >= start,
               func.coalesce(Item.end_date, Item.start_date) <= end)
        .group_by(E.employee_id)
    ).all()
    return {emp: (q2(Decimal(str(avg))), n) for emp, avg, n in rows if n}


def targets(cycle_id: int, employee_ids) -> dict[int, object]:
    """6.1: {employee: their target row} in the cycle."""
    return {t.employee_id: t for t in db.session.scalars(
        select(m.AppraisalTarget).where(m.AppraisalTarget.cycle_id == cycle_id,
                                        m.AppraisalTarget.employee_id.in_(list(employee_ids))))}


def compute(cycle, employee_ids, s: dict) -> list[Scorecard]:
    """The scorecards of ``employee_ids`` for the cycle from the records, ranked among them."""
    ids = list(employee_ids)
    f = figures(cycle.start_date, cycle.end_date, ids)
    target = targets(cycle.id, ids)
    rated = ratings(cycle.id, ids)
    trained = training_scores(cycle.start_date, cycle.end_date, ids)
    return ranked([scorecard(e, f[e], target.get(e), rated.get(e, {}), trained.get(e), s) for e in ids])


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def to_json(card: Scorecard) -> dict:
    return _plain(dataclasses.asdict(card))


def _dec(v):
    return None if v is None else Decimal(v)


def from_json(d: dict) -> Scorecard:
    lines = [Line(ln["key"], _dec(ln["actual"]), _dec(ln["target"]), _dec(ln["score"]), Decimal(ln["weight"]),
                  ln["how"], ln["values"]) for ln in d["lines"]]
    return Scorecard(d["employee_id"], lines, _dec(d["quantitative"]),
                     {k: _dec(v) for k, v in d["roles"].items()}, _dec(d["qualitative"]),
                     _dec(d["training"]), _dec(d["final"]), d["grade"], _dec(d["bonus"]),
                     d["recommendation"], d["development"], d["rank"])


def scorecards(cycle, employee_ids=None) -> list[Scorecard]:
    """A closed cycle's frozen scorecards (ranked across all appraisees when it closed), else the
    appraisees' scorecards computed now from the records (6.2, 6.3)."""
    if cycle.status is m.appraisal.CycleStatus.closed:
        query = select(m.AppraisalResult).where(m.AppraisalResult.cycle_id == cycle.id)
        frozen = db.session.scalars(query).all()
        if frozen:
            cards = [from_json(r.card) for r in frozen]
            if employee_ids is not None:
                wanted = set(employee_ids)
                cards = [c for c in cards if c.employee_id in wanted]
            return sorted(cards, key=lambda c: (c.rank is None, c.rank or 0, c.employee_id))
    ids = salespeople(cycle)
    if employee_ids is not None:  # only the appraisees asked for are computed (and ranked among them)
        wanted = set(employee_ids)
        ids = [e for e in ids if e in wanted]
    return compute(cycle, ids, cycle.effective_settings())


def freeze(cycle) -> int:
    """Store every appraisee's scorecard and the settings used (the close step's effect)."""
    cycle.settings = cycle.effective_settings()
    cards = compute(cycle, salespeople(cycle), cycle.settings)
    db.session.execute(delete(m.AppraisalResult).where(m.AppraisalResult.cycle_id == cycle.id))
    db.session.add_all(m.AppraisalResult(cycle_id=cycle.id, employee_id=c.employee_id, final=c.final,
                                         grade=c.grade, rank=c.rank, card=to_json(c)) for c in cards)
    return len(cards)
