"""Running the appraisal of a cycle: who is appraised, live scorecards, freezing them at close."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from sqlalchemy import delete, or_, select

from . import models as m
from .extensions import db
from .services.appraisal import Line, Scorecard, compute


def salespeople(cycle) -> list[int]:
    """The cycle's appraisees: active salespeople, and anyone with a target in the cycle."""
    targeted = select(m.AppraisalTarget.employee_id).where(m.AppraisalTarget.cycle_id == cycle.id)
    return list(db.session.scalars(
        select(m.Employee.id).where(or_(
            (m.Employee.position == m.people.Position.salesperson) & (m.Employee.status == m.people.EmployeeStatus.active),
            m.Employee.id.in_(targeted)))
        .order_by(m.Employee.id)))


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
    return compute(db.session, m, cycle, ids, cycle.effective_settings())


def freeze(cycle) -> int:
    """Store every appraisee's scorecard and the settings used (the close step's effect)."""
    cycle.settings = cycle.effective_settings()
    cards = compute(db.session, m, cycle, salespeople(cycle), cycle.settings)
    db.session.execute(delete(m.AppraisalResult).where(m.AppraisalResult.cycle_id == cycle.id))
    db.session.add_all(m.AppraisalResult(cycle_id=cycle.id, employee_id=c.employee_id, final=c.final,
                                         grade=c.grade, rank=c.rank, card=to_json(c)) for c in cards)
    return len(cards)
