"""The pipeline board (3.1): the customers the reader may see by development stage, a column
each, with the owner, the last visit and the value of open quotations on every card.

A page is a fixed number of statements whatever the number of customers: the count per stage
(one GROUP BY), the first ``per_stage`` cards of every stage (one statement, ranked within each
stage by a window function, the most recently changed first), then the cards' last visits, open
quotation values and which of them the reader may write (one statement each, on the cards' ids).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from .. import models as m
from ..extensions import db
from ..models.customers import QuotationStatus, Stage
from ..security.scope import scope_condition

PER_STAGE = 30
OPEN_QUOTATIONS = (QuotationStatus.draft, QuotationStatus.sent)


@dataclass
class Card:
    customer: object
    last_visit: object
    open_value: Decimal
    writable: bool


def _filters(owner_id: int | None, team_id: int | None):
    C = m.Customer  # noqa: N806
    where = [scope_condition("Customer", "read")]
    if owner_id is not None:
        where.append(C.owner_id == owner_id)
    if team_id is not None:
        where.append(C.owner_id.in_(select(m.Employee.id).where(m.Employee.team_id == team_id)))
    return where


def board(owner_id: int | None = None, team_id: int | None = None, per_stage: int = PER_STAGE):
    """({stage: count}, {stage: [Card]}) of the customers in the reader's scope (and filters)."""
    C = m.Customer  # noqa: N806
    where = _filters(owner_id, team_id)
    counts = dict(db.session.execute(select(C.stage, func.count()).where(*where).group_by(C.stage)).all())
    ranked = (select(C.id, func.row_number().over(partition_by=C.stage,
                                                  order_by=(C.updated_at.desc(), C.id.desc())).label("n"))
              .where(*where).subquery())
    customers = db.session.scalars(select(C).join(ranked, ranked.c.id == C.id).where(ranked.c.n <= per_stage)
                                   .order_by(C.updated_at.desc(), C.id.desc())).all()
    ids = [c.id for c in customers]
    visits, values, writable = {}, {}, set()
    if ids:
        visits = dict(db.session.execute(select(m.Visit.customer_id, func.max(m.Visit.visit_date))
                                         .where(m.Visit.customer_id.in_(ids)).group_by(m.Visit.customer_id)).all())
        Q, L = m.Quotation, m.QuotationLine  # noqa: N806
        values = dict(db.session.execute(
            select(Q.customer_id, func.sum(L.qty * L.unit_price)).join(L, L.quotation_id == Q.id)
            .where(Q.customer_id.in_(ids), Q.status.in_(OPEN_QUOTATIONS)).group_by(Q.customer_id)).all())
        writable = set(db.session.scalars(select(C.id).where(C.id.in_(ids), scope_condition("Customer", "write"))))
    cards: dict[Stage, list[Card]] = {s: [] for s in Stage}
    for c in customers:
        cards[c.stage].append(Card(c, visits.get(c.id), Decimal(values.get(c.id) or 0), c.id in writable))
    return counts, cards
