"""Sales orders, departmental review and shipment (2.4, 3.2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import today
from .base import (
    LabeledEnum,
    Model,
    Money,
    PricedLine,
    Qty,
    Timestamped,
    Versioned,
    enum_column,
    lines_sum,
    lines_total,
    trigram_index,
)
from .contracts import Contract
from .customers import Customer, Product
from .people import Employee


class OrderStatus(LabeledEnum):
    """The order steps of 3.2.1–3.2.7, plus finance's credit review (3.3.3) and cancelled."""

    received = "received"
    credit_review = "credit_review"
    under_review = "under_review"
    scheduled = "scheduled"
    purchasing = "purchasing"
    in_production = "in_production"
    shipped = "shipped"
    delivered = "delivered"
    cancelled = "cancelled"

    @classmethod
    def finished(cls) -> tuple[OrderStatus, ...]:
        """Nothing more to deliver: an order in these states is never late."""
        return (cls.delivered, cls.cancelled)

    @classmethod
    def unfinished(cls) -> tuple[OrderStatus, ...]:
        """Still to deliver: every state but the finished ones."""
        return tuple(s for s in cls if s not in cls.finished())

    @classmethod
    def _labels(cls):
        return {
            "received": _l("Received"),
            "credit_review": _l("Awaiting credit approval"),
            "under_review": _l("Under review"),
            "scheduled": _l("Scheduled"),
            "purchasing": _p("order status", "Purchasing"),
            "in_production": _l("In production / QC"),
            "shipped": _l("Shipped"),
            "delivered": _l("Delivered"),
            "cancelled": _l("Cancelled"),
        }


class Department(LabeledEnum):
    production = "production"
    purchasing = "purchasing"
    warehouse = "warehouse"
    quality = "quality"
    finance = "finance"
    technical = "technical"

    @classmethod
    def _labels(cls):
        return {
            "production": _l("Production"),
            "purchasing": _l("Purchasing"),
            "warehouse": _l("Warehouse"),
            "quality": _l("Quality"),
            "finance": _l("Finance"),
            "technical": _l("Technical"),
        }


class Feasibility(LabeledEnum):
    feasible = "feasible"
    conditional = "conditional"
    not_feasible = "not_feasible"

    @classmethod
    def _labels(cls):
        return {
            "feasible": _l("Feasible"),
            "conditional": _l("Feasible with conditions"),
            "not_feasible": _l("Not feasible"),
        }


class SalesOrder(Versioned, Timestamped, Model):
    """A customer order (2.4.1, 3.2.1); late = past promised date and not delivered."""

    __tablename__ = "sales_order"
    __table_args__ = (
        # The search box's text (queries.search).
        trigram_index("sales_order", "number"),
        CheckConstraint("promised_date IS NULL OR promised_date >= order_date", name="promise_after"),
        # A customer's orders by date: the row scope (customers of a salesperson) and "is this the
        # customer's first order" (6.1.1 new customers) are lookups in it.
        Index("ix_sales_order_customer_id_order_date", "customer_id", "order_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    customer: Mapped[Customer] = relationship(lazy="joined")
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contract.id"), index=True)
    contract: Mapped[Contract | None] = relationship(lazy="joined")
    order_date: Mapped[date] = mapped_column(index=True)
    promised_date: Mapped[date | None] = mapped_column(index=True)
    delivered_date: Mapped[date | None] = mapped_column(index=True)
    status: Mapped[OrderStatus] = enum_column(OrderStatus, default=OrderStatus.received)
    note: Mapped[str | None] = mapped_column(Text)
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def days_late(self) -> int:
        """3.2: days past the promised date of an order not yet delivered (nor cancelled)."""
        if not self.promised_date or self.status is None or self.status in OrderStatus.finished():
            return 0
        return max((today() - self.promised_date).days, 0)

    label_columns = ("number",)  # the columns __str__ reads (queries.loading)

    def __str__(self) -> str:
        return self.number


class OrderLine(PricedLine, Versioned, Model):
    __tablename__ = "order_line"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_pos"),
        CheckConstraint("unit_price >= 0 AND unit_cost >= 0", name="price_nonneg"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id", ondelete="CASCADE"), index=True)
    order: Mapped[SalesOrder] = relationship(back_populates="lines", lazy="joined")
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    product: Mapped[Product] = relationship(lazy="joined")
    qty: Mapped[Decimal] = mapped_column(Qty)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    unit_cost: Mapped[Decimal] = mapped_column(Money)


class OrderReview(Versioned, Timestamped, Model):
    """One department's sign-off on an order (3.2.2)."""

    __tablename__ = "order_review"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id", ondelete="CASCADE"), index=True)
    order: Mapped[SalesOrder] = relationship(lazy="joined")
    department: Mapped[Department] = enum_column(Department)
    verdict: Mapped[Feasibility] = enum_column(Feasibility)
    risk_note: Mapped[str | None] = mapped_column(String(500))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), index=True)
    reviewer: Mapped[Employee | None] = relationship(lazy="joined")
    reviewed_on: Mapped[date]

    label_reads = ("order",)  # the references __str__ reads (queries.loading)

    def __str__(self) -> str:
        return f"{self.order} {self.department}"


class ShipmentStatus(LabeledEnum):
    shipped = "shipped"
    in_transit = "in_transit"
    delivered = "delivered"
    returned = "returned"

    @classmethod
    def _labels(cls):
        return {
            "shipped": _l("Shipped"),
            "in_transit": _l("In transit"),
            "delivered": _l("Delivered"),
            "returned": _p("shipment", "Returned"),  # the goods came back (a gift "Returned" is 已退还)
        }


class Shipment(Versioned, Timestamped, Model):
    """Shipment and logistics of an order (3.2.6, 3.2.7)."""

    __tablename__ = "shipment"
    __table_args__ = (
        CheckConstraint("delivered_on IS NULL OR delivered_on >= shipped_on", name="date_order"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id", ondelete="CASCADE"), index=True)
    order: Mapped[SalesOrder] = relationship(lazy="joined")
    carrier: Mapped[str] = mapped_column(String(80))
    tracking_number: Mapped[str | None] = mapped_column(String(60), index=True)
    shipped_on: Mapped[date] = mapped_column(index=True)
    delivered_on: Mapped[date | None]
    status: Mapped[ShipmentStatus] = enum_column(ShipmentStatus, default=ShipmentStatus.shipped)
    events: Mapped[list[LogisticsEvent]] = relationship(
        back_populates="shipment", cascade="all, delete-orphan"
    )

    label_reads = ("order",)  # the references __str__ reads (queries.loading)

    def __str__(self) -> str:
        return f"{self.order} {self.carrier} {self.tracking_number or ''}".strip()


class LogisticsEvent(Versioned, Model):
    __tablename__ = "logistics_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipment.id", ondelete="CASCADE"), index=True)
    shipment: Mapped[Shipment] = relationship(back_populates="events", lazy="joined")
    occurred_on: Mapped[date]
    location: Mapped[str | None] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(300))

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.description}"


# An order's total and its profit from its lines' unit prices and costs (6.1.1), computed in SQL
# with the row: a record page shows them without loading the lines.
SalesOrder.total = lines_total(OrderLine, OrderLine.order_id == SalesOrder.id)
SalesOrder.profit = lines_sum(OrderLine, OrderLine.qty * (OrderLine.unit_price - OrderLine.unit_cost),
                              OrderLine.order_id == SalesOrder.id)


def ordered_on_contract(contract_id, excluding_line: int | None = None):
    """What a contract's orders (not cancelled) order, per product (3.2.1): a select of
    (product_id, quantity), without one line (the one being changed) when given."""
    query = (select(OrderLine.product_id, func.sum(OrderLine.qty))
             .join(SalesOrder, SalesOrder.id == OrderLine.order_id)
             .where(SalesOrder.contract_id == contract_id, SalesOrder.status != OrderStatus.cancelled)
             .group_by(OrderLine.product_id))
    return query if excluding_line is None else query.where(OrderLine.id != excluding_line)
