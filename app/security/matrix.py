"""The access matrix: roles × entities × {read, write, approve} × scope, as data.

This table is the single source of truth for who may do what. ``flask roles sync`` writes it into
FAB's database roles as permissions named ``can_<verb>_<scope>`` on a view-menu named after the
entity (e.g. ``can_read_team`` on ``Customer``); administrators may then change those roles in the
UI or the permission grid, and ``flask roles sync --check`` reports the drift.

Each cell is three scopes for read, write and approve:
  ``o`` own rows, ``t`` the team's rows, ``a`` all rows, ``-`` no access.
"Own" and "team" are decided by the entity's anchor in ``app.registry`` (the employee a row hangs
off: a customer's owner, a leave request's employee, ...). For entities without an anchor (products,
competitors, plans) every scope means all rows. Admin has ``a a a`` on everything.
"""

from __future__ import annotations

from typing import Final

VERBS: Final = ("read", "write", "approve")
SCOPES: Final = ("own", "team", "all")  # ordered: each includes the one before
SCOPE_CODES: Final = {"o": "own", "t": "team", "a": "all", "-": None}

SALES, SUPERVISOR, FINANCE, HR, ADMIN = "Salesperson", "Supervisor", "Finance", "HR", "Admin"
ROLES: Final = (SALES, SUPERVISOR, FINANCE, HR, ADMIN)

# Rationale, by clause:
#  4.2.1 confidentiality: a salesperson reaches only their own customers and what hangs off them;
#  2.5 / 3.3 finance owns receivables, payments and collection and reads contracts and orders;
#  3.1.7 contract approval records are written by the approval steps only, never by hand;
#  4, 5, 6, 7 HR owns people, attendance, leave, training, appraisal, rewards and penalties and has
#  no access to customers, orders or payments; supervisors see and manage their team (3.1.7, 4.1.2).
#                        Salesperson  Supervisor  Finance   HR
_TABLE: Final = {
    "Team":              ("a - -",    "a - -",    "a - -",  "a a -"),
    "Employee":          ("t - -",    "t - -",    "a - -",  "a a -"),
    "Product":           ("a - -",    "a a -",    "a - -",  "- - -"),
    "MarketReport":      ("a o -",    "a t -",    "- - -",  "- - -"),
    "Competitor":        ("a a -",    "a a -",    "- - -",  "- - -"),
    "CompetitorPrice":   ("a a -",    "a a -",    "- - -",  "- - -"),
    "Countermeasure":    ("a o -",    "a t t",    "- - -",  "- - -"),
    "Customer":          ("o o -",    "t t -",    "a - -",  "- - -"),
    "Contact":           ("o o -",    "t t -",    "a - -",  "- - -"),
    "Visit":             ("o o -",    "t t -",    "- - -",  "- - -"),
    "Quotation":         ("o o -",    "t t -",    "a - -",  "- - -"),
    "QuotationLine":     ("o o -",    "t t -",    "a - -",  "- - -"),
    "Contract":          ("o o -",    "t t t",    "a - a",  "- - -"),
    "ContractApproval":  ("o - -",    "t - -",    "a - -",  "- - -"),
    "SalesOrder":        ("o o -",    "t t -",    "a - -",  "- - -"),
    "OrderLine":         ("o o -",    "t t -",    "a - -",  "- - -"),
    "OrderReview":       ("o - -",    "t t -",    "a a -",  "- - -"),
    "Shipment":          ("o o -",    "t t -",    "a - -",  "- - -"),
    "LogisticsEvent":    ("o o -",    "t t -",    "a - -",  "- - -"),
    "Receivable":        ("o - -",    "t - -",    "a a a",  "- - -"),
    "Payment":           ("o - -",    "t - -",    "a a -",  "- - -"),
    "SettlementNotice":  ("o - -",    "t - -",    "a a -",  "- - -"),
    "DunningRecord":     ("o o -",    "t t -",    "a a -",  "- - -"),
    "LegalCase":         ("o - -",    "t - -",    "a a -",  "- - -"),
    "ServiceTicket":     ("o o -",    "t t -",    "- - -",  "- - -"),
    "RootCause":         ("o o -",    "t t -",    "- - -",  "- - -"),
    "ServiceFeedback":   ("o o -",    "t t -",    "- - -",  "- - -"),
    "Attendance":        ("o - -",    "t - -",    "- - -",  "a a -"),
    "LeaveRequest":      ("o o -",    "t - t",    "- - -",  "a a a"),
    "ConductViolation":  ("o - -",    "t t -",    "- - -",  "a a -"),
    "IntegrityRecord":   ("o o -",    "t - -",    "- - -",  "a a -"),
    "TrainingPlan":      ("a - -",    "a - -",    "- - -",  "a a a"),
    "TrainingItem":      ("a - -",    "a - -",    "- - -",  "a a -"),
    "Enrolment":         ("o - -",    "t - -",    "- - -",  "a a -"),
    "Certification":     ("o o -",    "t - -",    "- - -",  "a a -"),
    "CareerMove":        ("o - -",    "t - -",    "- - -",  "a a -"),
    "AppraisalCycle":    ("a - -",    "a - -",    "a - -",  "a a a"),
    "AppraisalTarget":   ("o - -",    "t t -",    "- - -",  "a a -"),
    "AppraisalRating":   ("o - -",    "t t -",    "- - -",  "a a -"),
    "Reward":            ("o - -",    "t - -",    "a - -",  "a a -"),
    "Penalty":           ("o - -",    "t t -",    "- - -",  "a a a"),
}


def _parse(cell: str) -> dict[str, str | None]:
    codes = cell.split()
    assert len(codes) == len(VERBS), cell
    return dict(zip(VERBS, (SCOPE_CODES[c] for c in codes), strict=True))


def build_matrix() -> dict[str, dict[str, dict[str, str | None]]]:
    """``{role: {entity: {verb: scope or None}}}`` for every role, Admin included."""
    matrix: dict[str, dict[str, dict[str, str | None]]] = {role: {} for role in ROLES}
    for entity, cells in _TABLE.items():
        for role, cell in zip(ROLES[:-1], cells, strict=True):
            matrix[role][entity] = _parse(cell)
        matrix[ADMIN][entity] = dict.fromkeys(VERBS, "all")
    return matrix


MATRIX: Final = build_matrix()
ENTITY_NAMES: Final = tuple(_TABLE)


def permission_name(verb: str, scope: str) -> str:
    """The database permission of a verb in a scope (``can_read_team``)."""
    return f"{verb_permission(verb)}_{scope}"


def verb_permission(verb: str) -> str:
    """The permission a generated view asks for a verb (``can_read``), held through any scope."""
    return f"can_{verb}"


def parse_permission(name: str) -> tuple[str, str] | None:
    """``can_read_team`` → ``("read", "team")``; anything else → None."""
    parts = name.split("_")
    if len(parts) == 3 and parts[0] == "can" and parts[1] in VERBS and parts[2] in SCOPES:
        return parts[1], parts[2]
    return None


def widest(scopes) -> str | None:
    """The broadest of several scopes (a user with two roles gets the wider one)."""
    best = None
    for s in scopes:
        if s and (best is None or SCOPES.index(s) > SCOPES.index(best)):
            best = s
    return best
