"""The daily collection job (3.3): ``flask jobs daily``, meant for cron, safe to run again.

For the given day it (1) records a settlement notice for every receivable falling due within the
notice period (3.3.1; default 7 days) that has none yet for that due date, e-mailing it when SMTP
is configured and the customer has a contact e-mail; (2) flags receivables that became overdue;
(3) expires quotations past their validity (3.1.5); (4) recomputes every customer's risk level and
reason (3.3.3). A second run the same day finds nothing new to do.
"""

from __future__ import annotations

import json
import logging
import smtplib
from datetime import date, timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, select

from . import models as m
from . import policy
from .extensions import db
from .models.policy import PolicyKey
from .rules import TODAY_KEY
from .services import collection
from .services.sql import days_between
from .workflow.engine import TRANSITIONS_KEY

log = logging.getLogger(__name__)
def run_daily(today: date) -> dict[str, int]:
    counts = {"notices": 0, "mailed": 0, "overdue": 0, "expired": 0, "risk_changed": 0}
    db.session.info[TODAY_KEY] = today  # derived statuses follow the job's day
    try:
        _notices(today, counts)
        _flag_overdue(today, counts)
        _expire_quotations(today, counts)
        recompute_risk(today, counts)
        db.session.commit()
    finally:
        db.session.info.pop(TODAY_KEY, None)
    return counts


def _notices(today: date, counts) -> None:
    """3.3.1: one notice per receivable and due date, ``notice_days_before_due`` days ahead."""
    days = policy.get(PolicyKey.notice_days_before_due)
    R, N = m.Receivable, m.SettlementNotice  # noqa: N806
    already = exists().where(N.receivable_id == R.id, days_between(R.due_date, N.sent_on) <= days)
    due = db.session.scalars(
        select(R).where(R.status.in_(["open", "partially_paid"]), R.due_date > today,
                        R.due_date <= today + timedelta(days=days), ~already)
        .order_by(R.due_date, R.id)
    ).all()
    emails = _contact_emails({rec.customer_id for rec in due})
    for rec in due:
        email = emails.get(rec.customer_id)
        notice = m.SettlementNotice(receivable=rec, sent_on=today, recipient=email,
                                    channel=m.receivables.DunningChannel.email)
        if email and current_app.config.get("MAIL_SERVER"):
            try:
                _send(rec, email)
                counts["mailed"] += 1
                notice.note = "e-mailed"
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("settlement notice for %s not mailed: %s", rec.number, exc)
                notice.note = f"mail failed: {exc}"[:500]
        else:
            notice.note = "to send by hand" if not email else "mail not configured"
        db.session.add(notice)
        counts["notices"] += 1


def _contact_emails(customer_ids) -> dict[int, str]:
    """Each customer's first contact with an e-mail address (one query)."""
    if not customer_ids:
        return {}
    rows = db.session.execute(
        select(m.Contact.customer_id, m.Contact.email)
        .where(m.Contact.customer_id.in_(customer_ids), m.Contact.email.is_not(None),
               m.Contact.email != "")
        .order_by(m.Contact.customer_id, m.Contact.id.desc())
    ).all()
    return dict(rows)  # ordered by id descending: the first contact wins


def _send(rec, to: str) -> None:
    cfg = current_app.config
    with force_locale(cfg["BABEL_DEFAULT_LOCALE"]):
        msg = EmailMessage()
        msg["Subject"] = _("Payment due notice: %(number)s", number=rec.number)
        msg["From"] = cfg["MAIL_FROM"]
        msg["To"] = to
        msg.set_content(_(
            "Dear %(customer)s,\n\ninvoice %(number)s of %(amount)s is due on %(due)s; "
            "%(outstanding)s is outstanding. Please arrange payment by the due date.\n",
            customer=rec.customer.name, number=rec.number, amount=rec.amount, due=rec.due_date,
            outstanding=rec.outstanding))
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=30) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(msg)


def _flag_overdue(today: date, counts) -> None:
    R = m.Receivable  # noqa: N806
    for rec in db.session.scalars(
        select(R).where(R.status.in_(["open", "partially_paid"]), R.due_date < today)
    ):
        rec.status = m.receivables.ReceivableStatus.overdue
        counts["overdue"] += 1


def _expire_quotations(today: date, counts) -> None:
    Q = m.Quotation  # noqa: N806
    for q in db.session.scalars(select(Q).where(Q.status == "sent", Q.valid_until < today)):
        q.status = m.customers.QuotationStatus.expired
        db.session.info.setdefault(TRANSITIONS_KEY, {})[("Quotation", q.id)] = ("expire", None)
        counts["expired"] += 1


def recompute_risk(today: date, counts) -> None:
    rules = collection.RiskRules(
        red_days=policy.get(PolicyKey.risk_red_days),
        overdue_share=policy.get(PolicyKey.risk_overdue_share),
        late_payments=policy.get(PolicyKey.risk_late_payments),
    )
    db.session.flush()  # the figures below must see the statuses flagged above
    figures = collection.customer_risk_figures(
        db.session, m, today, policy.get(PolicyKey.risk_late_window_months))
    flagged = set(db.session.scalars(select(m.Customer.id).where(m.Customer.risk_level != "green")))
    for cid in sorted(set(figures) | flagged):
        level, reasons = collection.risk(figures[cid], rules) if cid in figures else ("green", [])
        reason = json.dumps(reasons, default=str, ensure_ascii=False) if reasons else None
        cust = db.session.get(m.Customer, cid)
        if cust.risk_level.name != level or cust.risk_reason != reason:
            cust.risk_level = m.customers.RiskLevel[level]
            cust.risk_reason = reason
            counts["risk_changed"] += 1
