"""Translated labels shared by every generated view: columns and menu categories.

One label per column name keeps the wording identical on every screen and in both catalogs.
"""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

CATEGORIES = {
    "people": _l("People"),
    "market": _l("Market"),
    "customers": _l("Customers"),
    "contracts": _l("Contracts"),
    "orders": _l("Orders & shipment"),
    "collection": _l("Collection"),
    "service": _l("After-sales"),
    "conduct": _l("Conduct"),
    "training": _l("Training & career"),
    "appraisal": _l("Appraisal"),
    "rewards": _l("Rewards & penalties"),
}

# Aging buckets (2.5.3) and dunning levels (3.3.2), keyed as in app/services/collection.py.
BUCKET_LABELS = {
    "not_due": _l("Not yet due"), "d1_30": _l("1–30 days"), "d31_60": _l("31–60 days"),
    "d61_90": _l("61–90 days"), "d90_plus": _l("More than 90 days"),
}
DUNNING_LABELS = {
    "phone": _l("Phone call"), "email_letter": _l("E-mail or letter"), "visit": _l("On-site visit"),
    "escalation": _l("Supervisor escalation"), "legal_review": _l("Legal review"),
}

COLUMNS = {
    "id": _l("ID"),
    "name": _l("Name"),
    "name_en": _l("English name"),
    "number": _l("Number"),
    "code": _l("Code"),
    "title": _l("Title"),
    "region": _l("Region"),
    "industry": _l("Industry"),
    "address": _l("Address"),
    "department": _l("Department"),
    "position": _l("Position"),
    "team": _l("Team"),
    "members": _l("Members"),
    "manager": _l("Direct supervisor"),
    "supervisor": _l("Supervisor"),
    "hire_date": _l("Hire date"),
    "status": _l("Status"),
    "phone": _l("Phone"),
    "email": _l("Email"),
    "user": _l("Login"),
    "period_start": _l("Period start"),
    "period_end": _l("Period end"),
    "findings": _l("Findings"),
    "author": _l("Author"),
    "reviewer": _l("Reviewed by"),
    "main_products": _l("Main products"),
    "price_level": _l("Price level"),
    "marketing_strategy": _l("Marketing strategy"),
    "strengths": _l("Strengths"),
    "weaknesses": _l("Weaknesses"),
    "competitor": _l("Competitor"),
    "product": _l("Product"),
    "price": _l("Price"),
    "observed_on": _l("Observed on"),
    "source": _l("Source"),
    "proposal": _l("Proposal"),
    "proposer": _l("Proposed by"),
    "unit": _l("Unit"),
    "list_price": _l("List price"),
    "unit_cost": _l("Unit cost"),
    "credit_limit": _l("Credit limit"),
    "payment_terms_days": _l("Payment terms (days)"),
    "stage": _l("Development stage"),
    "lost_reason": _l("Reason lost"),
    "owner": _l("Owner"),
    "customer": _l("Customer"),
    "contacts": _l("Contacts"),
    "visits": _l("Visits"),
    "visit_date": _l("Visit date"),
    "kind": _l("Kind"),
    "summary": _l("Summary"),
    "next_action": _l("Next action"),
    "next_date": _l("Next action date"),
    "satisfaction": _l("Satisfaction (1-5)"),
    "issued_on": _l("Issued on"),
    "valid_until": _l("Valid until"),
    "note": _l("Note"),
    "notes": _l("Notes"),
    "lines": _l("Lines"),
    "total": _l("Total"),
    "quotation": _l("Quotation"),
    "qty": _l("Quantity"),
    "unit_price": _l("Unit price"),
    "amount": _l("Amount"),
    "sign_date": _l("Sign date"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "payment_terms": _l("Payment terms"),
    "terms": _l("Terms"),
    "contract": _l("Contract"),
    "approvals": _l("Approvals"),
    "approver": _l("Approver"),
    "verdict": _l("Verdict"),
    "comment": _l("Comment"),
    "risk_level": _l("Risk level"),
    "risk_reason": _l("Risk reason"),
    "late_submission": _l("Submitted late"),
    "days_late": _l("Days late"),
    "days_overdue": _l("Days overdue"),
    "aging_bucket": _l("Aging"),
    "dunning_level": _l("Dunning level"),
    "version": _l("Version"),
    "decided_at": _l("Decided at"),
    "order": _l("Order"),
    "order_date": _l("Order date"),
    "promised_date": _l("Promised delivery date"),
    "delivered_date": _l("Delivered on"),
    "risk_note": _l("Risk note"),
    "reviewed_on": _l("Reviewed on"),
    "carrier": _l("Carrier"),
    "tracking_number": _l("Tracking number"),
    "shipped_on": _l("Shipped on"),
    "delivered_on": _l("Delivered on"),
    "events": _l("Logistics events"),
    "shipment": _l("Shipment"),
    "occurred_on": _l("Date"),
    "location": _l("Location"),
    "description": _l("Description"),
    "receivable": _l("Receivable"),
    "paid_on": _l("Paid on"),
    "method": _l("Method"),
    "reference": _l("Reference"),
    "due_date": _l("Due date"),
    "amount_paid": _l("Amount paid"),
    "outstanding": _l("Outstanding"),
    "payments": _l("Payments"),
    "sent_on": _l("Sent on"),
    "channel": _l("Channel"),
    "recipient": _l("Recipient"),
    "settings": _l("Settings of this cycle"),
    "outcome": _l("Outcome"),
    "contacted_on": _l("Contacted on"),
    "contact_person": _l("Contact person"),
    "cause": _l("Cause"),
    "result": _l("Result"),
    "collector": _l("Collector"),
    "filed_on": _l("Filed on"),
    "counsel": _l("Counsel"),
    "amount_recovered": _l("Amount recovered"),
    "severity": _l("Severity"),
    "reported_on": _l("Reported on"),
    "departments": _l("Departments involved"),
    "solution": _l("Solution"),
    "closed_on": _l("Closed on"),
    "ticket": _l("Service ticket"),
    "category": _l("Cause category"),
    "corrective_action": _l("Corrective action"),
    "preventive_action": _l("Preventive action"),
    "verified": _l("Verified"),
    "received_on": _l("Received on"),
    "rating": _l("Rating (1-5)"),
    "opinion": _l("Opinion"),
    "forwarded_to": _l("Forwarded to"),
    "employee": _l("Employee"),
    "work_date": _l("Work date"),
    "check_in": _l("Check-in"),
    "check_out": _l("Check-out"),
    "leave_type": _l("Leave type"),
    "days": _l("Days"),
    "reason": _l("Reason"),
    "submitted_on": _l("Submitted on"),
    "clause": _l("Clause"),
    "facts": _l("Facts"),
    "reported_by": _l("Reported by"),
    "offered_on": _l("Offered on"),
    "value": _l("Value"),
    "handling": _l("Handling"),
    "year": _l("Year"),
    "budget": _l("Budget"),
    "items": _l("Items"),
    "plan": _l("Training plan"),
    "topic": _l("Topic"),
    "trainer": _l("Trainer or institution"),
    "month": _l("Month"),
    "hours": _l("Hours"),
    "audience": _l("Audience"),
    "cost": _l("Cost"),
    "item": _l("Training item"),
    "attended": _l("Attended"),
    "assessment": _l("Assessment"),
    "score": _l("Score (0-100)"),
    "passed": _l("Passed"),
    "issuer": _l("Issuer"),
    "obtained_on": _l("Obtained on"),
    "expires_on": _l("Expires on"),
    "from_position": _l("From position"),
    "to_position": _l("To position"),
    "effective_on": _l("Effective on"),
    "basis": _l("Basis"),
    "cycle": _l("Appraisal cycle"),
    "revenue": _l("Revenue target"),
    "volume": _l("Volume target"),
    "profit": _l("Profit target"),
    "new_customers": _l("New customers target"),
    "collection_rate": _l("Collection rate target (%)"),
    "evaluator_role": _l("Evaluator role"),
    "evaluator": _l("Evaluator"),
    "evaluator_name": _l("Evaluator name"),
    "market_analysis": _l("Market analysis"),
    "sales_skills": _l("Sales skills"),
    "negotiation": _l("Negotiation"),
    "cooperation": _l("Cooperation"),
    "team_contribution": _l("Team contribution"),
    "awarded_on": _l("Awarded on"),
    "prize": _l("Prize"),
    "decided_on": _l("Decided on"),
    "violation": _l("Violation"),
    "created_at": _l("Created at"),
    "updated_at": _l("Updated at"),
}

# Where one column name means different things on different screens (entity, column) → label.
OVERRIDES = {
    ("Employee", "name"): _l("Full name"),
    ("Contact", "name"): _l("Full name"),
    ("Contact", "title"): _l("Job title"),
    ("DunningRecord", "promised_date"): _l("Promised payment date"),
    ("Employee", "user"): _l("Login account"),
    ("SalesOrder", "profit"): _l("Profit"),
    ("ContractApproval", "level"): _l("Approval level"),
}


def column_labels(entity_name: str, columns) -> dict:
    """Labels for a screen's columns: the entity's overrides first, then the shared wording."""
    out = {}
    for c in columns:
        label = OVERRIDES.get((entity_name, c), COLUMNS.get(c))
        if label is not None:
            out[c] = label
    return out


# The roles are named in English in the database (``app.security.matrix.ROLES``, FAB's public
# role); every screen, message and drift line shows them through ``role_label``.
ROLE_LABELS = {
    "Salesperson": _l("Salesperson"),
    "Supervisor": _l("Supervisor"),
    "Finance": _l("Finance"),
    "HR": _l("HR"),
    "Admin": _l("Admin"),
    "Public": _l("Public (signed out)"),
}


def role_label(name: str):
    """A role's name in the page's language; a role an administrator added is shown as named."""
    return ROLE_LABELS.get(name, name)


# The permission grid's words for the verbs and scopes of the access matrix (app/security/matrix.py).
VERB_LABELS = {"read": _l("Read"), "write": _l("Write"), "approve": _l("Approve")}
SCOPE_LABELS = {None: "—", "own": _l("Own"), "team": _l("Team"), "all": _l("All")}


def person_name(name: str, name_en: str | None) -> str:
    """A person's name as the page's language writes it: the English name on English pages
    where one is filled in, the Chinese name everywhere else (and outside a request)."""
    locale = get_locale()
    if name_en and locale is not None and locale.language == "en":
        return name_en
    return name
