"""One declarative description per entity: the portal is generated from these and the models.

Adding an entity is one model plus one ``Entity(...)`` line here and one row in the access matrix
(``app/security/matrix.py``). From them come its CRUD view and REST API (``app/views/crud.py``),
its menu place and labels, its row scope and the clause map.

``anchor`` names the employee a row belongs to, as a dotted path of relationships ending in an
employee-id column (``"customer.owner_id"``: the visit's customer's owner). "own" scope means the
anchor is the current user's employee; "team" means it is one of the teams they belong to or
supervise. ``None`` means the entity is shared reference data (every scope is all rows).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect
from sqlalchemy.orm import RelationshipDirection

from . import models as m
from . import policy
from .labels import DUNNING_LABELS
from .models.policy import PolicyKey
from .services import collection, conduct


@dataclass(frozen=True)
class Entity:
    model: type
    category: str
    label: object  # lazy translated singular label (menu item and titles)
    clauses: tuple[str, ...]
    anchor: str | None
    list_columns: tuple[str, ...]
    search_columns: tuple[str, ...]
    related: tuple[str, ...] = ()  # child entities listed on the record page
    order: tuple[str, str] = ("id", "desc")
    extra_show: tuple[str, ...] = ()  # computed properties shown on the record page
    readonly: tuple[str, ...] = field(default=())  # columns never in forms (derived or set by steps)
    # Columns with a screen of their own (shown and edited there only): in no generated form or
    # record page; the API shows them as data and never takes them.
    own_screen: tuple[str, ...] = field(default=())
    # Figures computed from a row and the factory's settings (which models do not read), shown
    # like properties on the record page and in the API: name -> function of the row.
    derived: dict[str, Callable] = field(default_factory=dict, compare=False)  # the entity stays hashable
    # A row that hangs off a record with a workflow and changes only while that record is in one
    # of these states: (relationship to the parent, the parent's states).
    parent_lock: tuple[str, tuple[str, ...]] | None = None

    @property
    def name(self) -> str:
        return self.model.__name__

    @property
    def owner_field(self) -> str | None:
        """The relationship set to the current employee when a row is created without one."""
        if self.anchor and "." not in self.anchor and self.anchor != "id":
            return self.anchor.removesuffix("_id")
        return None

    def record_columns(self) -> list[str]:
        """Every column a record page and the API show, in table order, foreign keys as their
        relationship (the row version and timestamps aside)."""
        mapper = inspect(self.model)
        fk_to_rel = {}
        for rel in mapper.relationships:
            if rel.direction is RelationshipDirection.MANYTOONE:
                for col in rel.local_columns:
                    fk_to_rel.setdefault(col.key, rel.key)
        cols = []
        for col in self.model.__table__.columns:
            if col.primary_key and not col.foreign_keys or col.key in ("created_at", "updated_at", "version"):
                continue
            cols.append(fk_to_rel.get(col.key, col.key))
        return cols

    def page_columns(self) -> list[str]:
        """The record columns a generated record page shows."""
        return [c for c in self.record_columns() if c not in self.own_screen]

    def api_columns(self) -> list[str]:
        """The columns the REST API lists and shows: the record columns without references to rows
        that are not business records (FAB's users and roles: no login row, hash or token ever
        leaves by the API). References are dumped as ``{id, label}`` (``app.views.api_schema``)."""
        targets = {rel.key: rel.mapper.class_ for rel in inspect(self.model).relationships}
        return [c for c in self.record_columns() if c not in targets or targets[c] in BY_MODEL]


def E(*args, **kwargs) -> Entity:  # noqa: N802 - reads as a table row
    return Entity(*args, **kwargs)


def _late_submission(leave: m.LeaveRequest) -> bool:
    """4.1.2: submitted with less notice than the policy asks (default: not before the day it
    starts)."""
    return conduct.late_submission(leave.submitted_on, leave.start_date,
                                   policy.get(PolicyKey.leave_notice_days))


def _dunning_level(rec: m.Receivable):
    """The contact the days overdue call for (3.3.2; levels in the policy)."""
    level = collection.dunning_level(rec.days_overdue, policy.get(PolicyKey.dunning_level_days))
    return DUNNING_LABELS[level] if level else None


ENTITIES: tuple[Entity, ...] = (
    # People (5.4.1; team scope of supervisors)
    E(m.Team, "people", _l("Teams"), ("5.4.1",), None,
      ("name", "region", "supervisor"), ("name", "region"), related=("Employee",), order=("name", "asc")),
    E(m.Employee, "people", _l("Employees"), ("1.2", "5.4.1"), "id",
      ("number", "name", "team", "position", "status", "hire_date"),
      ("number", "name", "position", "status", "team"),
      related=("Attendance", "LeaveRequest", "Enrolment", "Certification", "CareerMove",
               "AppraisalTarget", "AppraisalRating", "Reward", "Penalty", "ConductViolation"),
      order=("number", "asc")),
    # Market (2.1)
    E(m.MarketReport, "market", _l("Market research reports"), ("2.1.1", "3.1.1"), "author_id",
      ("title", "region", "industry", "period_end", "author"), ("title", "region", "industry")),
    E(m.Competitor, "market", _l("Competitors"), ("2.1.2",), None,
      ("name", "price_level", "main_products"), ("name", "price_level"),
      related=("CompetitorPrice", "Countermeasure"), order=("name", "asc")),
    E(m.CompetitorPrice, "market", _l("Competitor prices"), ("2.1.2",), None,
      ("competitor", "product", "price", "observed_on"), ("product", "observed_on"),
      order=("observed_on", "desc")),
    E(m.Countermeasure, "market", _l("Countermeasures"), ("2.1.2",), "proposer_id",
      ("competitor", "proposal", "proposer", "status"), ("status",)),
    # Customers (2.2, 3.1)
    E(m.Product, "customers", _l("Products"), ("3.1.5", "6.1.1"), None,
      ("code", "name", "unit", "list_price", "unit_cost"), ("code", "name"), order=("code", "asc")),
    E(m.Customer, "customers", _l("Customers"), ("2.2.1", "2.2.2", "3.1", "4.2.1"), "owner_id",
      ("code", "name", "region", "industry", "stage", "risk_level", "owner"),
      ("code", "name", "region", "industry", "stage", "risk_level"),
      related=("Contact", "Visit", "Quotation", "Contract", "SalesOrder", "Receivable",
               "ServiceTicket"), order=("code", "asc"), readonly=("risk_level", "risk_reason")),
    E(m.Contact, "customers", _l("Contacts"), ("2.2.2",), "customer.owner_id",
      ("customer", "name", "title", "phone"), ("name", "phone")),
    E(m.Visit, "customers", _l("Visits"), ("2.2.2", "3.1.3", "3.1.4", "3.1.6"), "customer.owner_id",
      ("customer", "visit_date", "kind", "next_date", "satisfaction"), ("visit_date", "kind", "next_date"),
      order=("visit_date", "desc")),
    E(m.Quotation, "customers", _l("Quotations"), ("3.1.5",), "customer.owner_id",
      ("number", "customer", "issued_on", "valid_until", "status"), ("number", "status", "valid_until"),
      related=("QuotationLine",), extra_show=("total",)),
    E(m.QuotationLine, "customers", _l("Quotation lines"), ("3.1.5",), "quotation.customer.owner_id",
      ("quotation", "product", "qty", "unit_price"), ("qty",),
      parent_lock=("quotation", ("draft",))),  # 3.1.5: lines change while the quotation is a draft
    # Contracts (2.3, 3.1.7)
    E(m.Contract, "contracts", _l("Contracts"), ("2.3.2", "2.3.3", "3.1.7"), "customer.owner_id",
      ("number", "customer", "amount", "sign_date", "status"), ("number", "status", "sign_date"),
      related=("ContractApproval", "SalesOrder", "Receivable")),
    E(m.ContractApproval, "contracts", _l("Contract approvals"), ("3.1.7",), "contract.customer.owner_id",
      ("contract", "approver", "verdict", "decided_at"), ("verdict",), readonly=("decided_at",)),
    # Orders (2.4, 3.2)
    E(m.SalesOrder, "orders", _l("Sales orders"), ("2.4.1", "2.4.2", "2.4.3", "3.2"), "customer.owner_id",
      ("number", "customer", "order_date", "promised_date", "status", "profit"),
      ("number", "status", "order_date", "promised_date"),
      related=("OrderLine", "OrderReview", "Shipment", "Receivable", "ServiceTicket"),
      extra_show=("total", "profit", "days_late")),
    E(m.OrderLine, "orders", _l("Order lines"), ("2.4.1", "6.1.1"), "order.customer.owner_id",
      ("order", "product", "qty", "unit_price", "unit_cost"), ("qty",),
      parent_lock=("order", ("received", "under_review"))),  # 3.2.2: until it is scheduled
    E(m.OrderReview, "orders", _l("Order reviews"), ("3.2.2",), "order.customer.owner_id",
      ("order", "department", "verdict", "reviewer", "reviewed_on"), ("department", "verdict"),
      readonly=("reviewer_id",)),  # who signed: the user recording the sign-off (app.rules)
    E(m.Shipment, "orders", _l("Shipments"), ("3.2.6", "3.2.7"), "order.customer.owner_id",
      ("order", "carrier", "tracking_number", "shipped_on", "delivered_on"),
      ("carrier", "tracking_number", "shipped_on"), related=("LogisticsEvent",)),
    E(m.LogisticsEvent, "orders", _l("Logistics events"), ("3.2.7",), "shipment.order.customer.owner_id",
      ("shipment", "occurred_on", "location", "description"), ("occurred_on", "location")),
    # Collection (2.5, 3.3)
    E(m.Receivable, "collection", _l("Receivables"), ("2.5.1", "2.5.3"), "customer.owner_id",
      ("number", "customer", "amount", "amount_paid", "due_date", "status"),
      ("number", "status", "due_date"),
      related=("Payment", "SettlementNotice", "DunningRecord", "LegalCase"),
      order=("due_date", "desc"),
      extra_show=("amount_paid", "outstanding", "days_overdue", "aging_bucket", "dunning_level"),
      derived={"dunning_level": _dunning_level}),
    E(m.Payment, "collection", _l("Payments"), ("2.5.1",), "receivable.customer.owner_id",
      ("receivable", "paid_on", "amount", "method"), ("paid_on", "method"), order=("paid_on", "desc")),
    E(m.SettlementNotice, "collection", _l("Settlement notices"), ("3.3.1",), "receivable.customer.owner_id",
      ("receivable", "due_date", "sent_on", "channel", "recipient", "outcome"), ("sent_on", "channel"),
      readonly=("due_date", "outcome")),
    E(m.DunningRecord, "collection", _l("Dunning records"), ("2.5.2", "3.3.2"), "receivable.customer.owner_id",
      ("receivable", "contacted_on", "channel", "promised_date", "result"), ("contacted_on", "channel")),
    E(m.LegalCase, "collection", _l("Legal cases"), ("2.5.2", "3.3.4"), "receivable.customer.owner_id",
      ("receivable", "filed_on", "counsel", "status", "amount_recovered"), ("status", "filed_on")),
    # After-sales (2.6, 3.4)
    E(m.ServiceTicket, "service", _l("Service tickets"), ("2.2.3", "2.6.1", "3.4"), "customer.owner_id",
      ("number", "customer", "kind", "severity", "status", "reported_on"),
      ("number", "kind", "severity", "status", "reported_on"),
      related=("RootCause", "ServiceFeedback"), order=("reported_on", "desc"), readonly=("closed_on",)),
    E(m.RootCause, "service", _l("Root causes and improvements"), ("2.6.2", "3.4.7"),
      "ticket.customer.owner_id", ("ticket", "category", "cause", "verified"), ("category", "verified")),
    E(m.ServiceFeedback, "service", _l("Service feedback"), ("2.6.3",), "ticket.customer.owner_id",
      ("ticket", "received_on", "rating"), ("received_on", "rating")),
    # Conduct (4)
    E(m.Attendance, "conduct", _l("Attendance"), ("4.1.1",), "employee_id",
      ("employee", "work_date", "check_in", "check_out", "status"), ("work_date", "status"),
      order=("work_date", "desc")),
    E(m.LeaveRequest, "conduct", _l("Leave requests"), ("4.1.2",), "employee_id",
      ("employee", "leave_type", "start_date", "end_date", "days", "status"),
      ("leave_type", "status", "start_date"), order=("start_date", "desc"),
      extra_show=("late_submission",), readonly=("submitted_on", "approver_id"),
      derived={"late_submission": _late_submission}),
    E(m.ConductViolation, "conduct", _l("Conduct violations"), ("4.1", "4.2", "4.3", "4.4", "7.2"),
      "employee_id", ("employee", "occurred_on", "clause", "severity"), ("clause", "severity", "occurred_on")),
    E(m.IntegrityRecord, "conduct", _l("Integrity register"), ("4.2.2",), "employee_id",
      ("employee", "offered_on", "description", "value", "handling"), ("offered_on", "handling")),
    # Training and career (5)
    E(m.TrainingPlan, "training", _l("Training plans"), ("5.1.1",), None,
      ("year", "title", "budget", "status"), ("year", "status"), related=("TrainingItem",),
      order=("year", "desc")),
    E(m.TrainingItem, "training", _l("Training items"), ("5.1.2", "5.2"), None,
      ("plan", "title", "topic", "method", "month", "status"), ("title", "topic", "method", "month", "status"),
      related=("Enrolment",)),
    E(m.Enrolment, "training", _l("Enrolments and assessment"), ("5.3.1", "5.3.2"), "employee_id",
      ("item", "employee", "attended", "assessment", "score", "passed"), ("attended", "passed")),
    E(m.Certification, "training", _l("Certifications"), ("5.4.3",), "employee_id",
      ("employee", "name", "issuer", "obtained_on", "expires_on"), ("name", "issuer")),
    E(m.CareerMove, "training", _l("Promotions and rotations"), ("5.4.1", "5.4.2", "6.4.2"), "employee_id",
      ("employee", "kind", "from_position", "to_position", "effective_on"), ("kind", "effective_on")),
    # Appraisal (6)
    E(m.AppraisalCycle, "appraisal", _l("Appraisal cycles"), ("6.2",), None,
      ("name", "kind", "start_date", "end_date", "status"), ("name", "kind", "status"),
      related=("AppraisalTarget", "AppraisalRating"), order=("start_date", "desc"),
      own_screen=("settings",)),  # the cycle's settings form (app.views.appraisal)
    E(m.AppraisalTarget, "appraisal", _l("Appraisal targets"), ("6.1.1", "6.1.2", "6.1.3"), "employee_id",
      ("cycle", "employee", "revenue", "profit", "new_customers"), ("revenue",)),
    E(m.AppraisalRating, "appraisal", _l("Qualitative ratings"), ("6.1.4", "6.1.5", "6.3.2"), "employee_id",
      ("cycle", "employee", "evaluator_role", "evaluator", "sales_skills"), ("evaluator_role",)),
    # Rewards and penalties (7)
    E(m.Reward, "rewards", _l("Rewards"), ("7.1.1", "7.1.2", "7.1.3", "6.4.1"), "employee_id",
      ("employee", "kind", "awarded_on", "amount"), ("kind", "awarded_on"), order=("awarded_on", "desc")),
    E(m.Penalty, "rewards", _l("Penalties"), ("7.2",), "employee_id",
      ("employee", "kind", "decided_on", "amount", "status"), ("kind", "decided_on", "clause", "status"),
      order=("decided_on", "desc"), readonly=("approver_id",)),
)

BY_NAME: dict[str, Entity] = {e.name: e for e in ENTITIES}
for _entity in ENTITIES:  # read-only properties, so pages, the API and exports read them as columns
    for _name, _fn in _entity.derived.items():
        setattr(_entity.model, _name, property(_fn, doc=_fn.__doc__))


@dataclass(frozen=True)
class Screen:
    """A screen beyond the generated lists, in the menu of the chapter it belongs to and on the
    start page. It is offered to whoever may read ``entity`` (the screen itself checks the same
    right), so it needs no permission of its own in the matrix or the roles. ``also``: entities it
    needs read as well (the scorecards show appraisal targets: finance reads cycles but no targets,
    so it is offered no scorecard)."""

    name: str  # menu item name (``menu_<name>``)
    category: str
    entity: str
    label: object
    endpoint: str
    clauses: tuple[str, ...]
    also: tuple[str, ...] = ()

    @property
    def entities(self) -> tuple[str, ...]:
        return (self.entity, *self.also)

    @property
    def menu_name(self) -> str:
        return f"menu_{self.name}"


SCREENS: tuple[Screen, ...] = (
    Screen("TrainingPlanYear", "training", "TrainingPlan", _l("Training plan: year at a glance"),
           "TrainingPlanYearView.index", ("5.1", "5.2", "5.3")),
    Screen("Scorecards", "appraisal", "AppraisalCycle", _l("Scorecards and ranking"), "AppraisalView.index",
           ("6.1", "6.3", "6.4"), also=("AppraisalTarget",)),
)
SCREEN_BY_MENU: dict[str, Screen] = {s.menu_name: s for s in SCREENS}
BY_MODEL: dict[type, Entity] = {e.model: e for e in ENTITIES}
