"""Import from Excel (issue 13, item 7): customers and products from an XLSX laid out like the
export (a template per entity), previewed with a translated error per row and cell, then written
all or nothing.

- Headers are the columns' labels in either language, or their names; an unknown or repeated
  header, or a required column missing, refuses the file.
- Each cell is checked against its column (``validation.problem``: types, lengths, ranges) and
  each row against the entity's rules; an owner is an employee number or name the importer may
  own rows for (default: the importer).
- A row matching an existing record (a customer's code, tax ID or name; a product's code) is a
  duplicate: skipped, or updated when the user chooses so and may write that record; two rows of
  the file matching each other are refused.
- More than ``MAX_ROWS`` rows are refused. The commit writes every row in one transaction (the
  history names the channel ``imported``), or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from io import BytesIO

from flask import g
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, Numeric, String, Text, func, select

from . import locks
from . import models as m
from .extensions import db
from .models.history import ChangeSource
from .registry import BY_NAME, Entity
from .rules import check
from .security.scope import actor_reaches, current_actor, in_scope
from .validation import MSG_REQUIRED, problem, value_errors

MAX_ROWS = 50_000
SOURCE_KEY = "portal_change_source"  # g: the channel the history records (app.history)

MSG_BAD_FILE = _l("The file is not an Excel workbook (.xlsx).")
MSG_UNKNOWN_HEADER = _l("Unknown column “%(header)s”; the columns are: %(columns)s.")
MSG_REPEATED_HEADER = _l("The column “%(header)s” appears twice.")
MSG_MISSING = _l("Missing column: %(column)s.")
MSG_TOO_MANY = _l("At most %(n)s rows can be imported at once; the file has more.")
MSG_EMPTY_FILE = _l("The file has no rows to import.")
MSG_NOT_A_NUMBER = _l("Not a valid number.")
MSG_NO_OWNER = _l("No employee you may give customers to has this number or name.")
MSG_SAME_AS_ROW = _l("The same as row %(row)s of the file.")
MSG_NOT_YOURS = _l("A record of another salesperson has this value; it cannot be updated from here.")


@dataclass(frozen=True)
class Spec:
    entity: str
    columns: tuple[str, ...]  # the template's columns, in order
    required: tuple[str, ...]
    match: tuple[str, ...]  # the columns a duplicate is found by, strongest first


SPECS = {
    "customer": Spec("Customer", ("code", "name", "tax_id", "phone", "industry", "region", "address",
                                  "credit_limit", "payment_terms_days", "owner"), ("name",),
                     ("code", "tax_id", "name")),
    "product": Spec("Product", ("code", "name", "unit", "list_price", "unit_cost"),
                    ("name", "list_price", "unit_cost"), ("code",)),
}


@dataclass
class Row:
    number: int  # the sheet's row number
    values: dict
    errors: dict[str, str] = field(default_factory=dict)
    action: str = "new"  # new, update, skip
    target_id: int | None = None
    matched_by: str | None = None  # the column its duplicate was found by


@dataclass
class Preview:
    spec: Spec
    rows: list[Row] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not any(r.errors for r in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action and not r.errors)


def labels(spec: Spec) -> dict[str, str]:
    """Column name -> header in the current language."""
    entity = BY_NAME[spec.entity]
    return {c: str(entity.column_label(c)) for c in spec.columns}


def _header_names(spec: Spec) -> dict[str, str]:
    """Every header a column is recognised by: its name and its label in each language."""
    out = {}
    for locale in ("zh", "en"):
        with force_locale(locale):
            for col, label in labels(spec).items():
                out[label.strip().lower()] = col
    out.update({c: c for c in spec.columns})
    return out


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number: 1001, not 1001.0
    if isinstance(value, datetime | date):
        value = value.isoformat()
    text = str(value).strip()
    return text or None


def _cell(model, col: str, raw):
    """(value, problem) of one cell for column ``col``."""
    column = model.__table__.columns.get(col)
    text = _text(raw)
    if text is None:
        return None, None
    if isinstance(column.type, Integer | Numeric) and not column.foreign_keys:
        try:
            value = Decimal(text.replace(",", ""))
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            return None, MSG_NOT_A_NUMBER
        if isinstance(column.type, Integer):
            if value != value.to_integral_value():
                return None, MSG_NOT_A_NUMBER
            value = int(value)
        return value, problem(model, column, value)
    if isinstance(column.type, String | Text):
        return text, problem(model, column, text)
    return text, None


def read(data: bytes, spec: Spec, mode: str = "skip") -> Preview:
    """The file's rows, each checked, with what the commit would do to it."""
    import openpyxl  # imported when a file is read

    preview = Preview(spec)
    try:
        book = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - zip, XML and openpyxl's own errors: not a workbook
        preview.file_errors.append(str(MSG_BAD_FILE))
        return preview
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None) or ()
        columns = _columns(header, spec, preview)
        if preview.file_errors:
            return preview
        raw_rows = []
        for number, values in enumerate(rows, start=2):
            if all(_text(v) is None for v in values):
                continue
            if len(raw_rows) == MAX_ROWS:
                preview.file_errors.append(str(MSG_TOO_MANY % {"n": f"{MAX_ROWS:,}"}))
                return preview
            raw_rows.append((number, values))
    finally:
        book.close()
    if not raw_rows:
        preview.file_errors.append(str(MSG_EMPTY_FILE))
        return preview
    _check_rows(preview, columns, raw_rows, mode)
    return preview


def _columns(header, spec: Spec, preview: Preview) -> dict[int, str]:
    known = _header_names(spec)
    out: dict[int, str] = {}
    for i, cell in enumerate(header):
        text = _text(cell)
        if text is None:
            continue
        col = known.get(text.lower())
        if col is None:
            preview.file_errors.append(str(MSG_UNKNOWN_HEADER % {
                "header": text, "columns": ", ".join(labels(spec).values())}))
        elif col in out.values():
            preview.file_errors.append(str(MSG_REPEATED_HEADER % {"header": text}))
        else:
            out[i] = col
    for col in spec.required:
        if col not in out.values():
            preview.file_errors.append(str(MSG_MISSING % {"column": labels(spec)[col]}))
    return out


def _owners() -> dict[str, int]:
    """Employee number / name (lower case) -> id, of the employees the importer may give rows to."""
    actor = current_actor()
    entity = BY_NAME["Customer"]
    out = {}
    for emp_id, number, name in db.session.execute(select(m.Employee.id, m.Employee.number, m.Employee.name)):
        if actor_reaches(actor, entity, "write", emp_id):
            out[number.lower()] = emp_id
            out.setdefault(name.strip().lower(), emp_id)
    return out


def _existing(spec: Spec) -> dict[str, dict]:
    """For each duplicate key: normalised value -> existing row id (one query per key)."""
    model = BY_NAME[spec.entity].model
    out = {}
    for col in spec.match:
        column = getattr(model, col)
        rows = db.session.execute(select(func.lower(func.trim(column)), model.id).where(column.is_not(None)))
        out[col] = {value: pk for value, pk in rows if value}
    return out


def _norm(value) -> str | None:
    return str(value).strip().lower() if value not in (None, "") else None


def _check_rows(preview: Preview, columns: dict[int, str], raw_rows, mode: str) -> None:
    spec = preview.spec
    entity = BY_NAME[spec.entity]
    model = entity.model
    owners = _owners() if entity.owner_field else {}
    me = current_actor().employee_id
    existing = _existing(spec)
    seen: dict[str, dict[str, int]] = {col: {} for col in spec.match}
    for number, raw in raw_rows:
        row = Row(number, {})
        for i, col in columns.items():
            value = raw[i] if i < len(raw) else None
            if col == "owner":
                text = _text(value)
                if text:  # empty: the importer for a new row, the record's own for an update
                    row.values["owner_id"] = owners.get(text.lower())
                    if row.values["owner_id"] is None:
                        row.errors[col] = str(MSG_NO_OWNER)
                continue
            cleaned, why = _cell(model, col, value)
            row.values[col] = cleaned
            if why is not None:
                row.errors[col] = str(why)
        for col in spec.required:
            if row.values.get(col) is None and col not in row.errors:
                row.errors[col] = str(MSG_REQUIRED)
        _match(row, spec, existing, seen, mode)
        if entity.owner_field and row.action == "new" and row.values.get("owner_id") is None:
            row.values["owner_id"] = me
        preview.rows.append(row)


def _match(row: Row, spec: Spec, existing, seen, mode: str) -> None:
    """Find the row's duplicate, in the database and earlier in the file."""
    for col in spec.match:
        key = _norm(row.values.get(col))
        if key is None:
            continue
        if key in seen[col]:
            row.errors.setdefault(col, str(MSG_SAME_AS_ROW % {"row": seen[col][key]}))
        seen[col].setdefault(key, row.number)
        if row.target_id is None and key in existing[col]:
            row.target_id = existing[col][key]
            row.action = "update" if mode == "update" else "skip"
            row.matched_by = col


def commit(preview: Preview) -> dict[str, int]:
    """Write every row (new ones added, duplicates updated or skipped) in one transaction, or
    nothing: raises ``ImportRefused`` when a row or the file has an error, a rule refuses a row,
    or a record to update is not the importer's to write."""
    if not preview.ok:
        raise ImportRefused(preview)
    entity = BY_NAME[preview.spec.entity]
    model = entity.model
    g.setdefault(SOURCE_KEY, ChangeSource.imported.name)
    targets = _targets(model, [r.target_id for r in preview.rows if r.action == "update"])
    objects = []
    for row in preview.rows:
        if row.action == "skip":
            continue
        if row.action == "update":
            obj = targets.get(row.target_id)
            if obj is None or not in_scope(obj, "write", entity):
                row.errors[row.matched_by] = str(MSG_NOT_YOURS)
                continue
            values = {k: v for k, v in row.values.items() if v is not None}
        else:
            obj, values = model(), row.values
        for key, value in values.items():
            setattr(obj, key, value)
        _check(entity, obj, row)
        objects.append(obj)
    if any(r.errors for r in preview.rows):
        db.session.rollback()
        raise ImportRefused(preview)
    db.session.add_all(objects)
    locks.commit()
    return {"new": preview.count("new"), "updated": preview.count("update"), "skipped": preview.count("skip")}


def _targets(model, ids) -> dict[int, object]:
    out = {}
    ids = sorted(set(ids))
    for start in range(0, len(ids), 900):
        out.update({o.id: o for o in db.session.scalars(select(model).where(model.id.in_(ids[start:start + 900])))})
    return out


def _check(entity: Entity, obj, row: Row) -> None:
    """The row's values and the entity's rules (its uniqueness was found by ``_match``)."""
    errors = value_errors(obj) or check(obj, unique=False)
    if not errors and not in_scope(obj, "write", entity):
        errors = {"owner": str(MSG_NO_OWNER)}
    for key, message in errors.items():
        row.errors.setdefault(key.removesuffix("_id"), message)


class ImportRefused(Exception):
    """The file or some rows are refused: nothing was written (``preview`` says where)."""

    def __init__(self, preview: Preview):
        super().__init__("import refused")
        self.preview = preview


def template(spec: Spec) -> bytes:
    """An empty workbook with the entity's columns, headed in the current language."""
    import xlsxwriter  # imported when a template is asked for, as the export does

    out = BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(str(BY_NAME[spec.entity].label)[:31])
    bold = book.add_format({"bold": True})
    for i, label in enumerate(labels(spec).values()):
        sheet.write(0, i, label, bold)
        sheet.set_column(i, i, max(12, len(label) * 2))
    book.close()
    return out.getvalue()
