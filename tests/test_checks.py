"""The start-up checks (issue 10): the portal's descriptions agree today, each kind of
disagreement is found and named, a disagreement stops the start, and an unmigrated database
answers 503 with what to run instead of failing every page."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from flask_babel import force_locale
from flask_migrate import upgrade

from app import checks, create_app
from app.registry import BY_NAME, ENTITIES, MATRIX
from app.security.matrix import build_matrix
from app.workflow.definitions import WORKFLOWS

SETTINGS = {"TESTING": True, "RATELIMIT_ENABLED": False, "AUTH_RATE_LIMITED": False,
            "SECRET_KEY": "test-secret-key-of-at-least-32-bytes-long"}


@pytest.fixture(scope="module")
def catalogs(app):
    return checks.read_catalogs(app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")[-1],
                                app.config["LANGUAGES"])


def test_the_portal_agrees_with_itself(catalogs):
    assert checks.problems(catalogs) == []


def _with(name, **changes):
    return tuple(dataclasses.replace(e, **changes) if e.name == name else e for e in ENTITIES)


def test_an_unknown_column_is_named():
    found = checks.registry_problems(_with("Customer", list_columns=("name", "wechat_id")))
    assert found == ["Customer.list_columns: 'wechat_id' is not a column, relationship or property"]
    assert checks.registry_problems(_with("Visit", anchor="customer.nobody_id"))
    assert checks.registry_problems(_with("Quotation", related=("QuotationLines",)))


def test_labels_and_validation_rules_on_unknown_or_mistyped_columns_are_named():
    found = checks.registry_problems(_with("Visit", labels={"wechat_id": "WeChat"},
                                           ranges={"satisfaction": (1, 5), "summary": (1, 5)},
                                           positive=("nothing",),
                                           date_order=(("visit_date", "next_date"), ("visit_date", "kind"))))
    assert found == ["Visit.labels: 'wechat_id' is not a column, relationship or property",
                     "Visit.ranges: 'summary' is not a number column",
                     "Visit.positive: 'nothing' is not a number column",
                     "Visit.date_order: 'kind' is not a date or time column"]


def test_a_malformed_access_row_is_refused_with_its_entity_named():
    with pytest.raises(ValueError, match=r"Visit\.access, Supervisor: 't x -'"):
        build_matrix({"Visit": ("o o -", "t x -", "- - -", "- - -")})
    with pytest.raises(ValueError, match=r"Visit\.access: 3 cells"):
        build_matrix({"Visit": ("o o -", "t t -", "- - -")})


def test_matrix_rows_for_unknown_entities_and_missing_rows_are_named():
    matrix = {role: dict(rows) for role, rows in MATRIX.items()}
    matrix["Salesperson"]["Wechat"] = {"read": "own", "write": None, "approve": None}
    del matrix["HR"]["Customer"]
    found = checks.matrix_problems(ENTITIES, matrix, WORKFLOWS)
    assert "matrix[Salesperson]: 'Wechat' is no entity of the registry" in found
    assert "matrix[HR]: no row for 'Customer'" in found
    assert len(found) == 2


def test_an_approve_right_no_step_uses_is_named():
    matrix = {role: dict(rows) for role, rows in MATRIX.items()}
    matrix["HR"]["Reward"] = {"read": "all", "write": "all", "approve": "all"}  # no Reward workflow
    matrix["Finance"]["Contract"] = {**matrix["Finance"]["Contract"], "approve": "all"}  # its step
    found = checks.matrix_problems(ENTITIES, matrix, WORKFLOWS)
    assert found == ["matrix[HR][Reward]: grants approve, but no workflow step of Reward lets HR approve"]


def test_a_state_outside_the_enum_is_named():
    wf = WORKFLOWS["Quotation"]
    steps = (dataclasses.replace(wf.steps[0], target="sent_twice"), *wf.steps[1:])
    workflows = {**WORKFLOWS, "Quotation": dataclasses.replace(wf, steps=steps)}
    found = checks.workflow_problems(ENTITIES, workflows)
    assert found == ["workflow Quotation: state 'sent_twice' is not a member of QuotationStatus"]
    locks = checks.workflow_problems(_with("OrderLine", parent_lock=("order", ("drafting",))), WORKFLOWS)
    assert locks == ["OrderLine.parent_lock: 'drafting' is not a state of SalesOrder"]


def test_a_column_without_a_label_or_a_translation_is_named(catalogs):
    assert BY_NAME["Customer"].extra_show == ()
    found = checks.label_problems(_with("Customer", extra_show=("__class__",)), catalogs)
    assert found == ["Customer.__class__: no label (app/labels.py or the entry's labels)"]
    untranslated = {**catalogs, "zh": {k: v for k, v in catalogs["zh"].items() if k != "Credit limit"}}
    found = checks.label_problems(ENTITIES, untranslated)
    assert found and all(p.endswith("label 'Credit limit' is not translated in zh") for p in found)


def test_a_disagreement_stops_the_start(tmp_path):
    own = tmp_path / "translations"
    shutil.copytree(Path(__file__).resolve().parents[1] / "translations", own,
                    ignore=shutil.ignore_patterns("*.mo"))
    po = own / "zh" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    assert 'msgid "Credit limit"\nmsgstr "' in text
    po.write_text(text.replace('msgid "Credit limit"\nmsgstr "信用额度"', 'msgid "Credit limit"\nmsgstr ""'),
                  encoding="utf-8")
    with pytest.raises(checks.ConfigurationError, match="'Credit limit' is not translated in zh"):
        create_app("config", SQLALCHEMY_DATABASE_URI="sqlite://", BABEL_TRANSLATION_DIRECTORIES=str(own),
                   **SETTINGS)


def test_an_unmigrated_database_answers_503_until_upgraded(tmp_path, caplog):
    app = create_app("config", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'new.db'}", **SETTINGS)
    client = app.test_client()
    from app.views.errors import message

    with app.test_request_context(), force_locale("zh"):
        words, english = message(503), None
    with app.test_request_context(), force_locale("en"):
        english = message(503)
    assert words != english
    page = client.get("/customerview/list/")
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert words in page.get_data(as_text=True)  # in the default language, without the layout
    api = client.get("/api/v1/customer/")
    assert api.status_code == 503 and api.json["message"] == words
    assert any("flask db upgrade" in r.getMessage() for r in caplog.records)
    with app.app_context():
        upgrade()
    assert client.get("/login/").status_code == 200
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()
