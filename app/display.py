"""How stored values read on screens: list and record pages, the change history, the journals."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from flask import g, has_request_context, request, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import Enum, inspect

from . import clock
from .labels import person_name
from .models.base import LabeledEnum
from .registry import BY_MODEL
from .security.scope import employee_of, is_readable

# What a reference to a row the reader may not read shows instead of the row's name.
MSG_HIDDEN = _l("(not visible to you)")


def display(value):
    """Blank for empty, labels for flags and enums, amounts with thousands separators, times in
    the portal's time zone to the minute, a related row by its name when the reader may read it."""
    if value is None:
        return ""
    if type(value) in BY_MODEL:
        return str(value) if is_readable(value) else MSG_HIDDEN
    if isinstance(value, bool):
        return _l("Yes") if value else _l("No")
    if isinstance(value, LabeledEnum):
        return value.label
    if isinstance(value, Decimal):
        return f"{value:,}"  # thousands separated, keeping the column's own decimals
    if isinstance(value, datetime):
        return clock.local(value).strftime("%Y-%m-%d %H:%M")
    return value


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def fab_full_name(user) -> str:
    """FAB's first (given) and last (family) name, written the way the name's script writes it:
    李 + 明 → 李明, Ming + Li → Ming Li."""
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if _has_cjk(first + last):
        return f"{last}{first}"
    return " ".join(p for p in (first, last) if p)


def user_name(user) -> str:
    """The person behind a login, wherever a login is named (menu bar, user screens, who changed
    a row): the linked employee's name in the page's language (``labels.person_name``), else
    FAB's first and last name."""
    emp = employee_of(user.id)
    return person_name(emp.name, emp.name_en) if emp is not None else fab_full_name(user)


def enum_display(enum_cls):
    """FAB's widgets and the history hand over an enum's stored name; show its translated label."""

    def fmt(value):
        if isinstance(value, str) and value in enum_cls.__members__:
            return enum_cls[value].label
        return display(value)

    return fmt


# 3.3.3 risk reasons, stored as [[code, {values}], ...] by the daily job and shown translated.
RISK_REASONS = {
    "overdue_days": _l("Overdue %(days)s days"),
    "overdue_share": _l("Overdue is %(share)s%% of the outstanding amount"),
    "over_limit": _l("Outstanding %(outstanding)s exceeds the credit limit %(limit)s"),
    "late_payments": _l("%(count)s late payments recently"),
}


def risk_reason(value):
    if not value:
        return ""
    try:
        reasons = json.loads(value)
        return "; ".join(str(RISK_REASONS[code]) % values for code, values in reasons)
    except (ValueError, KeyError, TypeError):
        return value


SPECIAL = {("Customer", "risk_reason"): risk_reason}


def formatter_for(model, key: str):
    """The display function for one column of a model (enum columns show their labels)."""
    if (model.__name__, key) in SPECIAL:
        return SPECIAL[(model.__name__, key)]
    col = model.__table__.columns.get(key)
    if col is not None and isinstance(col.type, Enum) and col.type.enum_class is not None:
        return enum_display(col.type.enum_class)
    return display


_PK = "__pk__"


def record_url(entity_name: str, pk) -> str:
    """The URL of a record page. A list links every row to the same few record pages: the URL is
    built once per entity and request and the key put in (``url_for`` per row cost as much as the
    rest of the cell)."""
    if not has_request_context():
        return url_for(f"{entity_name}View.show", pk=pk)
    built = g.setdefault("_portal_record_urls", {})
    template = built.get(entity_name)
    if template is None:
        template = built[entity_name] = url_for(f"{entity_name}View.show", pk=_PK)
    return template.replace(_PK, str(int(pk)))


def linked(value):
    """A related row on a list or record page: a link to its record page when the reader may
    open it (readability decided per page in one query per entity: ``scope.prime_references``),
    otherwise what ``display`` shows ("(not visible to you)")."""
    entity = BY_MODEL.get(type(value))
    if entity is None:
        return display(value)
    # A list names the same few rows on many of its rows (a salesperson's customers all name
    # their owner): each is written once per page that only reads (a write may rename one).
    written = (g.setdefault("_portal_links", {})
               if has_request_context() and request.method == "GET" and value.id is not None else {})
    key = (entity.name, value.id)
    cell = written.get(key)
    if cell is None:
        if not is_readable(value):
            cell = display(value)
        else:
            cell = Markup('<a class="portal-ref" data-ref="{}" href="{}">{}</a>').format(
                entity.name, record_url(entity.name, value.id), escape(str(value)))
        written[key] = cell
    return cell


def page_formatter_for(model, key: str):
    """``formatter_for`` on HTML pages: references to business records become links."""
    rel = inspect(model).relationships.get(key)
    if rel is not None and rel.direction.name == "MANYTOONE" and rel.mapper.class_ in BY_MODEL:
        return linked
    return formatter_for(model, key)
