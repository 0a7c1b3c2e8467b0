"""Rewards and penalties (7)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import LabeledEnum, Model, Money, Timestamped, Versioned, enum_column
from .conduct import ConductViolation
from .people import Employee


class RewardKind(LabeledEnum):
    """Award kinds of 7.1.1–7.1.3."""

    performance = "performance"
    innovation = "innovation"
    teamwork = "teamwork"

    @classmethod
    def _labels(cls):
        return {
            "performance": _l("Performance award"),
            "innovation": _l("Innovation award"),
            "teamwork": _l("Teamwork award"),
        }


class PenaltyKind(LabeledEnum):
    """The penalty scale of 7.2 (configurable: the source text is cut off after 7.2.1)."""

    warning = "warning"
    serious_warning = "serious_warning"
    fine = "fine"
    demotion = "demotion"
    dismissal = "dismissal"

    @classmethod
    def _labels(cls):
        return {
            "warning": _l("Warning"),
            "serious_warning": _l("Serious warning"),
            "fine": _l("Fine / bonus deduction"),
            "demotion": _l("Demotion"),
            "dismissal": _l("Dismissal"),
        }


class PenaltyStatus(LabeledEnum):
    proposed = "proposed"
    approved = "approved"
    rejected = "rejected"

    @classmethod
    def _labels(cls):
        return {"proposed": _l("Proposed"), "approved": _l("Approved"), "rejected": _l("Rejected")}


class Reward(Versioned, Timestamped, Model):
    __tablename__ = "reward"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_nonneg"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id], lazy="joined")
    kind: Mapped[RewardKind] = enum_column(RewardKind)
    awarded_on: Mapped[date] = mapped_column(index=True)
    amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    prize: Mapped[str | None] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text)
    basis: Mapped[str | None] = mapped_column(String(300))

    label_reads = ("employee",)  # the references __str__ reads (queries.loading)

    def __str__(self) -> str:
        return f"{self.employee.display_name if self.employee else ''} {self.kind} {self.awarded_on}"


class Penalty(Versioned, Timestamped, Model):
    __tablename__ = "penalty"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_nonneg"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id], lazy="joined")
    kind: Mapped[PenaltyKind] = enum_column(PenaltyKind)
    decided_on: Mapped[date] = mapped_column(index=True)
    amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    reason: Mapped[str] = mapped_column(Text)
    clause: Mapped[str | None] = mapped_column(String(10))
    violation_id: Mapped[int | None] = mapped_column(ForeignKey("conduct_violation.id"), index=True)
    violation: Mapped[ConductViolation | None] = relationship(lazy="joined")
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), index=True)
    approver: Mapped[Employee | None] = relationship(foreign_keys=[approver_id], lazy="joined")
    status: Mapped[PenaltyStatus] = enum_column(PenaltyStatus, default=PenaltyStatus.proposed)

    label_reads = ("employee",)  # the references __str__ reads (queries.loading)

    def __str__(self) -> str:
        return f"{self.employee.display_name if self.employee else ''} {self.kind} {self.decided_on}"
