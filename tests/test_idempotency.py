"""API writes with an ``Idempotency-Key``: a retry gets the first answer and books nothing twice,
also when both copies arrive at once or the client lost the first answer (issue 8, item 3)."""

from __future__ import annotations

import json
import socket
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlparse

import pytest
import requests
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import IdempotencyKey, Payment, Receivable
from app.models.base import utcnow
from tests.conftest import employee, factory_today
from tests.factories import count, fresh, make
from tests.live import serve
from tests.test_races import fire

TODAY = factory_today()
KEY = "Idempotency-Key"


@pytest.fixture(scope="module")
def live(app):
    with serve(app) as base:
        yield base


def key(name: str = "1") -> str:
    """A fixed key: each test runs rolled back, so the next one finds it unused."""
    return f"pay-{name}"


def committed_key() -> str:
    """A key of its own for a test that commits (its keys stay for the run)."""
    return f"pay-{uuid.uuid4()}"


def receivable(app, amount="1000.00"):
    with app.app_context():
        return make(Receivable, employee("sales1"), amount=Decimal(amount),
                    issued_on=TODAY - timedelta(days=5), due_date=TODAY + timedelta(days=25)).id


def payments(app, rec):
    return count(app, Payment, Payment.receivable_id == rec)


def body(rec, amount="100.00"):
    return {"receivable": rec, "paid_on": TODAY.isoformat(), "amount": amount}


def test_a_retried_payment_returns_the_first_answer_and_books_once(app, apis):
    rec, k, fin = receivable(app), key(), apis("finance1")
    first = fin.post("/api/v1/payment/", json=body(rec), headers={KEY: k})
    assert first.status_code == 201
    again = fin.post("/api/v1/payment/", json=body(rec), headers={KEY: k})
    assert again.status_code == 201 and again.json == first.json
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert payments(app, rec) == 1
    # The same body without the key is a new payment: the key is what makes it a retry.
    assert fin.post("/api/v1/payment/", json=body(rec)).status_code == 201
    assert payments(app, rec) == 2


def test_the_same_key_with_another_body_is_refused(app, apis):
    rec, k, fin = receivable(app), key(), apis("finance1")
    assert fin.post("/api/v1/payment/", json=body(rec), headers={KEY: k}).status_code == 201
    resp = fin.post("/api/v1/payment/", json=body(rec, "200.00"), headers={KEY: k})
    assert resp.status_code == 422 and "message" in resp.json
    other_rec = receivable(app)
    resp = fin.post("/api/v1/payment/", json=body(other_rec), headers={KEY: k})
    assert resp.status_code == 422
    assert payments(app, rec) == 1 and payments(app, other_rec) == 0


def test_keys_belong_to_their_user(app, apis):
    rec, k = receivable(app), key()
    first = apis("finance1").post("/api/v1/payment/", json=body(rec), headers={KEY: k})
    second = apis("admin").post("/api/v1/payment/", json=body(rec), headers={KEY: k})
    assert first.status_code == second.status_code == 201
    assert first.json["id"] != second.json["id"]
    assert payments(app, rec) == 2


def test_a_refused_write_is_not_remembered(app, apis):
    """Nothing was booked, so nothing is replayed: the retry is judged afresh."""
    rec, k, fin = receivable(app, "100.00"), key(), apis("finance1")
    assert fin.post("/api/v1/payment/", json=body(rec, "150.00"), headers={KEY: k}).status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)
                                 .where(IdempotencyKey.key == k)) == 0
    assert payments(app, rec) == 0


def test_put_and_delete_are_replayed_too(app, apis):
    rec, fin = receivable(app), apis("finance1")
    pk = fin.post("/api/v1/payment/", json=body(rec)).json["id"]
    version = fin.get(f"/api/v1/payment/{pk}").json["result"]["version"]
    k = key("put")
    change = {"amount": "150.00"}
    first = fin.put(f"/api/v1/payment/{pk}", json=change, headers={KEY: k, "If-Match": str(version)})
    assert first.status_code == 200
    # The retry carries the old If-Match: it is answered from the key, not refused with 412.
    again = fin.put(f"/api/v1/payment/{pk}", json=change, headers={KEY: k, "If-Match": str(version)})
    assert again.status_code == 200 and again.json == first.json
    assert fresh(app, Payment, pk, "amount", "version") == {"amount": Decimal("150.00"),
                                                            "version": version + 1}
    k = key("delete")
    gone = fin.delete(f"/api/v1/payment/{pk}", headers={KEY: k})
    assert gone.status_code == 200
    assert fin.delete(f"/api/v1/payment/{pk}", headers={KEY: k}).status_code == 200
    assert fin.delete(f"/api/v1/payment/{pk}").status_code == 404  # without the key: really gone
    assert payments(app, rec) == 0


def test_other_entities_take_the_key_as_well(app, apis):
    with app.app_context():
        owner = employee("sales1").id
    k, client = key(), apis("sales1")
    code = "IDEM1"
    data = {"code": code, "name": "幂等客户", "owner": owner, "credit_limit": "10.00",
            "payment_terms_days": 30}
    first = client.post("/api/v1/customer/", json=data, headers={KEY: k})
    again = client.post("/api/v1/customer/", json=data, headers={KEY: k})
    assert first.status_code == again.status_code == 201 and again.json == first.json


def test_a_malformed_key_is_refused(app, apis):
    rec, fin = receivable(app), apis("finance1")
    for bad in ("", "x" * 256, "with space", "中文"):
        resp = fin.post("/api/v1/payment/", json=body(rec), headers={KEY: bad.encode().decode("latin-1")})
        assert resp.status_code == 400, bad
    assert payments(app, rec) == 0


def test_an_expired_key_is_forgotten(app, apis):
    """Kept IDEMPOTENCY_KEY_HOURS (24 h): afterwards the key books anew, and the daily job
    deletes the expired rows."""
    from app.jobs import run_daily

    rec, k, fin = receivable(app), key(), apis("finance1")
    assert fin.post("/api/v1/payment/", json=body(rec), headers={KEY: k}).status_code == 201
    with app.app_context():
        db.session.execute(update(IdempotencyKey).where(IdempotencyKey.key == k)
                           .values(created_at=utcnow() - timedelta(hours=25)))
        db.session.commit()
    assert fin.post("/api/v1/payment/", json=body(rec), headers={KEY: k}).status_code == 201
    assert payments(app, rec) == 2
    old = key("old")
    assert fin.post("/api/v1/payment/", json=body(rec), headers={KEY: old}).status_code == 201
    with app.app_context():
        db.session.execute(update(IdempotencyKey).where(IdempotencyKey.key == old)
                           .values(created_at=utcnow() - timedelta(hours=25)))
        db.session.commit()
        assert run_daily(TODAY)["keys_forgotten"] >= 1
        assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)
                                 .where(IdempotencyKey.key == old)) == 0


@pytest.mark.commits  # requests racing on a live server
def test_simultaneous_copies_of_one_request_book_once(app, apis, live):
    fin = apis("finance1").headers
    for _ in range(4):
        rec, k = receivable(app), committed_key()

        def call(k=k, rec=rec):
            resp = requests.post(f"{live}/api/v1/payment/", json=body(rec),
                                 headers={**fin, KEY: k}, timeout=60)
            return resp.status_code, resp.json()

        results = fire([call] * 5)
        assert all(r == results[0] for r in results), results
        assert results[0][0] == 201
        assert payments(app, rec) == 1


@pytest.mark.commits  # a live server's threads see only committed rows
def test_a_payment_whose_answer_was_lost_is_booked_once_on_retry(app, apis, live):
    """The client sends the payment and drops the connection before the answer (as after a
    network error), then retries with the same key: one payment, and the retry's answer names it."""
    fin = apis("finance1").headers
    rec, k = receivable(app), committed_key()
    payload = json.dumps(body(rec)).encode()
    url = urlparse(live)
    request = (f"POST /api/v1/payment/ HTTP/1.1\r\nHost: {url.netloc}\r\n"
               f"Authorization: {fin['Authorization']}\r\n{KEY}: {k}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
               "Connection: close\r\n\r\n").encode() + payload
    with socket.create_connection((url.hostname, url.port)) as sock:
        sock.sendall(request)
    deadline = time.monotonic() + 20  # the server books it although nobody reads the answer
    while payments(app, rec) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    retry = requests.post(f"{live}/api/v1/payment/", json=body(rec), headers={**fin, KEY: k}, timeout=60)
    assert retry.status_code == 201
    assert payments(app, rec) == 1
    with app.app_context():
        booked = db.session.scalar(select(Payment.id).where(Payment.receivable_id == rec))
    assert retry.json()["id"] == booked


def test_the_header_is_in_the_openapi_spec(app, apis):
    spec = apis("admin").get("/api/v1/_openapi").json
    for path, verb in (("/payment/", "post"), ("/payment/{pk}", "put"), ("/payment/{pk}", "delete"),
                       ("/receivable/", "post")):
        op = spec["paths"][f"/api/v1{path}"][verb]
        assert KEY in {p["name"] for p in op.get("parameters", []) if p.get("in") == "header"}, path
        assert "409" in op["responses"]
