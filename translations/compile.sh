#!/usr/bin/env bash
# Check and compile the zh and en catalogs into messages.mo; exit non-zero on any problem.
#
# Fails when a catalog
#   - is missing, or lacks a msgid of translations/messages.pot (run translations/update.sh),
#   - has an entry that is untranslated (any plural form empty) or fuzzy (listed by msgid),
#   - has a msgstr whose placeholders (%(name)s, %s, {name}) differ from its msgid's,
#   - or when pybabel compile reports an error.
#
# python and pybabel are taken from PATH (activate the virtualenv first).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
T=translations
LOCALES=(zh en)
status=0

python - "$T" "${LOCALES[@]}" <<'PY' || status=1
import os
import re
import sys
from collections import Counter

from babel.messages.pofile import read_po

root, *locales = sys.argv[1:]

NAMED = re.compile(r"%\(([^)]+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
POSITIONAL = re.compile(r"%(?!\()[#0 +-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa]")
BRACE = re.compile(r"\{([^{}]*)\}")


def placeholders(text):
    text = text.replace("%%", "").replace("{{", "").replace("}}", "")
    return (
        Counter(NAMED.findall(text)),
        POSITIONAL.findall(text),
        Counter(BRACE.findall(text)),
    )


with open(f"{root}/messages.pot", "rb") as f:
    template = [(m.id, m.context) for m in read_po(f) if m.id]

problems = 0
for loc in locales:
    path = f"{root}/{loc}/LC_MESSAGES/messages.po"
    if not os.path.exists(path):
        print(f"{path}: missing (run bash translations/update.sh)")
        problems += 1
        continue
    with open(path, "rb") as f:
        catalog = read_po(f)
    if catalog.fuzzy:
        print(f"{path}: the catalog header is marked fuzzy")
        problems += 1
    for mid, context in template:
        if catalog.get(mid, context) is None:
            print(f"{path}: msgid {mid!r} of messages.pot is missing (run bash translations/update.sh)")
            problems += 1
    for m in catalog:
        if not m.id:
            continue
        where = f"{path}:{m.lineno}"
        forms = list(m.string) if isinstance(m.string, (tuple, list)) else [m.string]
        if m.pluralizable and len(forms) != catalog.num_plurals:
            print(f"{where}: {len(forms)} plural forms, the locale has {catalog.num_plurals}: {m.id!r}")
            problems += 1
        if not all(forms):
            print(f"{where}: untranslated: {m.id!r}")
            problems += 1
            continue
        if m.fuzzy:
            print(f"{where}: fuzzy: {m.id!r}")
            problems += 1
        ids = list(m.id) if isinstance(m.id, (tuple, list)) else [m.id]
        allowed = [placeholders(i) for i in ids]
        for form in forms:
            if placeholders(form) not in allowed:
                print(f"{where}: placeholders of {form!r} differ from those of {m.id!r}")
                problems += 1
    translated = sum(1 for m in catalog if m.id)
    print(f"{path}: {translated} messages checked")

if problems:
    print(f"{problems} problem(s) in the catalogs", file=sys.stderr)
    sys.exit(1)
PY

for loc in "${LOCALES[@]}"; do
    if [ -f "$T/$loc/LC_MESSAGES/messages.po" ]; then
        pybabel compile -d "$T" -l "$loc" --statistics || status=1
    else
        status=1
    fi
done

if [ "$status" -ne 0 ]; then
    echo "compile.sh: FAILED" >&2
fi
exit "$status"
