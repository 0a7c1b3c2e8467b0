"""Generic test data: any model can be built with valid values, hanging off a given employee.

A row is made by filling each required column with a valid value of its type and creating each
required parent the same way, so one helper covers every entity of the registry and a new entity
needs no new factory. Ranges and date orders are respected because equal values satisfy them.
"""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from datetime import date, time, timedelta
from decimal import Decimal

from sqlalchemy import Boolean, Date, Enum, Integer, Numeric, String, Text, Time, inspect
from sqlalchemy.orm import RelationshipDirection

from app.clock import today
from app.extensions import db
from app.models import AppraisalCycle, Customer, Employee
from app.models.activities import SUBJECTS
from app.models.appraisal import CycleStatus
from app.registry import BY_MODEL, YEARS


class _Numbers:
    """What keeps the rows one test makes apart: a number for each string value, a day for each row
    (one employee's attendance is unique per day), a year for each yearly row (one training plan a
    year). ``prefix`` starts every string value, ``first_day`` is how many days before today;
    ``span`` days are used in turn (None: every row a day earlier than the last, never wrapping)."""

    def __init__(self, prefix: str, first_day: int, first_year: int, span: int | None):
        self.prefix, self.first_day, self.span = prefix, first_day, span
        self.strings = itertools.count(1)
        self.days = itertools.count()
        self.years = itertools.count(first_year)

    def day(self) -> date:
        n = next(self.days)
        return date.today() - timedelta(days=self.first_day + (n % self.span if self.span else n))


DAYS = 1825  # five years of distinct days for each kind of row below
# Three numberings keep rows apart that meet in one transaction: a rolled-back test's own rows
# ("T", days in the last five years, years from 2000, started again for each test), the rows of
# its module's fixtures, rolled back after the module's last test ("M", the five years before,
# years from 2040, started again for each module) and rows committed for real, which stay for the
# run: the session's fixtures, tests marked ``commits`` and the module fixtures of their modules
# ("C", every row a day earlier than the last, never wrapping, years from 2070). Days: one
# employee's attendance is unique per day; years: one training plan a year.
_COMMITTED = _Numbers("C", 2 * DAYS, 2070, span=None)
_numbers = _COMMITTED


def unique(prefix: str) -> str:
    """A value no other row of the running test (or, outside one, of the run) has, e.g. a user name."""
    return f"{prefix}{_numbers.prefix.lower()}{next(_numbers.strings)}"


@contextmanager
def _numbered(numbers: _Numbers):
    global _numbers
    outside, _numbers = _numbers, numbers
    try:
        yield
    finally:
        _numbers = outside


def rolled_back_module():
    """Inside a module run in a transaction rolled back after its last test (tests/conftest.py):
    its fixtures' numbering starts again."""
    return _numbered(_Numbers("M", DAYS, 2040, span=DAYS))


def rolled_back_test():
    """Inside a test run in a transaction rolled back at its end (tests/conftest.py): numbering
    starts again, nothing from another rolled-back test is left to meet."""
    return _numbered(_Numbers("T", 0, YEARS[0], span=DAYS))


def _value(model, col, day):
    t = col.type
    if isinstance(t, Enum):
        cls = t.enum_class
        return next(iter(cls)) if cls else t.enums[0]
    if isinstance(t, Boolean):
        return False
    if isinstance(t, (Integer, Numeric)):
        entity = BY_MODEL[model]
        lo = entity.ranges.get(col.key, (1, 1))[0]
        if col.key == "year":  # unique per plan, within its allowed range
            return next(_numbers.years)
        v = max(lo, 1 if col.key in entity.positive or col.key == "amount" else lo)
        return Decimal(v) if isinstance(t, Numeric) else int(v)
    if isinstance(t, Date):
        return day
    if isinstance(t, Time):
        return time(9, 0)
    if isinstance(t, (String, Text)):
        n = next(_numbers.strings)
        if col.key == "clause":
            return "4.1.1"
        length = getattr(t, "length", None) or 40
        return f"{_numbers.prefix}{col.key[:8]}{n}"[:length]
    raise TypeError(f"no test value for {model.__name__}.{col.key}: {t!r}")


def _composite_unique_columns(model) -> set[str]:
    from sqlalchemy import UniqueConstraint

    return {c.key for con in model.__table__.constraints
            if isinstance(con, UniqueConstraint) and len(con.columns) > 1 for c in con.columns}


def _parent(target, owner):
    """A required parent: shared reference data (no anchor) is reused, owned data is made anew."""
    entity = BY_MODEL.get(target)
    if entity is not None and entity.anchor is None:
        # A closed cycle takes no new ratings or targets.
        open_only = target is AppraisalCycle
        query = db.session.query(target)
        if open_only:
            query = query.filter(target.status != CycleStatus.closed)
        existing = query.order_by(target.id).first()
        if existing is None:  # made earlier in the same unflushed batch (``commit=False``)
            existing = next((obj for obj in db.session.new if type(obj) is target
                             and not (open_only and obj.status is CycleStatus.closed)), None)
        if existing is not None:
            return existing
    return _build(target, owner, {})


def make(model, owner: Employee, commit: bool = True, **values):
    """Build (and by default save) a valid ``model`` row whose anchor is ``owner``."""
    with db.session.no_autoflush:
        obj = _build(model, owner, values)
    if commit:
        db.session.commit()
    return obj


def _build(model, owner, values):
    mapper = inspect(model)
    fk_rel = {}
    for rel in mapper.relationships:
        if rel.direction is RelationshipDirection.MANYTOONE:
            for c in rel.local_columns:
                fk_rel[c.key] = rel
    obj = model()
    # One date per row (so date pairs are in order), a different one per row (unique days).
    day = _numbers.day()
    for col in model.__table__.columns:
        if col.key in values or col.primary_key and not col.foreign_keys:
            continue
        if col.key in fk_rel:
            rel = fk_rel[col.key]
            entity = BY_MODEL.get(model)
            is_anchor = entity is not None and entity.anchor == col.key
            # Optional references stay empty (an optional employee would be the owner rating or
            # approving themselves); the anchor always points at the owner.
            if col.nullable and not is_anchor:
                continue
            target = rel.mapper.class_
            if target is Employee:
                setattr(obj, rel.key, owner)
            elif not col.nullable:
                # A parent in a composite unique key with the owner is made anew each time.
                fresh = col.key in _composite_unique_columns(model)
                setattr(obj, rel.key, _build(target, owner, {}) if fresh else _parent(target, owner))
            continue
        if col.nullable or col.default is not None or col.server_default is not None:
            continue
        setattr(obj, col.key, _value(model, col, day))
    for k, v in values.items():
        setattr(obj, k, v)
    if model.__name__ == "Activity" and not {name for pair in SUBJECTS for name in pair} & set(values):
        obj.customer = _parent(Customer, owner)  # an activity is about one record: the owner's customer
    if model.__name__ == "Activity" and "due_date" not in values:
        obj.due_date = today() + timedelta(days=_numbers.day().toordinal() % 300 + 1)  # planned: not past
    if model.__name__ == "PaymentInstalment" and not {"share", "amount"} & set(values):
        obj.share = Decimal("10")  # a share or an amount (rule and CHECK): a tenth of the contract
    if model.__name__ == "LegalCase" and "receivable" not in values and "receivable_id" not in values:
        # 3.3.4: a case follows repeated dunning; its receivable is already in legal action.
        from app.models.receivables import ReceivableStatus

        obj.receivable.status = ReceivableStatus.in_legal
    db.session.add(obj)
    return obj


def fresh(app, model, pk, *cols):
    """Re-read a row in a new session: None when gone, else the requested column values."""
    with app.app_context():
        db.session.expire_all()
        obj = db.session.get(model, pk)
        return None if obj is None else {c: getattr(obj, c) for c in cols}


def count(app, model, *where):
    """Rows of ``model`` now in the database (optionally matching ``where``)."""
    from sqlalchemy import func, select

    with app.app_context():
        db.session.expire_all()
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def settings_form(**overrides) -> dict:
    """The appraisal cycle settings form (``/appraisal/<id>/settings``) filled with the
    regulation's defaults, with ``overrides`` on top."""
    from app.services.appraisal import DEFAULTS

    form = {f"iw_{k}": v for k, v in DEFAULTS["indicator_weights"].items()}
    form |= {f"rw_{k}": v for k, v in DEFAULTS["role_weights"].items()}
    form |= {f"pw_{k}": v for k, v in DEFAULTS["part_weights"].items()}
    form |= {f"gt_{g}": v for g, v in DEFAULTS["grade_thresholds"].items()}
    form |= {f"bc_{g}": v for g, v in DEFAULTS["bonus_coefficients"].items()}
    form |= {"complaint_target": 2, "bonus_base": 10000}
    return form | overrides


def grid_form(app, role: str, **changes) -> dict:
    """The permission grid's form for ``role`` as it stands, with ``changes`` ("Entity.verb": scope)."""
    from app.views.grid import current_grid

    with app.app_context():
        grid = current_grid(app.appbuilder.sm)[role]
    form = {"role": role}
    for entity, verbs in grid.items():
        for verb, scope in verbs.items():
            form[f"{entity}.{verb}"] = scope or ""
    return form | changes
