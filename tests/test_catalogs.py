"""The zh and en catalogs are complete, current and consistent with translations/messages.pot.

Reads the real files under translations/ (no app needed). To fix a failure: run
``bash translations/update.sh`` (venv active), translate what translations/compile.sh lists in
translations/zh/LC_MESSAGES/messages.po, then ``bash translations/compile.sh``.
"""

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
LOCALES = ("zh", "en")
# zh msgstrs that may legitimately equal their English msgid.
ZH_SAME_AS_ENGLISH = {"ID"}

NAMED = re.compile(r"%\(([^)]+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
POSITIONAL = re.compile(r"%(?!\()[#0 +-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa]")
BRACE = re.compile(r"\{([^{}]*)\}")


def placeholders(text: str):
    """%(name)s and {name} as multisets (translations may reorder them), %s-style in order."""
    text = text.replace("%%", "").replace("{{", "").replace("}}", "")
    return Counter(NAMED.findall(text)), POSITIONAL.findall(text), Counter(BRACE.findall(text))


def forms(message) -> list[str]:
    s = message.string
    return list(s) if isinstance(s, (tuple, list)) else [s]


def ids(message) -> list[str]:
    return list(message.id) if isinstance(message.id, (tuple, list)) else [message.id]


def load(path: Path):
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing: run bash translations/update.sh"
    with path.open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def template():
    return load(POT)


@pytest.fixture(scope="module", params=LOCALES)
def catalog(request):
    return request.param, load(TRANSLATIONS / request.param / "LC_MESSAGES" / "messages.po")


def test_template_is_not_empty(template):
    template_ids = {m.id for m in template if m.id}
    # FAB's own strings are merged in: the ones its Chinese catalog lacks must be there.
    for msgid in ("Add", "Edit", "Delete", "Show", "Search", "Save", "Receivables"):
        assert msgid in template_ids


def test_no_untranslated_or_fuzzy_entry(catalog):
    locale, cat = catalog
    assert not cat.fuzzy, f"{locale}: the catalog header is marked fuzzy"
    untranslated = [m.id for m in cat if m.id and not all(forms(m))]
    fuzzy = [m.id for m in cat if m.id and m.fuzzy]
    assert untranslated == [], f"{locale}: untranslated entries"
    assert fuzzy == [], f"{locale}: fuzzy entries"


def test_plural_entries_have_every_form(catalog):
    locale, cat = catalog
    wrong = [m.id for m in cat if m.id and m.pluralizable and len(forms(m)) != cat.num_plurals]
    assert wrong == [], f"{locale}: plural entries without {cat.num_plurals} forms"


def test_every_template_msgid_is_in_the_catalog(catalog, template):
    locale, cat = catalog
    missing = [m.id for m in template if m.id and cat.get(m.id, m.context) is None]
    assert missing == [], f"{locale}: msgids of messages.pot missing (run translations/update.sh)"


def test_placeholders_match(catalog):
    locale, cat = catalog
    wrong = []
    for m in cat:
        if not m.id:
            continue
        allowed = [placeholders(i) for i in ids(m)]
        wrong += [(m.id, s) for s in forms(m) if s and placeholders(s) not in allowed]
    assert wrong == [], f"{locale}: msgstr placeholders differ from the msgid's"


def test_english_catalog_repeats_the_msgids():
    cat = load(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po")
    for m in cat:
        if m.id and not m.pluralizable:
            assert m.string == m.id, m.id


def test_chinese_catalog_is_actually_translated():
    cat = load(TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po")
    same = [m.id for m in cat if m.id and not m.pluralizable and m.string == m.id]
    assert sorted(set(same) - ZH_SAME_AS_ENGLISH) == [], "zh msgstr left in English"
    assert cat.get("Add").string == "新增"
    assert cat.get("Receivables").string == "应收账款"


def test_placeholder_check_detects_mismatches():
    assert placeholders("Deleted %(n)s record(s).") == placeholders("已删除 %(n)s 条记录。")
    assert placeholders("%(a)s and %(b)s") == placeholders("%(b)s 和 %(a)s")
    assert placeholders("%(n)s") != placeholders("%(m)s")
    assert placeholders("%s of %d") != placeholders("%d / %s")
    assert placeholders("{name}") != placeholders("name")
    assert placeholders("100%% done") == placeholders("完成")
    assert placeholders("Collection rate target (%)") == placeholders("回款率（%）")


def test_template_is_current_with_the_sources():
    """messages.pot holds exactly the msgids of app/ and of the installed Flask-AppBuilder."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    result = subprocess.run(
        ["bash", str(TRANSLATIONS / "update.sh"), "--check"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# One word per concept (issue 9): the term the catalog uses -> the synonyms it must not use.
TERMS = {"服务工单": ("售后服务单",), "催收": ("催款",), "未收": ("未回款",), "处罚": ("惩罚",)}


def test_zh_uses_one_term_per_concept():
    cat = load(TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po")
    strings = [s for m in cat if m.id for s in forms(m)]
    for term, synonyms in TERMS.items():
        assert any(term in s for s in strings), term
        for synonym in synonyms:
            assert [s for s in strings if synonym in s] == [], f"{synonym}: use {term}"
    # A shipment that came back is 已退货 (a returned gift stays 已退还).
    assert cat.get("Returned", context="shipment").string == "已退货"
