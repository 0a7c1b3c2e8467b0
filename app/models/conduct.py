"""Conduct: attendance, leave, violations and the integrity register (4)."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import LabeledEnum, Model, Money, Timestamped, Versioned, enum_column
from .customers import Customer
from .people import Employee


class AttendanceStatus(LabeledEnum):
    normal = "normal"
    late = "late"
    left_early = "left_early"
    absent = "absent"
    on_leave = "on_leave"
    business_trip = "business_trip"

    @classmethod
    def exceptions(cls) -> tuple[AttendanceStatus, ...]:
        """4.1.1: days a supervisor looks at."""
        return (cls.late, cls.left_early, cls.absent)

    @classmethod
    def _labels(cls):
        return {
            "normal": _l("Normal"),
            "late": _l("Late"),
            "left_early": _l("Left early"),
            "absent": _l("Absent"),
            "on_leave": _l("On leave"),
            "business_trip": _l("Business trip"),
        }


class LeaveType(LabeledEnum):
    annual = "annual"
    sick = "sick"
    personal = "personal"
    marriage = "marriage"
    maternity = "maternity"
    bereavement = "bereavement"

    @classmethod
    def _labels(cls):
        return {
            "annual": _l("Annual leave"),
            "sick": _l("Sick leave"),
            "personal": _l("Personal leave"),
            "marriage": _l("Marriage leave"),
            "maternity": _l("Maternity leave"),
            "bereavement": _l("Bereavement leave"),
        }


class LeaveStatus(LabeledEnum):
    draft = "draft"
    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"
    cancelled = "cancelled"

    @classmethod
    def withdrawn(cls) -> tuple[LeaveStatus, ...]:
        """A request that no longer counts (for overlaps and days taken)."""
        return (cls.rejected, cls.cancelled)

    @classmethod
    def _labels(cls):
        return {
            "draft": _l("Draft"),
            "submitted": _l("Submitted"),
            "approved": _l("Approved"),
            "rejected": _l("Rejected"),
            "cancelled": _l("Cancelled"),
        }


class Severity(LabeledEnum):
    minor = "minor"
    moderate = "moderate"
    serious = "serious"

    @classmethod
    def _labels(cls):
        return {"minor": _l("Minor"), "moderate": _l("Moderate"), "serious": _l("Serious")}


class Handling(LabeledEnum):
    declined = "declined"
    returned = "returned"
    handed_in = "handed_in"
    pending = "pending"

    @classmethod
    def _labels(cls):
        return {
            "declined": _l("Declined"),
            "returned": _l("Returned"),
            "handed_in": _l("Handed in to the company"),
            "pending": _l("Pending"),
        }


class Attendance(Versioned, Timestamped, Model):
    """One day's check-in and check-out (4.1.1)."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("employee_id", "work_date", name="uq_attendance_employee_day"),
        CheckConstraint("check_out IS NULL OR check_in IS NULL OR check_out >= check_in",
                        name="time_order"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    employee: Mapped[Employee] = relationship(lazy="joined")
    work_date: Mapped[date] = mapped_column(index=True)
    check_in: Mapped[time | None]
    check_out: Mapped[time | None]
    status: Mapped[AttendanceStatus] = enum_column(AttendanceStatus, default=AttendanceStatus.normal)
    note: Mapped[str | None] = mapped_column(String(200))

    label_reads = ("employee",)  # the references __str__ reads (queries.loading)

    def __str__(self) -> str:
        return f"{self.employee.display_name if self.employee else ''} {self.work_date}"


class LeaveRequest(Versioned, Timestamped, Model):
    """A leave application, to be approved in advance (4.1.2)."""

    __tablename__ = "leave_request"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="date_order"),
        CheckConstraint("days > 0", name="days_pos"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id], lazy="joined")
    leave_type: Mapped[LeaveType] = enum_column(LeaveType)
    start_date: Mapped[date] = mapped_column(index=True)
    end_date: Mapped[date]
    days: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[LeaveStatus] = enum_column(LeaveStatus, default=LeaveStatus.draft)
    submitted_on: Mapped[date | None]
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), index=True)
    approver: Mapped[Employee | None] = relationship(foreign_keys=[approver_id], lazy="joined")

    label_reads = ("employee",)  # the references __str__ reads (queries.loading)

    def __str__(self) -> str:
        return f"{self.employee.display_name if self.employee else ''} {self.start_date}~{self.end_date}"


class ConductViolation(Versioned, Timestamped, Model):
    """A breach of the conduct rules of chapter 4; may lead to a penalty (7.2)."""

    __tablename__ = "conduct_violation"
    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id], lazy="joined")
    occurred_on: Mapped[date] = mapped_column(index=True)
    clause: Mapped[str] = mapped_column(String(10))
    facts: Mapped[str] = mapped_column(Text)
    severity: Mapped[Severity] = enum_column(Severity, default=Severity.minor)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), index=True)
    reported_by: Mapped[Employee | None] = relationship(foreign_keys=[reported_by_id], lazy="joined")

    label_reads = ("employee",)  # the references __str__ reads (queries.loading)

    def __str__(self) -> str:
        return f"{self.employee.display_name if self.employee else ''} {self.clause} {self.occurred_on}"


class IntegrityRecord(Versioned, Timestamped, Model):
    """A gift or benefit offered by a customer and how it was handled (4.2.2)."""

    __tablename__ = "integrity_record"
    __table_args__ = (CheckConstraint("value >= 0", name="value_nonneg"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    employee: Mapped[Employee] = relationship(lazy="joined")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    customer: Mapped[Customer | None] = relationship(lazy="joined")
    offered_on: Mapped[date]
    description: Mapped[str] = mapped_column(String(300))
    value: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    handling: Mapped[Handling] = enum_column(Handling, default=Handling.pending)

    def __str__(self) -> str:
        return f"{self.offered_on} {self.description[:30]}"
