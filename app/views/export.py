"""XLSX export of every generated list and of the work lists.

``ExportMixin`` gives each generated ``ModelView`` an ``/export.xlsx`` route (permission ``read``,
like the list) answering the rows the list shows for the same query string: FAB's own filters
(``_flt_<n>_<col>``), ordering (``_oc_`` / ``_od_``) and base filters (the user's row scope), on all
pages up to ``MAX_ROWS``. Columns are the list's, headed by the labels in the user's language;
dates are Excel dates, amounts numbers, enums and flags their translated labels.

``worklist_xlsx(title, data)`` does the same for a work list's dict (``app.views.worklists``).
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from functools import reduce
from io import BytesIO

from flask import Response, abort
from flask_appbuilder import expose, has_access
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .. import clock
from ..clock import today
from ..display import display, formatter_for
from ..extensions import db
from ..labels import COLUMNS
from .api_contract import BAD_QUERY_ERRORS

MAX_ROWS = 50_000  # rows per export; more are cut off (header X-Export-Truncated: 1)
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SAMPLE_ROWS = 200  # rows looked at to size the columns
MIN_WIDTH, MAX_WIDTH = 8, 60
DATE_FORMAT, DATETIME_FORMAT, TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm", "hh:mm"
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

# The work list summary sheet: its title and the headers of its group label and row count columns.
MSG_TOTALS, MSG_GROUP, MSG_COUNT = _l("Totals"), _l("Group"), _l("Count")


# --- values -----------------------------------------------------------------------------------


def _text(value) -> str:
    """Text a cell may hold: XML-illegal control characters dropped."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


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


def _decimal_format(value: Decimal) -> str:
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "#,##0" + ("." + "0" * places if places else "")


def _cell(ws, value):
    """A value as a cell: typed formats for numbers and dates; text always stays text (a value
    starting with ``=`` is never a formula, ``#N/A`` never an error code)."""
    if value is None:
        return None
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    elif isinstance(value, Decimal):
        cell.number_format = _decimal_format(value)
    elif isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    elif isinstance(value, time):
        cell.number_format = TIME_FORMAT
    return cell


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


def write_sheet(ws, headers: list[str], rows: Iterable[list]) -> int:
    """Fill a write-only sheet: bold frozen header, column widths from the header and the first
    rows, then every row. Returns the number of data rows written."""
    rows = iter(rows)
    sample = []
    for row in rows:
        sample.append(row)
        if len(sample) >= SAMPLE_ROWS:
            break
    for idx, header in enumerate(headers, start=1):
        widest = max([_width(header)] + [_width(r[idx - 1]) for r in sample])
        ws.column_dimensions[get_column_letter(idx)].width = min(max(widest + 2, MIN_WIDTH), MAX_WIDTH)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=_text(header))
        cell.data_type = "s"
        cell.font = bold
        head.append(cell)
    ws.append(head)
    written = 0
    for chunk in (sample, rows):
        for row in chunk:
            ws.append([_cell(ws, v) for v in row])
            written += 1
    return written


def xlsx_response(wb: Workbook, basename: str) -> Response:
    buf = BytesIO()
    wb.save(buf)
    filename = f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', basename) or 'export'}-{today().isoformat()}.xlsx"
    resp = Response(buf.getvalue(), mimetype=XLSX_MIMETYPE)
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
    export_max_rows = MAX_ROWS

    def _export_query(self):
        """The list's rows (``BaseModelView._list`` / ``_get_list_widget``) on one unbounded page."""
        order_column, order_direction = get_order_args().get(type(self).__name__, ("", ""))
        if order_column and order_column not in self.order_columns:
            abort(400)  # the list only offers its order columns
        if not order_column and self.base_order:
            order_column, order_direction = self.base_order
        get_filter_args(self._filters)
        joined = self._filters.get_joined_filters(self._base_filters)
        return self.datamodel.query(joined, order_column, order_direction,
                                    page=None, page_size=self.export_max_rows)

    @expose("/export.xlsx")
    @has_access
    def export(self):
        try:
            count, items = self._export_query()
        except BAD_QUERY_ERRORS:
            db.session.rollback()
            abort(400)
        model = self.datamodel.obj
        columns = list(self.list_columns)
        formatters = {c: formatter_for(model, c) for c in columns}
        headers = [str(self.label_columns.get(c, c)) for c in columns]
        rows = ([cell_value(_attr(item, c), formatters[c]) for c in columns] for item in items)
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(sheet_title(getattr(self, "list_title", None) or model.__name__,
                                         model.__name__))
        write_sheet(ws, headers, rows)
        resp = xlsx_response(wb, model.__name__)
        if count > len(items):
            resp.headers["X-Export-Truncated"] = "1"
        return resp


# --- work lists -------------------------------------------------------------------------------


def worklist_xlsx(title, data: dict, basename: str = "worklist") -> Response:
    """A work list (``{"columns": [(key, label)], "rows": [{"url", "values"}], "summary": [...]}``)
    as an XLSX download: its rows on the first sheet; its summary, when present, on a second one
    (label, count and amount of each group)."""
    columns = list(data.get("columns") or [])
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title(title, "Worklist"))
    rows = ([cell_value(row["values"].get(key)) for key, _ in columns] for row in data.get("rows") or [])
    write_sheet(ws, [str(label) for _, label in columns], rows)
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

        write_sheet(wb.create_sheet(sheet_title(MSG_TOTALS, "Totals")), headers, summary_rows())
    return xlsx_response(wb, basename)


__all__ = ["MAX_ROWS", "XLSX_MIMETYPE", "ExportMixin", "cell_value", "worklist_xlsx"]
