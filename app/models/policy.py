"""Configurable figures of the regulation (the *default* values of domain.md), one row per key.

A key without a row uses its default from ``app.policy.DEFAULTS``; administrators override it on
the Settings screen. Values are stored as text and parsed by the key's type there.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import LabeledEnum, Model, Timestamped, Versioned, enum_column


class PolicyKey(LabeledEnum):
    contract_finance_threshold = "contract_finance_threshold"
    notice_days_before_due = "notice_days_before_due"
    dunning_level_days = "dunning_level_days"
    risk_red_days = "risk_red_days"
    risk_overdue_share = "risk_overdue_share"
    risk_late_payments = "risk_late_payments"
    risk_late_window_months = "risk_late_window_months"
    legal_min_dunning = "legal_min_dunning"
    legal_after_days = "legal_after_days"
    order_review_departments = "order_review_departments"
    work_start = "work_start"
    work_end = "work_end"
    leave_notice_days = "leave_notice_days"
    ticket_due_days = "ticket_due_days"
    return_visit_window_days = "return_visit_window_days"
    penalty_scale = "penalty_scale"
    login_lock_failures = "login_lock_failures"
    login_lock_minutes = "login_lock_minutes"
    order_review_signers = "order_review_signers"
    export_max_rows = "export_max_rows"
    follow_up_days = "follow_up_days"
    number_patterns = "number_patterns"
    credit_limit_share = "credit_limit_share"
    credit_review_risk = "credit_review_risk"
    letterhead_name = "letterhead_name"
    letterhead_address = "letterhead_address"
    letterhead_contact = "letterhead_contact"
    letterhead_bank = "letterhead_bank"
    attachment_max_mb = "attachment_max_mb"
    attachment_types = "attachment_types"

    @classmethod
    def _labels(cls):
        return {
            "contract_finance_threshold": _l("Contracts above this amount also need finance approval"),
            "notice_days_before_due": _l("Settlement notice: days before the due date"),
            "dunning_level_days": _l("Dunning levels: last day overdue of each level"),
            "risk_red_days": _l("Risk red: overdue more than (days)"),
            "risk_overdue_share": _l("Risk yellow: overdue share of outstanding above (%)"),
            "risk_late_payments": _l("Risk yellow: late payments within the window"),
            "risk_late_window_months": _l("Risk yellow: late-payment window (months)"),
            "legal_min_dunning": _l("Legal action: minimum dunning records"),
            "legal_after_days": _l("Legal action: overdue more than (days)"),
            "order_review_departments": _l("Order review: departments that must sign off"),
            "work_start": _l("Working hours: start"),
            "work_end": _l("Working hours: end"),
            "leave_notice_days": _l("Leave: days of notice before it starts"),
            "ticket_due_days": _l("Service ticket: days to resolve by severity"),
            "return_visit_window_days": _l("Return visits: list those due within (days)"),
            "penalty_scale": _l("Penalty scale: proposed penalty by violation severity"),
            "login_lock_failures": _l("Sign-in: failed attempts in a row that lock a login"),
            "login_lock_minutes": _l("Sign-in: minutes a locked login stays locked"),
            "order_review_signers": _l("Order review: employees who may sign off for each department"),
            "export_max_rows": _l("Excel export: most rows in one file"),
            "follow_up_days": _l("Follow-up: flag customers without a visit or planned activity for (days)"),
            "credit_limit_share": _l("Credit control: finance approves when open receivables and the new amount "
                                     "exceed this share of the credit limit (%)"),
            "credit_review_risk": _l("Credit control: finance approves new contracts and orders of customers at "
                                     "these risk levels"),
            "letterhead_name": _l("Printed documents: the factory's name"),
            "letterhead_address": _l("Printed documents: the factory's address"),
            "letterhead_contact": _l("Printed documents: telephone and e-mail"),
            "letterhead_bank": _l("Printed documents: bank account for payments"),
            "attachment_max_mb": _l("Attachments: largest file (MB)"),
            "attachment_types": _l("Attachments: file types allowed (extensions)"),
            "number_patterns": _l("Numbers and codes: pattern of each kind ({YYYY} year, {YY} its last "
                                  "two digits, {####} the counter)"),
        }


class PolicySetting(Versioned, Timestamped, Model):
    """An administrator's override of one configurable figure."""

    __tablename__ = "policy_setting"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[PolicyKey] = enum_column(PolicyKey)
    __table_args__ = (UniqueConstraint("key", name="uq_policy_setting_key"),)
    value: Mapped[str] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(String(300))

    def __str__(self) -> str:
        return str(self.key.label if self.key else "")
