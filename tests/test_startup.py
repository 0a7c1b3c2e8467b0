"""Starting the portal (issue 9, items 5 and 7): however it is started it speaks Chinese (the
catalogs are compiled when missing or older than their ``.po``), and what it logs while starting
is a few lines a person reads, with real warnings still there."""

from __future__ import annotations

import logging
import os
import shutil
import threading
from pathlib import Path

import pytest
from babel.support import Translations

from app.catalogs import CatalogError, ensure_compiled

ROOT = Path(__file__).resolve().parent.parent / "translations"
LOCALES = ("zh", "en")
PROBE = "Work lists"  # a msgid of the portal's own catalog


@pytest.fixture()
def catalogs(tmp_path):
    """A copy of the translations directory as a fresh clone has it: .po files, no .mo."""
    for locale in LOCALES:
        target = tmp_path / locale / "LC_MESSAGES"
        target.mkdir(parents=True)
        shutil.copy(ROOT / locale / "LC_MESSAGES" / "messages.po", target)
    return tmp_path


def _zh(directory) -> str:
    return Translations.load(str(directory), ["zh"]).gettext(PROBE)


def test_missing_catalogs_are_compiled(catalogs):
    assert _zh(catalogs) == PROBE  # nothing compiled yet: English
    compiled = ensure_compiled(str(catalogs), LOCALES)
    assert sorted(p.parent.parent.name for p in compiled) == sorted(LOCALES)
    assert _zh(catalogs) != PROBE and _zh(catalogs)  # now Chinese
    assert ensure_compiled(str(catalogs), LOCALES) == []  # up to date: left alone
    assert not [p for p in catalogs.rglob(".messages-*")]  # no temporary file left


def test_a_catalog_older_than_its_po_is_compiled_again(catalogs):
    ensure_compiled(str(catalogs), LOCALES)
    po = catalogs / "zh" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    text = po.read_text(encoding="utf-8")
    old = _zh(catalogs)
    po.write_text(text.replace(f'msgstr "{old}"', 'msgstr "新的工作清单"', 1), encoding="utf-8")
    past = mo.stat().st_mtime - 60
    os.utime(mo, (past, past))  # the .po is now newer than the .mo
    assert [p.parent.parent.name for p in ensure_compiled(str(catalogs), LOCALES)] == ["zh"]
    assert _zh(catalogs) == "新的工作清单"


def test_workers_starting_together_all_get_a_whole_catalog(catalogs):
    errors = []

    def start():
        try:
            ensure_compiled(str(catalogs), LOCALES)
            assert _zh(catalogs) != PROBE
        except Exception as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _zh(catalogs) != PROBE


def test_a_missing_po_refuses_to_start_and_says_what_to_do(catalogs):
    (catalogs / "en" / "LC_MESSAGES" / "messages.po").unlink()
    with pytest.raises(CatalogError, match="git checkout translations"):
        ensure_compiled(str(catalogs), LOCALES)


def test_a_broken_po_refuses_to_start_and_says_what_to_run(catalogs):
    (catalogs / "zh" / "LC_MESSAGES" / "messages.po").write_bytes(b'msgid "x"\nmsgstr \xff\xfe "\n')
    with pytest.raises(CatalogError, match="translations/compile.sh"):
        ensure_compiled(str(catalogs), LOCALES)


def test_an_app_started_without_compiled_catalogs_serves_chinese(app, catalogs):
    """``gunicorn run:app`` in a fresh clone: the factory compiles, the first page is Chinese."""
    from app import create_app

    fresh = create_app("config", TESTING=True, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                       SECRET_KEY=app.config["SECRET_KEY"], BABEL_TRANSLATION_DIRECTORIES=str(catalogs))
    assert (catalogs / "zh" / "LC_MESSAGES" / "messages.mo").exists()
    page = fresh.test_client().get("/login/").get_data(as_text=True)
    with fresh.test_request_context():
        from flask_babel import force_locale, gettext

        with force_locale("zh"):
            signin = gettext("Sign In")
    assert signin != "Sign In" and signin in page
    with fresh.app_context():
        from app.extensions import db

        db.session.remove()

        db.engine.dispose()  # its own pool: closed, not left to the garbage collector


def test_start_up_logs_a_few_lines_and_real_warnings_still_show(app, caplog):
    """What ``scripts/serve.sh`` does before serving: the factory, then ``flask roles sync``."""

    caplog.set_level(logging.INFO)
    # The suite's migrations ran alembic's fileConfig, which disables every logger that existed
    # then (a ``flask db upgrade`` process only); a started portal has them all enabled.
    disabled = [lg for lg in logging.root.manager.loggerDict.values()
                if isinstance(lg, logging.Logger) and lg.disabled]
    for lg in disabled:
        lg.disabled = False
    try:
        _start_and_sync(app, caplog)
    finally:
        for lg in disabled:
            lg.disabled = True


def _start_and_sync(app, caplog):
    from app import create_app
    from app.security.sync import sync

    started = create_app("config", TESTING=True, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                         SECRET_KEY=app.config["SECRET_KEY"])
    with started.app_context():
        sync(started.appbuilder)
        # A real problem in the same loggers is still reported.
        logging.getLogger("flask_appbuilder.models.filters").warning("a real problem")
        logging.getLogger("flask_appbuilder.security.sqla.manager").warning("another real problem")
        lines = [(r.levelno, r.getMessage()) for r in caplog.records]  # while the rows are bound
        from app.extensions import db

        db.session.remove()

        db.engine.dispose()  # its own pool: closed, not left to the garbage collector
    warnings = [text for level, text in lines if level >= logging.WARNING]
    assert "a real problem" in warnings and "another real problem" in warnings
    assert len(warnings) <= 4, warnings[:20]
    assert len(lines) <= 12, lines[:20]
