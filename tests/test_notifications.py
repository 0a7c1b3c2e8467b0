"""Notifications: each trigger tells the people it names and nobody outside the record's scope;
the inbox and its badge; entries hide a record the reader lost; e-mail in the recipient's language,
the digest, and a mail server that fails (the entry and the business change kept, the mail
retried and sent once)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app import mail
from app.extensions import db
from app.jobs import run_daily
from app.models import (
    Attendance,
    Certification,
    ChangeLog,
    Competitor,
    Contract,
    Customer,
    DunningRecord,
    LeaveRequest,
    Notification,
    Penalty,
    Quotation,
    Receivable,
    SalesOrder,
    ServiceTicket,
    TrainingPlan,
    User,
    UserPreference,
    Visit,
)
from app.models.base import utcnow
from app.models.conduct import AttendanceStatus, LeaveStatus
from app.models.customers import QuotationStatus
from app.models.notifications import MailMode, MailState
from app.models.receivables import DunningChannel, ReceivableStatus
from tests.conftest import Mailbox, employee, free_port
from tests.factories import make

DAY = date(2033, 5, 10)  # the daily job's day, far from other tests' rows


def wf(kind, pk, step):
    return f"/api/v1/workflow/{kind}/{pk}/{step}"


def told(kind, entity, row_id) -> dict[str, str]:
    """{username: mail state} of the entries of ``kind`` about the row."""
    db.session.expire_all()
    rows = db.session.execute(
        select(User.username, Notification.mail_state).join(User, User.id == Notification.user_id)
        .where(Notification.kind == kind, Notification.entity == entity, Notification.row_id == row_id)).all()
    return {u: s.name for u, s in rows}


def new(app, model, owner, **values):
    with app.app_context():
        return make(model, employee(owner), **values).id


@pytest.fixture()
def dead_smtp(app):
    """A mail server that is not there: every send fails (connection refused)."""
    old = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    yield
    app.config.update(old)


def test_contract_approval_tells_the_approver_then_the_requester(app, apis, login):
    pk = new(app, Contract, "sales1", amount=Decimal("350000.00"))
    assert apis("sales1").post(wf("contract", pk, "submit"), json={}).status_code == 200
    with app.app_context():
        # The team's supervisor may take the step; nobody else hears of it (another team's
        # supervisor, another salesperson, finance before its turn, the administrator while
        # someone else may decide, and the requester themself).
        assert told("approval_requested", "Contract", pk) == {"supervisor1": "pending"}
    page = login("supervisor1").get("/inbox/").get_data(as_text=True)
    assert 'id="nav-unread" data-count="1"' in page and 'data-kind="approval_requested"' in page
    assert 'data-count="' not in login("supervisor2").get("/inbox/").get_data(as_text=True).split('id="nav-inbox"')[1][:200]

    # Above the threshold: the supervisor's approval goes to finance, and back to the requester.
    assert apis("supervisor1").post(wf("contract", pk, "approve"), json={}).status_code == 200
    with app.app_context():
        assert told("approval_requested", "Contract", pk) == {"supervisor1": "pending", "finance1": "pending"}
        assert told("decided", "Contract", pk) == {"sales1": "pending"}
    # Finance's decision answers whoever submitted it, not the supervisor who approved first.
    assert apis("finance1").post(wf("contract", pk, "finance_approve"), json={}).status_code == 200
    with app.app_context():
        entries = db.session.scalars(select(Notification).join(User, User.id == Notification.user_id).where(
            Notification.kind == "decided", Notification.row_id == pk, Notification.entity == "Contract")).all()
        assert sorted((e.user_id, e.params["step"]) for e in entries) == sorted(
            [(employee("sales1").user_id, "approve"), (employee("sales1").user_id, "finance_approve")])


def test_leave_penalty_write_off_and_sign_off_requests(app, apis, org):
    leave = new(app, LeaveRequest, "sales1", start_date=DAY + timedelta(days=30),
                end_date=DAY + timedelta(days=31), days=Decimal("2"))
    assert apis("sales1").post(wf("leaverequest", leave, "submit"), json={}).status_code == 200
    with app.app_context():
        # Whoever holds the approve right over it (the team's supervisor, HR: the matrix).
        assert told("approval_requested", "LeaveRequest", leave) == {"supervisor1": "pending", "hr1": "pending"}
    assert apis("supervisor1").post(wf("leaverequest", leave, "approve"), json={}).status_code == 200
    with app.app_context():
        assert told("decided", "LeaveRequest", leave) == {"sales1": "pending"}

    # A penalty is created waiting for HR's decision: HR is told on creation.
    penalty = new(app, Penalty, "sales1")
    with app.app_context():
        assert db.session.get(Penalty, penalty).status.name == "proposed"
        assert told("approval_requested", "Penalty", penalty) == {"hr1": "pending"}

    rec = new(app, Receivable, "sales1", amount=Decimal("100.00"), issued_on=DAY - timedelta(days=40),
              due_date=DAY - timedelta(days=10))
    assert apis("finance1").post(wf("receivable", rec, "request_write_off"), json={"comment": "无法收回"}).status_code == 200
    with app.app_context():
        # Nobody approves their own request: the only other one who may is the administrator.
        assert told("approval_requested", "Receivable", rec) == {"admin": "pending"}

    order = new(app, SalesOrder, "sales1")
    assert apis("sales1").post(wf("salesorder", order, "review"), json={}).status_code == 200
    with app.app_context():
        # 3.2.2: finance signs off for its department; no salesperson of another team hears of it.
        assert "finance1" in told("signoff_requested", "SalesOrder", order)
        assert not {"sales2", "supervisor2", "sales1"} & set(told("signoff_requested", "SalesOrder", order))


def test_inbox_hides_a_record_the_reader_lost_and_marks_read(app, login):
    with app.app_context():
        contract = make(Contract, employee("sales1"))
        other = make(Contract, employee("sales1"))
        sales2 = employee("sales2").user_id
        sup = employee("supervisor1").user_id
        # Entries the readers were told of while they could read the rows (one moved away since).
        lost = Notification(user_id=sales2, kind="decided", entity="Contract", row_id=contract.id,
                            key="x", params={"step": "approve"})
        mine = Notification(user_id=sup, kind="approval_requested", entity="Contract", row_id=other.id, key="y")
        db.session.add_all([lost, mine])
        db.session.commit()
        lost_id, mine_id, number = lost.id, mine.id, contract.number
    reader = login("sales2")
    page = reader.get("/inbox/").get_data(as_text=True)
    assert f'data-id="{lost_id}"' in page and number not in page and "inbox-hidden" in page
    # Without CSRF nothing is marked.
    assert reader.client.post("/inbox/read-all").status_code == 400
    assert reader.client.post(f"/inbox/{lost_id}/read").status_code == 400
    with app.app_context():
        assert db.session.get(Notification, lost_id).read_at is None
    # Opening it goes back to the inbox, not to the record.
    resp = reader.post(f"/inbox/{lost_id}/open", token_from="/inbox/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/inbox/")
    # Another user's entry is no entry: 404, and it stays unread.
    assert reader.post(f"/inbox/{mine_id}/read", token_from="/inbox/").status_code == 404
    assert reader.post(f"/inbox/{mine_id}/open", token_from="/inbox/").status_code == 404
    with app.app_context():
        assert db.session.get(Notification, mine_id).read_at is None
    sup_client = login("supervisor1")
    assert 'data-count="1"' in sup_client.get("/inbox/").get_data(as_text=True)
    resp = sup_client.post(f"/inbox/{mine_id}/open", token_from="/inbox/")
    assert resp.status_code == 302 and f"/contractview/show/{other_id(app, mine_id)}" in resp.headers["Location"].lower()
    with app.app_context():
        assert db.session.get(Notification, mine_id).read_at is not None
    assert 'id="nav-unread"' not in sup_client.get("/inbox/").get_data(as_text=True)
    assert sup_client.post("/inbox/read-all", token_from="/inbox/").status_code == 302


def other_id(app, entry_id):
    with app.app_context():
        return db.session.get(Notification, entry_id).row_id


def test_mail_choice_refuses_a_bad_value_and_moves_waiting_entries(app, login):
    with app.app_context():
        uid = employee("sales3").user_id
        cid = make(Contract, employee("sales1")).id
        db.session.add(Notification(user_id=uid, kind="decided", entity="Contract", row_id=cid, key="z",
                                    mail_state=MailState.pending))
        db.session.commit()
    client = login("sales3")
    assert client.post("/inbox/mail", data={"mode": "sometimes"}, token_from="/inbox/").status_code == 303
    with app.app_context():
        pref = db.session.get(UserPreference, uid)
        assert pref is None or pref.mail_mode is MailMode.immediately
    assert client.post("/inbox/mail", data={"mode": "digest"}, token_from="/inbox/").status_code == 302
    with app.app_context():
        assert db.session.get(UserPreference, uid).mail_mode is MailMode.digest
        assert told("decided", "Contract", cid) == {"sales3": "digest"}


def test_mail_in_the_recipients_language_and_the_digest(app, apis, smtp):
    with app.app_context():
        sup = employee("supervisor1").user_id
        db.session.merge(UserPreference(user_id=sup, locale="en", mail_mode=MailMode.immediately))
        db.session.merge(UserPreference(user_id=employee("sales1").user_id, locale="zh", mail_mode=MailMode.digest))
        db.session.commit()
    pk = new(app, Contract, "sales1", amount=Decimal("1000.00"))
    assert apis("sales1").post(wf("contract", pk, "submit"), json={}).status_code == 200
    # Sent at the end of the request that committed the step, in English for this supervisor.
    sent = smtp.to("supervisor1@test.local")
    assert len(sent) == 1 and "decision" in sent[0]["Subject"]
    with app.app_context():
        assert told("approval_requested", "Contract", pk) == {"supervisor1": "sent"}
    assert apis("supervisor1").post(wf("contract", pk, "approve"), json={}).status_code == 200
    # sales1 chose the digest: nothing now, one e-mail in Chinese with the day's entries later.
    assert smtp.to("sales1@test.local") == []
    with app.app_context():
        assert told("decided", "Contract", pk) == {"sales1": "digest"}
        assert mail.send_digests()["digests"] >= 1
        number = db.session.get(Contract, pk).number
        assert told("decided", "Contract", pk) == {"sales1": "sent"}
        assert mail.send_digests()["digests"] == 0  # nothing twice
    digest = smtp.to("sales1@test.local")
    assert len(digest) == 1
    body = digest[0].get_content()
    assert number in body and "批准" in body  # the step's label, in Chinese


def test_a_failing_mail_server_keeps_the_entry_and_the_change_and_retries(app, apis, dead_smtp):
    pk = new(app, Contract, "sales1", amount=Decimal("1000.00"))
    resp = apis("sales1").post(wf("contract", pk, "submit"), json={})
    assert resp.status_code == 200
    with app.app_context():
        assert db.session.get(Contract, pk).status.name == "submitted"
        assert db.session.scalar(select(func.count()).select_from(ChangeLog).where(
            ChangeLog.entity == "Contract", ChangeLog.row_id == pk, ChangeLog.action == "transition")) == 1
        entry = db.session.scalar(select(Notification).where(
            Notification.kind == "approval_requested", Notification.row_id == pk, Notification.entity == "Contract"))
        assert entry.mail_state is MailState.failed and entry.mail_attempts == 1 and entry.mail_error
        assert entry.read_at is None and entry.next_try_at is not None
        entry_id = entry.id
        # Not retried before its time, by the request's sender nor by cron's command.
        assert mail.deliver([entry_id])["sent"] == 0
    result = app.test_cli_runner().invoke(args=["jobs", "mail"])
    assert result.exit_code == 0 and "sent: 0" in result.output
    with app.app_context():
        assert db.session.get(Notification, entry_id).mail_attempts == 1


def test_the_failed_mail_is_sent_once_when_the_server_is_back(app, apis, dead_smtp):
    pk = new(app, Contract, "sales1", amount=Decimal("1000.00"))
    assert apis("sales1").post(wf("contract", pk, "submit"), json={}).status_code == 200
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app.config.update(MAIL_PORT=port)
        with app.app_context():
            later = utcnow() + timedelta(minutes=5)
            first = mail.deliver(now=later)
            assert first["sent"] >= 1
            assert mail.deliver(now=later + timedelta(hours=1))["sent"] == 0
            assert told("approval_requested", "Contract", pk) == {"supervisor1": "sent"}
    finally:
        controller.stop()
    assert len(box.to("supervisor1@test.local")) == 1


def test_the_daily_job_tells_what_fell_due_once(app):
    with app.app_context():
        s1 = employee("sales1")
        cust = make(Customer, s1)
        visit = make(Visit, s1, customer=cust, visit_date=DAY - timedelta(days=20), next_date=DAY + timedelta(days=1))
        quote = make(Quotation, s1, customer=cust, issued_on=DAY - timedelta(days=10),
                     valid_until=DAY + timedelta(days=3), status=QuotationStatus.sent)
        late = make(Receivable, s1, customer=cust, amount=Decimal("500.00"), issued_on=DAY - timedelta(days=100),
                    due_date=DAY - timedelta(days=70), status=ReceivableStatus.overdue)
        early = make(Receivable, s1, customer=cust, amount=Decimal("400.00"), issued_on=DAY - timedelta(days=40),
                     due_date=DAY - timedelta(days=5), status=ReceivableStatus.overdue)
        promise = make(DunningRecord, s1, receivable=early, contacted_on=DAY - timedelta(days=3),
                       channel=DunningChannel.phone, promised_date=DAY)
        soon = make(ServiceTicket, s1, customer=cust, reported_on=DAY - timedelta(days=3), due_date=DAY + timedelta(days=1))
        past = make(ServiceTicket, s1, customer=cust, reported_on=DAY - timedelta(days=9), due_date=DAY - timedelta(days=2))
        cert = make(Certification, s1, obtained_on=DAY - timedelta(days=300), expires_on=DAY + timedelta(days=30))
        absent = make(Attendance, s1, work_date=DAY - timedelta(days=1), status=AttendanceStatus.absent)
        hurried = make(LeaveRequest, s1, start_date=DAY, end_date=DAY,
                       days=Decimal("1"), submitted_on=DAY, status=LeaveStatus.submitted)
        far = make(Customer, employee("sales2"))  # another team's: none of its people hear of ours
        far_visit = make(Visit, employee("sales2"), customer=far, visit_date=DAY - timedelta(days=20),
                         next_date=DAY)
        ids = {k: v.id for k, v in dict(visit=visit, quote=quote, late=late, early=early, promise=promise, soon=soon,
                                          past=past, cert=cert, absent=absent, hurried=hurried,
                                          far_visit=far_visit).items()}

        first = run_daily(DAY)
        assert first["notifications"] >= 11
        assert set(told("return_visit_due", "Visit", ids["visit"])) == {"sales1"}
        assert set(told("return_visit_due", "Visit", ids["far_visit"])) == {"sales2"}
        assert set(told("quotation_expiring", "Quotation", ids["quote"])) == {"sales1"}
        # 3.3.2: 70 days overdue is the fourth level (escalation): the supervisor is told too.
        assert set(told("dunning_level", "Receivable", ids["late"])) == {"sales1", "supervisor1"}
        assert set(told("dunning_level", "Receivable", ids["early"])) == {"sales1"}
        assert set(told("promise_due", "Receivable", ids["early"])) == {"sales1"}
        assert set(told("ticket_due_soon", "ServiceTicket", ids["soon"])) == {"sales1"}
        assert set(told("ticket_overdue", "ServiceTicket", ids["past"])) == {"sales1", "supervisor1"}
        assert set(told("certificate_expiring", "Certification", ids["cert"])) == {"sales1", "hr1"}
        assert set(told("attendance_exception", "Attendance", ids["absent"])) == {"supervisor1"}
        assert set(told("late_leave", "LeaveRequest", ids["hurried"])) == {"supervisor1"}
        entry = db.session.scalar(select(Notification).where(Notification.kind == "dunning_level",
                                                             Notification.row_id == ids["late"]))
        assert entry.params["level"] == 4 and entry.params["action"] == "escalation"
        count = db.session.scalar(select(func.count()).select_from(Notification))
        # Run again the same day (or the next, the occasions unchanged): nobody is told twice.
        assert run_daily(DAY)["notifications"] == 0
        assert db.session.scalar(select(func.count()).select_from(Notification)) == count


def test_inbox_words_due_entries_in_the_readers_language(app, login):
    with app.app_context():
        uid = employee("sales1").user_id
        cid = make(Customer, employee("sales1")).id
        visit = make(Visit, employee("sales1"), customer=db.session.get(Customer, cid)).id
        db.session.add(Notification(user_id=uid, kind="return_visit_due", entity="Visit", row_id=visit,
                                    key="k", params={"date": "2033-05-11"}))
        db.session.commit()
    client = login("sales1")
    zh = client.get("/inbox/").get_data(as_text=True)
    assert "2033年5月11日" in zh
    client.post("/language/en", token_from="/inbox/")
    en = client.get("/inbox/").get_data(as_text=True)
    assert "May 11, 2033" in en


def test_created_waiting_for_a_decision_tells_the_deciders(app, apis):
    with app.app_context():
        competitor = make(Competitor, employee("sales1")).id
        plan = make(TrainingPlan, employee("hr1"), year=2039).id
        # 5.1.1: HR approves training plans.
        assert told("approval_requested", "TrainingPlan", plan) == {"hr1": "pending"}
    # 2.1.3: a countermeasure proposed through the API waits for the proposer's team supervisor.
    resp = apis("sales1").post("/api/v1/countermeasure/", json={"competitor": competitor, "proposal": "降价5%应对"})
    assert resp.status_code == 201, resp.json
    measure = resp.json["id"]
    with app.app_context():
        assert told("approval_requested", "Countermeasure", measure) == {"supervisor1": "pending"}
    assert apis("supervisor1").post(wf("countermeasure", measure, "adopt"), json={}).status_code == 200
    with app.app_context():
        assert told("decided", "Countermeasure", measure) == {"sales1": "pending"}


def test_who_decides_is_found_without_looking_at_every_user(app, apis):
    """The deciders come from the users whose roles hold the approve right (one statement), not
    from every login: twenty more salespeople add no statement to a submission."""
    from tests.test_query_counts import QueryCounter

    def submit_cost():
        pk = new(app, Contract, "sales1", amount=Decimal("1000.00"))
        with app.app_context():
            engine = db.engine
        with QueryCounter(engine) as qc:
            assert apis("sales1").post(wf("contract", pk, "submit"), json={}).status_code == 200
        return qc.count

    submit_cost()  # warm
    before = submit_cost()
    with app.app_context():
        sm = app.appbuilder.sm
        for i in range(20):
            sm.add_user(f"extra{i}", "额外", "业务员", f"extra{i}@test.local", sm.find_role("Salesperson"),
                        "Extra-pass-1234")
    assert submit_cost() == before
