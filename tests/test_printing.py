"""Printed documents (issue 13, item 5): a quotation, a contract, a settlement notice and a dunning
letter per dunning level, as PDF in Chinese and English with the letterhead from Settings, read
back by text extraction (poppler's pdftotext) and drawn as PNG pages (pdftoppm) into
test-artifacts/; out of scope is 404; the e-mailed settlement notice carries its PDF.
"""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.extensions import db
from app.jobs import run_daily
from app.models import Contact, Customer, PolicySetting, Receivable
from app.models.policy import PolicyKey
from tests.conftest import employee, factory_today
from tests.factories import make
from tests.live import ROOT
from tests.test_documents import accepted_quotation, goods, signed  # noqa: F401 (goods: fixture)

TODAY = factory_today()
FACTORY = "华南精工电器有限公司"


def text_of(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode()


def draw(pdf: bytes, name: str) -> list:
    """The PDF's pages as PNG files in test-artifacts/ (to look at), returned."""
    folder = ROOT / "test-artifacts" / "pdf"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(folder / f"{name}.pdf"), str(folder / name)], check=True)
    return sorted(folder.glob(f"{name}*.png"))


@pytest.fixture()
def letterhead(app):
    with app.app_context():
        db.session.add(PolicySetting(key=PolicyKey.letterhead_name, value=FACTORY))
        db.session.add(PolicySetting(key=PolicyKey.letterhead_bank, value="中国工商银行 6222 0000 1234"))
        db.session.commit()


def get_pdf(client, url):
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == "application/pdf" and resp.headers["Content-Disposition"].startswith("attachment;")
    assert resp.data.startswith(b"%PDF-")
    return resp.data


@pytest.mark.parametrize(("lang", "words"), [("zh", ("报价单", "合计", "有效期至")),
                                             ("en", ("Quotation", "Total", "Valid until"))])
def test_a_quotation_prints_in_each_language(app, apis, browsers, goods, letterhead, lang, words):  # noqa: F811
    q = accepted_quotation(app, apis, goods)
    page = browsers("sales1").get(f"/quotationview/show/{q}").get_data(as_text=True)
    assert 'id="print-quotation"' in page
    pdf = get_pdf(browsers("sales1"), f"/documents/print/quotation/{q}?lang={lang}")
    text = text_of(pdf)
    with app.app_context():
        from app.models import Quotation
        number = db.session.get(Quotation, q).number
    for word in (*words, number, FACTORY, "1,000.00", "501.00", "1,501.00"):
        assert word in text, (word, text)
    if lang == "en":
        assert "报价单" not in text
    assert draw(pdf, f"quotation-{lang}")


def test_a_contract_prints_its_lines_and_payment_terms(app, apis, browsers, goods, letterhead):  # noqa: F811
    q = accepted_quotation(app, apis, goods)
    c = apis("sales1").post(f"/api/v1/documents/quotation/{q}/contract").json["id"]
    signed(apis, c)
    text = text_of(get_pdf(apis("sales1"), f"/api/v1/documents/print/contract/{c}?lang=zh"))
    for word in ("销售合同", "合同金额", "1,501.00", "交付后", "中国工商银行", "买方（盖章及签字）"):
        assert word in text, (word, text)
    en = get_pdf(browsers("sales1"), f"/documents/print/contract/{c}?lang=en")
    assert "Sales contract" in text_of(en) and "After delivery" in text_of(en)
    assert draw(en, "contract-en")


def overdue(app, days: int) -> int:
    with app.app_context():
        return make(Receivable, employee("sales1"), amount=Decimal("12000.00"),
                    issued_on=TODAY - timedelta(days=days + 30), due_date=TODAY - timedelta(days=days)).id


@pytest.mark.parametrize(("days", "zh", "en"), [
    (5, "尽早结清", "earliest convenience"),
    (20, "七日内结清", "despite our call"),
    (45, "上门拜访", "Our representative will visit"),
    (75, "暂停后续供货", "further deliveries will be held"),
    (120, "法律顾问", "legal counsel"),
])
def test_a_dunning_letter_is_worded_for_its_level(app, browsers, days, zh, en):
    pk = overdue(app, days)
    fin = browsers("finance1")
    assert 'id="print-dunning"' in fin.get(f"/receivableview/show/{pk}").get_data(as_text=True)
    text = text_of(get_pdf(fin, f"/documents/print/dunning/{pk}?lang=zh"))
    assert zh in text and "12,000.00" in text and f"{days}" in text
    english = text_of(get_pdf(fin, f"/documents/print/dunning/{pk}?lang=en"))
    assert en in english.replace("\n", " ") or en in " ".join(english.split())


def test_a_receivable_not_overdue_has_no_dunning_letter(app, browsers):
    with app.app_context():
        pk = make(Receivable, employee("sales1"), amount=Decimal("300.00"), issued_on=TODAY,
                  due_date=TODAY + timedelta(days=10)).id
    fin = browsers("finance1")
    assert 'id="print-dunning"' not in fin.get(f"/receivableview/show/{pk}").get_data(as_text=True)
    assert fin.get(f"/documents/print/dunning/{pk}").status_code == 404
    text = text_of(get_pdf(fin, f"/documents/print/notice/{pk}?lang=zh"))
    assert "结算通知" in text and "300.00" in text


def test_printing_respects_scope(app, apis, browsers, goods):  # noqa: F811
    q = accepted_quotation(app, apis, goods)
    for user in ("sales2", "supervisor2", "hr1"):
        assert browsers(user).get(f"/documents/print/quotation/{q}").status_code == 404
        assert apis(user).get(f"/api/v1/documents/print/quotation/{q}").status_code == 404
    assert browsers("sales1").get(f"/documents/print/quotation/{q}?lang=fr").status_code == 404
    assert browsers("sales1").get(f"/documents/print/invoice/{q}").status_code == 404
    assert browsers("sales1").get("/documents/print/quotation/99999999999").status_code == 404
    assert apis("sales1").client.get(f"/api/v1/documents/print/quotation/{q}").status_code == 401


def test_the_mailed_settlement_notice_carries_its_pdf(app, smtp, letterhead):
    day = date(2031, 5, 6)
    with app.app_context():
        owner = employee("sales3")
        cust = make(Customer, owner)
        db.session.add(Contact(customer=cust, name="李经理", email="li@customer.test"))
        rec = make(Receivable, owner, customer=cust, amount=Decimal("8800.00"),
                   issued_on=day - timedelta(days=20), due_date=day + timedelta(days=3))
        number = rec.number
        db.session.commit()
        run_daily(day)
    (msg,) = smtp.to("li@customer.test")
    (attachment,) = [part for part in msg.iter_attachments()]
    assert attachment.get_content_type() == "application/pdf"
    text = text_of(attachment.get_content())
    assert "结算通知" in text and number in text and "8,800.00" in text and FACTORY in text
