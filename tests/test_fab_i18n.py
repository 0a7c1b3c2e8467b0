"""FAB's own screens follow the page's language: no English on a Chinese page, no Chinese on an
English one, data aside (the test organisation's names, logins and e-mail addresses are removed
from a page's text before it is checked). Expected words come from the app's own catalogs."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from app.extensions import db
from app.models import Employee, Team, User
from tests.conftest import employee
from tests.factories import grid_form


class _Text(HTMLParser):
    """A page's visible text and its tooltip / placeholder / label attributes, scripts aside."""

    ATTRS = {"title", "placeholder", "aria-label", "alt"}

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [v for k, v in attrs if k in self.ATTRS and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def _data_values(app) -> list[str]:
    """Everything the test organisation stored (longest first, so no value is cut by a shorter one)."""
    with app.app_context():
        values = set()
        for u in db.session.scalars(select(User)):
            values |= {u.username, u.email, u.first_name, u.last_name}
        for e in db.session.scalars(select(Employee)):
            values |= {e.name, e.number, e.name_en or ""}
        values |= set(db.session.scalars(select(Team.name))) | set(db.session.scalars(select(Team.region)))
    return sorted((v for v in values if v), key=len, reverse=True)


def page_text(app, html: str) -> str:
    parser = _Text()
    parser.feed(html)
    text = "\n".join(parser.parts)
    for value in _data_values(app):
        text = text.replace(value, " ")
    return text


# FAB's English words that leaked into Chinese pages (its dialog buttons, Python's str of flags,
# lists and permissions, the English role names, ab.js's placeholder).
ENGLISH = ["Cancel", "OK", "True", "False", "None", "can read", "can write", "menu access",
           "Salesperson", "Supervisor", "Finance", "Admin", "Select a State", "UserDBModelView", "Groups"]
RAW_PERMISSION = re.compile(r"can (?:read|write|approve) (?:own|team|all) on |menu access on ")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
EXTERNAL = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=[\"']?(?:https?:)?//", re.I)


def _role_id(app, name: str) -> int:
    with app.app_context():
        return app.appbuilder.sm.find_role(name).id


def _user_id(app, username: str) -> int:
    with app.app_context():
        return app.appbuilder.sm.find_user(username=username).id


def _pages(app, org):
    return [
        "/roles/list/",
        f"/roles/show/{_role_id(app, 'Supervisor')}",
        f"/roles/edit/{_role_id(app, 'Supervisor')}",
        "/roles/add",
        "/users/list/",
        f"/users/show/{_user_id(app, 'sales1')}",
        f"/users/edit/{_user_id(app, 'sales1')}",
        "/users/add",
        "/users/userinfo/",
        "/teamview/list/",  # rows with delete buttons: the confirmation dialog
        "/permission-grid/",
    ]


def _get(ui, url: str, lang: str) -> str:
    resp = ui.get(f"{url}{'&' if '?' in url else '?'}_l_={lang}")
    assert resp.status_code == 200, url
    return resp.get_data(as_text=True)


def test_chinese_fab_screens_show_no_english(app, org, browsers):
    ui = browsers("admin")
    for url in _pages(app, org):
        html = _get(ui, url, "zh")
        text = page_text(app, html)
        found = [w for w in ENGLISH if re.search(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])", text)]
        assert not found, (url, found)
        assert not EXTERNAL.search(html), url
        # Nor in the options the search filters and forms carry (scripts included).
        assert not RAW_PERMISSION.search(html), url
        assert not re.search(r"(>|\\u003e)(Salesperson|Supervisor|Finance|HR|Admin)(<|\\u003c)", html), url


def test_english_fab_screens_show_no_chinese(app, org, browsers):
    ui = browsers("admin")
    for url in _pages(app, org):
        html = _get(ui, url, "en")
        text = page_text(app, html)
        assert not CJK.findall(text), (url, sorted(set(CJK.findall(text))))
        assert not EXTERNAL.search(html), url
        assert not RAW_PERMISSION.search(html), url


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_confirm_dialog_buttons_are_translated(app, browsers, lang):
    html = _get(browsers("admin"), "/teamview/list/", lang)
    assert "modal-confirm-ok" in html and "/delete/" in html
    with app.test_request_context(), force_locale(lang):
        cancel, ok = gettext("Cancel"), gettext("OK")
    assert re.search(rf'id="modal-confirm-cancel">{re.escape(cancel)}<', html)
    assert re.search(rf'id=.modal-confirm-ok. class="btn btn-danger danger">{re.escape(ok)}<', html)
    assert re.search(rf'id="modal-alert-ok">{re.escape(ok)}<', html)
    if lang == "zh":
        assert cancel != "Cancel" and ok != "OK"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_roles_show_the_grids_words(app, browsers, lang):
    from app.labels import role_label
    from app.security.wording import action_label, screen_label

    ui = browsers("admin")
    listing = _get(ui, "/roles/list/", lang)
    shown = _get(ui, f"/roles/show/{_role_id(app, 'Supervisor')}", lang)
    edit = _get(ui, f"/roles/edit/{_role_id(app, 'Supervisor')}", lang)
    with app.test_request_context(), force_locale(lang):
        supervisor = str(role_label("Supervisor"))
        employees = gettext("%(screen)s: %(action)s", screen=screen_label("Employee"),
                            action=action_label("can_read_team"))
        option = gettext("%(screen)s: %(action)s", screen=screen_label("Customer"),
                         action=action_label("can_write_team"))
    for html in (listing, shown):
        assert f">{supervisor}<" in html
        assert "can read team on Employee" not in html and "can_read_team" not in html
    # The record page: one line per entity, the verbs and scopes as the grid names them.
    assert employees in shown
    # The form: every permission an option in the grid's words; the role's own ones selected.
    assert f">{option}</option>" in edit
    assert "can write team on Customer" not in edit


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_users_show_flags_and_role_names_translated(app, browsers, lang):
    from app.labels import role_label

    ui = browsers("admin")
    listing = _get(ui, "/users/list/", lang)
    shown = _get(ui, f"/users/show/{_user_id(app, 'sales1')}", lang)
    profile = _get(ui, "/users/userinfo/", lang)
    with app.test_request_context(), force_locale(lang):
        sales, admin, yes = str(role_label("Salesperson")), str(role_label("Admin")), gettext("Yes")
    assert f">{sales}<" in listing and f">{admin}<" in listing and f">{yes}<" in listing
    assert sales in shown and admin in profile
    for html in (listing, shown, profile):
        assert "[Salesperson]" not in html and "[Admin]" not in html and ">True<" not in html


def test_user_statistics_is_gone(app, browsers):
    ui = browsers("admin")
    assert ui.get("/userstatschartview/chart/").status_code == 404
    home = ui.get("/").get_data(as_text=True)
    assert "userstatschartview" not in home.lower()
    assert "google" not in home.lower()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_select2_and_fab_script_texts_follow_the_language(app, browsers, lang):
    html = _get(browsers("admin"), f"/roles/edit/{_role_id(app, 'Supervisor')}", lang)
    m = re.search(r"<script src=\"(/static/js/client-texts\.js)\"[^>]*data-texts='([^']*)'", html)
    assert m, "the client texts are not on the page"
    texts = json.loads(m.group(2).replace("&#34;", '"').replace("&amp;", "&"))
    with app.test_request_context(), force_locale(lang):
        assert texts["select2"]["noResults"] == gettext("No results found")
        assert texts["select2"]["removeAllItems"] == gettext("Remove all items")
        assert texts["fab"]["Select a State"] == gettext("Select")
        assert texts["fab"]["No row selected"] == gettext("No row selected")
    if lang == "zh":
        assert not re.search(r"[A-Za-z]{3,}", " ".join(texts["select2"].values()))
    script = browsers("admin").get(m.group(1))
    assert script.status_code == 200
    script.close()


def test_grid_flash_and_drift_name_roles_and_permissions_translated(app, login):
    from app.labels import role_label
    from app.security.wording import permission_label
    ui = login("admin")
    form = grid_form(app, "HR", **{"Product.read": "all"})
    try:
        resp = ui.post("/permission-grid/?_l_=zh", data=form, token_from="/permission-grid/")
        assert resp.status_code == 302
        zh = _get(ui, "/permission-grid/?role=HR", "zh")  # the flash message is shown here
        en = _get(ui, "/permission-grid/?role=HR", "en")
        for lang, html in (("zh", zh), ("en", en)):
            with app.test_request_context(), force_locale(lang):
                perm = permission_label("can_read_all", "Product")
                hr = str(role_label("HR"))
            assert f"{hr}" in html and perm in html, lang
            assert "can_read_all" not in html and " on Product" not in html
        with app.test_request_context(), force_locale("zh"):
            flash = gettext("Permissions of %(role)s saved.", role=role_label("HR"))
        assert flash in zh
        assert "HR:" not in page_text(app, zh)
    finally:
        assert app.test_cli_runner().invoke(args=["roles", "sync"]).exit_code == 0


def test_application_name_follows_the_language(app, browsers):
    ui = browsers("admin")
    with app.test_request_context():
        with force_locale("zh"):
            zh_name = gettext("Sales department portal")
        with force_locale("en"):
            en_name = gettext("Sales department portal")
    assert zh_name != en_name
    zh, en = _get(ui, "/", "zh"), _get(ui, "/", "en")
    assert f"{zh_name}</title>" in zh and zh_name in zh.split("navbar-brand")[1][:300]
    assert f"{en_name}</title>" in en and en_name in en.split("navbar-brand")[1][:300]
    assert zh_name not in en


def test_english_name_is_shown_on_english_pages_where_filled(app, org, browsers, login):
    with app.app_context():
        emp = employee("supervisor1")
        pk, chinese, number = emp.id, emp.name, emp.number
        team = emp.team.name  # the team he leads, alone on the list (the suite adds more teams)
        emp.name_en = "Chen Test"
        db.session.commit()
    try:
        ui = browsers("admin")
        en = _get(ui, f"/teamview/list/?_flt_0_name={team}", "en")
        zh = _get(ui, f"/teamview/list/?_flt_0_name={team}", "zh")
        assert f"Chen Test ({number})" in en and chinese not in en
        assert f"{chinese}（{number}）" in zh and "Chen Test" not in zh
        # The menu bar names the signed-in person the same way.
        own = login("supervisor1")
        assert "Chen Test" in _get(own, "/", "en") and chinese not in _get(own, "/", "en")
        assert chinese in _get(own, "/", "zh")
        # Nobody's English name filled: the Chinese name on English pages too.
        assert "员工sales1" in _get(ui, f"/employeeview/show/{org.employees['sales1']}", "en")
    finally:
        with app.app_context():
            db.session.get(Employee, pk).name_en = None
            db.session.commit()


def test_full_name_is_family_name_first_for_chinese_names(app):
    from types import SimpleNamespace

    from app.display import fab_full_name

    assert fab_full_name(SimpleNamespace(first_name="明", last_name="李")) == "李明"
    assert fab_full_name(SimpleNamespace(first_name="Ming", last_name="Li")) == "Ming Li"
