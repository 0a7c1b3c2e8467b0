"""The document chain (3.1.5 → 3.1.7 → 3.2.1 → 3.3): what a contract still has to order, and the
documents a record came from and led to, each through the reader's scope."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .. import models as m
from ..extensions import db
from ..registry import BY_NAME
from ..security.scope import scoped

ZERO = Decimal(0)


@dataclass(frozen=True)
class Remaining:
    """One product of a contract: contracted, already ordered (orders not cancelled) and left."""

    product: m.Product
    unit_price: Decimal
    contracted: Decimal
    ordered: Decimal

    @property
    def left(self) -> Decimal:
        return max(self.contracted - self.ordered, ZERO)


def ordered_by_product(contract_id: int) -> dict[int, Decimal]:
    """product id -> quantity on the contract's orders that are not cancelled (one statement)."""
    return {pid: Decimal(q) for pid, q in db.session.execute(m.orders.ordered_on_contract(contract_id))}


def remaining(contract: m.Contract) -> list[Remaining]:
    """Per product of the contract's lines, in line order: what is contracted and what is left."""
    ordered = ordered_by_product(contract.id) if contract.id else {}
    out: dict[int, Remaining] = {}
    for line in contract.lines:
        got = out.get(line.product_id)
        out[line.product_id] = Remaining(
            line.product, got.unit_price if got else Decimal(line.unit_price),
            (got.contracted if got else ZERO) + Decimal(line.qty), ordered.get(line.product_id, ZERO))
    return list(out.values())


def chain(entity_name: str, item) -> list[tuple[str, list]]:
    """The record's documents in chain order, (entity name, rows) per step, the record's own step
    holding the record: quotation → contracts → orders → receivables. Only rows the reader may
    read; one query per step."""
    Q, C, SO, R = m.Quotation, m.Contract, m.SalesOrder, m.Receivable  # noqa: N806
    if entity_name == "Quotation":
        contracts = scoped("Contract").filter(C.quotation_id == item.id).order_by(C.id).all()
        ids = [c.id for c in contracts]
        orders = scoped("SalesOrder").filter(SO.contract_id.in_(ids)).order_by(SO.id).all() if ids else []
        return _steps(("Quotation", [item]), ("Contract", contracts), ("SalesOrder", orders),
                      ("Receivable", _receivables(ids, [o.id for o in orders])))
    if entity_name == "Contract":
        quotes = scoped("Quotation").filter(Q.id == item.quotation_id).all() if item.quotation_id else []
        orders = scoped("SalesOrder").filter(SO.contract_id == item.id).order_by(SO.id).all()
        return _steps(("Quotation", quotes), ("Contract", [item]), ("SalesOrder", orders),
                      ("Receivable", _receivables([item.id], [o.id for o in orders])))
    if entity_name == "SalesOrder":
        contracts = scoped("Contract").filter(C.id == item.contract_id).all() if item.contract_id else []
        quotes = (scoped("Quotation").filter(Q.id == contracts[0].quotation_id).all()
                  if contracts and contracts[0].quotation_id else [])
        receivables = scoped("Receivable").filter(R.order_id == item.id).order_by(R.id).all()
        return _steps(("Quotation", quotes), ("Contract", contracts), ("SalesOrder", [item]),
                      ("Receivable", receivables))
    return []


def _receivables(contract_ids, order_ids) -> list:
    R = m.Receivable  # noqa: N806
    if not contract_ids and not order_ids:
        return []
    cond = R.contract_id.in_(contract_ids) if contract_ids else None
    if order_ids:
        by_order = R.order_id.in_(order_ids)
        cond = by_order if cond is None else cond | by_order
    return scoped("Receivable").filter(cond).order_by(R.id).all()


def _steps(*steps) -> list[tuple[str, list]]:
    """The steps with rows; a chain of the record alone is no chain."""
    kept = [(name, rows) for name, rows in steps if rows and name in BY_NAME]
    return kept if len(kept) > 1 else []
