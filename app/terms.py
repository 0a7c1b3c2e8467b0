"""Payment terms as data (issue 13, item 2; 2.3.2, 2.5.1): a contract's instalments raise its
receivables when the events they count from happen, in the transaction of the event.

- An instalment after *signing* raises one receivable when the contract is signed, for all of it.
- One after *shipment*, *delivery* or *invoice* (the invoice is issued on delivery) raises a
  receivable per order of the contract when that order ships or is delivered, for the order's part
  of it (the order's total over the contract's amount). The order that completes the contract
  (nothing left to order, every other order's part raised) takes what is left of the instalment,
  so the receivables of a contract come to its amount to the cent.

Each receivable is due the instalment's days after the event's date and names its instalment and
order: raising twice for one event raises nothing more.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from . import models as m
from .extensions import db
from .formats import number
from .models.orders import OrderStatus, ordered_on_contract
from .models.receivables import InstalmentBasis

CENT = Decimal("0.01")
AT_SIGNING = (InstalmentBasis.signing,)
AT_SHIPMENT = (InstalmentBasis.shipment,)
AT_DELIVERY = (InstalmentBasis.delivery, InstalmentBasis.invoice)


def total_of(c: m.Contract) -> Decimal:
    return sum((i.due_of(c.amount) for i in c.instalments), Decimal(0))


def refusal(c: m.Contract):
    """Why the contract's instalments cannot be submitted (they must come to its amount), or None
    when they do or there are none (its receivables are then entered by hand)."""
    if not c.instalments:
        return None
    total = total_of(c)
    if total != Decimal(c.amount or 0):
        return _l("The payment instalments come to %(total)s, not the contract's %(amount)s; correct "
                  "them first.", total=number(total), amount=number(c.amount or 0))
    return None


def _raised(inst_id: int, order_id: int | None = None) -> Decimal:
    R = m.Receivable  # noqa: N806
    query = select(func.coalesce(func.sum(R.amount), 0)).where(R.instalment_id == inst_id)
    if order_id is not None:
        query = query.where(R.order_id == order_id)
    return Decimal(db.session.scalar(query))


def _fully_ordered(c: m.Contract) -> bool:
    """Nothing is left to order: every product's contracted quantity is on orders not cancelled
    (a contract without lines: its orders' totals reach its amount)."""
    if c.lines:
        ordered = dict(db.session.execute(ordered_on_contract(c.id)).all())
        contracted: dict[int, Decimal] = {}
        for line in c.lines:
            contracted[line.product_id] = contracted.get(line.product_id, Decimal(0)) + Decimal(line.qty)
        return all(Decimal(ordered.get(pid, 0)) >= qty for pid, qty in contracted.items())
    orders = _live_orders(c)
    return sum((Decimal(o.total) for o in orders), Decimal(0)) >= Decimal(c.amount or 0)


def _live_orders(c: m.Contract) -> list:
    return db.session.scalars(select(m.SalesOrder).where(
        m.SalesOrder.contract_id == c.id, m.SalesOrder.status != OrderStatus.cancelled)).all()


def _order_part(c: m.Contract, inst, order, due: Decimal) -> Decimal:
    """The order's part of an instalment worth ``due``: its share of the contract, or, for the
    order completing the contract, what is left of the instalment."""
    others = [o for o in _live_orders(c) if o.id != order.id]
    last = _fully_ordered(c) and all(_raised(inst.id, o.id) > 0 for o in others)
    if last:
        return due - _raised(inst.id)
    amount = Decimal(c.amount or 0)
    part = due * Decimal(order.total) / amount if amount else Decimal(0)
    return min(part.quantize(CENT), due - _raised(inst.id))


def raise_for(c: m.Contract, bases, on: date, order=None) -> list[m.Receivable]:
    """The receivables of ``c``'s instalments counted from ``bases``, for the event on ``on``
    (of ``order`` when the event is an order's), added to the session."""
    made = []
    for inst in c.instalments:
        if inst.basis not in bases or inst.id is None:
            continue
        if _raised(inst.id, order.id if order is not None else None) > 0:
            continue  # this event raised it already
        due = inst.due_of(c.amount)
        amount = due - _raised(inst.id) if order is None else _order_part(c, inst, order, due)
        if amount <= 0:
            continue
        rec = m.Receivable(customer_id=c.customer_id, contract_id=c.id, instalment_id=inst.id,
                           order_id=order.id if order is not None else None, amount=amount,
                           issued_on=on, due_date=on + timedelta(days=inst.days))
        db.session.add(rec)
        made.append(rec)
    return made
