"""Shared model pieces: the naming convention, column types and the labelled enum base.

Every model inherits FAB's declarative ``Model`` so that FAB's security tables and ours share one
metadata (Alembic sees both).
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal

from flask_appbuilder import Model
from markupsafe import escape
from sqlalchemy import DateTime, Enum, Index, Integer, MetaData, Numeric, func, select
from sqlalchemy.orm import Mapped, column_property, declared_attr, mapped_column

# Deterministic constraint names so migrations are stable across SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = Model.metadata
metadata.naming_convention = NAMING_CONVENTION

Money = Numeric(14, 2)
Qty = Numeric(14, 3)
ZERO = Decimal("0.00")


def utcnow() -> datetime:
    return datetime.now(UTC)


class LabeledEnum(enum.StrEnum):
    """An enum whose members are stored by name and shown with a translated label.

    Subclasses define ``_labels()`` returning ``{member name: lazy_gettext(...)}``; a classmethod is
    not turned into a member, so labels live beside the values they describe.
    """

    @classmethod
    def _labels(cls) -> dict:
        return {}

    @property
    def label(self):
        return self._labels().get(self.name, self.name)

    def __str__(self) -> str:
        return str(self.label)

    def __html__(self) -> str:  # Jinja renders the label, escaped
        return str(escape(str(self.label)))


class Timestamped:
    """Creation and change times, timezone-aware UTC."""

    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class Versioned:
    """A row version, raised on every update (SQLAlchemy's ``version_id_col``).

    Edit forms and API updates carry the version they started from; a write based on an older
    version is refused instead of silently overwriting someone else's change (issue 3, item 8).
    """

    # No server default here: SQLAlchemy would then fetch the version back with RETURNING, which
    # SQLite cannot do for executemany (post_update of teams); the migration gives old rows 1.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls):  # noqa: N805 - declarative directive
        return {"version_id_col": cls.__table__.c.version}


class PricedLine:
    """A document's line (quotation, contract, order): a product, a quantity and a unit price,
    its amount and its name."""

    label_reads = ("product",)  # the references __str__ reads (queries.loading)

    @property
    def amount(self) -> Decimal:
        return (self.qty or 0) * (self.unit_price or 0)

    def __str__(self) -> str:
        return f"{self.product} × {self.qty}"


def lines_sum(line, amount, belongs):
    """The sum of ``amount`` over a document's lines (0 without lines), as a column computed in
    SQL with the document's row (``belongs``: the line's condition on the document)."""
    return column_property(
        select(func.coalesce(func.sum(amount), 0)).where(belongs).correlate_except(line).scalar_subquery())


def lines_total(line, belongs):
    """A document's total: its lines' quantity × unit price (``lines_sum``)."""
    return lines_sum(line, line.qty * line.unit_price, belongs)


def trigram_index(table: str, column: str) -> Index:
    """A PostgreSQL trigram (pg_trgm GIN) index on a text column: the search's ``ILIKE '%…%'``
    is read from it for three characters and more, Chinese included (trigrams of any letters
    under a UTF-8 ctype). PostgreSQL only (``ddl_if``; ``info["dialects"]`` tells Alembic's
    comparison, ``include_object``); SQLite scans, which serves at its sizes."""
    return Index(f"ix_{table}_{column}_trgm", column, postgresql_using="gin",
                 postgresql_ops={column: "gin_trgm_ops"}, info={"dialects": ("postgresql",)}).ddl_if(
        dialect="postgresql")


def include_object(dialect: str):
    """Alembic's ``include_object`` for ``dialect``: an index meant for other databases only
    (``trigram_index``) is not expected there."""
    def include(obj, name, type_, reflected, compare_to):
        dialects = getattr(obj, "info", {}).get("dialects") if type_ == "index" else None
        return not dialects or dialect in dialects
    return include


def enum_column(enum_cls: type[enum.Enum], default=None, nullable: bool = False, index=True,
                name: str | None = None):
    """A non-native enum column (portable across SQLite and PostgreSQL, stored by name).

    ``name`` names its CHECK constraint; needed when one table has two columns of the same enum
    (constraint names must be unique per schema on PostgreSQL).
    """
    return mapped_column(
        Enum(enum_cls, native_enum=False, length=max(24, *(len(n) for n in enum_cls.__members__)), validate_strings=True, create_constraint=True,
             name=name),
        default=default,
        nullable=nullable,
        index=index,
    )
