"""Possible duplicates of a new customer (issue 13, item 8): another customer with the same name,
tax ID or phone (its own, or one of its contacts'), across the factory.

A match the user may read is named with its owner; one outside their scope is only said to exist
and by which field, so the warning tells nothing about another salesperson's customers beyond
what the user typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from .. import models as m
from ..extensions import db
from ..registry import BY_NAME
from ..security.scope import readable_ids

LIMIT = 5  # matches shown


@dataclass(frozen=True)
class Match:
    field: str  # "name", "tax_id" or "phone"
    customer: m.Customer | None  # None: outside the reader's scope


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def similar_customers(name: str | None, tax_id: str | None, phone: str | None, exclude_id=None) -> list[Match]:
    C, K = m.Customer, m.Contact  # noqa: N806
    name = (name or "").strip()
    tax_id = (tax_id or "").strip().upper()
    phone = (phone or "").strip()
    found: dict[int, str] = {}
    checks = []
    if name:
        checks.append(("name", select(C.id).where(func.lower(func.trim(C.name)) == name.lower())))
    if tax_id:
        checks.append(("tax_id", select(C.id).where(func.upper(func.trim(C.tax_id)) == tax_id)))
    if len(_digits(phone)) >= 6:
        checks.append(("phone", select(C.id).where(or_(
            C.phone == phone, C.id.in_(select(K.customer_id).where(K.phone == phone))))))
    for field, query in checks:
        if exclude_id is not None:
            query = query.where(C.id != exclude_id)
        for cid in db.session.scalars(query.limit(LIMIT)):
            found.setdefault(cid, field)
    if not found:
        return []
    readable = readable_ids(BY_NAME["Customer"], found)
    rows = {c.id: c for c in db.session.scalars(select(C).where(C.id.in_(sorted(readable))))} if readable else {}
    return [Match(field, rows.get(cid)) for cid, field in sorted(found.items())][:LIMIT]
