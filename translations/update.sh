#!/usr/bin/env bash
# Refresh translations/messages.pot and the zh / en catalogs from the sources.
#
#   bash translations/update.sh           extract, merge, update (or init) both catalogs
#   bash translations/update.sh --check   only tell whether messages.pot is current (exit 1 if not)
#
# The POT holds every msgid of the portal (app/**.py, app/templates/**.html, see babel.cfg) AND of
# the installed Flask-AppBuilder (its python and templates, see babel_fab.cfg): FAB's own catalogs
# are loaded first and ours are merged over them, so ours must fill the strings FAB's zh catalog
# lacks. Existing translations are kept; new msgids arrive untranslated (no fuzzy matching) and
# translations/compile.sh lists them until someone translates them in translations/zh/.../messages.po.
# The English catalog is kept complete automatically: an empty English msgstr gets its msgid.
#
# python and pybabel are taken from PATH (activate the virtualenv first).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
T=translations
POT="$T/messages.pot"
LOCALES=(zh en)
KEYWORDS=(-k _l -k lazy_gettext -k "lazy_ngettext:1,2" -k "_p:1c,2" -k "lazy_pgettext:1c,2" -k "pgettext:1c,2" -k __ -k lazy_formatter_gettext)
EXTRACT_OPTS=(--add-comments=TRANSLATORS: --project=sales-portal --version=1.0 --copyright-holder="Sales department")

CHECK=0
case "${1:-}" in
    "") ;;
    --check) CHECK=1 ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

FAB_DIR="$(python -c 'import flask_appbuilder, os; print(os.path.dirname(os.path.abspath(flask_appbuilder.__file__)))')"
FAB_PARENT="$(dirname "$FAB_DIR")"
FAB_PKG="$(basename "$FAB_DIR")"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# 1. Extract. The app from the repository root (locations app/...); FAB from its parent directory
#    (locations flask_appbuilder/...) so no machine-specific path lands in the POT.
pybabel -q extract -F "$T/babel.cfg" "${KEYWORDS[@]}" "${EXTRACT_OPTS[@]}" -o "$TMP/app.pot" .
(cd "$FAB_PARENT" && pybabel -q extract -F "$ROOT/$T/babel_fab.cfg" "${KEYWORDS[@]}" "${EXTRACT_OPTS[@]}" \
    -o "$TMP/fab.pot" "$FAB_PKG")

# 2. Merge both into one template. A msgid used by both keeps one entry with both locations.
#    messages.pot is rewritten only when something besides its creation date changed.
python - "$TMP/app.pot" "$TMP/fab.pot" "$POT" "$CHECK" <<'PY'
import io
import os
import sys

from babel.messages.pofile import read_po, write_po

app_pot, fab_pot, out, check = sys.argv[1:5]
with open(app_pot, "rb") as f:
    merged = read_po(f)
with open(fab_pot, "rb") as f:
    fab = read_po(f)
for message in fab:
    if message.id:
        merged[message.id] = message  # Catalog.__setitem__ merges locations and flags


def render(catalog):
    buf = io.BytesIO()
    write_po(buf, catalog)
    return buf.getvalue()


old = None
if os.path.exists(out):
    with open(out, "rb") as f:
        old_bytes = f.read()
    old = read_po(io.BytesIO(old_bytes))
    merged.creation_date = old.creation_date
    if render(merged) == old_bytes:
        print(f"{out}: unchanged ({len(merged)} messages)")
        sys.exit(0)

if check == "1":
    def keys(catalog):
        return {(m.context, m.id) for m in catalog if m.id} if catalog is not None else set()

    new_keys, old_keys = keys(merged), keys(old)
    for ctx, mid in sorted(new_keys - old_keys, key=str):
        print(f"missing from {out}: {mid!r}", file=sys.stderr)
    for ctx, mid in sorted(old_keys - new_keys, key=str):
        print(f"no longer in the sources: {mid!r}", file=sys.stderr)
    if new_keys != old_keys or old is None:
        print(f"{out} is out of date: run bash translations/update.sh", file=sys.stderr)
        sys.exit(1)
    print(f"{out}: same messages as the sources (only locations or comments differ)")
    sys.exit(0)

with open(out, "wb") as f:
    f.write(render(merged))
print(f"{out}: written ({len(merged)} messages)")
PY

if [ "$CHECK" = 1 ]; then
    exit 0
fi

# 3. Update (or create) the catalogs. No fuzzy matching: a new msgid starts untranslated rather
#    than with a guessed translation. Entries whose msgid left the sources stay as obsolete (#~).
for loc in "${LOCALES[@]}"; do
    po="$T/$loc/LC_MESSAGES/messages.po"
    if [ -f "$po" ]; then
        pybabel -q update -i "$POT" -d "$T" -l "$loc" --no-fuzzy-matching
    else
        pybabel -q init -i "$POT" -d "$T" -l "$loc"
    fi
done

# 4. English: msgstr = msgid wherever it is empty (plural forms: singular, then plural).
#    Then report what still needs translating (compile.sh fails on it).
python - "$T" "${LOCALES[@]}" <<'PY'
import io
import sys

from babel.messages.pofile import read_po, write_po

root, *locales = sys.argv[1:]
for loc in locales:
    path = f"{root}/{loc}/LC_MESSAGES/messages.po"
    with open(path, "rb") as f:
        before = f.read()
    catalog = read_po(io.BytesIO(before))
    if loc == "en":
        for m in catalog:
            if not m.id:
                continue
            if m.pluralizable:
                forms = list(m.string) if isinstance(m.string, (tuple, list)) else [m.string]
                forms += [""] * (catalog.num_plurals - len(forms))
                m.string = tuple(
                    f or (m.id[0] if i == 0 else m.id[1]) for i, f in enumerate(forms)
                )
            elif not m.string:
                m.string = m.id
        buf = io.BytesIO()
        write_po(buf, catalog)
        if buf.getvalue() != before:
            with open(path, "wb") as f:
                f.write(buf.getvalue())
    todo = [
        m for m in catalog
        if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else (m.string,)))
    ]
    total = sum(1 for m in catalog if m.id)
    print(f"{path}: {total} messages, {len(todo)} to translate")
    for m in todo:
        print(f"  {loc}: {m.id!r}")
PY
