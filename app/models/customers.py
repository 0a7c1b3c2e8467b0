"""Customers, their development, visits, products and quotations (2.2, 3.1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import (
    LabeledEnum,
    Model,
    Money,
    PricedLine,
    Qty,
    Timestamped,
    Versioned,
    enum_column,
    lines_total,
    trigram_index,
)
from .people import Employee


class Stage(LabeledEnum):
    """The seven steps of customer development (3.1.1–3.1.7), in order, plus lost."""

    research = "research"
    screened = "screened"
    first_visit = "first_visit"
    needs = "needs"
    quoted = "quoted"
    negotiating = "negotiating"
    contracted = "contracted"
    lost = "lost"

    @classmethod
    def _labels(cls):
        return {
            "research": _l("Market research"),
            "screened": _l("Screened (key target)"),
            "first_visit": _l("First visit"),
            "needs": _l("Needs communicated"),
            "quoted": _l("Quoted"),
            "negotiating": _l("Negotiating"),
            "contracted": _l("Contracted"),
            "lost": _l("Lost"),
        }


class RiskLevel(LabeledEnum):
    """Credit risk warning levels of 3.3.3."""

    green = "green"
    yellow = "yellow"
    red = "red"

    @classmethod
    def _labels(cls):
        return {"green": _l("Green (normal)"), "yellow": _l("Yellow (watch)"), "red": _l("Red (warning)")}


class VisitKind(LabeledEnum):
    first_visit = "first_visit"
    return_visit = "return_visit"
    needs = "needs"
    negotiation = "negotiation"
    service = "service"

    @classmethod
    def _labels(cls):
        return {
            "first_visit": _l("First visit"),
            "return_visit": _l("Return visit"),
            "needs": _l("Needs communication"),
            "negotiation": _l("Negotiation"),
            "service": _l("Service"),
        }


class QuotationStatus(LabeledEnum):
    draft = "draft"
    sent = "sent"
    accepted = "accepted"
    rejected = "rejected"
    expired = "expired"

    @classmethod
    def _labels(cls):
        return {
            "draft": _l("Draft"),
            "sent": _l("Sent"),
            "accepted": _l("Accepted"),
            "rejected": _l("Rejected"),
            "expired": _l("Expired"),
        }


class Product(Versioned, Timestamped, Model):
    """A product sold by the factory; unit cost gives order profit (6.1.1)."""

    __tablename__ = "product"
    __table_args__ = (
        CheckConstraint("list_price >= 0 AND unit_cost >= 0", name="prices_nonneg"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    unit: Mapped[str] = mapped_column(String(10), default="件")
    list_price: Mapped[Decimal] = mapped_column(Money)
    unit_cost: Mapped[Decimal] = mapped_column(Money)

    label_columns = ("code", "name")  # the columns __str__ reads (queries.loading)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Customer(Versioned, Timestamped, Model):
    """A customer and its development stage (2.2.1, 3.1); owned by one salesperson (4.2.1)."""

    __tablename__ = "customer"
    __table_args__ = (
        # The search box's text (queries.search).
        trigram_index("customer", "code"),
        trigram_index("customer", "name"),
        CheckConstraint("credit_limit >= 0", name="credit_nonneg"),
        CheckConstraint("payment_terms_days >= 0", name="terms_nonneg"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    # The unified social credit code (统一社会信用代码) and the switchboard: a new customer matching
    # one of them, or the name, is shown as a possible duplicate (queries.duplicates).
    tax_id: Mapped[str | None] = mapped_column(String(30), index=True)
    phone: Mapped[str | None] = mapped_column(String(30), index=True)
    industry: Mapped[str | None] = mapped_column(String(80), index=True)
    region: Mapped[str | None] = mapped_column(String(80), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    credit_limit: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    stage: Mapped[Stage] = enum_column(Stage, default=Stage.research)
    lost_reason: Mapped[str | None] = mapped_column(String(500))
    risk_level: Mapped[RiskLevel] = enum_column(RiskLevel, default=RiskLevel.green)
    risk_reason: Mapped[str | None] = mapped_column(String(500))
    owner_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    owner: Mapped[Employee] = relationship(lazy="joined")
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="customer", cascade="all, delete-orphan"
    )
    visits: Mapped[list[Visit]] = relationship(
        back_populates="customer", cascade="all, delete-orphan"
    )

    label_columns = ("code", "name")  # the columns __str__ reads (queries.loading)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Contact(Versioned, Timestamped, Model):
    __tablename__ = "contact"
    __table_args__ = (
        # The search box's text (queries.search).
        trigram_index("contact", "name"),
        trigram_index("contact", "phone"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    customer: Mapped[Customer] = relationship(back_populates="contacts", lazy="joined")
    name: Mapped[str] = mapped_column(String(50))
    title: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(120))

    label_columns = ("name",)  # the columns __str__ reads (queries.loading)

    def __str__(self) -> str:
        return self.name


class Visit(Versioned, Timestamped, Model):
    """A visit or follow-up with a customer (2.2.2, 3.1.3–3.1.6)."""

    __tablename__ = "visit"
    __table_args__ = (
        CheckConstraint("satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="sat_range"),
        CheckConstraint("next_date IS NULL OR next_date >= visit_date", name="next_after"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    customer: Mapped[Customer] = relationship(back_populates="visits", lazy="joined")
    visit_date: Mapped[date] = mapped_column(index=True)
    kind: Mapped[VisitKind] = enum_column(VisitKind, default=VisitKind.return_visit)
    summary: Mapped[str] = mapped_column(Text)
    next_action: Mapped[str | None] = mapped_column(String(300))
    next_date: Mapped[date | None] = mapped_column(index=True)
    satisfaction: Mapped[int | None]

    label_reads = ("customer",)  # the references __str__ reads (queries.loading)

    def __str__(self) -> str:
        return f"{self.customer} {self.visit_date}"


class Quotation(Versioned, Timestamped, Model):
    """A proposal and quotation submitted to a customer (3.1.5)."""

    __tablename__ = "quotation"
    __table_args__ = (
        # The search box's text (queries.search).
        trigram_index("quotation", "number"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    customer: Mapped[Customer] = relationship(lazy="joined")
    issued_on: Mapped[date] = mapped_column(index=True)
    valid_until: Mapped[date] = mapped_column(index=True)
    status: Mapped[QuotationStatus] = enum_column(QuotationStatus, default=QuotationStatus.draft)
    note: Mapped[str | None] = mapped_column(Text)
    lines: Mapped[list[QuotationLine]] = relationship(
        back_populates="quotation", cascade="all, delete-orphan", lazy="selectin"
    )

    label_columns = ("number",)  # the columns __str__ reads (queries.loading)

    def __str__(self) -> str:
        return self.number


class QuotationLine(PricedLine, Versioned, Model):
    __tablename__ = "quotation_line"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_pos"),
        CheckConstraint("unit_price >= 0", name="price_nonneg"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    quotation_id: Mapped[int] = mapped_column(
        ForeignKey("quotation.id", ondelete="CASCADE"), index=True
    )
    quotation: Mapped[Quotation] = relationship(back_populates="lines", lazy="joined")
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    product: Mapped[Product] = relationship(lazy="joined")
    qty: Mapped[Decimal] = mapped_column(Qty)
    unit_price: Mapped[Decimal] = mapped_column(Money)


Quotation.total = lines_total(QuotationLine, QuotationLine.quotation_id == Quotation.id)
