"""Sales contracts and their approvals (2.3, 3.1.7)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, Text
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
    trigram_index,
    utcnow,
)
from .customers import Customer, Product, Quotation
from .people import Employee


class ContractStatus(LabeledEnum):
    draft = "draft"
    submitted = "submitted"
    finance_review = "finance_review"
    approved = "approved"
    signed = "signed"
    executing = "executing"
    fulfilled = "fulfilled"
    rejected = "rejected"
    terminated = "terminated"

    @classmethod
    def _labels(cls):
        return {
            "draft": _l("Draft"),
            "submitted": _l("Submitted"),
            "finance_review": _l("Awaiting finance approval"),
            "approved": _l("Approved"),
            "signed": _l("Signed"),
            "executing": _l("Executing"),
            "fulfilled": _l("Fulfilled"),
            "rejected": _l("Rejected"),
            "terminated": _l("Terminated"),
        }


class ApprovalLevel(LabeledEnum):
    supervisor = "supervisor"
    finance = "finance"

    @classmethod
    def _labels(cls):
        return {"supervisor": _l("Supervisor approval"), "finance": _l("Finance approval")}


class Verdict(LabeledEnum):
    approved = "approved"
    rejected = "rejected"

    @classmethod
    def _labels(cls):
        return {"approved": _l("Approve"), "rejected": _l("Reject")}


class Contract(Versioned, Timestamped, Model):
    """A sales contract (2.3.2, 3.1.7)."""

    __tablename__ = "contract"
    __table_args__ = (
        # The search box's text (queries.search).
        trigram_index("contract", "number"),
        CheckConstraint("amount >= 0", name="amount_nonneg"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
                        name="date_order"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    customer: Mapped[Customer] = relationship(lazy="joined")
    quotation_id: Mapped[int | None] = mapped_column(ForeignKey("quotation.id"), index=True)
    quotation: Mapped[Quotation | None] = relationship(lazy="joined")
    amount: Mapped[Decimal] = mapped_column(Money)
    sign_date: Mapped[date | None] = mapped_column(index=True)
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    payment_terms: Mapped[str | None] = mapped_column(String(300))
    terms: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ContractStatus] = enum_column(ContractStatus, default=ContractStatus.draft)
    approvals: Mapped[list[ContractApproval]] = relationship(
        back_populates="contract", cascade="all, delete-orphan"
    )
    lines: Mapped[list[ContractLine]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", lazy="selectin"
    )
    # The payment terms as data (models.receivables, which imports this module: the class is
    # named, not imported); ``payment_terms`` stays as a note.
    instalments: Mapped[list[PaymentInstalment]] = relationship(  # noqa: F821
        back_populates="contract", cascade="all, delete-orphan", order_by="PaymentInstalment.id"
    )

    label_columns = ("number",)  # the columns __str__ reads (queries.loading)

    def __str__(self) -> str:
        return self.number


class ContractApproval(Versioned, Model):
    """One approval step of a contract: who, when, verdict, comment (3.1.7)."""

    __tablename__ = "contract_approval"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contract.id", ondelete="CASCADE"), index=True
    )
    contract: Mapped[Contract] = relationship(back_populates="approvals", lazy="joined")
    approver_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    approver: Mapped[Employee] = relationship(lazy="joined")
    level: Mapped[ApprovalLevel] = enum_column(ApprovalLevel, default=ApprovalLevel.supervisor)
    verdict: Mapped[Verdict] = enum_column(Verdict)
    comment: Mapped[str | None] = mapped_column(String(500))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    label_reads = ("contract",)  # the references __str__ reads (queries.loading)

    def __str__(self) -> str:
        return f"{self.contract} {self.verdict}"


class ContractLine(PricedLine, Versioned, Model):
    """What a contract sells (2.3.2): product, quantity, unit price. A contract with lines is worth
    their total; its orders draw on them (``queries.documents.remaining``)."""

    __tablename__ = "contract_line"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_pos"),
        CheckConstraint("unit_price >= 0", name="price_nonneg"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), index=True)
    contract: Mapped[Contract] = relationship(back_populates="lines", lazy="joined")
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    product: Mapped[Product] = relationship(lazy="joined")
    qty: Mapped[Decimal] = mapped_column(Qty)
    unit_price: Mapped[Decimal] = mapped_column(Money)

