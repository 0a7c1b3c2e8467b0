"""Idempotency keys: a write retried with the same ``Idempotency-Key`` is answered, not repeated.

A key belongs to the user who sent it and is remembered ``IDEMPOTENCY_KEY_HOURS`` (default 24).
The key is claimed (inserted) before the write and its response stored after it, both in the
write's own transaction: whatever committed the write also committed the key, so a client that
lost the connection after the commit gets the first answer on retry, and a write that was refused
or rolled back leaves no key (the retry is simply tried again). Two requests with one key at the
same moment meet on the unique (user, key) constraint: the second waits for the first's commit
(PostgreSQL: on the index entry; SQLite: at BEGIN IMMEDIATE) and then replays its answer.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from . import locks
from .extensions import db
from .models.base import utcnow
from .models.idempotency import IdempotencyKey

MAX_KEY_LENGTH = 255


def retention() -> timedelta:
    return timedelta(hours=current_app.config.get("IDEMPOTENCY_KEY_HOURS", 24))


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests "the same": method, path with query and the body (JSON compared
    by value, so key order and spacing do not matter)."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), canonical):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def find(user_id: int, key: str) -> IdempotencyKey | None:
    """The user's stored, unexpired key."""
    return db.session.scalar(select(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key,
        IdempotencyKey.created_at >= utcnow() - retention()))


def claim(user_id: int, key: str, fp: str) -> IdempotencyKey | None:
    """Insert the key for a write about to run; None when another request holds or has just
    committed it (then ``find`` it again). An expired row of the same key is replaced."""
    db.session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key,
        IdempotencyKey.created_at < utcnow() - retention()))
    row = IdempotencyKey(user_id=user_id, key=key, fingerprint=fp)
    db.session.add(row)
    try:
        locks.flush()
    except locks.Conflict:
        return None
    return row


def stored_or_claimed(user_id: int, key: str, fp: str) -> tuple[IdempotencyKey, bool]:
    """(row, claimed): the stored answer to replay, or the key claimed for this request."""
    for _attempt in range(3):
        row = find(user_id, key)
        if row is not None:
            return row, False
        row = claim(user_id, key, fp)
        if row is not None:
            return row, True
    raise locks.Conflict("busy")


def remember(row: IdempotencyKey, status: int, body: str) -> None:
    """The response of the write, stored in its transaction (committed by the caller)."""
    row.status = status
    row.body = body


def purge() -> int:
    """Delete the expired keys (the daily job); returns how many."""
    result = db.session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.created_at < utcnow() - retention()))
    return result.rowcount or 0
