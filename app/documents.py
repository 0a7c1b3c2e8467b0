"""One document becomes the next (issue 13, item 1): an accepted quotation a contract (3.1.5 →
3.1.7), a signed contract an order (3.1.7 → 3.2.1), all of it or part.

The new document carries the customer, its source and the lines with their prices; it starts as a
draft (the contract, with the customer's payment terms as one instalment: all of it the customer's
days after delivery) or as received (the order) and takes its number when saved
(``app.numbering``). Every row is checked like any other write (``guard.check_write``: scope,
values, rules) and the source is locked first, so two conversions at once are taken in turn.
Nothing is committed here: the caller commits or rolls back.
"""

from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from . import locks
from . import models as m
from .clock import today
from .extensions import db
from .formats import QUANTITY, number
from .guard import check_write
from .models.contracts import ContractStatus
from .models.customers import QuotationStatus
from .models.orders import OrderStatus
from .models.receivables import InstalmentBasis
from .queries.documents import remaining
from .validation import ValidationFailure, problem

CENT = Decimal("0.01")
QTY_TEXT = re.compile(r"[0-9]{1,11}(\.[0-9]{1,3})?")
# A signed contract is ordered from until it is fulfilled (3.1.7, 3.2.1).
ORDERABLE = (ContractStatus.signed, ContractStatus.executing)


class ConversionError(Exception):
    """The source cannot become the next document now (409), with a translated reason."""

    status = 409


def contract_from(q: m.Quotation) -> m.Contract:
    """3.1.7: the contract of an accepted quotation, worth its lines."""
    locks.lock(q)
    if q.status is not QuotationStatus.accepted:
        raise ConversionError(_l("Only an accepted quotation can become a contract."))
    taken = db.session.scalar(select(m.Contract.number).where(
        m.Contract.quotation_id == q.id, m.Contract.status != ContractStatus.rejected).limit(1))
    if taken is not None:
        raise ConversionError(_l("This quotation is already contract %(number)s.", number=taken))
    contract = m.Contract(customer=q.customer, quotation=q, status=ContractStatus.draft,
                          amount=sum((line.amount for line in q.lines), Decimal(0)).quantize(CENT))
    _add(contract)
    _add_children(contract, "contract", [
        m.ContractLine(product=line.product, qty=line.qty, unit_price=line.unit_price) for line in q.lines])
    if contract.amount > 0:  # the customer's terms until the contract says otherwise (2.5.1)
        _add_children(contract, "contract", [m.PaymentInstalment(
            share=Decimal(100), basis=InstalmentBasis.delivery, days=q.customer.payment_terms_days or 0)])
    return contract


def parse_quantities(c: m.Contract, data: dict) -> dict[int, Decimal]:
    """product id -> the quantity to order, from ``qty-<product id>`` fields; each at most what
    is left of the contract, at least one above zero. Raises ``ValidationFailure`` by field."""
    left = {r.product.id: r.left for r in remaining(c)}
    out, errors = {}, {}
    unknown = [k for k in data if k.startswith("qty-") and k.removeprefix("qty-") not in {str(p) for p in left}]
    if unknown:
        errors["_"] = str(_l("Only the contract's products can be ordered on it."))
    for pid, most in left.items():
        name = f"qty-{pid}"
        raw = data.get(name)
        if raw in (None, ""):
            continue
        text = str(raw).strip()
        if not QTY_TEXT.fullmatch(text):  # plain digits: no exponents, other scripts' digits or "_"
            errors[name] = str(_l("Not a valid number."))
            continue
        qty = Decimal(text)
        why = problem(m.OrderLine, m.OrderLine.__table__.c.qty, qty)
        if why is not None:
            errors[name] = str(why)
        elif qty > most:
            errors[name] = str(_l("At most %(qty)s are left on the contract.", qty=number(most, QUANTITY)))
        elif qty > 0:
            out[pid] = qty
    if not out and not errors:
        errors["_"] = str(_l("Enter a quantity above zero for at least one product."))
    if errors:
        raise ValidationFailure(errors)
    return out


def order_from(c: m.Contract, quantities: dict[int, Decimal] | None = None) -> m.SalesOrder:
    """3.2.1: an order on a signed contract, of what is left of it (``quantities`` by product:
    part of it), at the contract's prices and the products' unit costs."""
    locks.lock(c)
    if c.status not in ORDERABLE:
        raise ConversionError(_l("Orders are made from a signed contract that is not yet fulfilled."))
    left = [r for r in remaining(c) if r.left > 0]
    if not left:
        raise ConversionError(_l("Everything on this contract has been ordered."))
    wanted = quantities if quantities is not None else {r.product.id: r.left for r in left}
    order = m.SalesOrder(customer=c.customer, contract=c, order_date=today(), status=OrderStatus.received)
    _add(order)
    _add_children(order, "order", [
        m.OrderLine(product=r.product, qty=wanted[r.product.id], unit_price=r.unit_price,
                    unit_cost=r.product.unit_cost) for r in left if wanted.get(r.product.id)])
    return order


def _add(document) -> None:
    """The new document, checked as any write is (raises ``ScopeError`` or ``ValidationFailure``)
    and flushed: it takes its number, and its lines' rules read it from the database."""
    check_write(document, adding=True)
    db.session.add(document)
    locks.flush()


def _add_children(document, parent: str, rows) -> None:
    """Rows hanging off the flushed ``document`` by ``parent`` (its lines, its instalments), each
    checked as any write is."""
    for row in rows:
        setattr(row, parent, document)
        check_write(row, adding=True)
        db.session.add(row)
