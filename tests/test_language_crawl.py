"""Nothing English on a Chinese page, nothing Chinese in the English UI, data aside (issue 9, item 4).

Each role, in each language (switched the way a user does: ``POST /language/<locale>``), visits
every page it can reach (``tests.test_crawl.crawl``: links followed from the home page). Of every
page the visible text is read: text nodes outside scripts and styles, and the attributes a user
reads (title, placeholder, alt, aria-label, button values). Data is taken out first: every string
stored in a text column of the database (names, numbers, remarks the tests made), except the
columns that hold codes (those must be shown translated, so they stay in). An element marked with
a ``lang`` attribute (the language switch's "English" / "简体中文") is in the language it says.
Then a Chinese page may hold no Latin word outside ``ALLOWED``, an English page no CJK character.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from flask_appbuilder import Model
from sqlalchemy import Enum, String, Text, select

from app import policy
from app.extensions import db
from app.models.policy import PolicyKey
from tests.conftest import Browser
from tests.test_crawl import ROLES, crawl
from tests.test_crawl import data as data  # noqa: F401  (the fixture: a row of every entity)

# Words a Chinese page may show: abbreviations Chinese users read as they are (PDF and MB too), and
# the appraisal grades A-D of the regulation (6.3).
ALLOWED = {"ID", "API", "XLSX", "CSV", "Excel", "IP", "KPI", "PDF", "MB", "A", "B", "C", "D"}
# Text columns whose stored values are codes, shown translated (so they are not data to skip);
# enum columns are codes too and are never taken as data.
CODE_COLUMNS = {
    ("change_log", "source"), ("change_log", "entity"), ("change_log", "step"),
    ("login_event", "channel"), ("login_session", "channel"), ("policy_setting", "value"),
}

LATIN_WORD = re.compile(r"[A-Za-z]+")
# The placeholders of a number pattern (Settings): the same notation in both languages.
NOTATION = re.compile(r"\{(?:YYYY|YY|#{1,10})\}")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
READ_ATTRS = {"title", "placeholder", "alt", "aria-label"}
SKIP_TAGS = {"script", "style", "template"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Text(HTMLParser):
    """The text a reader sees, each piece with the language its element declares (``lang``)."""

    def __init__(self, page_locale):
        super().__init__(convert_charrefs=True)
        self.stack = [(None, page_locale)]  # (tag, lang)
        self.pieces: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = attrs.get("lang") or self.stack[-1][1]
        skip = tag in SKIP_TAGS or self.stack[-1][1] is None
        for name in READ_ATTRS & attrs.keys():
            self.pieces.append((attrs[name] or "", lang))
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
            self.pieces.append((attrs.get("value") or "", lang))
        if tag not in VOID:
            self.stack.append((tag, None if skip else lang))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, text):
        if self.stack[-1][1] is not None and text.strip():
            self.pieces.append((text, self.stack[-1][1]))


def _data_strings() -> re.Pattern:
    """One pattern matching any string stored in a text column that holds data, longest first."""
    values = set()
    for table in Model.metadata.sorted_tables:
        cols = [c for c in table.columns if isinstance(c.type, (String, Text))
                and not isinstance(c.type, Enum) and (table.name, c.name) not in CODE_COLUMNS]
        if not cols:
            continue
        for row in db.session.execute(select(*cols)):
            values.update(str(v) for v in row if v)
    # The literal text of the number patterns in force (QT, CT, …) is the factory's own prefixes:
    # data, like the codes it numbers; the placeholders are notation (``NOTATION``).
    for pattern in policy.get(PolicyKey.number_patterns).values():
        values.update(p for p in NOTATION.split(str(pattern)) if LATIN_WORD.search(p))
    # So are the file types it lets users attach (pdf, jpg, …): names of formats, not words.
    values.update(policy.get(PolicyKey.attachment_types))
    values = sorted(values, key=len, reverse=True)
    # Whole words only: a stored code "AP" is no licence for the "AP" of "API" in a sentence.
    return re.compile(r"(?<![A-Za-z])(?:" + "|".join(map(re.escape, values)) + r")(?![A-Za-z])")


def _foreign(text: str, locale: str) -> list[str]:
    if locale == "en":
        return CJK.findall(text)
    return [w for w in LATIN_WORD.findall(NOTATION.sub(" ", text)) if w not in ALLOWED]


def _switch(browser: Browser, locale: str) -> None:
    resp = browser.post(f"/language/{locale}", token_from="/")
    assert resp.status_code == 302, resp.status_code


def _crawl_role(app, username, locale, data_strings, shapes) -> tuple[dict, int]:
    """(text of the other language -> first page showing it, pages visited) for one role."""
    browser = Browser(app.test_client(), username)
    _switch(browser, locale)
    found, visited = {}, 0
    try:
        for url, resp in crawl(browser.client, per_shape=1, shapes=shapes):
            visited += 1
            if resp.status_code != 200 or resp.mimetype != "text/html":
                continue
            parser = _Text(locale)
            parser.feed(resp.get_data(as_text=True))
            for text, lang in parser.pieces:
                text = " ".join(text.split())
                if lang != locale:
                    continue
                if _foreign(data_strings.sub(" ", text), locale):
                    found.setdefault(text, url)
    finally:
        _switch(browser, "zh")  # the preference is stored: leave the default for the other tests
    return found, visited


@pytest.mark.parametrize("locale", ("zh", "en"))
def test_no_text_of_the_other_language_outside_data(app, data, locale):  # noqa: F811
    """Every role's pages in one language. A page shape one role's crawl checked is not checked
    again for the next role (the roles' menus overlap; this keeps the test fast), so each role
    adds the pages only it reaches."""
    with app.app_context():
        data_strings = _data_strings()
    shapes, found, visited = Counter(), {}, {}
    for username in ROLES:
        role_found, visited[username] = _crawl_role(app, username, locale, data_strings, shapes)
        found.update({text: f"{username} {url}" for text, url in role_found.items() if text not in found})
    assert sum(visited.values()) > 50, visited  # the crawl really went through the portal
    assert all(visited.values()), visited
    assert not found, f"{locale}: text of the other language on:\n" + "\n".join(
        f"  {where}: {text[:120]!r}" for text, where in found.items())
