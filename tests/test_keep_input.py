"""A refused save keeps the user's work (issue 9, item 3).

A rule of ``app.rules`` refusing a generated add / edit form answers the form again (422) with
the submitted values in its inputs, the translated message on the field's own error element, its
numbers formatted, and nothing stored; required pickers start blank; the workflow API names a
missing value with the translated message, never the code ``"required"``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale
from flask_babel import gettext as app_gettext

from app import models as m
from app import policy
from app.formats import number
from app.models import Customer, LeaveRequest, Payment, Receivable, ServiceTicket
from app.models.policy import PolicyKey
from app.workflow import form_columns
from tests.conftest import employee
from tests.factories import count, fresh, make
from tests.test_scope_leaks import model_form

LOCALES = ["zh", "en"]


# --- workflow API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_workflow_step_missing_field_is_a_translated_message(app, apis, locale):
    with app.app_context():
        pk = make(Customer, employee("sales1")).id
    before = fresh(app, Customer, pk, "stage", "lost_reason", "version")
    resp = apis("sales1").post(f"/api/v1/workflow/customer/{pk}/lose?_l_={locale}", json={})
    assert resp.status_code == 422, resp.get_data(as_text=True)
    with app.test_request_context(), force_locale(locale):
        expected = app_gettext("This field is required.")
    assert resp.json["errors"]["lost_reason"] == expected != "required"
    assert fresh(app, Customer, pk, "stage", "lost_reason", "version") == before


@pytest.mark.parametrize("locale", LOCALES)
def test_workflow_step_missing_comment_is_a_translated_message(app, apis, locale):
    """A step whose comment is required (a ticket the customer says is not resolved)."""
    from app.models.service import TicketStatus

    with app.app_context():
        pk = make(ServiceTicket, employee("sales1"), status=TicketStatus.awaiting_confirmation).id
    resp = apis("sales1").post(f"/api/v1/workflow/serviceticket/{pk}/reopen?_l_={locale}", json={})
    assert resp.status_code == 422, resp.get_data(as_text=True)
    with app.test_request_context(), force_locale(locale):
        expected = app_gettext("This field is required.")
    assert resp.json["errors"]["comment"] == expected != "required"
    assert fresh(app, ServiceTicket, pk, "status")["status"] is TicketStatus.awaiting_confirmation


# --- forms refused by a rule ----------------------------------------------------------------------

D1, D2 = date(2026, 6, 1), date(2026, 6, 30)


def _error_of(html: str, name: str) -> str | None:
    """The text of the error block FAB renders in the cell of field ``name`` (None: no error)."""
    cell = re.search(rf'name="{name}"(.*?)</td>', html, re.S)
    if cell is None:
        return None
    block = re.search(r'<div class="alert alert-danger">(.*?)</div>', cell.group(1), re.S)
    return unescape(block.group(1)).strip() if block else None


def _other_errors(html: str, name: str) -> list[str]:
    """Fields other than ``name`` carrying an error block."""
    form = model_form(html)
    return [f for f in form.fields if f != name and _error_of(html, f)]


@dataclass
class Case:
    """A form save one rule refuses: who, which form, the values, the field and message."""

    user: str
    entity: str
    setup: Callable  # () -> (form values, pk or None for add, message kwargs)
    field: str
    msgid: str
    numbers: tuple[str, ...] = ()  # message arguments formatted with formats.number


def _payment_over():
    rec = make(Receivable, employee("sales1"), amount=Decimal("20000.00"), issued_on=D1, due_date=D2)
    make(Payment, employee("sales1"), receivable_id=rec.id, amount=Decimal("2730.00"), paid_on=D1)
    return {"receivable": rec.id, "paid_on": D1, "amount": "17270.01", "method": "bank_transfer"}, None, \
        {"amount": Decimal("17270.00")}


def _payment_written_off():
    rec = make(Receivable, employee("sales1"), amount=Decimal("500.00"), issued_on=D1, due_date=D2,
               status=m.receivables.ReceivableStatus.written_off)
    return {"receivable": rec.id, "paid_on": D1, "amount": "10", "method": "bank_transfer"}, None, {}


def _receivable_below_paid():
    rec = make(Receivable, employee("sales1"), amount=Decimal("20000.00"), issued_on=D1, due_date=D2)
    make(Payment, employee("sales1"), receivable_id=rec.id, amount=Decimal("12345.60"), paid_on=D1)
    return {"amount": "100.00"}, rec.id, {"amount": Decimal("12345.60")}


def _line_on_sent_quotation():
    q = make(m.Quotation, employee("sales1"), status=m.customers.QuotationStatus.sent)
    product = make(m.Product, employee("sales1"))
    return {"quotation": q.id, "product": product.id, "qty": "3", "unit_price": "12.50"}, None, {}


def _line_on_scheduled_order():
    o = make(m.SalesOrder, employee("sales1"), status=m.orders.OrderStatus.scheduled)
    product = make(m.Product, employee("sales1"))
    return {"order": o.id, "product": product.id, "qty": "3", "unit_price": "12.50",
            "unit_cost": "8"}, None, {}


def _overlapping_leave():
    emp = employee("sales1")
    make(LeaveRequest, emp, start_date=D1, end_date=D1 + timedelta(days=4), days=5)
    return {"employee": emp.id, "leave_type": "annual", "start_date": D1 + timedelta(days=2),
            "end_date": D1 + timedelta(days=6), "days": "3", "reason": "探亲"}, None, {}


def _self_rating():
    emp = employee("sales1")
    cycle = make(m.AppraisalCycle, employee("hr1"))
    scores = dict.fromkeys(("market_analysis", "sales_skills", "negotiation", "cooperation",
                            "team_contribution"), "4")
    return {"cycle": cycle.id, "employee": emp.id, "evaluator_role": "peer", "evaluator": emp.id,
            **scores}, None, {}


def _target_in_closed_cycle():
    cycle = make(m.AppraisalCycle, employee("hr1"), status=m.appraisal.CycleStatus.closed)
    return {"cycle": cycle.id, "employee": employee("sales3").id, "revenue": "100000", "volume": "10",
            "profit": "20000", "new_customers": "2", "collection_rate": "90"}, None, {}


def _bad_clause():
    return {"employee": employee("sales3").id, "occurred_on": D1, "clause": "第四条", "facts": "迟到",
            "severity": "minor"}, None, {}


def _legal_too_early():
    rec = make(Receivable, employee("sales1"), amount=Decimal("800.00"), issued_on=D1, due_date=D2)
    return {"receivable": rec.id, "notes": "起诉"}, None, {
        "n": policy.get(PolicyKey.legal_min_dunning), "days": policy.get(PolicyKey.legal_after_days)}


def _finance_sign_off_by_a_supervisor():
    order = make(m.SalesOrder, employee("sales1"))
    return {"order": order.id, "department": "finance", "verdict": "feasible", "reviewed_on": D1,
            "risk_note": "交期紧"}, None, {}


def _activity_in_the_past():
    cust = make(m.Customer, employee("sales1"))
    return {"subject": "回访", "kind": "call", "due_date": date(2020, 1, 6), "customer": cust.id,
            "assignee": employee("sales1").id}, None, {}


def _line_on_submitted_contract():
    c = make(m.Contract, employee("sales1"), status=m.contracts.ContractStatus.submitted)
    product = make(m.Product, employee("sales1"))
    return {"contract": c.id, "product": product.id, "qty": "3", "unit_price": "12.50"}, None, {}


def _contract_amount_over_its_lines():
    c = make(m.Contract, employee("sales1"), amount=Decimal("2500.00"))
    make(m.ContractLine, employee("sales1"), contract=c, product=make(m.Product, employee("sales1")),
         qty=Decimal("2"), unit_price=Decimal("1250.00"))
    return {"amount": "9999.00"}, c.id, {"total": Decimal("2500.00")}


def _instalments_over_the_contract():
    c = make(m.Contract, employee("sales1"), amount=Decimal("20000.00"))
    make(m.PaymentInstalment, employee("sales1"), contract=c, share=Decimal("60"))
    return {"contract": c.id, "share": "50", "amount": "", "basis": "delivery", "days": "30",
            "method": "bank_transfer", "note": ""}, None, {"total": Decimal("22000.00"), "amount": Decimal("20000.00")}


def _order_beyond_its_contract():
    product = make(m.Product, employee("sales1"))
    c = make(m.Contract, employee("sales1"), amount=Decimal("50.00"), status=m.contracts.ContractStatus.signed)
    make(m.ContractLine, employee("sales1"), contract=c, product=product, qty=Decimal("5"), unit_price=Decimal("10"))
    o = make(m.SalesOrder, employee("sales1"), customer_id=c.customer_id, contract=c)
    return {"order": o.id, "product": product.id, "qty": "6", "unit_price": "10", "unit_cost": "5"}, None, {"qty": "5"}


CASES = {
    "line-on-submitted-contract": Case("sales1", "ContractLine", _line_on_submitted_contract, "contract",
                                       "Only a draft contract's lines can change."),
    "contract-amount-over-its-lines": Case("sales1", "Contract", _contract_amount_over_its_lines, "amount",
                                           "A contract with lines is worth their total (%(total)s).", ("total",)),
    "instalments-over-the-contract": Case(
        "sales1", "PaymentInstalment", _instalments_over_the_contract, "share",
        "The instalments would come to %(total)s, more than the contract's %(amount)s.", ("total", "amount")),
    "order-beyond-its-contract": Case("sales1", "OrderLine", _order_beyond_its_contract, "qty",
                                      "At most %(qty)s are left on the contract."),
    "activity-in-the-past": Case("sales1", "Activity", _activity_in_the_past, "due_date",
                                 "A planned activity cannot be due before today."),
    "overpayment": Case("finance1", "Payment", _payment_over, "amount",
                        "More than the outstanding amount (%(amount)s).", ("amount",)),
    "payment-written-off": Case("finance1", "Payment", _payment_written_off, "receivable",
                                "This receivable is written off or awaiting write-off."),
    "receivable-below-paid": Case("finance1", "Receivable", _receivable_below_paid, "amount",
                                  "Less than already paid (%(amount)s).", ("amount",)),
    "line-on-sent-quotation": Case("sales1", "QuotationLine", _line_on_sent_quotation, "quotation",
                                   "Only a draft quotation's lines can change."),
    "line-on-scheduled-order": Case("sales1", "OrderLine", _line_on_scheduled_order, "order",
                                    "Lines can change only before the order is scheduled."),
    "leave-overlap": Case("sales1", "LeaveRequest", _overlapping_leave, "start_date",
                          "Overlaps another leave request of the same employee."),
    "self-rating": Case("admin", "AppraisalRating", _self_rating, "evaluator", "Nobody rates themselves."),
    "target-closed-cycle": Case("admin", "AppraisalTarget", _target_in_closed_cycle, "cycle",
                                "This appraisal cycle is closed."),
    "violation-clause": Case("hr1", "ConductViolation", _bad_clause, "clause",
                             "Enter a clause number such as 4.1.2."),
    "sign-off-by-another-department": Case("supervisor1", "OrderReview", _finance_sign_off_by_a_supervisor,
                                           "department", "Only a user of this department may record its sign-off."),
    "legal-too-early": Case("finance1", "LegalCase", _legal_too_early, "receivable",
                            "Legal action needs at least %(n)s dunning records and more than "
                            "%(days)s days overdue."),
}
# Rules whose triggering column is not on the entity's form (it is set by a workflow step), so
# no form save can break them: the column is checked to be absent from the form below.
NOT_ON_FORMS = {"Customer": "stage", "ServiceTicket": "status", "SalesOrder": "status",
                "AppraisalCycle": "settings"}


def test_every_rule_a_form_can_break_has_a_case():
    from app.registry import BY_NAME
    from app.rules import _RULES

    covered = {c.entity for c in CASES.values()}
    for model in _RULES:
        name = model.__name__
        if name in NOT_ON_FORMS:
            assert NOT_ON_FORMS[name] not in form_columns(BY_NAME[name]), name
        else:
            assert name in covered, f"no form case for the rules of {name}"


def _as_form(values: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, date) else str(v) for k, v in values.items()}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("case_id", list(CASES))
def test_a_form_refused_by_a_rule_keeps_the_input(app, browsers, case_id, locale):
    case = CASES[case_id]
    model = getattr(m, case.entity)
    with app.app_context():
        values, pk, kwargs = case.setup()
        before_rows = count(app, model)
        before_row = fresh(app, model, pk, *values) if pk else None
    base = f"/{case.entity.lower()}view/" + (f"edit/{pk}" if pk else "add")
    url = f"{base}?_l_={locale}"
    ui = browsers(case.user)
    page = ui.get(url)
    assert page.status_code == 200
    data = {**model_form(page.get_data(as_text=True)).fields, **_as_form(values)}
    resp = ui.post(url, data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, (resp.status_code, resp.headers.get("Location"))  # the form again
    # the user's input is in the form's inputs
    shown = model_form(html).fields
    for name, value in _as_form(values).items():
        # (a browser drops the newline FAB's textarea starts with)
        assert (shown.get(name) or "").removeprefix("\r\n") == value, (name, shown.get(name), value)
    # the translated message, numbers formatted, in the error block of the field it concerns
    with app.test_request_context(f"/?_l_={locale}"):
        expected = str(app_gettext(case.msgid, **{
            k: number(v) if k in case.numbers else v for k, v in kwargs.items()}))
        formatted = [number(kwargs[k]) for k in case.numbers]
    assert _error_of(html, case.field) == expected
    for figure in formatted:
        assert figure in _error_of(html, case.field) and "," in figure
    assert _other_errors(html, case.field) == []
    # nothing stored
    assert count(app, model) == before_rows
    if pk:
        assert fresh(app, model, pk, *values) == before_row


@pytest.mark.parametrize("locale", LOCALES)
def test_a_refusal_on_a_field_the_form_hides_is_flashed_with_its_label(app, browsers, locale):
    """A line added from its quotation's page: the quotation is fixed by the page, not shown."""
    from app.registry import BY_NAME

    with app.app_context():
        values, _, _ = _line_on_sent_quotation()
        before = count(app, m.QuotationLine)
    url = f"/quotationlineview/add?_flt_0_quotation={values['quotation']}&_l_={locale}"
    ui = browsers("sales1")
    page = ui.get(url)
    data = {**model_form(page.get_data(as_text=True)).fields, **_as_form(values)}
    resp = ui.post(url, data=data)
    html = unescape(resp.get_data(as_text=True))
    assert resp.status_code == 200
    with app.test_request_context(f"/?_l_={locale}"):
        label = str(BY_NAME["QuotationLine"].column_label("quotation"))
        expected = app_gettext("%(field)s: %(message)s", field=label,
                               message=app_gettext("Only a draft quotation's lines can change."))
    assert expected in html and "quotation:" not in html
    assert model_form(html).fields["qty"] == "3"
    assert count(app, m.QuotationLine) == before


# --- required pickers -----------------------------------------------------------------------------


def _required_pickers(entity) -> list[str]:
    """Form fields of ``entity`` that pick a required many-to-one row (the owner aside: a new row
    deliberately belongs to the user creating it)."""
    from sqlalchemy import inspect
    from sqlalchemy.orm import RelationshipDirection

    out = []
    for rel in inspect(entity.model).relationships:
        if rel.direction is RelationshipDirection.MANYTOONE and rel.key in form_columns(entity) \
                and rel.key != entity.owner_field and not all(c.nullable for c in rel.local_columns):
            out.append(rel.key)
    return out


class _Selects(HTMLParser):
    """Each select's options as (value, selected)."""

    def __init__(self):
        super().__init__()
        self.selects: dict[str, list[tuple[str, bool]]] = {}
        self._name = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "select":
            self._name = a.get("name")
            self.selects[self._name] = []
        elif tag == "option" and self._name:
            self.selects[self._name].append((a.get("value", ""), "selected" in a))

    def handle_endtag(self, tag):
        if tag == "select":
            self._name = None


def _enum_selects(entity) -> list[tuple[str, bool]]:
    """(form field, column has a default) for every enum column on the entity's form."""
    from sqlalchemy import Enum

    out = []
    for name in form_columns(entity):
        col = entity.model.__table__.columns.get(name)
        if col is not None and isinstance(col.type, Enum):
            out.append((name, col.default is not None or col.server_default is not None))
    return out


def test_required_pickers_start_blank_on_every_add_form(app, browsers):
    from app.registry import ENTITIES

    ui = browsers("admin")
    checked = 0
    for entity in ENTITIES:
        pickers = _required_pickers(entity)
        if not pickers and not _enum_selects(entity):
            continue
        resp = ui.get(f"/{entity.name.lower()}view/add")
        if resp.status_code != 200:  # an entity nobody adds by hand
            continue
        html = resp.get_data(as_text=True)
        start = html.index('id="model_form"')
        parser = _Selects()
        parser.feed(html[start:html.index("</form>", start)])
        for name in pickers:
            options = parser.selects[name]
            assert options and options[0] == ("__None", True), (entity.name, name, options[:2])
            assert not any(sel for _, sel in options[1:]), (entity.name, name)
            checked += 1
        for name, has_default in _enum_selects(entity):
            options = parser.selects[name]
            assert options and options[0][0] == "", (entity.name, name, options[:2])
            selected = [value for value, sel in options if sel]
            if has_default:  # the column's own default, deliberately preselected
                assert len(selected) == 1 and selected[0] != "", (entity.name, name, selected)
            else:
                assert selected == [""], (entity.name, name, selected)
            checked += 1
    assert checked > 30


def test_a_required_picker_left_blank_is_refused_on_its_field(app, browsers):
    with app.app_context():
        before = count(app, Payment)
    ui = browsers("finance1")
    page = ui.get("/paymentview/add")
    data = {**model_form(page.get_data(as_text=True)).fields,
            "paid_on": D1.isoformat(), "amount": "10", "method": "bank_transfer"}
    assert data["receivable"] == "__None"
    resp = ui.post("/paymentview/add", data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and _error_of(html, "receivable")
    assert model_form(html).fields["amount"] == "10"
    assert count(app, Payment) == before


def test_an_enum_left_blank_is_required_or_empty_as_its_column_says(app, browsers):
    """A required enum without a default left on its placeholder is refused on its field; an
    optional one can now be left empty (it could not: the first value was always sent)."""
    with app.app_context():
        before = count(app, LeaveRequest)
    ui = browsers("sales1")
    form = model_form(ui.get("/leaverequestview/add").get_data(as_text=True)).fields
    assert form["leave_type"] == ""
    data = {**form, "start_date": "2026-07-05", "end_date": "2026-07-06", "days": "2", "reason": "探亲"}
    resp = ui.post("/leaverequestview/add", data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and _error_of(html, "leave_type")
    assert model_form(html).fields["reason"] == "探亲"
    assert count(app, LeaveRequest) == before
    resp = ui.post("/leaverequestview/add", data=dict(data, leave_type="annual"))
    assert resp.status_code == 302 and count(app, LeaveRequest) == before + 1


@pytest.mark.parametrize("locale", LOCALES)
def test_a_too_large_figure_names_its_limit_formatted(app, browsers, locale):
    """Column rules format their numbers with the same helper as the business rules."""
    from app.formats import INTEGER

    col = Customer.__table__.columns["credit_limit"]
    limit = 10 ** (col.type.precision - col.type.scale)
    with app.app_context():
        before = count(app, Customer)
    ui = browsers("sales1")
    url = f"/customerview/add?_l_={locale}"
    form = model_form(ui.get(url).get_data(as_text=True)).fields
    resp = ui.post(url, data={**form, "code": "KEEP-BIG", "name": "大额客户",
                              "credit_limit": str(limit * 10), "payment_terms_days": "30"})
    html = resp.get_data(as_text=True)
    with app.test_request_context(f"/?_l_={locale}"):
        expected = app_gettext("Must be less than %(limit)s in absolute value.", limit=number(limit, INTEGER))
    assert resp.status_code == 200 and _error_of(html, "credit_limit") == expected
    assert "," in number(limit, INTEGER)
    assert model_form(html).fields["credit_limit"] == str(limit * 10)
    assert count(app, Customer) == before
