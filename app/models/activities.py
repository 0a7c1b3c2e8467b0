"""Activities: the next action planned on a customer, a quotation, a contract, an order, a
receivable or a ticket (Odoo's activities; the regulation's follow-ups, 2.2.2, 3.3.2, 3.4), for
one employee by a due date, done with an outcome (a visit done becomes the customer's visit
record: ``workflow.definitions``)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import LabeledEnum, Model, Timestamped, Versioned, enum_column
from .contracts import Contract
from .customers import Customer, Quotation
from .orders import SalesOrder
from .people import Employee
from .receivables import Receivable
from .service import ServiceTicket

# The records an activity may be about, one per activity: (relationship, column). Only the
# customer is joined when an activity is loaded: the others are loaded with their own joins
# (each document joins its customer, owner, team...: all of them at once pass SQLite's 64).
SUBJECTS = (("customer", "customer_id"), ("quotation", "quotation_id"), ("contract", "contract_id"),
            ("order", "order_id"), ("receivable", "receivable_id"), ("ticket", "ticket_id"))


class ActivityKind(LabeledEnum):
    call = "call"
    visit = "visit"
    email = "email"
    meeting = "meeting"
    todo = "todo"

    @classmethod
    def _labels(cls):
        return {"call": _l("Call"), "visit": _l("Visit"), "email": _l("E-mail"), "meeting": _l("Meeting"),
                "todo": _l("To-do")}


class ActivityStatus(LabeledEnum):
    planned = "planned"
    done = "done"
    cancelled = "cancelled"

    @classmethod
    def _labels(cls):
        return {"planned": _l("Planned"), "done": _l("Done"), "cancelled": _l("Cancelled")}


class Activity(Versioned, Timestamped, Model):
    __tablename__ = "activity"
    __table_args__ = (
        # About one record exactly (the form and the API say which is missing).
        CheckConstraint(" + ".join(f"(CASE WHEN {col} IS NULL THEN 0 ELSE 1 END)" for _r, col in SUBJECTS)
                        + " = 1", name="one_subject"),
        # "My activities" and the calendar: an assignee's planned ones by due date.
        Index("ix_activity_assignee_id_status_due_date", "assignee_id", "status", "due_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ActivityKind] = enum_column(ActivityKind, default=ActivityKind.call, index=False)
    subject: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date] = mapped_column(index=True)
    assignee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    assignee: Mapped[Employee] = relationship(foreign_keys=[assignee_id], lazy="joined")
    status: Mapped[ActivityStatus] = enum_column(ActivityStatus, default=ActivityStatus.planned, index=False)
    note: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    done_on: Mapped[date | None]
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    customer: Mapped[Customer | None] = relationship(lazy="joined")
    quotation_id: Mapped[int | None] = mapped_column(ForeignKey("quotation.id", ondelete="CASCADE"), index=True)
    quotation: Mapped[Quotation | None] = relationship()
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), index=True)
    contract: Mapped[Contract | None] = relationship()
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id", ondelete="CASCADE"), index=True)
    order: Mapped[SalesOrder | None] = relationship()
    receivable_id: Mapped[int | None] = mapped_column(ForeignKey("receivable.id", ondelete="CASCADE"), index=True)
    receivable: Mapped[Receivable | None] = relationship()
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("service_ticket.id", ondelete="CASCADE"), index=True)
    ticket: Mapped[ServiceTicket | None] = relationship()

    label_columns = ("subject",)  # the columns __str__ reads (queries.loading)

    def __str__(self) -> str:
        return self.subject
