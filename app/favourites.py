"""Saved lists ("favourites"): a user's own for an entity and those their team shares, saved and
deleted by their owner only. A saved list is its URL arguments; what it shows is decided by the
reader's scope when it is opened."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from .extensions import db
from .models import SavedFilter
from .security.scope import current_actor
from .validation import MSG_REQUIRED, ValidationFailure, storable_text

MAX_NAME, MAX_QUERY = 80, 1000
# What a saved list keeps of the list's URL: its filters and order, not its page.
DROPPED_ARGS = {"page", "psize", "csrf_token", "next"}


def visible(entity_name: str) -> list[SavedFilter]:
    """The reader's saved lists of the entity and those shared with their team, by name."""
    actor = current_actor()
    if actor.user_id is None:
        return []
    shared = SavedFilter.team_id.in_(sorted({actor.team_id} - {None})) if actor.team_id else None
    mine = SavedFilter.user_id == actor.user_id
    return db.session.scalars(select(SavedFilter).where(
        SavedFilter.entity == entity_name, or_(mine, shared) if shared is not None else mine)
        .order_by(SavedFilter.name, SavedFilter.id)).all()


def kept_query(query_string: str) -> str:
    """The list URL's arguments a saved list keeps."""
    return urlencode([(k, v) for k, v in parse_qsl(query_string, keep_blank_values=False)
                      if k not in DROPPED_ARGS and not k.startswith("page_") and not k.startswith("psize_")])


def save(entity_name: str, name: str, query_string: str, share: bool) -> SavedFilter:
    """Save (or replace, by name) the reader's list; ``share``: with their team. Raises
    ValidationFailure with a field message for a name or list that cannot be kept."""
    actor = current_actor()
    name = (name or "").strip()
    query = kept_query(query_string or "")
    if not name:
        raise ValidationFailure({"name": MSG_REQUIRED})
    if len(name) > MAX_NAME or not storable_text(name):
        raise ValidationFailure({"name": _l("At most %(n)s characters.", n=MAX_NAME)})
    if len(query) > MAX_QUERY:
        raise ValidationFailure({"query": _l("This list's filters are too long to be saved.")})
    row = db.session.scalar(select(SavedFilter).where(
        SavedFilter.user_id == actor.user_id, SavedFilter.entity == entity_name, SavedFilter.name == name))
    if row is None:
        row = SavedFilter(user_id=actor.user_id, entity=entity_name, name=name)
        db.session.add(row)
    row.query = query
    row.team_id = actor.team_id if share else None
    db.session.commit()
    return row


def delete(filter_id: int) -> bool:
    """Delete one of the reader's own saved lists; False when it is not theirs (or not there)."""
    row = db.session.scalar(select(SavedFilter).where(SavedFilter.id == filter_id,
                                                      SavedFilter.user_id == current_actor().user_id))
    if row is None:
        return False
    db.session.delete(row)
    db.session.commit()
    return True
