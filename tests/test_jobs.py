"""The daily job (3.3): notices, overdue flags, expired quotations and risk, twice in a row, with
the notice e-mailed to a real SMTP server on loopback."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.jobs import run_daily
from app.models import ChangeLog, Contact, Customer, Quotation, Receivable, SettlementNotice
from app.models.customers import QuotationStatus
from app.models.receivables import NoticeOutcome
from app.registry import BY_NAME
from app.workflow import WORKFLOWS, timeline
from tests.conftest import employee
from tests.factories import make

DAY = date(2031, 3, 2)  # a fixed day far from the other tests' rows


def test_daily_job_twice_with_a_real_smtp_server(app, smtp):
    with app.app_context():
        owner = employee("sales3")
        cust = make(Customer, owner, credit_limit=Decimal("1000"))
        db.session.add(Contact(customer=cust, name="王经理", email="wang@customer.test"))
        coming = make(Receivable, owner, customer=cust, amount=Decimal("800.00"),
                      issued_on=DAY - timedelta(days=20), due_date=DAY + timedelta(days=5))
        later = make(Receivable, owner, customer=cust, amount=Decimal("500.00"),
                     issued_on=DAY - timedelta(days=20), due_date=DAY + timedelta(days=8))
        late = make(Receivable, owner, customer=cust, amount=Decimal("900.00"),
                    issued_on=DAY - timedelta(days=120), due_date=DAY - timedelta(days=75))
        quote = make(Quotation, owner, customer=cust, issued_on=DAY - timedelta(days=40),
                     valid_until=DAY - timedelta(days=1), status=QuotationStatus.sent)
        ids = (coming.id, later.id, late.id, quote.id, cust.id)
        db.session.commit()

        def to_customer():  # the job also mails the salesperson what fell due (test_notifications)
            return smtp.to("wang@customer.test")

        first = run_daily(DAY)
        coming_id, later_id, late_id, quote_id, cust_id = ids
        notices = db.session.scalars(select(SettlementNotice).where(
            SettlementNotice.receivable_id.in_([coming_id, later_id, late_id]))).all()
        # Only the receivable due within the seven days gets a notice, e-mailed to the contact.
        assert [n.receivable_id for n in notices] == [coming_id]
        assert notices[0].recipient == "wang@customer.test" and notices[0].sent_on == DAY
        assert notices[0].outcome is NoticeOutcome.mailed and notices[0].note is None  # a code, no text
        assert len(to_customer()) == 1
        assert db.session.get(Receivable, late_id).status.name == "overdue"
        assert db.session.get(Quotation, quote_id).status.name == "expired"
        customer = db.session.get(Customer, cust_id)
        assert customer.risk_level.name == "red"  # 75 days overdue, over its credit limit
        assert "overdue_days" in customer.risk_reason and "over_limit" in customer.risk_reason
        assert first["notices"] >= 1 and first["mailed"] >= 1
        history = db.session.scalar(select(func.count()).select_from(ChangeLog))

        second = run_daily(DAY)
        assert second == {"notices": 0, "mailed": 0, "overdue": 0, "expired": 0, "risk_changed": 0,
                          "keys_forgotten": 0, "notifications": 0, "notifications_mailed": 0,
                          "mail_failed": 0, "digests": 0}
        assert len(to_customer()) == 1
        assert db.session.scalar(select(func.count()).select_from(ChangeLog)) == history

        # Two days later the second receivable enters the notice window: one more, once.
        assert run_daily(DAY + timedelta(days=2))["notices"] >= 1
        assert db.session.scalar(select(func.count()).select_from(SettlementNotice).where(
            SettlementNotice.receivable_id == later_id)) == 1
        assert len(to_customer()) == 2


def test_daily_job_command_without_mail(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "daily", "--date", "2031-03-02"])
    assert result.exit_code == 0, result.output
    assert "notices: 0" in result.output  # the day was done by the test above, or has nothing due


def test_a_notice_to_send_by_hand_is_a_code_shown_translated(app, browsers):
    """Without an e-mail address the job stores the code ``by_hand`` (no English note in the data);
    the notice's page shows its label in the reader's language."""
    day = DAY + timedelta(days=40)
    with app.app_context():
        owner = employee("sales1")
        rec = make(Receivable, owner, amount=Decimal("100.00"), issued_on=day - timedelta(days=10),
                   due_date=day + timedelta(days=3))
        rec_id = rec.id
        run_daily(day)
        notice = db.session.scalars(select(SettlementNotice).where(SettlementNotice.receivable_id == rec_id)).one()
        assert notice.outcome is NoticeOutcome.by_hand and notice.note is None
        pk = notice.id
    body = browsers("sales1").record(f"/settlementnoticeview/show/{pk}")
    with app.test_request_context(headers={"Accept-Language": "zh"}):
        from flask_babel import force_locale

        with force_locale("zh"):
            label = str(NoticeOutcome.by_hand.label)
    assert label in body and "by_hand" not in body


def test_the_job_expires_quotations_by_the_workflow_step_and_skips_those_it_refuses(app, monkeypatch):
    """The job takes the Quotation workflow's "expire" step through the engine: the step's
    precondition, effect and rules hold for it, and a refusal skips that quotation only, the rest
    of the job being done and committed. (The job once set the status by hand, past them all.)"""
    day = DAY + timedelta(days=90)
    with app.app_context():
        owner = employee("sales3")
        held, broken, expired = (make(Quotation, owner, issued_on=day - timedelta(days=40),
                                      valid_until=day - timedelta(days=1), status=QuotationStatus.sent).id
                                 for _ in range(3))
        late = make(Receivable, owner, amount=Decimal("100.00"), issued_on=day - timedelta(days=30),
                    due_date=day - timedelta(days=3)).id
        versions = {pk: db.session.get(Quotation, pk).version for pk in (held, broken, expired)}
    step = WORKFLOWS["Quotation"].by_name["expire"]
    effects = []

    def when(q, ctx):
        return "held by the test" if q.id == held else step.when(q, ctx)

    def effect(q, ctx):
        if q.id not in (held, broken, expired):  # sent quotations other modules left behind
            return step.effect(q, ctx) if step.effect else None
        effects.append((q.id, q.status.name, ctx.employee_id))
        if q.id == broken:  # the step's change breaks a rule of the row: refused after the state is set
            q.issued_on = q.valid_until + timedelta(days=1)

    monkeypatch.setitem(WORKFLOWS["Quotation"].by_name, "expire",
                        dataclasses.replace(step, when=when, effect=effect))
    with app.app_context():
        run_daily(day)
        db.session.expire_all()
        status = {pk: db.session.get(Quotation, pk).status.name for pk in (held, broken, expired)}
        assert status == {held: "sent", broken: "sent", expired: "expired"}
        assert db.session.get(Quotation, broken).issued_on == day - timedelta(days=40)  # undone
        assert db.session.get(Receivable, late).status.name == "overdue"  # the rest of the job stands
        # The precondition refused one before the state was set; the others ran the effect, for nobody.
        assert effects == [(broken, "expired", None), (expired, "expired", None)]
        assert db.session.get(Quotation, expired).version == versions[expired] + 1
        assert [db.session.get(Quotation, pk).version for pk in (held, broken)] == [versions[held], versions[broken]]
        entries = {pk: db.session.scalars(select(ChangeLog.action).where(
            ChangeLog.entity == "Quotation", ChangeLog.row_id == pk).order_by(ChangeLog.id)).all()
            for pk in (held, broken, expired)}
        assert [[a.name for a in entries[pk]] for pk in (held, broken, expired)] == [
            ["create"], ["create"], ["create", "transition"]]
        # On the record page's timeline the job's expiry reads as the step, taken by nobody.
        [row] = timeline(BY_NAME["Quotation"], expired)
        assert (row["step_name"], row["from_state"], row["to_state"], row["who"], row["source"]) == (
            "expire", "sent", "expired", "—", "cli")
