"""Numbers and codes that records give themselves (issue 13): the kinds, the column each fills and
the counters they are drawn from.

A new quotation, contract, order, receivable or service ticket left without a number, and a new
customer or product left without a code, gets the next one of its kind from ``DocumentSequence``
(``app.numbering``), worded by the kind's pattern in Settings.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, PrimaryKeyConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import LabeledEnum, Model, enum_column
from .contracts import Contract
from .customers import Customer, Product, Quotation
from .orders import SalesOrder
from .receivables import Receivable
from .service import ServiceTicket


class NumberedKind(LabeledEnum):
    quotation = "quotation"
    contract = "contract"
    order = "order"
    receivable = "receivable"
    ticket = "ticket"
    customer = "customer"
    product = "product"

    @classmethod
    def _labels(cls):  # the entities' names, as the Settings screen lists them
        return {
            "quotation": _l("Quotations"),
            "contract": _l("Contracts"),
            "order": _l("Sales orders"),
            "receivable": _l("Receivables"),
            "ticket": _l("Service tickets"),
            "customer": _l("Customers"),
            "product": _l("Products"),
        }


# The column each kind fills: the one place that says which records number themselves.
NUMBERED: dict[NumberedKind, object] = {
    NumberedKind.quotation: Quotation.number,
    NumberedKind.contract: Contract.number,
    NumberedKind.order: SalesOrder.number,
    NumberedKind.receivable: Receivable.number,
    NumberedKind.ticket: ServiceTicket.number,
    NumberedKind.customer: Customer.code,
    NumberedKind.product: Product.code,
}


class DocumentSequence(Model):
    """The last number drawn for a kind in a period (a year, or 0 for a pattern without one).

    Raised in the transaction that creates the record (one ``INSERT … ON CONFLICT DO UPDATE``):
    a record that is not saved gives its number back, so the numbers of a kind and year have no
    gaps; a deleted record does not (the counter never goes down), so no number is used twice.
    """

    __tablename__ = "document_sequence"
    __table_args__ = (PrimaryKeyConstraint("kind", "period"),)
    kind: Mapped[NumberedKind] = enum_column(NumberedKind, index=False)
    period: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)

    def __str__(self) -> str:
        return f"{self.kind} {self.period}: {self.last}"
