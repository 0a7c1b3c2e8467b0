"""Entries of the login journal (``LoginEvent``): who, what, from which address and channel."""

from __future__ import annotations

from flask import has_request_context, request

from ..extensions import db
from ..models import LoginEvent
from ..models.history import LoginEventKind
from ..models.logins import SessionEnd


def channel() -> str:
    if not has_request_context():
        return "cli"
    return "api" if request.path.startswith("/api/") else "form"


def client_ip() -> str | None:
    """The client's address as the app sees it: the peer, or what the trusted proxies say
    (``PROXY_FIX_X_FOR``)."""
    return request.remote_addr if has_request_context() else None


def record(kind: LoginEventKind, username: str | None, *, success: bool | None = None,
           reason: SessionEnd | None = None, actor: str | None = None, channel_: str | None = None,
           session=None) -> None:
    """Add an entry to ``session`` (the app's by default); the caller commits."""
    (session or db.session).add(LoginEvent(
        kind=kind, username=(username or "")[:64], success=success, ip=client_ip(),
        channel=channel_ or channel(), reason=reason, actor=(actor or None) and actor[:64],
    ))
