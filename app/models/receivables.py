"""Receivables and collection (2.5, 3.3)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..clock import today
from ..labels import BUCKET_LABELS
from ..services.collection import bucket_of, days_overdue
from .base import LabeledEnum, Model, Money, Timestamped, Versioned, enum_column, trigram_index
from .contracts import Contract
from .customers import Customer
from .orders import SalesOrder
from .people import Employee


class ReceivableStatus(LabeledEnum):
    open = "open"
    partially_paid = "partially_paid"
    paid = "paid"
    overdue = "overdue"
    in_legal = "in_legal"
    write_off_pending = "write_off_pending"
    written_off = "written_off"

    @classmethod
    def not_yet_due(cls) -> tuple[ReceivableStatus, ...]:
        """Unpaid and not flagged overdue: the daily job's notices and overdue flags look here."""
        return (cls.open, cls.partially_paid)

    @classmethod
    def collecting(cls) -> tuple[ReceivableStatus, ...]:
        """Money still to collect in the ordinary way (no legal action, no write-off)."""
        return (cls.open, cls.partially_paid, cls.overdue)

    @classmethod
    def unpaid(cls) -> tuple[ReceivableStatus, ...]:
        """Still being collected, in legal action included: what aging and overdue figures count."""
        return (*cls.collecting(), cls.in_legal)

    @classmethod
    def closed(cls) -> tuple[ReceivableStatus, ...]:
        """Nothing left to collect (2.5)."""
        return (cls.paid, cls.written_off)

    @classmethod
    def _labels(cls):
        return {
            "open": _l("Open"),
            "partially_paid": _l("Partially paid"),
            "paid": _l("Paid"),
            "overdue": _l("Overdue"),
            "in_legal": _l("In legal action"),
            "write_off_pending": _l("Write-off requested"),
            "written_off": _l("Written off"),
        }


class PaymentMethod(LabeledEnum):
    bank_transfer = "bank_transfer"
    acceptance_bill = "acceptance_bill"
    cash = "cash"
    other = "other"

    @classmethod
    def _labels(cls):
        return {
            "bank_transfer": _l("Bank transfer"),
            "acceptance_bill": _l("Bank acceptance bill"),
            "cash": _l("Cash"),
            "other": _l("Other"),
        }


class InstalmentBasis(LabeledEnum):
    """The event an instalment's days count from (2.5.1): its receivable is raised by it."""

    signing = "signing"
    shipment = "shipment"
    delivery = "delivery"
    invoice = "invoice"

    @classmethod
    def _labels(cls):
        return {
            "signing": _l("After signing"),
            "shipment": _l("After shipment"),
            "delivery": _l("After delivery"),
            "invoice": _l("After invoice (on delivery)"),
        }


class PaymentInstalment(Versioned, Model):
    """One part of a contract's payment terms (2.3.2, 2.5.1): a share of the contract (per cent)
    or an amount, due some days after an event. The event raises its receivable (``app.terms``);
    a contract's instalments add up to its amount before it is submitted."""

    __tablename__ = "payment_instalment"
    __table_args__ = (
        CheckConstraint("(share IS NULL) <> (amount IS NULL)", name="share_or_amount"),
        CheckConstraint("share IS NULL OR (share > 0 AND share <= 100)", name="share_range"),
        CheckConstraint("amount IS NULL OR amount > 0", name="amount_pos"),
        CheckConstraint("days >= 0", name="days_nonneg"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), index=True)
    contract: Mapped[Contract] = relationship(back_populates="instalments", lazy="joined")
    share: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    basis: Mapped[InstalmentBasis] = enum_column(InstalmentBasis, default=InstalmentBasis.delivery)
    days: Mapped[int] = mapped_column(Integer, default=0)
    method: Mapped[PaymentMethod] = enum_column(PaymentMethod, default=PaymentMethod.bank_transfer)
    note: Mapped[str | None] = mapped_column(String(200))

    def due_of(self, contract_amount) -> Decimal:
        """What the instalment asks of a contract worth ``contract_amount``, to the cent."""
        if self.amount is not None:
            return Decimal(self.amount)
        return (Decimal(self.share or 0) * Decimal(contract_amount or 0) / 100).quantize(Decimal("0.01"))

    label_reads = ("contract",)  # the references __str__ reads (queries.loading)

    def __str__(self) -> str:
        part = f"{self.share}%" if self.share is not None else f"{self.amount}"
        return f"{self.contract} {part} {self.basis.label if self.basis else ''} +{self.days}"


class DunningChannel(LabeledEnum):
    phone = "phone"
    email = "email"
    visit = "visit"
    letter = "letter"

    @classmethod
    def _labels(cls):
        return {
            "phone": _l("Phone"),
            "email": _l("Email"),
            "visit": _l("On-site visit"),
            "letter": _l("Letter"),
        }


class LegalStatus(LabeledEnum):
    review = "review"
    filed = "filed"
    judgment = "judgment"
    enforcement = "enforcement"
    closed = "closed"

    @classmethod
    def _labels(cls):
        return {
            "review": _l("Legal review"),
            "filed": _l("Filed"),
            "judgment": _l("Judgment"),
            "enforcement": _l("Enforcement"),
            "closed": _l("Closed"),
        }


class Payment(Versioned, Timestamped, Model):
    """A payment received against a receivable (2.5.1)."""

    __tablename__ = "payment"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_pos"),
        # A receivable's payments with their dates and amounts: what was paid by a day is read
        # from the index alone (collection rates, outstanding amounts).
        Index("ix_payment_receivable_id_paid_on_amount", "receivable_id", "paid_on", "amount"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    receivable_id: Mapped[int] = mapped_column(ForeignKey("receivable.id", ondelete="CASCADE"))
    receivable: Mapped[Receivable] = relationship(back_populates="payments", lazy="joined")
    paid_on: Mapped[date] = mapped_column(index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    method: Mapped[PaymentMethod] = enum_column(PaymentMethod, default=PaymentMethod.bank_transfer)
    reference: Mapped[str | None] = mapped_column(String(60))

    def __str__(self) -> str:
        return f"{self.paid_on} {self.amount}"


def paid_total(receivable_id, until: date | None = None):
    """What has been paid on a receivable (2.5.1) (by ``until``), as a select of one sum: for an
    id, or for a correlated id column (``Receivable.amount_paid``; the appraisal's paid by a
    period's end), one lookup on the payments' receivable index per row."""
    query = select(func.coalesce(func.sum(Payment.amount), 0)).where(Payment.receivable_id == receivable_id)
    return query if until is None else query.where(Payment.paid_on <= until)


def paid_per_receivable(until: date | None = None):
    """What has been paid on each receivable (by ``until``): a subquery (receivable_id, paid) to
    join, for lists and aggregates over many receivables."""
    query = select(Payment.receivable_id, func.sum(Payment.amount).label("paid"))
    if until is not None:
        query = query.where(Payment.paid_on <= until)
    return query.group_by(Payment.receivable_id).subquery()


class Receivable(Versioned, Timestamped, Model):
    """An invoice to collect (2.5.1); paid and outstanding are derived from payments."""

    __tablename__ = "receivable"
    __table_args__ = (
        # The search box's text (queries.search).
        trigram_index("receivable", "number"),
        CheckConstraint("amount > 0", name="amount_pos"),
        # The unpaid ones by due date with customer and amount (aging, overdue, the finance
        # dashboard): few of many, read from the index alone.
        Index("ix_receivable_status_due_date_customer_id_amount", "status", "due_date", "customer_id", "amount"),
        # Those due in a period with their customer and amount: a collection rate's sums are
        # read from the index alone (six months of a finance dashboard's trend, scoped or not).
        Index("ix_receivable_due_date_customer_id_amount", "due_date", "customer_id", "amount"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    customer: Mapped[Customer] = relationship(lazy="joined")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"), index=True)
    order: Mapped[SalesOrder | None] = relationship(lazy="joined")
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contract.id"), index=True)
    contract: Mapped[Contract | None] = relationship(lazy="joined")
    # The payment term it was raised from (app.terms); none when entered by hand. Loaded when
    # read (lists and pages name it, queries.loading): joined by default, its contract's eager
    # tree joined a second time into every query of receivables (past SQLite's 64 tables).
    instalment_id: Mapped[int | None] = mapped_column(ForeignKey("payment_instalment.id", ondelete="SET NULL"),
                                                      index=True)
    instalment: Mapped[PaymentInstalment | None] = relationship(lazy="select")
    amount: Mapped[Decimal] = mapped_column(Money)
    issued_on: Mapped[date] = mapped_column(index=True)
    due_date: Mapped[date] = mapped_column()
    status: Mapped[ReceivableStatus] = enum_column(ReceivableStatus, default=ReceivableStatus.open)
    payments: Mapped[list[Payment]] = relationship(
        back_populates="receivable", cascade="all, delete-orphan"
    )
    # Computed in SQL with the row (one query for a whole list page, never one per row).
    amount_paid: Mapped[Decimal] = column_property(paid_total(id).correlate_except(Payment).scalar_subquery())

    @property
    def outstanding(self) -> Decimal:
        return Decimal(self.amount or 0) - Decimal(self.amount_paid or 0)

    @property
    def days_overdue(self) -> int:
        """Days past the due date while money is outstanding (2.5.3)."""
        if self.status is None or self.status in ReceivableStatus.closed() or not self.due_date:
            return 0
        return days_overdue(self.due_date, today())

    @property
    def aging_bucket(self):
        return BUCKET_LABELS[bucket_of(self.days_overdue)]

    label_columns = ("number",)  # the columns __str__ reads (queries.loading)

    def __str__(self) -> str:
        return self.number


class NoticeOutcome(LabeledEnum):
    """What the daily job did with a notice it wrote (3.3.1); empty for a notice entered by hand."""

    mailed = "mailed"
    by_hand = "by_hand"  # the customer has no e-mail address: someone sends it by hand
    mail_not_configured = "mail_not_configured"  # the portal has no mail server
    mail_failed = "mail_failed"  # the mail server refused it (the reason is in the log)

    @classmethod
    def _labels(cls):
        return {
            "mailed": _l("E-mailed"),
            "by_hand": _l("To send by hand: no e-mail address"),
            "mail_not_configured": _l("To send by hand: mail is not configured"),
            "mail_failed": _l("To send by hand: mailing failed"),
        }


class SettlementNotice(Versioned, Timestamped, Model):
    """A payment notice sent before the due date (3.3.1): one per receivable and due date (the
    database refuses a second, so two runs of the daily job cannot both send it)."""

    __tablename__ = "settlement_notice"
    __table_args__ = (
        UniqueConstraint("receivable_id", "due_date", name="uq_settlement_notice_receivable_due"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    receivable_id: Mapped[int] = mapped_column(
        ForeignKey("receivable.id", ondelete="CASCADE"), index=True
    )
    receivable: Mapped[Receivable] = relationship(lazy="joined")
    # The due date the notice announces: the receivable's when it was sent (set by app.rules).
    due_date: Mapped[date]
    sent_on: Mapped[date] = mapped_column(index=True)
    channel: Mapped[DunningChannel] = enum_column(DunningChannel, default=DunningChannel.email)
    recipient: Mapped[str | None] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(String(500))
    # Set by the daily job only (a code, shown translated); people write in ``note``.
    outcome: Mapped[NoticeOutcome | None] = enum_column(NoticeOutcome, nullable=True)

    label_reads = ("receivable",)  # the references __str__ reads (queries.loading)

    def __str__(self) -> str:
        return f"{self.receivable} {self.sent_on}"


class DunningRecord(Versioned, Timestamped, Model):
    """One collection contact with an overdue customer (3.3.2)."""

    __tablename__ = "dunning_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    receivable_id: Mapped[int] = mapped_column(
        ForeignKey("receivable.id", ondelete="CASCADE"), index=True
    )
    receivable: Mapped[Receivable] = relationship(lazy="joined")
    contacted_on: Mapped[date] = mapped_column(index=True)
    channel: Mapped[DunningChannel] = enum_column(DunningChannel)
    contact_person: Mapped[str | None] = mapped_column(String(50))
    cause: Mapped[str | None] = mapped_column(String(300))
    promised_date: Mapped[date | None]
    result: Mapped[str | None] = mapped_column(String(300))
    collector_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), index=True)
    collector: Mapped[Employee | None] = relationship(lazy="joined")

    label_reads = ("receivable",)  # the references __str__ reads (queries.loading)

    def __str__(self) -> str:
        return f"{self.receivable} {self.contacted_on}"


class LegalCase(Versioned, Timestamped, Model):
    """Legal action after repeated dunning (2.5.2, 3.3.4)."""

    __tablename__ = "legal_case"
    __table_args__ = (CheckConstraint("amount_recovered >= 0", name="recovered_nonneg"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    receivable_id: Mapped[int] = mapped_column(ForeignKey("receivable.id"), index=True)
    receivable: Mapped[Receivable] = relationship(lazy="joined")
    filed_on: Mapped[date | None]
    counsel: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[LegalStatus] = enum_column(LegalStatus, default=LegalStatus.review)
    amount_recovered: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    notes: Mapped[str | None] = mapped_column(Text)

    label_reads = ("receivable",)  # the references __str__ reads (queries.loading)

    def __str__(self) -> str:
        return f"{self.receivable} {self.status}"


def open_total(customer_id):
    """What a customer still owes (3.3.3): the outstanding of its receivables being collected,
    as a select of one sum."""
    return select(func.coalesce(func.sum(Receivable.amount - Receivable.amount_paid), 0)).where(
        Receivable.customer_id == customer_id, Receivable.status.in_(ReceivableStatus.unpaid()))
