"""Organisation: teams and employees (5.4.1 positions; scope of supervisors follows the team)."""

from __future__ import annotations

from datetime import date

from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..labels import person_name
from .base import LabeledEnum, Model, Timestamped, Versioned, enum_column


class Position(LabeledEnum):
    salesperson = "salesperson"
    supervisor = "supervisor"
    manager = "manager"
    finance = "finance"
    hr = "hr"
    other = "other"

    @classmethod
    def _labels(cls):
        return {
            "salesperson": _l("Salesperson"),
            "supervisor": _l("Sales supervisor"),
            "manager": _l("Sales manager"),
            "finance": _l("Finance clerk"),
            "hr": _l("HR officer"),
            "other": _l("Other"),
        }


class EmployeeStatus(LabeledEnum):
    active = "active"
    suspended = "suspended"
    left = "left"

    @classmethod
    def _labels(cls):
        return {"active": _l("Active"), "suspended": _l("Suspended"), "left": _l("Left")}


class Team(Versioned, Timestamped, Model):
    __tablename__ = "team"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    region: Mapped[str | None] = mapped_column(String(80))
    supervisor_id: Mapped[int | None] = mapped_column(
        ForeignKey("employee.id", use_alter=True, ondelete="SET NULL"), index=True
    )
    supervisor: Mapped[Employee | None] = relationship(
        foreign_keys=[supervisor_id], post_update=True, lazy="joined"
    )
    members: Mapped[list[Employee]] = relationship(
        back_populates="team", foreign_keys="Employee.team_id"
    )

    label_columns = ("name",)  # the columns __str__ reads (queries.loading)

    def __str__(self) -> str:
        return self.name


class Employee(Versioned, Timestamped, Model):
    __tablename__ = "employee"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    name_en: Mapped[str | None] = mapped_column(String(80))
    department: Mapped[str] = mapped_column(String(50), default="销售部")
    position: Mapped[Position] = enum_column(Position, default=Position.salesperson)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    team: Mapped[Team | None] = relationship(
        back_populates="members", foreign_keys=[team_id], lazy="joined"
    )
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), index=True)
    manager: Mapped[Employee | None] = relationship(remote_side=[id], lazy="joined", join_depth=1)
    hire_date: Mapped[date | None]
    status: Mapped[EmployeeStatus] = enum_column(EmployeeStatus, default=EmployeeStatus.active)
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(120))
    user_id: Mapped[int | None] = mapped_column(ForeignKey(User.id), unique=True, index=True)
    user: Mapped[User | None] = relationship(lazy="joined")

    @property
    def display_name(self) -> str:
        """The name every screen shows: the English name on English pages where it is filled."""
        return person_name(self.name, self.name_en)

    label_columns = ("name", "name_en", "number")  # the columns __str__ reads (queries.loading)

    def __str__(self) -> str:
        # Chinese writes full-width brackets, English ASCII ones: the format is the catalog's.
        return gettext("%(name)s (%(number)s)", name=self.display_name, number=self.number)
