"""Texts FAB's bundled scripts show, in the page's language.

Select2 4.0 ships only its English texts (no i18n files in FAB's static folder), FAB's ``ab.js``
passes English placeholders ("Select", "Select a State") and ``ab_actions.js`` alerts "No row
selected". The layout renders these texts into a data attribute (no inline script: the CSP allows
none without the nonce) and ``static/js/client-texts.js`` hands them to Select2 and FAB's alert.
``%(n)s`` stands for a number the script fills in.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SELECT2 = {
    "errorLoading": _l("The results could not be loaded."),
    "inputTooLong": _l("Please delete %(n)s characters"),
    "inputTooShort": _l("Please enter %(n)s or more characters"),
    "loadingMore": _l("Loading more results…"),
    "maximumSelected": _l("You can only select %(n)s items"),
    "noResults": _l("No results found"),
    "searching": _l("Searching…"),
    "removeAllItems": _l("Remove all items"),
}

# FAB's own English strings in its scripts → what the page shows instead.
FAB_SCRIPT_TEXTS = {
    "Select": _l("Select"),
    "Select a State": _l("Select"),
    "No row selected": _l("No row selected"),
}


def client_texts() -> dict:
    return {
        "select2": {k: str(v) for k, v in SELECT2.items()},
        "fab": {k: str(v) for k, v in FAB_SCRIPT_TEXTS.items()},
    }
