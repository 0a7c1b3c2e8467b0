"""Chinese by default, English one click away, the choice remembered per user."""

from __future__ import annotations

from app.extensions import db
from app.models import UserPreference
from tests.conftest import employee


def _lang(html: str) -> str:
    # The switch button offers the *other* language: its id names it.
    return "zh" if 'id="lang-en"' in html else "en"


def test_default_language_is_chinese(login):
    page = login("sales3").get("/customerview/list/").get_data(as_text=True)
    assert _lang(page) == "zh"
    assert "客户" in page  # the list title in Chinese


def test_switch_is_a_post_with_csrf_and_is_remembered_per_user(app, login):
    ui = login("sales3")
    assert ui.client.get("/language/en").status_code == 405  # a GET changes nothing
    no_token = ui.client.post("/language/en")
    assert no_token.status_code == 400
    resp = ui.post("/language/en", token_from="/", data={"next": "/customerview/list/"})
    assert resp.status_code == 302
    page = ui.get("/customerview/list/").get_data(as_text=True)
    assert _lang(page) == "en"
    with app.app_context():
        uid = employee("sales3").user_id
        assert db.session.get(UserPreference, uid).locale == "en"

    # A new session (another browser) starts in the remembered language after login.
    other = login("sales3")
    assert _lang(other.get("/").get_data(as_text=True)) == "en"

    ui.post("/language/zh", token_from="/")
    assert _lang(login("sales3").get("/").get_data(as_text=True)) == "zh"


def test_unknown_language_is_refused(login):
    ui = login("sales3")
    assert ui.post("/language/xx", token_from="/").status_code == 404


def test_enum_values_and_labels_follow_the_language(app, browsers):
    from tests.factories import make

    with app.app_context():
        from app.models import Customer
        from app.models.customers import Stage

        cust = make(Customer, employee("sales1"), stage=Stage.negotiating)
        pk = cust.id
    ui = browsers("sales1")
    zh = ui.record(f"/customerview/show/{pk}")
    assert "洽谈中" in zh or "商务谈判" in zh or "谈判" in zh
    en = ui.record(f"/customerview/show/{pk}?_l_=en")
    assert "Negotiating" in en


def test_record_page_shows_readable_values(app, browsers):
    from decimal import Decimal

    from app.models import Customer
    from tests.factories import make

    with app.app_context():
        pk = make(Customer, employee("sales1"), credit_limit=Decimal("1500000.00"), address=None).id
    html = browsers("sales1").record(f"/customerview/show/{pk}")
    assert "1,500,000.00" in html
    assert ">None<" not in html.replace(" ", "").replace("\n", "")


def test_one_english_word_can_read_differently_by_context(app):
    """'Open' is 未结 for a receivable but 进行中 for an appraisal cycle (pgettext contexts)."""
    from flask_babel import force_locale

    from app.models.appraisal import CycleStatus
    from app.models.orders import Department, OrderStatus
    from app.models.receivables import ReceivableStatus

    with app.test_request_context(), force_locale("zh"):
        assert str(CycleStatus.open.label) == "进行中"
        assert str(ReceivableStatus.open.label) != str(CycleStatus.open.label)
        assert str(OrderStatus.purchasing.label) != str(Department.purchasing.label)
    with app.test_request_context(), force_locale("en"):
        assert str(CycleStatus.open.label) == "Open" == str(ReceivableStatus.open.label)
