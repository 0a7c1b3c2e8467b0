"""What a set of roles is allowed, kept per process while the access grid is unchanged.

Every request needs the user's permissions (the menu, the buttons, the row scopes) and they
depend only on the user's roles and the grid. Reading them cost a statement per request and
parsing them into scopes as much again. They are kept here per set of role ids and grid revision
(``models.access.AccessRevision``: a database trigger bumps it on any change of the grid,
whatever makes it); the login session check reads the revision with the session row
(``revision_column`` → ``note_revision``), so a change made by any process or by plain SQL is
seen by the next request everywhere. A request that read no revision (no session check: the
command line, a request before sign-in) builds them afresh as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app, g, has_request_context
from sqlalchemy import select

from ..models.access import AccessRevision

T = TypeVar("T")
_REVISION = "_portal_access_revision"  # g: the revision read by this request's session check
_KEPT = "portal_grants"  # app.extensions: (revision, {role ids: what ``build`` made})
MAX_KEPT = 256  # role sets kept per process; more start afresh


def revision_column():
    """The grid's revision, as a column for the session check's statement."""
    return select(AccessRevision.value).where(AccessRevision.id == 1).scalar_subquery()


def note_revision(value: int | None) -> None:
    if has_request_context():
        setattr(g, _REVISION, value)


def kept(role_ids: frozenset[int], build: Callable[[], tuple[T, int | None]]) -> T:
    """What ``build()`` makes for these roles, kept while the grid's revision stays the one this
    request read. ``build`` answers with the revision it read its rows at: what it made is kept
    only when that is the request's (a change this transaction made and may still roll back is
    never kept under the number from before it)."""
    revision = g.get(_REVISION) if has_request_context() else None
    if revision is None:
        return build()[0]
    kept_now = current_app.extensions.get(_KEPT)
    if kept_now is None or kept_now[0] != revision or len(kept_now[1]) >= MAX_KEPT:
        kept_now = current_app.extensions[_KEPT] = (revision, {})  # what older revisions made is gone
    found = kept_now[1].get(role_ids)
    if found is None:
        found, read_at = build()
        if read_at == revision:
            kept_now[1][role_ids] = found
    return found
