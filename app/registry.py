"""One declarative description per entity: the portal is generated from these and the models.

Adding an entity is one model plus one ``Entity(...)`` entry here (and its migration). Everything
the portal says about an entity is in that entry: its menu place and label, the clauses it
implements, its row scope (``anchor``), list and search columns, related records, the access
matrix row (``access``), column labels beyond the shared wording of ``app.labels``, fixed ranges,
strictly positive figures and dates that may not precede others. From them come its CRUD view and
REST API (``app/views/crud.py``), its validation (``app.validation``), the database roles
(``flask roles sync``) and the clause map; ``app.checks`` compares them with the models at start-up.

``anchor`` names the employee a row belongs to, as a dotted path of relationships ending in an
employee-id column (``"customer.owner_id"``: the visit's customer's owner). "own" scope means the
anchor is the current user's employee; "team" means it is one of the teams they belong to or
supervise. ``None`` means the entity is shared reference data (every scope is all rows).

``access`` is the entity's row of the access matrix: one cell per role, in the order of
``app.security.matrix.ROLES`` without Admin (Salesperson, Supervisor, Finance, HR); each cell is
the scopes of read, write and approve: ``o`` own rows, ``t`` the team's rows, ``a`` all rows,
``-`` none. Admin has every right on everything. Rationale, by clause:
  4.2.1 confidentiality: a salesperson reaches only their own customers and what hangs off them;
  2.5 / 3.3 finance owns receivables, payments and collection and reads contracts and orders;
  3.1.7 contract approval records are written by the approval steps only, never by hand;
  4, 5, 6, 7 HR owns people, attendance, leave, training, appraisal, rewards and penalties and has
  no access to customers, orders or payments; supervisors see and manage their team (3.1.7, 4.1.2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect
from sqlalchemy.orm import RelationshipDirection

from . import models as m
from . import policy
from .labels import COLUMNS, DUNNING_LABELS
from .models.policy import PolicyKey
from .security.matrix import build_matrix
from .services import collection, conduct

# Fixed ranges: ratings 1–5 (2.2.2, 2.6.3, 6.3.2), scores and rates in per cent (5.3.1, 6.1),
# calendar months (5.1.2) and plan years (5.1.1).
RATING = (1, 5)
PERCENT = (0, 100)
MONTHS = (1, 12)
YEARS = (2000, 2100)
# A document line left without a price is sold at the product's list price (3.1.5).
LIST_PRICE = {"unit_price": "product.list_price"}


@dataclass(frozen=True, kw_only=True)
class Entity:
    model: type = field(kw_only=False)
    category: str
    label: object  # lazy translated singular label (menu item and titles)
    clauses: tuple[str, ...]
    anchor: str | None
    list_columns: tuple[str, ...]
    search_columns: tuple[str, ...]
    access: tuple[str, str, str, str]  # the matrix row: Salesperson, Supervisor, Finance, HR
    related: tuple[str, ...] = ()  # child entities listed on the record page
    order: tuple[str, str] = ("id", "desc")
    extra_show: tuple[str, ...] = ()  # computed properties shown on the record page
    readonly: tuple[str, ...] = ()  # columns never in forms (derived or set by steps)
    # Columns with a screen of their own (shown and edited there only): in no generated form or
    # record page; the API shows them as data and never takes them.
    own_screen: tuple[str, ...] = ()
    # Column labels of this entity where the shared wording (``app.labels.COLUMNS``) has none or
    # means something else here (an employee's "name" is a full name).
    labels: dict[str, object] = field(default_factory=dict, compare=False)
    # Numbers with a fixed range (min, max); every other number must not be negative, and those
    # in ``positive`` must be greater than zero.
    ranges: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False)
    positive: tuple[str, ...] = ()
    # (earlier, later) dates or times: the later may not precede the earlier.
    date_order: tuple[tuple[str, str], ...] = ()
    # Figures computed from a row and the factory's settings (which models do not read), shown
    # like properties on the record page and in the API: name -> function of the row.
    derived: dict[str, Callable] = field(default_factory=dict, compare=False)  # the entity stays hashable
    # A row that hangs off a record with a workflow and changes only while that record is in one
    # of these states: (relationship to the parent, the parent's states).
    parent_lock: tuple[str, tuple[str, ...]] | None = None
    # The columns the navbar's search box matches (codes, names, numbers, phones); an entity
    # without any is not searched there (``queries.search``).
    find_by: tuple[str, ...] = ()
    # Columns a new row may leave empty to take a value from a row it references: column ->
    # "relationship.attribute" (a line's unit price from its product's list price).
    prefill: dict[str, str] = field(default_factory=dict, compare=False)

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

    def column_labels(self, columns) -> dict:
        """Labels for a screen's columns: this entity's own first, then the shared wording."""
        out = {}
        for c in columns:
            label = self.labels.get(c, COLUMNS.get(c))
            if label is not None:
                out[c] = label
        return out

    def column_label(self, column: str):
        """One column's label (the column's name when it has none)."""
        return self.column_labels([column]).get(column, column)

    def page_columns(self) -> list[str]:
        """The record columns a generated record page shows."""
        return [c for c in self.record_columns() if c not in self.own_screen]

    def api_columns(self) -> list[str]:
        """The columns the REST API lists and shows: the record columns without references to rows
        that are not business records (FAB's users and roles: no login row, hash or token ever
        leaves by the API). References are dumped as ``{id, label}`` (``app.views.api_schema``)."""
        targets = {rel.key: rel.mapper.class_ for rel in inspect(self.model).relationships}
        return [c for c in self.record_columns() if c not in targets or targets[c] in BY_MODEL]


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
    Entity(m.Team, category="people", label=_l("Teams"), clauses=("5.4.1",), anchor=None,
           list_columns=("name", "region", "supervisor"), search_columns=("name", "region"),
           related=("Employee",), order=("name", "asc"), access=("a - -", "a - -", "a - -", "a a -")),
    Entity(m.Employee, category="people", label=_l("Employees"), clauses=("1.2", "5.4.1"), anchor="id",
           find_by=("number", "name", "name_en", "phone"),
           list_columns=("number", "name", "team", "position", "status", "hire_date"),
           search_columns=("number", "name", "position", "status", "team"),
           related=("Attendance", "LeaveRequest", "Enrolment", "Certification", "CareerMove",
                    "AppraisalTarget", "AppraisalRating", "Reward", "Penalty", "ConductViolation"),
           order=("number", "asc"), labels={"name": _l("Full name"), "user": _l("Login account")},
           access=("t - -", "t - -", "a - -", "a a -")),
    # Market (2.1)
    Entity(m.MarketReport, category="market", label=_l("Market research reports"), clauses=("2.1.1", "3.1.1"),
           anchor="author_id", list_columns=("title", "region", "industry", "period_end", "author"),
           search_columns=("title", "region", "industry"), date_order=(("period_start", "period_end"),),
           access=("a o -", "a t -", "- - -", "- - -")),
    Entity(m.Competitor, category="market", label=_l("Competitors"), clauses=("2.1.2",), anchor=None,
           list_columns=("name", "price_level", "main_products"), search_columns=("name", "price_level"),
           related=("CompetitorPrice", "Countermeasure"), order=("name", "asc"),
           access=("a a -", "a a -", "- - -", "- - -")),
    Entity(m.CompetitorPrice, category="market", label=_l("Competitor prices"), clauses=("2.1.2",),
           anchor=None, list_columns=("competitor", "product", "price", "observed_on"),
           search_columns=("product", "observed_on"), order=("observed_on", "desc"),
           access=("a a -", "a a -", "- - -", "- - -")),
    Entity(m.Countermeasure, category="market", label=_l("Countermeasures"), clauses=("2.1.2",),
           anchor="proposer_id", list_columns=("competitor", "proposal", "proposer", "status"),
           search_columns=("status",), access=("a o -", "a t t", "- - -", "- - -")),
    # Customers (2.2, 3.1)
    Entity(m.Product, category="customers", label=_l("Products"), clauses=("3.1.5", "6.1.1"), anchor=None,
           list_columns=("code", "name", "unit", "list_price", "unit_cost"), search_columns=("code", "name"),
           order=("code", "asc"), access=("a - -", "a a -", "a - -", "- - -")),
    Entity(m.Customer, category="customers", label=_l("Customers"),
           find_by=("code", "name"),
           clauses=("2.2.1", "2.2.2", "3.1", "4.2.1"), anchor="owner_id",
           list_columns=("code", "name", "region", "industry", "stage", "risk_level", "owner"),
           search_columns=("code", "name", "region", "industry", "stage", "risk_level"),
           related=("Contact", "Visit", "Activity", "Quotation", "Contract", "SalesOrder", "Receivable",
                    "ServiceTicket"),
           order=("code", "asc"), readonly=("risk_level", "risk_reason"),
           access=("o o -", "t t -", "a - -", "- - -")),
    Entity(m.Contact, category="customers", label=_l("Contacts"), clauses=("2.2.2",),
           find_by=("name", "phone", "email"),
           anchor="customer.owner_id", list_columns=("customer", "name", "title", "phone"),
           search_columns=("name", "phone"), labels={"name": _l("Full name"), "title": _l("Job title")},
           access=("o o -", "t t -", "a - -", "- - -")),
    Entity(m.Visit, category="customers", label=_l("Visits"), clauses=("2.2.2", "3.1.3", "3.1.4", "3.1.6"),
           anchor="customer.owner_id",
           list_columns=("customer", "visit_date", "kind", "next_date", "satisfaction"),
           search_columns=("visit_date", "kind", "next_date"), order=("visit_date", "desc"),
           ranges={"satisfaction": RATING}, date_order=(("visit_date", "next_date"),),
           access=("o o -", "t t -", "- - -", "- - -")),
    # The next action on a record, for one employee (2.2.2 follow-ups, 3.3.2 collection, 3.4).
    Entity(m.Activity, category="customers", label=_l("Activities"), clauses=("2.2.2", "3.3.2", "3.4"),
           anchor="assignee_id",
           list_columns=("subject", "kind", "due_date", "assignee", "status", "customer"),
           search_columns=("subject", "kind", "due_date", "status"), order=("due_date", "asc"),
           readonly=("done_on",), labels={"subject": _l("Activity"), "assignee": _l("Assigned to"),
                                          "done_on": _l("Done on")},
           access=("o o -", "t t -", "o o -", "- - -")),
    Entity(m.Quotation, category="customers", label=_l("Quotations"), clauses=("3.1.5",),
           find_by=("number",),
           anchor="customer.owner_id",
           list_columns=("number", "customer", "issued_on", "valid_until", "status"),
           search_columns=("number", "status", "valid_until"), related=("QuotationLine", "Contract", "Activity"),
           extra_show=("total",), date_order=(("issued_on", "valid_until"),),
           access=("o o -", "t t -", "a - -", "- - -")),
    Entity(m.QuotationLine, category="customers", label=_l("Quotation lines"), clauses=("3.1.5",),
           anchor="quotation.customer.owner_id", list_columns=("quotation", "product", "qty", "unit_price"),
           search_columns=("qty",), positive=("qty",), access=("o o -", "t t -", "a - -", "- - -"),
           prefill=LIST_PRICE, parent_lock=("quotation", ("draft",))),  # 3.1.5: lines change while the quotation is a draft
    # Contracts (2.3, 3.1.7)
    Entity(m.Contract, category="contracts", label=_l("Contracts"), clauses=("2.3.2", "2.3.3", "3.1.7"),
           find_by=("number",),
           anchor="customer.owner_id", list_columns=("number", "customer", "amount", "sign_date", "status"),
           search_columns=("number", "status", "sign_date"),
           related=("ContractLine", "PaymentInstalment", "ContractApproval", "SalesOrder", "Receivable",
                    "Activity"),
           date_order=(("start_date", "end_date"),),
           access=("o o -", "t t t", "a - a", "- - -")),
    Entity(m.ContractLine, category="contracts", label=_l("Contract lines"), clauses=("2.3.2",),
           anchor="contract.customer.owner_id", list_columns=("contract", "product", "qty", "unit_price"),
           search_columns=("qty",), positive=("qty",), access=("o o -", "t t -", "a - -", "- - -"),
           prefill=LIST_PRICE, parent_lock=("contract", ("draft",))),  # 2.3.2: what was approved is what is signed
    Entity(m.PaymentInstalment, category="contracts", label=_l("Payment instalments"), clauses=("2.3.2", "2.5.1"),
           anchor="contract.customer.owner_id", list_columns=("contract", "share", "amount", "basis", "days", "method"),
           search_columns=("basis", "method"), ranges={"share": PERCENT, "days": (0, 3650)}, positive=("amount",),
           labels={"share": _l("Share (%)"), "days": _l("Due after (days)"), "basis": _l("Counted from")},
           access=("o o -", "t t -", "a - -", "- - -"),
           parent_lock=("contract", ("draft",))),  # 2.3.2: the terms are approved with the contract
    Entity(m.ContractApproval, category="contracts", label=_l("Contract approvals"), clauses=("3.1.7",),
           anchor="contract.customer.owner_id",
           list_columns=("contract", "approver", "verdict", "decided_at"), search_columns=("verdict",),
           readonly=("decided_at",), labels={"level": _l("Approval level")},
           access=("o - -", "t - -", "a - -", "- - -")),
    # Orders (2.4, 3.2)
    Entity(m.SalesOrder, category="orders", label=_l("Sales orders"),
           find_by=("number",),
           clauses=("2.4.1", "2.4.2", "2.4.3", "3.2"), anchor="customer.owner_id",
           list_columns=("number", "customer", "order_date", "promised_date", "status", "profit"),
           search_columns=("number", "status", "order_date", "promised_date"),
           related=("OrderLine", "OrderReview", "Shipment", "Receivable", "ServiceTicket", "Activity"),
           extra_show=("total", "profit", "days_late"), labels={"profit": _l("Profit")},
           date_order=(("order_date", "promised_date"),), access=("o o -", "t t -", "a - a", "- - -")),
    Entity(m.OrderLine, category="orders", label=_l("Order lines"), clauses=("2.4.1", "6.1.1"),
           anchor="order.customer.owner_id",
           list_columns=("order", "product", "qty", "unit_price", "unit_cost"), search_columns=("qty",),
           positive=("qty",), access=("o o -", "t t -", "a - -", "- - -"),
           prefill={**LIST_PRICE, "unit_cost": "product.unit_cost"},
           parent_lock=("order", ("received", "under_review"))),  # 3.2.2: until it is scheduled
    Entity(m.OrderReview, category="orders", label=_l("Order reviews"), clauses=("3.2.2",),
           anchor="order.customer.owner_id",
           list_columns=("order", "department", "verdict", "reviewer", "reviewed_on"),
           search_columns=("department", "verdict"), access=("o - -", "t t -", "a a -", "- - -"),
           readonly=("reviewer_id",)),  # who signed: the user recording the sign-off (app.rules)
    Entity(m.Shipment, category="orders", label=_l("Shipments"), clauses=("3.2.6", "3.2.7"),
           anchor="order.customer.owner_id",
           list_columns=("order", "carrier", "tracking_number", "shipped_on", "delivered_on"),
           search_columns=("carrier", "tracking_number", "shipped_on"), related=("LogisticsEvent",),
           date_order=(("shipped_on", "delivered_on"),), access=("o o -", "t t -", "a - -", "- - -")),
    Entity(m.LogisticsEvent, category="orders", label=_l("Logistics events"), clauses=("3.2.7",),
           anchor="shipment.order.customer.owner_id",
           list_columns=("shipment", "occurred_on", "location", "description"),
           search_columns=("occurred_on", "location"), access=("o o -", "t t -", "a - -", "- - -")),
    # Collection (2.5, 3.3)
    Entity(m.Receivable, category="collection", label=_l("Receivables"), clauses=("2.5.1", "2.5.3"),
           find_by=("number",),
           anchor="customer.owner_id",
           list_columns=("number", "customer", "amount", "amount_paid", "due_date", "status"),
           search_columns=("number", "customer", "status", "due_date"),
           related=("Payment", "SettlementNotice", "DunningRecord", "LegalCase", "Activity"),
           order=("due_date", "desc"),
           extra_show=("amount_paid", "outstanding", "days_overdue", "aging_bucket", "dunning_level"),
           derived={"dunning_level": _dunning_level}, positive=("amount",),
           date_order=(("issued_on", "due_date"),), access=("o - -", "t - -", "a a a", "- - -")),
    Entity(m.Payment, category="collection", label=_l("Payments"), clauses=("2.5.1",),
           anchor="receivable.customer.owner_id", list_columns=("receivable", "paid_on", "amount", "method"),
           search_columns=("paid_on", "method"), order=("paid_on", "desc"), positive=("amount",),
           access=("o - -", "t - -", "a a -", "- - -")),
    Entity(m.SettlementNotice, category="collection", label=_l("Settlement notices"), clauses=("3.3.1",),
           anchor="receivable.customer.owner_id",
           list_columns=("receivable", "due_date", "sent_on", "channel", "recipient", "outcome"),
           search_columns=("sent_on", "channel"), readonly=("due_date", "outcome"),
           access=("o - -", "t - -", "a a -", "- - -")),
    Entity(m.DunningRecord, category="collection", label=_l("Dunning records"), clauses=("2.5.2", "3.3.2"),
           anchor="receivable.customer.owner_id",
           list_columns=("receivable", "contacted_on", "channel", "promised_date", "result"),
           search_columns=("contacted_on", "channel"), labels={"promised_date": _l("Promised payment date")},
           access=("o o -", "t t -", "a a -", "- - -")),
    Entity(m.LegalCase, category="collection", label=_l("Legal cases"), clauses=("2.5.2", "3.3.4"),
           anchor="receivable.customer.owner_id",
           list_columns=("receivable", "filed_on", "counsel", "status", "amount_recovered"),
           search_columns=("status", "filed_on"), access=("o - -", "t - -", "a a -", "- - -")),
    # After-sales (2.6, 3.4)
    Entity(m.ServiceTicket, category="service", label=_l("Service tickets"),
           find_by=("number",),
           clauses=("2.2.3", "2.6.1", "3.4"), anchor="customer.owner_id",
           list_columns=("number", "customer", "kind", "severity", "status", "reported_on"),
           search_columns=("number", "kind", "severity", "status", "reported_on"),
           related=("RootCause", "ServiceFeedback", "Activity"), order=("reported_on", "desc"),
           readonly=("closed_on",),
           ranges={"satisfaction": RATING}, date_order=(("reported_on", "due_date"),),
           access=("o o -", "t t -", "- - -", "- - -")),
    Entity(m.RootCause, category="service", label=_l("Root causes and improvements"),
           clauses=("2.6.2", "3.4.7"), anchor="ticket.customer.owner_id",
           list_columns=("ticket", "category", "cause", "verified"), search_columns=("category", "verified"),
           access=("o o -", "t t -", "- - -", "- - -")),
    Entity(m.ServiceFeedback, category="service", label=_l("Service feedback"), clauses=("2.6.3",),
           anchor="ticket.customer.owner_id", list_columns=("ticket", "received_on", "rating"),
           search_columns=("received_on", "rating"), ranges={"rating": RATING},
           access=("o o -", "t t -", "- - -", "- - -")),
    # Conduct (4)
    Entity(m.Attendance, category="conduct", label=_l("Attendance"), clauses=("4.1.1",), anchor="employee_id",
           list_columns=("employee", "work_date", "check_in", "check_out", "status"),
           search_columns=("work_date", "status"), order=("work_date", "desc"),
           date_order=(("check_in", "check_out"),), access=("o - -", "t - -", "- - -", "a a -")),
    Entity(m.LeaveRequest, category="conduct", label=_l("Leave requests"), clauses=("4.1.2",),
           anchor="employee_id",
           list_columns=("employee", "leave_type", "start_date", "end_date", "days", "status"),
           search_columns=("leave_type", "status", "start_date"), order=("start_date", "desc"),
           extra_show=("late_submission",), readonly=("submitted_on", "approver_id"),
           derived={"late_submission": _late_submission}, positive=("days",),
           date_order=(("start_date", "end_date"),), access=("o o -", "t - t", "- - -", "a a a")),
    Entity(m.ConductViolation, category="conduct", label=_l("Conduct violations"),
           clauses=("4.1", "4.2", "4.3", "4.4", "7.2"), anchor="employee_id",
           list_columns=("employee", "occurred_on", "clause", "severity"),
           search_columns=("clause", "severity", "occurred_on"), access=("o - -", "t t -", "- - -", "a a -")),
    Entity(m.IntegrityRecord, category="conduct", label=_l("Integrity register"), clauses=("4.2.2",),
           anchor="employee_id", list_columns=("employee", "offered_on", "description", "value", "handling"),
           search_columns=("offered_on", "handling"), access=("o o -", "t - -", "- - -", "a a -")),
    # Training and career (5)
    Entity(m.TrainingPlan, category="training", label=_l("Training plans"), clauses=("5.1.1",), anchor=None,
           list_columns=("year", "title", "budget", "status"), search_columns=("year", "status"),
           related=("TrainingItem",), order=("year", "desc"), ranges={"year": YEARS},
           access=("a - -", "a - -", "- - -", "a a a")),
    Entity(m.TrainingItem, category="training", label=_l("Training items"), clauses=("5.1.2", "5.2"),
           anchor=None, list_columns=("plan", "title", "topic", "method", "month", "status"),
           search_columns=("title", "topic", "method", "month", "status"), related=("Enrolment",),
           ranges={"month": MONTHS}, positive=("hours",), date_order=(("start_date", "end_date"),),
           access=("a - -", "a - -", "- - -", "a a -")),
    Entity(m.Enrolment, category="training", label=_l("Enrolments and assessment"),
           clauses=("5.3.1", "5.3.2"), anchor="employee_id",
           list_columns=("item", "employee", "attended", "assessment", "score", "passed"),
           search_columns=("attended", "passed"), ranges={"score": PERCENT},
           access=("o - -", "t - -", "- - -", "a a -")),
    Entity(m.Certification, category="training", label=_l("Certifications"), clauses=("5.4.3",),
           anchor="employee_id", list_columns=("employee", "name", "issuer", "obtained_on", "expires_on"),
           search_columns=("name", "issuer"), date_order=(("obtained_on", "expires_on"),),
           access=("o o -", "t - -", "- - -", "a a -")),
    Entity(m.CareerMove, category="training", label=_l("Promotions and rotations"),
           clauses=("5.4.1", "5.4.2", "6.4.2"), anchor="employee_id",
           list_columns=("employee", "kind", "from_position", "to_position", "effective_on"),
           search_columns=("kind", "effective_on"), access=("o - -", "t - -", "- - -", "a a -")),
    # Appraisal (6)
    Entity(m.AppraisalCycle, category="appraisal", label=_l("Appraisal cycles"), clauses=("6.2",),
           anchor=None, list_columns=("name", "kind", "start_date", "end_date", "status"),
           search_columns=("name", "kind", "status"), related=("AppraisalTarget", "AppraisalRating"),
           order=("start_date", "desc"), date_order=(("start_date", "end_date"),),
           access=("a - -", "a - -", "a - -", "a a a"),
           own_screen=("settings",)),  # the cycle's settings form (app.views.appraisal)
    Entity(m.AppraisalTarget, category="appraisal", label=_l("Appraisal targets"),
           clauses=("6.1.1", "6.1.2", "6.1.3"), anchor="employee_id",
           list_columns=("cycle", "employee", "revenue", "profit", "new_customers"),
           search_columns=("revenue",), ranges={"collection_rate": PERCENT},
           positive=("revenue", "volume", "profit", "new_customers"),
           access=("o - -", "t t -", "- - -", "a a -")),
    Entity(m.AppraisalRating, category="appraisal", label=_l("Qualitative ratings"),
           clauses=("6.1.4", "6.1.5", "6.3.2"), anchor="employee_id",
           list_columns=("cycle", "employee", "evaluator_role", "evaluator", "sales_skills"),
           search_columns=("evaluator_role",),
           ranges={"market_analysis": RATING, "sales_skills": RATING, "negotiation": RATING,
                   "cooperation": RATING, "team_contribution": RATING},
           access=("o - -", "t t -", "- - -", "a a -")),
    # Rewards and penalties (7)
    Entity(m.Reward, category="rewards", label=_l("Rewards"), clauses=("7.1.1", "7.1.2", "7.1.3", "6.4.1"),
           anchor="employee_id", list_columns=("employee", "kind", "awarded_on", "amount"),
           search_columns=("kind", "awarded_on"), order=("awarded_on", "desc"),
           access=("o - -", "t - -", "a - -", "a a -")),
    Entity(m.Penalty, category="rewards", label=_l("Penalties"), clauses=("7.2",), anchor="employee_id",
           list_columns=("employee", "kind", "decided_on", "amount", "status"),
           search_columns=("kind", "decided_on", "clause", "status"), order=("decided_on", "desc"),
           readonly=("approver_id",), access=("o - -", "t t -", "- - -", "a a a")),
)

BY_NAME: dict[str, Entity] = {e.name: e for e in ENTITIES}
# ``{role: {entity: {verb: scope or None}}}``, Admin included: what ``flask roles sync`` writes.
MATRIX = build_matrix({e.name: e.access for e in ENTITIES})
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
    Screen("Pipeline", "customers", "Customer", _l("Pipeline board"), "PipelineView.index", ("3.1",)),
    Screen("MyActivities", "customers", "Activity", _l("My activities"), "ActivitiesView.index",
           ("2.2.2", "3.3.2", "3.4")),
    Screen("Calendar", "customers", "Activity", _l("Calendar"), "CalendarView.index",
           ("2.2.2", "3.3.2", "4.1.2", "5.1")),
    Screen("TrainingPlanYear", "training", "TrainingPlan", _l("Training plan: year at a glance"),
           "TrainingPlanYearView.index", ("5.1", "5.2", "5.3")),
    Screen("Scorecards", "appraisal", "AppraisalCycle", _l("Scorecards and ranking"), "AppraisalView.index",
           ("6.1", "6.3", "6.4"), also=("AppraisalTarget",)),
)
SCREEN_BY_MENU: dict[str, Screen] = {s.menu_name: s for s in SCREENS}
BY_MODEL: dict[type, Entity] = {e.model: e for e in ENTITIES}
