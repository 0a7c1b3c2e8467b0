"""Import from Excel (issue 13, item 7): customers and products from an XLSX laid out like the
template, previewed with per-row, per-cell translated errors, then written all or nothing through
the pages and the API; owners within the importer's scope; duplicates skipped or updated; every
imported row in the history as an Excel import; each bad input refused with nothing written."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.imports import MAX_ROWS
from app.models import ChangeLog, Customer, Product
from tests.conftest import employee
from tests.factories import count, make


def xlsx(rows, headers=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers or ["code", "name", "tax_id", "phone", "industry", "region", "address", "credit_limit",
                             "payment_terms_days", "owner"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def post(apis, user, entity, data, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return apis(user).post(f"/api/v1/import/{entity}?{query}", data={"file": (io.BytesIO(data), "客户.xlsx")},
                           content_type="multipart/form-data")


def customers_named(app, prefix):
    with app.app_context():
        return db.session.scalars(select(Customer).where(Customer.name.like(f"{prefix}%")).order_by(Customer.name)).all()


def test_customers_come_in_through_the_api_with_their_owners(app, apis):
    with app.app_context():
        s3 = employee("sales3").number
    data = xlsx([["", "导入客户甲", "91440000A", "020-1", "电气", "广东", "广州", 50000, 30, ""],
                 ["IMP-002", "导入客户乙", None, None, None, None, None, "1,000.50", 45, s3]])
    preview = post(apis, "supervisor1", "customer", data)
    assert preview.status_code == 200 and (preview.json["new"], preview.json["rows_with_errors"]) == (2, 0)
    assert customers_named(app, "导入客户") == []  # a preview writes nothing
    done = post(apis, "supervisor1", "customer", data, commit=1)
    assert done.status_code == 201 and done.json == {"new": 2, "updated": 0, "skipped": 0}
    by_name = {c.name: c for c in customers_named(app, "导入客户")}
    first, second = by_name["导入客户甲"], by_name["导入客户乙"]
    with app.app_context():
        assert first.owner_id == employee("supervisor1").id and first.code.startswith("C")  # numbered
        assert (second.code, second.credit_limit, second.payment_terms_days) == ("IMP-002", Decimal("1000.50"), 45)
        assert second.owner_id == employee("sales3").id
        sources = db.session.scalars(select(ChangeLog.source).where(
            ChangeLog.entity == "Customer", ChangeLog.row_id.in_([first.id, second.id]))).all()
    assert sources == ["imported", "imported"]


def test_owners_outside_the_importers_scope_are_refused(app, apis):
    with app.app_context():
        s2 = employee("sales2").number
    data = xlsx([["", "越权客户", None, None, None, None, None, 0, 30, s2]])
    resp = post(apis, "sales1", "customer", data, commit=1)
    assert resp.status_code == 422
    (row,) = resp.json["message"]["rows"]
    assert row["row"] == 2 and set(row["errors"]) == {"owner"}
    assert customers_named(app, "越权客户") == []


@pytest.mark.parametrize(("rows", "headers", "where"), [
    ([["", "甲", None, None, None, None, None, "abc", 30, ""]], None, "credit_limit"),
    ([["", "甲", None, None, None, None, None, -5, 30, ""]], None, "credit_limit"),
    ([["", "甲", None, None, None, None, None, 0, 3.5, ""]], None, "payment_terms_days"),
    ([["", "", None, None, None, None, None, 0, 30, ""]], None, "name"),
    ([["", "长" * 121, None, None, None, None, None, 0, 30, ""]], None, "name"),
    ([["", "甲", None, None, None, None, None, 0, 30, "nobody-here"]], None, "owner"),
    ([["X1", "甲", None, None, None, None, None, 0, 30, ""], ["X1", "乙", None, None, None, None, None, 0, 30, ""]],
     None, "code"),
    ([["", "甲"]], ["code", "nonsense"], "file"),
    ([["甲"]], ["code"], "file"),  # the name column is required
    ([["", "甲", "甲"]], ["code", "name", "名称"], "file"),  # the same column twice
])
def test_bad_rows_and_files_are_refused_and_nothing_is_written(app, apis, rows, headers, where):
    before = count(app, Customer)
    resp = post(apis, "sales1", "customer", xlsx(rows, headers), commit=1)
    assert resp.status_code == 422, resp.get_data(as_text=True)
    body = resp.json["message"]
    if where == "file":
        assert body["file"]
    else:
        assert any(where in r["errors"] for r in body["rows"]), body
    assert count(app, Customer) == before


def test_a_file_that_is_no_workbook_is_refused(app, apis):
    resp = post(apis, "sales1", "customer", b"PK\x03\x04 not really", commit=1)
    assert resp.status_code == 422 and resp.json["message"]["file"]


def test_too_many_rows_are_refused(app, apis, monkeypatch):
    import app.imports as imports

    monkeypatch.setattr(imports, "MAX_ROWS", 3)  # the cap's logic, with a file of four rows
    rows = [["", f"超量{i}", None, None, None, None, None, 0, 30, ""] for i in range(4)]
    resp = post(apis, "sales1", "customer", xlsx(rows), commit=1)
    assert resp.status_code == 422 and resp.json["message"]["file"]
    assert customers_named(app, "超量") == []
    assert MAX_ROWS == 50_000


def test_duplicates_are_skipped_or_updated(app, apis):
    with app.app_context():
        mine = make(Customer, employee("sales1"), name="重复导入客户", tax_id="TAX-1")
        theirs = make(Customer, employee("sales2"), name="别人的客户")
        mine_id, theirs_code = mine.id, theirs.code
    data = xlsx([["", "重复导入客户", None, "0757-1", None, "佛山", None, 100, 60, ""]])
    skipped = post(apis, "sales1", "customer", data, commit=1)
    assert skipped.status_code == 201 and skipped.json == {"new": 0, "updated": 0, "skipped": 1}
    updated = post(apis, "supervisor1", "customer", data, commit=1, mode="update")  # sales1's supervisor
    assert updated.status_code == 201 and updated.json["updated"] == 1
    with app.app_context():
        row = db.session.get(Customer, mine_id)
        assert (row.region, row.payment_terms_days, row.tax_id) == ("佛山", 60, "TAX-1")
        assert row.owner_id == employee("sales1").id  # no owner in the file: the record keeps its own
    # Another salesperson's customer is not updated, and nothing of it is said.
    other = post(apis, "sales1", "customer", xlsx([[theirs_code, "改名", None, None, None, None, None, 0, 30, ""]]),
                 commit=1, mode="update")
    assert other.status_code == 422 and "别人的客户" not in other.get_data(as_text=True)
    assert customers_named(app, "改名") == []


def test_products_are_imported_by_whoever_may_write_them(app, apis):
    data = xlsx([["", "导入产品", "台", 1200, 800]], ["编码", "名称", "单位", "标准售价", "单位成本"])  # zh labels
    assert post(apis, "sales1", "product", data, commit=1).status_code == 404  # salespeople read products
    done = post(apis, "admin", "product", data, commit=1)
    assert done.status_code == 201, done.get_data(as_text=True)
    with app.app_context():
        p = db.session.scalar(select(Product).where(Product.name == "导入产品"))
        assert (p.list_price, p.unit_cost, p.code[:1]) == (Decimal("1200.00"), Decimal("800.00"), "P")


def test_the_pages_preview_then_import(app, browsers):
    ui = browsers("sales1")
    page = ui.get("/import/customer/").get_data(as_text=True)
    template = ui.get("/import/customer/template.xlsx")
    assert template.status_code == 200
    header = [c.value for c in next(openpyxl.load_workbook(io.BytesIO(template.data)).active.iter_rows())]
    assert len(header) == 10 and header[1] == "名称" and header[-1] == "负责业务员"  # in the reader's language
    data = xlsx([["", "页面导入客户", None, None, None, None, None, 0, 30, ""]], header)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    preview = ui.client.post("/import/customer/", data={"csrf_token": token, "mode": "skip",
                                                        "file": (io.BytesIO(data), "客户.xlsx")},
                             content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'data-new="1"' in html and customers_named(app, "页面导入") == []
    confirm = re.search(r'name="token" value="([^"]+)"', html).group(1)
    done = ui.client.post("/import/customer/commit", data={"csrf_token": token, "token": confirm})
    assert done.status_code == 302 and len(customers_named(app, "页面导入")) == 1
    # The same confirmation for another user does nothing.
    other = browsers("sales3")
    other_token = re.search(r'name="csrf_token" value="([^"]+)"', other.get("/import/customer/").get_data(as_text=True))
    resp = other.client.post("/import/customer/commit", data={"csrf_token": other_token.group(1), "token": confirm})
    assert resp.status_code == 302 and len(customers_named(app, "页面导入")) == 1


def test_bad_cells_are_shown_per_row_and_column(app, browsers):
    ui = browsers("sales1")
    token = re.search(r'name="csrf_token" value="([^"]+)"', ui.get("/import/customer/").get_data(as_text=True)).group(1)
    data = xlsx([["", "好客户", None, None, None, None, None, 0, 30, ""],
                 ["", "坏客户", None, None, None, None, None, "很多", 30, ""]])
    resp = ui.client.post("/import/customer/", data={"csrf_token": token, "file": (io.BytesIO(data), "x.xlsx")},
                          content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'data-row="3" data-column="credit_limit"' in html and 'id="import-commit"' not in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Customer).where(
            Customer.name.in_(["好客户", "坏客户"]))) == 0
