"""Performance appraisal: cycles, targets and qualitative ratings (6)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..services.appraisal import DEFAULTS
from .base import LabeledEnum, Model, Money, Qty, Timestamped, Versioned, enum_column
from .people import Employee


class CycleKind(LabeledEnum):
    quarterly = "quarterly"
    annual = "annual"

    @classmethod
    def _labels(cls):
        return {"quarterly": _l("Quarterly"), "annual": _l("Annual")}


class CycleStatus(LabeledEnum):
    open = "open"
    scoring = "scoring"
    calibration = "calibration"
    closed = "closed"

    @classmethod
    def _labels(cls):
        return {
            "open": _p("appraisal cycle", "Open"),
            "scoring": _l("Scoring"),
            "calibration": _l("Calibration"),
            "closed": _l("Closed"),
        }


class EvaluatorRole(LabeledEnum):
    supervisor = "supervisor"
    peer = "peer"
    customer = "customer"

    @classmethod
    def _labels(cls):
        return {
            "supervisor": _p("evaluator", "Supervisor"),
            "peer": _l("Peer"),
            "customer": _l("Customer"),
        }


class AppraisalCycle(Versioned, Timestamped, Model):
    """A quarterly or annual appraisal period (6.2)."""

    __tablename__ = "appraisal_cycle"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="date_order"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[CycleKind] = enum_column(CycleKind)
    start_date: Mapped[date]
    end_date: Mapped[date]
    status: Mapped[CycleStatus] = enum_column(CycleStatus, default=CycleStatus.open)
    # Weights, thresholds and coefficients of this cycle (6.3.3); empty: the defaults in
    # app/services/appraisal.py. Frozen with the results when the cycle closes.
    settings: Mapped[dict | None] = mapped_column(JSON)

    def effective_settings(self) -> dict:
        return {**DEFAULTS, **(self.settings or {})}

    label_columns = ("name",)  # the columns __str__ reads (queries.loading)

    def __str__(self) -> str:
        return self.name


class AppraisalTarget(Versioned, Timestamped, Model):
    """A salesperson's targets for a cycle (6.1.1–6.1.3)."""

    __tablename__ = "appraisal_target"
    __table_args__ = (
        UniqueConstraint("cycle_id", "employee_id", name="uq_target_cycle_employee"),
        CheckConstraint(
            "revenue >= 0 AND volume >= 0 AND profit >= 0 AND new_customers >= 0 "
            "AND collection_rate BETWEEN 0 AND 100",
            name="targets_nonneg",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("appraisal_cycle.id", ondelete="CASCADE"), index=True)
    cycle: Mapped[AppraisalCycle] = relationship(lazy="joined")
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    employee: Mapped[Employee] = relationship(lazy="joined")
    revenue: Mapped[Decimal] = mapped_column(Money)
    volume: Mapped[Decimal] = mapped_column(Qty)
    profit: Mapped[Decimal] = mapped_column(Money)
    new_customers: Mapped[int] = mapped_column(Integer)
    collection_rate: Mapped[Decimal] = mapped_column(Money, default=Decimal("95"))

    label_reads = ("cycle", "employee")  # the references __str__ reads (queries.loading)

    def __str__(self) -> str:
        return f"{self.cycle} {self.employee.display_name if self.employee else ''}"


class AppraisalRating(Versioned, Timestamped, Model):
    """A qualitative rating, 1–5 per ability (6.1.4, 6.1.5, 6.3.2)."""

    __tablename__ = "appraisal_rating"
    __table_args__ = (
        CheckConstraint(
            "market_analysis BETWEEN 1 AND 5 AND sales_skills BETWEEN 1 AND 5 AND "
            "negotiation BETWEEN 1 AND 5 AND cooperation BETWEEN 1 AND 5 AND "
            "team_contribution BETWEEN 1 AND 5",
            name="ratings_range",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("appraisal_cycle.id", ondelete="CASCADE"), index=True)
    cycle: Mapped[AppraisalCycle] = relationship(lazy="joined")
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id], lazy="joined")
    evaluator_role: Mapped[EvaluatorRole] = enum_column(EvaluatorRole)
    evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), index=True)
    evaluator: Mapped[Employee | None] = relationship(foreign_keys=[evaluator_id], lazy="joined")
    evaluator_name: Mapped[str | None] = mapped_column(String(80))
    market_analysis: Mapped[int]
    sales_skills: Mapped[int]
    negotiation: Mapped[int]
    cooperation: Mapped[int]
    team_contribution: Mapped[int]
    comment: Mapped[str | None] = mapped_column(String(500))

    label_reads = ("cycle", "employee")  # the references __str__ reads (queries.loading)

    def __str__(self) -> str:
        return f"{self.cycle} {self.employee.display_name if self.employee else ''} {self.evaluator_role}"


class AppraisalResult(Model):
    """A salesperson's scorecard frozen when the cycle closed (6.2: a closed cycle is read-only;
    later edits to orders do not change it)."""

    __tablename__ = "appraisal_result"
    __table_args__ = (UniqueConstraint("cycle_id", "employee_id", name="uq_result_cycle_employee"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("appraisal_cycle.id", ondelete="CASCADE"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    final: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    grade: Mapped[str | None] = mapped_column(String(1), index=True)
    rank: Mapped[int | None] = mapped_column(Integer)
    card: Mapped[dict] = mapped_column(JSON)
