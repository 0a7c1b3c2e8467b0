"""Training plans, sessions, assessment, certification and career moves (5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p
from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import LabeledEnum, Model, Money, Timestamped, Versioned, enum_column
from .people import Employee, Position


class PlanStatus(LabeledEnum):
    draft = "draft"
    approved = "approved"

    @classmethod
    def _labels(cls):
        return {"draft": _l("Draft"), "approved": _l("Approved")}


class Topic(LabeledEnum):
    """Training content of 5.1.2."""

    product = "product"
    sales_skills = "sales_skills"
    market_analysis = "market_analysis"
    law = "law"
    ethics = "ethics"

    @classmethod
    def _labels(cls):
        return {
            "product": _l("Product knowledge"),
            "sales_skills": _l("Sales skills"),
            "market_analysis": _l("Market analysis"),
            "law": _l("Laws and regulations"),
            "ethics": _l("Professional ethics"),
        }


class Method(LabeledEnum):
    """Training methods of 5.2."""

    internal = "internal"
    external = "external"
    online = "online"

    @classmethod
    def _labels(cls):
        return {"internal": _l("Internal"), "external": _l("External"), "online": _l("Online")}


class ItemStatus(LabeledEnum):
    planned = "planned"
    held = "held"
    assessed = "assessed"
    cancelled = "cancelled"

    @classmethod
    def _labels(cls):
        return {
            "planned": _l("Planned"),
            "held": _l("Held"),
            "assessed": _p("training", "Assessed"),
            "cancelled": _l("Cancelled"),
        }


class AssessmentKind(LabeledEnum):
    """Assessment kinds of 5.3.1."""

    exam = "exam"
    assignment = "assignment"
    practical = "practical"

    @classmethod
    def _labels(cls):
        return {"exam": _l("Exam"), "assignment": _l("Assignment"), "practical": _l("Practical test")}


class MoveKind(LabeledEnum):
    promotion = "promotion"
    rotation = "rotation"
    pay_raise = "pay_raise"
    demotion = "demotion"

    @classmethod
    def _labels(cls):
        return {
            "promotion": _l("Promotion"),
            "rotation": _l("Rotation"),
            "pay_raise": _l("Pay raise"),
            "demotion": _l("Demotion"),
        }


class TrainingPlan(Versioned, Timestamped, Model):
    """The annual training plan (5.1.1)."""

    __tablename__ = "training_plan"
    __table_args__ = (CheckConstraint("budget >= 0", name="budget_nonneg"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(120))
    budget: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    status: Mapped[PlanStatus] = enum_column(PlanStatus, default=PlanStatus.draft)
    items: Mapped[list[TrainingItem]] = relationship(
        back_populates="plan", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class TrainingItem(Versioned, Timestamped, Model):
    """One planned course or session of the plan (5.1.2, 5.2)."""

    __tablename__ = "training_item"
    __table_args__ = (
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
        CheckConstraint("hours > 0", name="hours_pos"),
        CheckConstraint("cost >= 0", name="cost_nonneg"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
                        name="date_order"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("training_plan.id", ondelete="CASCADE"), index=True)
    plan: Mapped[TrainingPlan] = relationship(back_populates="items", lazy="joined")
    title: Mapped[str] = mapped_column(String(120))
    topic: Mapped[Topic] = enum_column(Topic)
    method: Mapped[Method] = enum_column(Method)
    trainer: Mapped[str | None] = mapped_column(String(120))
    month: Mapped[int] = mapped_column(index=True)
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    audience: Mapped[str | None] = mapped_column(String(120))
    cost: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    status: Mapped[ItemStatus] = enum_column(ItemStatus, default=ItemStatus.planned)

    label_columns = ("title",)  # the columns __str__ reads (queries.loading)

    def __str__(self) -> str:
        return self.title


class Enrolment(Versioned, Timestamped, Model):
    """A salesperson on a training item: attendance and assessment (5.3)."""

    __tablename__ = "enrolment"
    __table_args__ = (
        UniqueConstraint("item_id", "employee_id", name="uq_enrolment_item_employee"),
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 100", name="score_range"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("training_item.id", ondelete="CASCADE"), index=True)
    item: Mapped[TrainingItem] = relationship(lazy="joined")
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    employee: Mapped[Employee] = relationship(lazy="joined")
    attended: Mapped[bool] = mapped_column(default=False)
    assessment: Mapped[AssessmentKind | None] = enum_column(AssessmentKind, nullable=True)
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    passed: Mapped[bool | None]

    label_reads = ("item", "employee")  # the references __str__ reads (queries.loading)

    def __str__(self) -> str:
        return f"{self.item} {self.employee.display_name if self.employee else ''}"


class Certification(Versioned, Timestamped, Model):
    """An industry qualification held by an employee (5.4.3)."""

    __tablename__ = "certification"
    __table_args__ = (
        CheckConstraint("expires_on IS NULL OR expires_on >= obtained_on", name="date_order"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    employee: Mapped[Employee] = relationship(lazy="joined")
    name: Mapped[str] = mapped_column(String(120))
    issuer: Mapped[str | None] = mapped_column(String(120))
    obtained_on: Mapped[date]
    expires_on: Mapped[date | None]

    label_columns = ("name",)  # the columns __str__ reads (queries.loading)

    def __str__(self) -> str:
        return self.name


class CareerMove(Versioned, Timestamped, Model):
    """A promotion, rotation or raise with its basis (5.4.1, 5.4.2, 6.4.2)."""

    __tablename__ = "career_move"
    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    employee: Mapped[Employee] = relationship(lazy="joined")
    kind: Mapped[MoveKind] = enum_column(MoveKind)
    from_position: Mapped[Position | None] = enum_column(
        Position, nullable=True, index=False, name="from_position")
    to_position: Mapped[Position | None] = enum_column(
        Position, nullable=True, index=False, name="to_position")
    effective_on: Mapped[date]
    basis: Mapped[str] = mapped_column(Text)

    label_reads = ("employee",)  # the references __str__ reads (queries.loading)

    def __str__(self) -> str:
        return f"{self.employee.display_name if self.employee else ''} {self.kind}"
