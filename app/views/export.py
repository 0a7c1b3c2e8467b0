"""XLSX export of every generated list and of the work lists.

``ExportMixin`` gives each generated ``ModelView`` an ``/export.xlsx`` route (permission ``read``,
like the list) answering the rows the list shows for the same query string: FAB's own filters
(``_flt_<n>_<col>``), ordering (``_oc_`` / ``_od_``) and base filters (the user's row scope), on all
pages up to the export row limit (a setting); the sheet's last line says when it was reached.
The rows are read in batches and written as they come (``queries.export``, XlsxWriter's
constant-memory mode), so an export's memory does not grow with its rows. Columns are the list's, headed by the labels in the user's language;
dates are Excel dates, amounts numbers, enums and flags their translated labels.

``worklist_xlsx(title, data)`` does the same for a work list's dict (``app.views.worklists``).
"""

from __future__ import annotations

import enum
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from functools import reduce

import xlsxwriter
from flask import Response, abort
from flask_appbuilder import expose, has_access
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_babel import lazy_gettext as _l

from .. import clock, policy
from ..clock import today
from ..display import display, formatter_for
from ..extensions import db
from ..labels import COLUMNS
from ..models.policy import PolicyKey
from ..queries import export as export_queries
from .api_contract import BAD_QUERY_ERRORS

MAX_ROWS = 50_000  # the default of the export_max_rows setting; more are cut off (X-Export-Truncated: 1)
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SAMPLE_ROWS = 200  # rows looked at to size the columns
MIN_WIDTH, MAX_WIDTH = 8, 60
DATE_FORMAT, DATETIME_FORMAT, TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm", "hh:mm"
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # not allowed in XML
SPOOL_BYTES = 8 * 1024 * 1024  # a file up to this size stays in memory, a larger one goes to disk

# The work list summary sheet: its title and the headers of its group label and row count columns.
MSG_TOTALS, MSG_GROUP, MSG_COUNT = _l("Totals"), _l("Group"), _l("Count")
# The last line of a list's sheet when the export row limit cut it short.
MSG_CUT = _l("Only the first %(shown)s of %(total)s rows are exported: the limit is set on the "
             "Settings screen.")


# --- values -----------------------------------------------------------------------------------


def _text(value) -> str:
    """Text a cell may hold: XML-illegal control characters dropped."""
    return _ILLEGAL_CHARACTERS.sub("", str(value))


def _local(value: datetime) -> datetime:
    """A stored time as the screens show it (``display``: the portal time zone), naive:
    Excel has no time zones."""
    return clock.local(value).replace(tzinfo=None, microsecond=0)


def cell_value(value, fmt=display):
    """A Python value as an Excel value: numbers and dates stay typed, everything else becomes the
    text the screens show (enum and flag labels translated, related rows by their name)."""
    if value is None:
        return None
    if isinstance(value, enum.Enum):  # before str: labelled enums are str enums
        return _text(fmt(value))
    if isinstance(value, bool):  # before int: bool is an int
        return _text(display(value))
    if isinstance(value, (Decimal, int, float)):
        return value
    if isinstance(value, datetime):  # before date: datetime is a date
        return _local(value)
    if isinstance(value, (date, time)):
        return value
    if isinstance(value, str):
        return _text(value if fmt is display else fmt(value))
    if isinstance(value, (list, tuple, set, frozenset)) or type(value).__name__ == "InstrumentedList":
        return _text(", ".join(str(v) for v in value))
    return _text(display(value))  # a related row (its name only when readable), a lazy string, ...


def _converter(fmt):
    """``cell_value`` for one column of many rows: an enum's or a flag's label is translated once
    per value, not once per cell."""
    labels = {}

    def convert(value):
        if isinstance(value, (enum.Enum, bool)):
            if value not in labels:
                labels[value] = cell_value(value, fmt)
            return labels[value]
        return cell_value(value, fmt)

    return convert


def _decimal_format(value: Decimal) -> str:
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "#,##0" + ("." + "0" * places if places else "")


class Sheet:
    """A worksheet being written row by row (XlsxWriter's constant-memory mode: each row goes to
    a temporary file as soon as the next one starts), with one cell format per number format."""

    def __init__(self, workbook: Workbook, title: str):
        self.workbook = workbook
        self.ws = workbook.book.add_worksheet(title)
        self.row = 0

    def append(self, values: list, bold: bool = False) -> None:
        for col, value in enumerate(values):
            self._write(col, value, bold)
        self.row += 1

    def _write(self, col: int, value, bold: bool) -> None:
        """Typed formats for numbers and dates; text always stays text (a value starting with
        ``=`` is never a formula, ``#N/A`` never an error code)."""
        ws, row, fmt = self.ws, self.row, self.workbook.format
        if value is None:
            return
        if isinstance(value, str):
            ws.write_string(row, col, value, fmt(bold=bold))
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value)
        elif isinstance(value, Decimal):
            ws.write_number(row, col, value, fmt(_decimal_format(value)))
        elif isinstance(value, (int, float)):
            ws.write_number(row, col, value)
        elif isinstance(value, datetime):
            ws.write_datetime(row, col, value, fmt(DATETIME_FORMAT))
        elif isinstance(value, date):
            ws.write_datetime(row, col, value, fmt(DATE_FORMAT))
        elif isinstance(value, time):
            ws.write_datetime(row, col, value, fmt(TIME_FORMAT))
        else:
            ws.write_string(row, col, _text(value))


class Workbook:
    """An XLSX file written as its rows come, into a spooled temporary file (memory up to
    ``SPOOL_BYTES``, then disk)."""

    def __init__(self):
        self.file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        self.book = xlsxwriter.Workbook(self.file, {
            "constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False, "in_memory": False})
        self._formats = {}

    def format(self, number_format: str | None = None, bold: bool = False):
        key = (number_format, bold)
        if key not in self._formats:
            props = {"bold": True} if bold else {}
            if number_format:
                props["num_format"] = number_format
            self._formats[key] = self.book.add_format(props) if props else None
        return self._formats[key]

    def sheet(self, title: str) -> Sheet:
        return Sheet(self, title)

    def close(self):
        """The finished file, at its start, and its size."""
        self.book.close()
        size = self.file.tell()
        self.file.seek(0)
        return self.file, size


def _width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, time):
        return 5
    if isinstance(value, Decimal):
        return len(f"{value:,}")
    text = str(value)
    # East Asian wide characters take two columns.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_title(label, fallback: str = "Sheet") -> str:
    """Excel's rules: at most 31 characters, none of ``[]:*?/\\``, not empty."""
    title = re.sub(r"\s+", " ", _SHEET_TITLE_FORBIDDEN.sub(" ", _text(label))).strip().strip("'")
    title = title[:31].strip()
    return title or fallback


def write_sheet(sheet: Sheet, headers: list[str], rows: Iterable[list]) -> int:
    """Fill a sheet: bold frozen header, column widths from the header and the first rows, then
    every row. Returns the number of data rows written."""
    rows = iter(rows)
    sample = []
    for row in rows:
        sample.append(row)
        if len(sample) >= SAMPLE_ROWS:
            break
    for idx, header in enumerate(headers):
        widest = max([_width(header)] + [_width(r[idx]) for r in sample])
        sheet.ws.set_column(idx, idx, min(max(widest + 2, MIN_WIDTH), MAX_WIDTH))
    sheet.ws.freeze_panes(1, 0)
    sheet.append([_text(header) for header in headers], bold=True)
    written = 0
    for chunk in (sample, rows):
        for row in chunk:
            sheet.append(row)
            written += 1
    return written


def _chunks(file, size: int = 64 * 1024):
    try:
        while chunk := file.read(size):
            yield chunk
    finally:
        file.close()


def xlsx_response(wb: Workbook, basename: str) -> Response:
    """The file as a download: a small one from memory, one spooled to disk streamed from it."""
    file, size = wb.close()
    if size <= SPOOL_BYTES:
        with file:
            body = file.read()
    else:
        body = _chunks(file)
    filename = f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', basename) or 'export'}-{today().isoformat()}.xlsx"
    resp = Response(body, mimetype=XLSX_MIMETYPE, direct_passthrough=not isinstance(body, bytes))
    resp.content_length = size
    resp.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    resp.headers["Cache-Control"] = "private, no-store"  # scoped, personal data
    return resp


# --- generated lists --------------------------------------------------------------------------


def _attr(item, col: str):
    """A list column's value on a row, as FAB's list reads it, but enums kept as members (their
    labels are shown) and a broken dotted path left empty."""
    if not hasattr(item, col):
        try:
            return reduce(getattr, col.split("."), item)
        except AttributeError:
            return None
    value = getattr(item, col)
    return value() if callable(value) and not isinstance(value, enum.Enum) else value


class ExportMixin:
    """``/export.xlsx`` on a generated ``ModelView``: the list's rows for the same query string."""

    list_template = "portal/list.html"

    def _export_rows(self, limit: int):
        """The list's rows (``BaseModelView._list`` / ``_get_list_widget``) on one unbounded page."""
        order_column, order_direction = get_order_args().get(type(self).__name__, ("", ""))
        if order_column and order_column not in self.order_columns:
            abort(400)  # the list only offers its order columns
        if not order_column and self.base_order:
            order_column, order_direction = self.base_order
        get_filter_args(self._filters)
        joined = self._filters.get_joined_filters(self._base_filters)
        return export_queries.list_rows(self.datamodel, joined, order_column, order_direction, limit)

    @expose("/export.xlsx")
    @has_access
    def export(self):
        limit = policy.get(PolicyKey.export_max_rows)
        try:
            total, items = self._export_rows(limit)
        except BAD_QUERY_ERRORS:
            db.session.rollback()
            abort(400)
        model = self.datamodel.obj
        columns = list(self.list_columns)
        convert = [_converter(formatter_for(model, c)) for c in columns]
        headers = [str(self.label_columns.get(c, c)) for c in columns]
        rows = ([to_cell(_attr(item, c)) for c, to_cell in zip(columns, convert, strict=True)]
                for item in items)
        wb = Workbook()
        sheet = wb.sheet(sheet_title(getattr(self, "list_title", None) or model.__name__, model.__name__))
        written = write_sheet(sheet, headers, rows)
        if total > written:
            sheet.append([_text(MSG_CUT % {"shown": f"{written:,}", "total": f"{total:,}"})])
        resp = xlsx_response(wb, model.__name__)
        if total > written:
            resp.headers["X-Export-Truncated"] = "1"
        return resp


# --- work lists -------------------------------------------------------------------------------


def worklist_xlsx(title, data: dict, basename: str = "worklist") -> Response:
    """A work list (``{"columns": [(key, label)], "rows": [{"url", "values"}], "summary": [...]}``)
    as an XLSX download: its rows on the first sheet; its summary, when present, on a second one
    (label, count and amount of each group)."""
    columns = list(data.get("columns") or [])
    wb = Workbook()
    sheet = wb.sheet(sheet_title(title, "Worklist"))
    rows = ([cell_value(row["values"].get(key)) for key, _ in columns] for row in data.get("rows") or [])
    write_sheet(sheet, [str(label) for _, label in columns], rows)
    summary = data.get("summary") or []
    if summary:
        has_amount = any("amount" in s for s in summary)
        headers = [str(MSG_GROUP), str(MSG_COUNT)]
        if has_amount:
            headers.append(str(COLUMNS["amount"]))

        def summary_rows():
            for s in summary:
                row = [cell_value(s.get("label")), cell_value(s.get("count"))]
                if has_amount:
                    row.append(cell_value(s.get("amount")))
                yield row

        write_sheet(wb.sheet(sheet_title(MSG_TOTALS, "Totals")), headers, summary_rows())
    return xlsx_response(wb, basename)


__all__ = ["MAX_ROWS", "XLSX_MIMETYPE", "ExportMixin", "cell_value", "worklist_xlsx"]
