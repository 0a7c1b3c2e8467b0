"""After-sales service (2.2.3, 2.6, 3.4)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import LabeledEnum, Model, Timestamped, Versioned, enum_column, trigram_index
from .customers import Customer, Product
from .orders import SalesOrder
from .people import Employee


class TicketKind(LabeledEnum):
    quality = "quality"
    usage = "usage"
    delivery = "delivery"
    other = "other"

    @classmethod
    def _labels(cls):
        return {
            "quality": _l("Quality"),
            "usage": _l("Usage"),
            "delivery": _l("Delivery"),
            "other": _l("Other"),
        }


class Severity(LabeledEnum):
    critical = "critical"
    major = "major"
    minor = "minor"

    @classmethod
    def _labels(cls):
        return {"critical": _l("Critical"), "major": _l("Major"), "minor": _l("Minor")}


class TicketStatus(LabeledEnum):
    """The seven after-sales steps of 3.4.1–3.4.7."""

    received = "received"
    assessed = "assessed"
    coordinating = "coordinating"
    solution_defined = "solution_defined"
    implementing = "implementing"
    awaiting_confirmation = "awaiting_confirmation"
    closed = "closed"

    @classmethod
    def _labels(cls):
        return {
            "received": _l("Received"),
            "assessed": _l("Assessed"),
            "coordinating": _l("Coordinating"),
            "solution_defined": _l("Solution defined"),
            "implementing": _l("Implementing"),
            "awaiting_confirmation": _l("Awaiting customer confirmation"),
            "closed": _l("Closed"),
        }


class CauseCategory(LabeledEnum):
    design = "design"
    material = "material"
    process = "process"
    transport = "transport"
    usage = "usage"
    other = "other"

    @classmethod
    def _labels(cls):
        return {
            "design": _l("Design"),
            "material": _l("Material"),
            "process": _l("Manufacturing process"),
            "transport": _l("Transport"),
            "usage": _l("Customer usage"),
            "other": _l("Other"),
        }


class ServiceTicket(Versioned, Timestamped, Model):
    """An after-sales request and its handling (2.6.1, 3.4)."""

    __tablename__ = "service_ticket"
    __table_args__ = (
        # The search box's text (queries.search).
        trigram_index("service_ticket", "number"),
        CheckConstraint("satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="sat_range"),
        CheckConstraint("due_date IS NULL OR due_date >= reported_on", name="due_after"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    customer: Mapped[Customer] = relationship(lazy="joined")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"), index=True)
    order: Mapped[SalesOrder | None] = relationship(lazy="joined")
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"), index=True)
    product: Mapped[Product | None] = relationship(lazy="joined")
    kind: Mapped[TicketKind] = enum_column(TicketKind)
    severity: Mapped[Severity] = enum_column(Severity, default=Severity.minor)
    status: Mapped[TicketStatus] = enum_column(TicketStatus, default=TicketStatus.received)
    reported_on: Mapped[date] = mapped_column(index=True)
    due_date: Mapped[date | None] = mapped_column(index=True)
    description: Mapped[str] = mapped_column(Text)
    departments: Mapped[str | None] = mapped_column(String(200))
    solution: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[int | None]
    summary: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None]

    label_columns = ("number",)  # the columns __str__ reads (queries.loading)

    def __str__(self) -> str:
        return self.number


class RootCause(Versioned, Timestamped, Model):
    """Root cause and corrective / preventive action for a ticket (2.6.2, 3.4.7)."""

    __tablename__ = "root_cause"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("service_ticket.id", ondelete="CASCADE"), index=True
    )
    ticket: Mapped[ServiceTicket] = relationship(lazy="joined")
    category: Mapped[CauseCategory] = enum_column(CauseCategory)
    cause: Mapped[str] = mapped_column(String(500))
    corrective_action: Mapped[str | None] = mapped_column(Text)
    preventive_action: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), index=True)
    owner: Mapped[Employee | None] = relationship(lazy="joined")
    due_date: Mapped[date | None]
    verified: Mapped[bool] = mapped_column(default=False)

    label_reads = ("ticket",)  # the references __str__ reads (queries.loading)

    def __str__(self) -> str:
        return f"{self.ticket} {self.category}"


class ServiceFeedback(Versioned, Timestamped, Model):
    """The customer's opinion of the service (2.6.3)."""

    __tablename__ = "service_feedback"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("service_ticket.id", ondelete="CASCADE"), index=True
    )
    ticket: Mapped[ServiceTicket] = relationship(lazy="joined")
    received_on: Mapped[date]
    rating: Mapped[int]
    opinion: Mapped[str | None] = mapped_column(Text)
    forwarded_to: Mapped[str | None] = mapped_column(String(120))

    label_reads = ("ticket",)  # the references __str__ reads (queries.loading)

    def __str__(self) -> str:
        return f"{self.ticket} {self.rating}"
