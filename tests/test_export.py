"""XLSX export of the generated lists: the list's rows (filters, order, row scope), translated
headers, typed cells; and the work list export helper."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from app import models as m
from app.extensions import db
from app.models.customers import Stage
from app.views.export import MAX_ROWS, XLSX_MIMETYPE
from tests.conftest import employee, factory_today
from tests.factories import make

CUSTOMER_COLS = ("code", "name", "region", "industry", "stage", "risk_level", "owner")


def _sheet(resp):
    assert resp.status_code == 200, resp.status_code
    assert resp.mimetype == XLSX_MIMETYPE
    wb = load_workbook(BytesIO(resp.get_data()))
    return wb, wb.worksheets[0]


def _rows(ws):
    rows = list(ws.iter_rows(values_only=True))
    return list(rows[0]), [list(r) for r in rows[1:]]


def _column(ws, index=0):
    return [r[index] for r in _rows(ws)[1]]


@pytest.fixture(scope="module")
def customers(app):
    """One customer for each of sales1, sales2, sales3, with distinct code prefixes."""
    with app.app_context():
        return {u: make(m.Customer, employee(u), code=f"XC{u[-1]}", region="出口测试",
                        stage=Stage.negotiating).code
                for u in ("sales1", "sales2", "sales3")}


def test_sales_export_holds_own_customers_with_chinese_headers(app, browsers, customers):
    resp = browsers("sales1").get("/customerview/export.xlsx")
    wb, ws = _sheet(resp)
    header, _ = _rows(ws)
    assert header == ["编码", "名称", "区域", "行业", "开发阶段", "风险等级", "负责业务员"]
    assert ws.title == "客户"
    codes = _column(ws)
    assert customers["sales1"] in codes
    assert customers["sales2"] not in codes and customers["sales3"] not in codes
    row = next(r for r in _rows(ws)[1] if r[0] == customers["sales1"])
    assert row[4] == "商务洽谈中"  # the enum's translated label, not its name
    assert row[6].startswith("员工sales1")  # a related row by its name
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold

    disposition = resp.headers["Content-Disposition"]
    assert disposition == f"attachment; filename*=UTF-8''Customer-{factory_today().isoformat()}.xlsx"


def test_supervisor_export_holds_the_team(browsers, customers):
    _, ws = _sheet(browsers("supervisor1").get("/customerview/export.xlsx"))
    codes = _column(ws)
    assert customers["sales1"] in codes and customers["sales3"] in codes
    assert customers["sales2"] not in codes


def test_filters_and_order_narrow_the_export_like_the_list(app, browsers, customers):
    ui = browsers("supervisor1")
    # _flt_0_<col> is FAB's first filter of a text column (FilterStartsWith); 3 is FilterEqual.
    code = customers["sales3"]
    for query in (f"_flt_0_code={code}", f"_flt_3_code={code}"):
        list_page = ui.get(f"/customerview/list/?{query}").get_data(as_text=True)
        assert code in list_page and customers["sales1"] not in list_page
        _, ws = _sheet(ui.get(f"/customerview/export.xlsx?{query}"))
        assert _column(ws) == [code]

    # The same region on several rows, ordered by code descending as the list asks.
    query = "_flt_0_region=出口测试&_oc_CustomerView=code&_od_CustomerView=desc"
    _, ws = _sheet(ui.get(f"/customerview/export.xlsx?{query}"))
    codes = _column(ws)
    assert codes == sorted(codes, reverse=True)
    assert {customers["sales1"], customers["sales3"]} <= set(codes)
    assert customers["sales2"] not in codes


def test_list_page_links_to_the_export_with_its_query_string(browsers, customers):
    page = browsers("sales1").get("/customerview/list/?_flt_0_code=XC").get_data(as_text=True)
    assert 'id="export-xlsx"' in page
    assert 'href="/customerview/export.xlsx?_flt_0_code=XC"' in page
    plain = browsers("sales1").get("/customerview/list/").get_data(as_text=True)
    assert 'href="/customerview/export.xlsx"' in plain


def test_english_ui_gives_english_headers(login, customers):
    ui = login("sales2")
    try:
        assert ui.post("/language/en", data={"next": "/"}, token_from="/").status_code == 302
        _, ws = _sheet(ui.get("/customerview/export.xlsx"))
        header, rows = _rows(ws)
        assert header == ["Code", "Name", "Region", "Industry", "Development stage", "Risk level", "Owner"]
        assert ws.title == "Customers"
        mine = next(r for r in rows if r[0] == customers["sales2"])
        assert mine[4] == "Negotiating"
    finally:
        ui.post("/language/zh", data={"next": "/"}, token_from="/")


def test_numbers_and_dates_are_typed_cells(app, browsers):
    signed = date(2023, 3, 14)
    with app.app_context():
        contract = make(m.Contract, employee("sales1"), number="XK1", amount=Decimal("1234567.89"),
                        sign_date=signed)
        number = contract.number
    _, ws = _sheet(browsers("sales1").get(f"/contractview/export.xlsx?_flt_3_number={number}"))
    header = [c.value for c in ws[1]]
    assert header[:5] == ["编号", "客户", "金额", "签订日期", "状态"]
    amount, sign_date = ws.cell(row=2, column=3), ws.cell(row=2, column=4)
    assert ws.cell(row=2, column=1).value == number
    assert amount.data_type == "n" and amount.value == pytest.approx(1234567.89)
    assert amount.number_format == "#,##0.00"
    assert sign_date.is_date and isinstance(sign_date.value, datetime)
    assert sign_date.value.date() == signed


def test_text_is_never_a_formula(app, browsers):
    with app.app_context():
        code = make(m.Customer, employee("sales1"), code="XF1", name="=HYPERLINK(\"x\")").code
    _, ws = _sheet(browsers("sales1").get(f"/customerview/export.xlsx?_flt_3_code={code}"))
    name = ws.cell(row=2, column=2)
    assert name.value == '=HYPERLINK("x")' and name.data_type == "s"


def test_every_generated_list_exports_for_admin(app, browsers):
    from app.registry import ENTITIES

    ui = browsers("admin")
    for entity in ENTITIES:
        _, ws = _sheet(ui.get(f"/{entity.name.lower()}view/export.xlsx"))
        assert ws.max_column == len(entity.list_columns), entity.name


def test_export_refuses_users_without_read_access(app, browsers):
    assert browsers("hr1").get("/customerview/export.xlsx").status_code in (302, 403)
    assert app.test_client().get("/customerview/export.xlsx").status_code in (302, 403)


@pytest.mark.parametrize("query", [
    "_flt_0_stage=bogus",
    "_flt_5_stage=research",  # enum columns have two filters (equal, not equal)
    "_oc_CustomerView=nonexistent&_od_CustomerView=asc",
    "_oc_CustomerView=owner.user.password&_od_CustomerView=asc",
])
def test_bad_query_string_is_400(browsers, query):
    assert browsers("sales1").get(f"/customerview/export.xlsx?{query}").status_code == 400


def test_unparseable_date_filter_matches_like_the_list(browsers):
    """FAB reads an unparseable date as empty (``IS NULL``): no rows, on the list as in the export."""
    ui = browsers("sales1")
    assert 'class="table table-bordered table-hover"' not in ui.get(
        "/visitview/list/?_flt_0_visit_date=not-a-date").get_data(as_text=True)
    _, ws = _sheet(ui.get("/visitview/export.xlsx?_flt_0_visit_date=not-a-date"))
    assert ws.max_row == 1  # the header only


def test_export_is_capped_by_the_setting_and_the_sheet_says_so(app, browsers):
    from app.models import PolicyKey, PolicySetting

    assert MAX_ROWS == 50_000
    with app.app_context():
        for i in range(3):
            make(m.Customer, employee("sales1"), code=f"XM{i}")
    url = "/customerview/export.xlsx?_flt_0_code=XM"
    whole = browsers("sales1").get(url)
    _, ws = _sheet(whole)
    assert len(_rows(ws)[1]) == 3
    assert "X-Export-Truncated" not in whole.headers
    with app.app_context():
        db.session.add(PolicySetting(key=PolicyKey.export_max_rows, value="2"))
        db.session.commit()
    resp = browsers("sales1").get(url)
    _, ws = _sheet(resp)
    rows = _rows(ws)[1]
    assert len(rows) == 3 and resp.headers["X-Export-Truncated"] == "1"  # two rows and the note
    note = rows[-1][0]
    assert "2" in note and "3" in note and rows[-1][1:] == [None] * (len(rows[-1]) - 1)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in note)  # in the reader's language (Chinese)


def test_worklist_xlsx_writes_rows_and_summary(app):
    from flask_babel import lazy_gettext as _l

    from app.views.export import worklist_xlsx

    today = date(2024, 5, 6)
    data = {
        "columns": [("number", _l("Number")), ("due_date", _l("Due date")), ("outstanding", _l("Outstanding")),
                    ("overdue", _l("Overdue")), ("note", _l("Note"))],
        "rows": [{"url": "/x/1", "values": {"number": "R-1", "due_date": today - timedelta(days=40),
                                            "outstanding": Decimal("100.50"), "overdue": True, "note": None}}],
        "summary": [{"key": "d31_60", "label": _l("31–60 days"), "count": 1, "amount": Decimal("1100.50"),
                     "url": "/worklists/aging?bucket=d31_60"}],
    }
    with app.test_request_context("/worklists/aging"):
        resp = worklist_xlsx(_l("Overdue by aging bucket"), data, "aging")
    assert resp.mimetype == XLSX_MIMETYPE
    assert resp.headers["Content-Disposition"].startswith("attachment; filename*=UTF-8''aging-")
    wb = load_workbook(BytesIO(resp.get_data()))
    rows_ws, summary_ws = wb.worksheets
    header, rows = _rows(rows_ws)
    assert header == ["编号", "到期日", "未收金额", "已逾期", "备注"]
    assert rows[0][0] == "R-1" and rows[0][1].date() == today - timedelta(days=40)
    assert rows[0][2] == pytest.approx(100.5) and rows[0][3] == "是" and rows[0][4] is None
    s_header, s_rows = _rows(summary_ws)
    assert len(s_header) == 3 and s_header[2] == "金额"
    assert s_rows == [["31–60 天", 1, pytest.approx(1100.5)]]


def test_export_queries_do_not_grow_with_rows(app, browsers):
    """Related rows come with the list's query (no query per exported row)."""
    from sqlalchemy import event

    from app.extensions import db

    ui = browsers("admin")
    url = "/salesorderview/export.xlsx?_flt_0_number=XQ"

    def queries(first, n_new):
        with app.app_context():
            for k in range(first, first + n_new):  # each order gets a customer of its own
                make(m.SalesOrder, employee("sales3"), number=f"XQ{k}")
            engine = db.engine
        seen = []
        listener = lambda *args, **kwargs: seen.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            _, ws = _sheet(ui.get(url))
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen), ws.max_row - 1

    few, rows_few = queries(0, 2)
    many, rows_many = queries(2, 10)
    assert (rows_few, rows_many) == (2, 12)
    assert many == few, (few, many)
