"""Outgoing mail: one SMTP helper (the settlement notices of the daily job use it too) and the
notifications' e-mails, sent after the commit that raised them and never inside it.

``deliver`` sends the entries waiting to be mailed (``pending``, and ``failed`` ones whose next
try has come: after 1, 2, 4, 8 minutes... up to ``MAX_ATTEMPTS``). Each entry is claimed first
(``pending`` → ``sending`` by one UPDATE that only one sender wins), then sent, then marked
``sent`` or ``failed`` with the reason; a failure never touches the entry itself nor the business
change, both committed before. It runs at the end of a request that raised entries (for those
entries), in ``flask jobs mail`` (cron, every few minutes: the retries) and in the daily job.
``send_digests`` sends each user choosing the digest one e-mail with their entries of the day.

Each e-mail is in its recipient's language (their stored choice, else the portal's default) and
names the record only when the recipient may still read it.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app, g, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from . import notify
from .extensions import db
from .models import User, UserPreference
from .models.base import utcnow
from .models.notifications import MailState, Notification
from .queries.inbox import MSG_HIDDEN_RECORD, reason
from .registry import BY_NAME
from .security.scope import anchor_employee_id

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
_BATCH = 200


def configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def smtp_send(msg: EmailMessage) -> None:
    """Send one message through the configured server; raises OSError or SMTPException."""
    cfg = current_app.config
    msg["From"] = cfg["MAIL_FROM"]
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg.get("MAIL_TIMEOUT", 10)) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(msg)


def _recipients(user_ids) -> dict[int, tuple[str, str]]:
    """Each user's (address, language)."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    rows = db.session.execute(
        select(User.id, User.email, UserPreference.locale)
        .outerjoin(UserPreference, UserPreference.user_id == User.id)
        .where(User.id.in_(sorted(user_ids)))).all()
    return {uid: (email, locale or default) for uid, email, locale in rows if email}


def _line(n: Notification, resolver: notify.Resolver) -> str:
    """One entry as a line of text in the current language: its reason and its record (named only
    when the recipient may read it now)."""
    entity = BY_NAME.get(n.entity)
    label = str(MSG_HIDDEN_RECORD)
    if entity is not None:
        obj = db.session.get(entity.model, n.row_id)
        anchor = anchor_employee_id(obj, entity) if obj is not None and entity.anchor else None
        if obj is not None and resolver.reads(n.user_id, entity, anchor):
            label = _("%(entity)s:", entity=entity.label) + f" {obj}"
    return f"{reason(n.kind, n.entity, n.params or {})} — {label}"


def _message(to: str, subject: str, lines: list[str]) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["To"] = to
    body = "\n".join(f"- {line}" for line in lines)
    url = current_app.config.get("PUBLIC_URL")
    footer = _("Open your inbox: %(url)s", url=url.rstrip("/") + "/inbox/") if url else _(
        "Open the portal's inbox to see them.")
    msg.set_content(f"{body}\n\n{footer}\n")
    return msg


def _claim(ids, states) -> list[int]:
    """Mark ``ids`` as being sent, those still in one of ``states``; the ones this caller won."""
    won = []
    for nid in ids:
        result = db.session.execute(update(Notification).where(
            Notification.id == nid, Notification.mail_state.in_(states))
            .values(mail_state=MailState.sending))
        if result.rowcount:
            won.append(nid)
    db.session.commit()
    return won


def _settle(ids, error: str | None, back_to: MailState, now: datetime) -> None:
    for n in db.session.scalars(select(Notification).where(Notification.id.in_(ids))):
        n.mail_attempts += 1
        if error is None:
            n.mail_state, n.mailed_at, n.mail_error, n.next_try_at = MailState.sent, now, None, None
        else:
            n.mail_error = error[:300]
            given_up = n.mail_attempts >= MAX_ATTEMPTS
            n.mail_state = MailState.none if given_up else back_to
            n.next_try_at = None if given_up else now + timedelta(minutes=2 ** (n.mail_attempts - 1))
    db.session.commit()


def deliver(ids=None, now: datetime | None = None, stop_on_failure: bool = False) -> dict[str, int]:
    """Send the entries due to be mailed now (only ``ids`` when given); see the module docstring.
    ``stop_on_failure``: after the first failed send the rest wait for the next sender (a request
    does not wait on a failing server once per entry)."""
    counts = {"sent": 0, "failed": 0}
    if not configured():
        return counts
    now = now or utcnow()
    where = [Notification.mail_state.in_([MailState.pending, MailState.failed]),
             (Notification.next_try_at.is_(None)) | (Notification.next_try_at <= now)]
    if ids is not None:
        where.append(Notification.id.in_(sorted(ids)))
    due = db.session.scalars(select(Notification.id).where(*where).order_by(Notification.id).limit(_BATCH)).all()
    resolver = notify.Resolver()
    for nid in due:
        if not _claim([nid], [MailState.pending, MailState.failed]):
            continue  # another sender has it
        n = db.session.get(Notification, nid)
        to, locale = _recipients([n.user_id]).get(n.user_id, (None, None))
        error = "no address"
        if to is not None:
            with force_locale(locale):
                line = _line(n, resolver)
                msg = _message(to, _("Sales portal: %(reason)s", reason=reason(n.kind, n.entity, n.params or {})),
                               [line])
            error = _send_or_reason(msg)
        _settle([nid], error, MailState.failed, now)
        counts["failed" if error else "sent"] += 1
        if error and stop_on_failure:
            break
    return counts


def send_digests(now: datetime | None = None) -> dict[str, int]:
    """One e-mail per user who chose the digest, with every entry waiting for it; a failed digest
    keeps its entries for the next one."""
    counts = {"digests": 0, "failed": 0}
    if not configured():
        return counts
    now = now or utcnow()
    waiting = db.session.execute(select(Notification.user_id, Notification.id).where(
        Notification.mail_state == MailState.digest).order_by(Notification.user_id, Notification.id)).all()
    by_user: dict[int, list[int]] = defaultdict(list)
    for uid, nid in waiting:
        by_user[uid].append(nid)
    who = _recipients(by_user)
    resolver = notify.Resolver()
    for uid, ids in by_user.items():
        won = _claim(ids, [MailState.digest])
        if not won:
            continue
        to, locale = who.get(uid, (None, None))
        rows = db.session.scalars(select(Notification).where(Notification.id.in_(won)).order_by(Notification.id)).all()
        error = "no address"
        if to is not None:
            with force_locale(locale):
                msg = _message(to, _("Sales portal: %(n)s new notifications today", n=len(rows)),
                               [_line(n, resolver) for n in rows])
            error = _send_or_reason(msg)
        _settle(won, error, MailState.digest, now)
        counts["failed" if error else "digests"] += 1
    return counts


def _send_or_reason(msg: EmailMessage) -> str | None:
    try:
        smtp_send(msg)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("notification mail to %s not sent: %s", msg["To"], exc)
        return str(exc) or type(exc).__name__
    return None


def _after_request(response):
    """The entries the request's commits raised are mailed before it ends (their senders' change is
    committed already); a failure is recorded on the entries and never changes the response."""
    ids = g.pop(notify.COMMITTED_KEY, None) if has_request_context() else None
    if ids:
        try:
            deliver(ids, stop_on_failure=True)
        except Exception:  # the response stands; the entries stay pending for the next try
            log.exception("notification mail not delivered")
            db.session.rollback()
    return response


def install(app) -> None:
    notify.install()
    app.after_request(_after_request)
