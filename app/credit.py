"""Credit control (3.3.3, issue 13 item 4): whether a new contract or order needs finance's
approval, and why, in the reader's language.

A customer whose open receivables and the new amount pass the settings' share of its credit limit
(``credit_limit_share``, default 100 %), or whose risk level is one the settings name
(``credit_review_risk``, default red), has its new contracts routed to finance's approval after
the supervisor's, and its new orders to finance's credit review before the departments' (the
routes are in ``app.workflow.definitions``). The record page shows the reasons to everyone who
reads it, the salesperson first.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from . import models as m
from . import policy
from .extensions import db
from .formats import number
from .models.policy import PolicyKey
from .services.collection import credit_reasons


def reasons(customer: m.Customer | None, new_amount) -> list[str]:
    """Why ``new_amount`` for ``customer`` needs finance's approval (empty: it does not)."""
    if customer is None:
        return []
    open_amount = Decimal(db.session.scalar(m.receivables.open_total(customer.id)))
    found = credit_reasons(
        Decimal(customer.credit_limit or 0), open_amount, Decimal(new_amount or 0),
        customer.risk_level.name if customer.risk_level else "green",
        tuple(r.name for r in policy.get(PolicyKey.credit_review_risk)),
        policy.get(PolicyKey.credit_limit_share))
    out = []
    for code, values in found:
        if code == "over_limit":
            out.append(str(_l("Open receivables of %(open)s and this %(new)s pass the credit limit of "
                              "%(limit)s (3.3.3).", open=number(values["open"]), new=number(values["new"]),
                              limit=number(values["limit"]))))
        else:
            out.append(str(_l("The customer's risk level is %(level)s (3.3.3).",
                              level=m.customers.RiskLevel[values["level"]].label)))
    return out


# The states in which a document's credit is still to be decided: its page warns of the reasons.
UNDECIDED = {"Contract": ("draft", "submitted", "finance_review"), "SalesOrder": ("received", "credit_review")}


def undecided(row) -> bool:
    states = UNDECIDED.get(type(row).__name__)
    return states is not None and row.status is not None and row.status.name in states


def of_document(row) -> list[str]:
    """The reasons for a contract (its amount) or an order (its total)."""
    amount = row.amount if isinstance(row, m.Contract) else row.total
    return reasons(row.customer, amount)
