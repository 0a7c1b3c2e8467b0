"""Market research and competitors (2.1.1, 2.1.2, 3.1.1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import LabeledEnum, Model, Money, Timestamped, Versioned, enum_column
from .people import Employee


class PriceLevel(LabeledEnum):
    low = "low"
    medium = "medium"
    high = "high"

    @classmethod
    def _labels(cls):
        return {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")}


class ProposalStatus(LabeledEnum):
    proposed = "proposed"
    adopted = "adopted"
    rejected = "rejected"
    done = "done"

    @classmethod
    def _labels(cls):
        return {
            "proposed": _l("Proposed"),
            "adopted": _l("Adopted"),
            "rejected": _l("Rejected"),
            "done": _l("Done"),
        }


class MarketReport(Versioned, Timestamped, Model):
    """A market research report (2.1.1, 3.1.1)."""

    __tablename__ = "market_report"
    __table_args__ = (
        CheckConstraint("period_end IS NULL OR period_start IS NULL OR period_end >= period_start",
                        name="period_order"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(80), index=True)
    industry: Mapped[str | None] = mapped_column(String(80), index=True)
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    findings: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    author: Mapped[Employee] = relationship(foreign_keys=[author_id], lazy="joined")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), index=True)
    reviewer: Mapped[Employee | None] = relationship(foreign_keys=[reviewer_id], lazy="joined")

    label_columns = ("title",)  # the columns __str__ reads (queries.loading)

    def __str__(self) -> str:
        return self.title


class Competitor(Versioned, Timestamped, Model):
    """A competitor and what is known of it (2.1.2)."""

    __tablename__ = "competitor"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    main_products: Mapped[str | None] = mapped_column(String(500))
    price_level: Mapped[PriceLevel | None] = enum_column(PriceLevel, nullable=True)
    marketing_strategy: Mapped[str | None] = mapped_column(Text)
    strengths: Mapped[str | None] = mapped_column(Text)
    weaknesses: Mapped[str | None] = mapped_column(Text)
    prices: Mapped[list[CompetitorPrice]] = relationship(
        back_populates="competitor", cascade="all, delete-orphan"
    )
    countermeasures: Mapped[list[Countermeasure]] = relationship(
        back_populates="competitor", cascade="all, delete-orphan"
    )

    label_columns = ("name",)  # the columns __str__ reads (queries.loading)

    def __str__(self) -> str:
        return self.name


class CompetitorPrice(Versioned, Timestamped, Model):
    """A competitor's price seen on a date (2.1.2: price observations over time)."""

    __tablename__ = "competitor_price"
    __table_args__ = (CheckConstraint("price >= 0", name="price_nonneg"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    competitor_id: Mapped[int] = mapped_column(
        ForeignKey("competitor.id", ondelete="CASCADE"), index=True
    )
    competitor: Mapped[Competitor] = relationship(back_populates="prices", lazy="joined")
    product: Mapped[str] = mapped_column(String(120))
    price: Mapped[Decimal] = mapped_column(Money)
    observed_on: Mapped[date] = mapped_column(index=True)
    source: Mapped[str | None] = mapped_column(String(200))

    label_reads = ("competitor",)  # the references __str__ reads (queries.loading)

    def __str__(self) -> str:
        return f"{self.competitor} {self.product} {self.price}"


class Countermeasure(Versioned, Timestamped, Model):
    """A countermeasure proposed against a competitor (2.1.2)."""

    __tablename__ = "countermeasure"
    id: Mapped[int] = mapped_column(primary_key=True)
    competitor_id: Mapped[int] = mapped_column(
        ForeignKey("competitor.id", ondelete="CASCADE"), index=True
    )
    competitor: Mapped[Competitor] = relationship(back_populates="countermeasures", lazy="joined")
    proposal: Mapped[str] = mapped_column(Text)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    proposer: Mapped[Employee] = relationship(lazy="joined")
    status: Mapped[ProposalStatus] = enum_column(ProposalStatus, default=ProposalStatus.proposed)

    def __str__(self) -> str:
        return self.proposal[:40]
