"""The one check of a row about to be written, whoever writes it (a generated form or API, a
custom page, code acting for the user), always in the same order so the same bad write gets the
same answer everywhere:

1. a new row without an owner belongs to the employee creating it;
2. scope: the row and every reference it sets (a reference outside the user's scope is refused
   like an unknown id, 422 on its field; the row itself outside it, 403: ``ScopeError``);
3. a new row's empty columns that take their value from a row it references (the entity's
   ``prefill``: a line's price from its product), once that row is known to be in scope;
4. the workflow's lock of a stored row (409: ``LockedError``);
5. values and rules (422: ``ValidationFailure``).

Nothing is flushed while checking: looking up referenced rows must not write the half-checked row.
"""

from __future__ import annotations

from sqlalchemy import inspect

from .extensions import db
from .registry import BY_MODEL, Entity
from .rules import check_item
from .security.scope import LockedError, check_writable, current_actor
from .workflow.engine import is_locked


def set_owner_default(entity: Entity, item) -> None:
    """A new row without an owner belongs to the employee creating it."""
    field = entity.owner_field
    if field and getattr(item, field, None) is None and getattr(item, f"{field}_id", None) is None:
        actor = current_actor()
        if actor.employee_id:
            setattr(item, f"{field}_id", actor.employee_id)


def prefill(entity: Entity, item) -> None:
    """Fill a new row's empty ``prefill`` columns from the rows they name (``product.list_price``)."""
    for column, path in entity.prefill.items():
        if getattr(item, column, None) is not None:
            continue
        rel, attr = path.split(".")
        source = getattr(item, rel, None)
        if source is None and getattr(item, f"{rel}_id", None) is not None:
            model = inspect(type(item)).relationships[rel].mapper.class_
            source = db.session.get(model, getattr(item, f"{rel}_id"))
        if source is not None:
            setattr(item, column, getattr(source, attr))


def check_write(item, *, adding: bool) -> None:
    """Raise ``ScopeError``, ``LockedError`` or ``ValidationFailure`` (see the module's order)."""
    entity = BY_MODEL[type(item)]
    with db.session.no_autoflush:
        if adding:
            set_owner_default(entity, item)
        check_writable(item)
        if adding:
            prefill(entity, item)
        if not adding and is_locked(entity, item):
            raise LockedError()
        check_item(item)
