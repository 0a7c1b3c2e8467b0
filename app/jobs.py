"""The daily collection job (3.3): ``flask jobs daily``, meant for cron, safe to run again.

For the given day it (1) records a settlement notice for every receivable falling due within the
notice period (3.3.1; default 7 days) that has none yet for that due date, e-mailing it when SMTP
is configured and the customer has a contact e-mail; (2) flags receivables that became overdue;
(3) expires quotations past their validity (3.1.5), taking their workflow's step; (4) recomputes
every customer's risk level and reason (3.3.3); (5) forgets the API idempotency keys past their
retention; (6) tells people what fell due (``_tell_due``: return visits, expiring quotations,
promised payments, dunning levels, tickets, certificates, attendance exceptions and late leave).
After its commit it mails the notifications waiting (retrying failed ones) and the day's digests.
A second run the same day finds nothing new to do.

Two runs never overlap: the job holds a database-wide lock for its whole transaction
(``app.locks.job_lock``: a PostgreSQL advisory lock, SQLite's immediate transaction). A second run
started meanwhile waits for the first to finish (at most ``JOB_LOCK_TIMEOUT``, then ``JobLocked``,
reported by the command with exit status 1) and then finds the day done. The notices are also
idempotent by constraint: one per receivable and due date, a duplicate insert is skipped, so even
a writer outside the job cannot make one be sent twice.
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
from sqlalchemy.exc import IntegrityError

from . import clock, idempotency, locks, mail, notify, policy, printing
from . import models as m
from .extensions import db
from .models.policy import PolicyKey
from .models.receivables import NoticeOutcome
from .queries import due
from .queries.collection import customer_risk_figures
from .registry import BY_NAME
from .security.matrix import HR
from .services import collection
from .workflow import TransitionError, apply_as_system, workflow_of

log = logging.getLogger(__name__)
JOB_LOCK = "jobs.daily"


def run_daily(today: date) -> dict[str, int]:
    """Run the day's job (see the module docstring); raises ``locks.JobLocked`` when another run
    held the lock too long and ``locks.Conflict`` when a simultaneous change refused its commit
    (nothing is written then; run it again)."""
    counts = {"notices": 0, "mailed": 0, "overdue": 0, "expired": 0, "risk_changed": 0,
              "keys_forgotten": 0, "notifications": 0}
    with clock.job_day(today), locks.job_lock(JOB_LOCK):  # derived statuses follow the job's day
        _notices(today, counts)
        _flag_overdue(today, counts)
        _expire_quotations(today, counts)
        recompute_risk(today, counts)
        counts["keys_forgotten"] = idempotency.purge()
        _tell_due(today, counts)
        locks.commit()
    # After the commit, outside the lock: a mail server that fails or hangs changes nothing above.
    sent = mail.deliver()
    digests = mail.send_digests()
    counts.update(notifications_mailed=sent["sent"], mail_failed=sent["failed"] + digests["failed"],
                  digests=digests["digests"])
    return counts


def _tell_due(today: date, counts) -> None:
    """Tell the people of what fell due (``queries.due``; who hears of each: ``app.notify``).
    Each occasion is told once (its key: the date or level it is about)."""
    O, OWNER, SUP = notify.Occasion, notify.OWNER, notify.SUPERVISOR  # noqa: N806, E741
    r = notify.Resolver()

    def tell(kind, entity, occasions):
        counts["notifications"] += notify.tell(kind, entity, occasions, r)

    tell("return_visit_due", "Visit", [O(v, str(v.next_date), {"date": v.next_date.isoformat()}, (OWNER,))
                                       for v in due.return_visits(today)])
    tell("quotation_expiring", "Quotation", [
        O(q, str(q.valid_until), {"date": q.valid_until.isoformat()}, (OWNER,))
        for q in due.quotations_expiring(today)])
    tell("promise_due", "Receivable", [
        O(rec, f"{d.id}", {"date": d.promised_date.isoformat()}, (OWNER,)) for d, rec in due.promises_due(today)])
    tell("dunning_level", "Receivable", [
        O(rec, f"{level}:{rec.due_date}", {"level": level, "action": name, "days": days},
          (OWNER, SUP) if level >= 4 else (OWNER,))  # 3.3.2: from the fourth level, the supervisor
        for rec, days, level, name in due.dunning_levels(today)])
    soon, late = due.tickets_due(today)
    tell("ticket_due_soon", "ServiceTicket", [O(t, str(t.due_date), {"date": t.due_date.isoformat()}, (OWNER,))
                                              for t in soon])
    tell("ticket_overdue", "ServiceTicket", [O(t, str(t.due_date), {"date": t.due_date.isoformat()}, (OWNER, SUP))
                                             for t in late])
    tell("certificate_expiring", "Certification", [
        O(c, str(c.expires_on), {"date": c.expires_on.isoformat()}, (OWNER, HR))
        for c in due.certificates_expiring(today)])
    tell("attendance_exception", "Attendance", [
        O(a, str(a.work_date), {"date": a.work_date.isoformat()}, (SUP,)) for a in due.attendance_exceptions(today)])
    tell("late_leave", "LeaveRequest", [O(lr, str(lr.submitted_on), {}, (SUP,)) for lr in due.late_leave(today)])


def _notices(today: date, counts) -> None:
    """3.3.1: one notice per receivable and due date, ``notice_days_before_due`` days ahead."""
    days = policy.get(PolicyKey.notice_days_before_due)
    R, N = m.Receivable, m.SettlementNotice  # noqa: N806
    already = exists().where(N.receivable_id == R.id, N.due_date == R.due_date)
    due = db.session.scalars(
        select(R).where(R.status.in_(m.receivables.ReceivableStatus.not_yet_due()), R.due_date > today,
                        R.due_date <= today + timedelta(days=days), ~already)
        .order_by(R.due_date, R.id)
    ).all()
    emails = _contact_emails({rec.customer_id for rec in due})
    for rec in due:
        email = emails.get(rec.customer_id)
        mailing = bool(email and current_app.config.get("MAIL_SERVER"))
        outcome = (NoticeOutcome.mailed if mailing else NoticeOutcome.by_hand if not email
                   else NoticeOutcome.mail_not_configured)
        notice = m.SettlementNotice(
            receivable=rec, due_date=rec.due_date, sent_on=today, recipient=email,
            channel=m.receivables.DunningChannel.email, outcome=outcome)
        if not _insert_once(notice):
            continue  # someone recorded this notice meanwhile: it is not sent twice
        counts["notices"] += 1
        if mailing:
            try:
                _send(rec, email)
                counts["mailed"] += 1
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("settlement notice for %s not mailed: %s", rec.number, exc)
                notice.outcome = NoticeOutcome.mail_failed


def _insert_once(row) -> bool:
    """Insert ``row`` in a savepoint; False (and nothing written) when a unique constraint says
    it exists already."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return False
    return True


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
        msg["To"] = to
        msg.set_content(_(
            "Dear %(customer)s,\n\ninvoice %(number)s of %(amount)s is due on %(due)s; "
            "%(outstanding)s is outstanding. Please arrange payment by the due date.\n",
            customer=rec.customer.name, number=rec.number, amount=rec.amount, due=rec.due_date,
            outstanding=rec.outstanding))
        # The notice itself, printed with the letterhead (3.3.1): what the customer files.
        msg.add_attachment(printing.pdf("notice", rec, cfg["BABEL_DEFAULT_LOCALE"]), maintype="application",
                           subtype="pdf", filename=printing.filename("notice", rec))
    mail.smtp_send(msg)


def _flag_overdue(today: date, counts) -> None:
    R = m.Receivable  # noqa: N806
    for rec in db.session.scalars(
        select(R).where(R.status.in_(m.receivables.ReceivableStatus.not_yet_due()), R.due_date < today)
        .with_for_update(of=R).execution_options(populate_existing=True)  # payments wait for it
    ):
        rec.status = m.receivables.ReceivableStatus.overdue
        counts["overdue"] += 1


def _expire_quotations(today: date, counts) -> None:
    """3.1.5: the Quotation workflow's "expire" step, taken by the engine for the application
    (its source states, precondition, version and history entry are the step's). A quotation the
    step refuses, say revised since it was read, is skipped; the job goes on."""
    entity = BY_NAME["Quotation"]
    step = workflow_of(entity).by_name["expire"]
    Q = m.Quotation  # noqa: N806
    # The candidates; the step's precondition decides. The engine locks and re-reads each row.
    candidates = db.session.scalars(
        select(Q).where(Q.status.in_(step.source), Q.valid_until < today).order_by(Q.id)).all()
    for q in candidates:
        try:
            apply_as_system(entity, q, step.name)
        except TransitionError as exc:
            log.info("quotation %s not expired: %s", q.id, exc)
            continue
        counts["expired"] += 1


def recompute_risk(today: date, counts) -> None:
    rules = collection.RiskRules(
        red_days=policy.get(PolicyKey.risk_red_days),
        overdue_share=policy.get(PolicyKey.risk_overdue_share),
        late_payments=policy.get(PolicyKey.risk_late_payments),
    )
    db.session.flush()  # the figures below must see the statuses flagged above
    figures = customer_risk_figures(today, policy.get(PolicyKey.risk_late_window_months))
    flagged = set(db.session.scalars(select(m.Customer.id).where(m.Customer.risk_level != "green")))
    for cid in sorted(set(figures) | flagged):
        level, reasons = collection.risk(figures[cid], rules) if cid in figures else ("green", [])
        reason = json.dumps(reasons, default=str, ensure_ascii=False) if reasons else None
        cust = db.session.get(m.Customer, cid)
        if cust.risk_level.name != level or cust.risk_reason != reason:
            cust = locks.lock(cust)  # a salesperson's edit of the customer waits, or went first
            cust.risk_level = m.customers.RiskLevel[level]
            cust.risk_reason = reason
            counts["risk_changed"] += 1
