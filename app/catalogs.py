"""The compiled translation catalogs (``messages.mo``) are not in git: the application compiles a
missing or outdated one itself when it starts, so ``gunicorn run:app`` and ``flask run`` in a fresh
clone serve the Chinese UI like ``scripts/serve.sh`` does.

Several gunicorn workers may start at once: each writes its own temporary file next to the
catalog and renames it over ``messages.mo`` (``os.replace`` is atomic), so a worker reads either
the old catalog or a whole new one, never a half-written file. ``translations/compile.sh`` stays
the check for translators (it refuses untranslated entries); here every translated entry counts.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)


class CatalogError(RuntimeError):
    """A catalog the portal needs is missing or cannot be compiled."""


def _outdated(po: Path, mo: Path) -> bool:
    return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime


def compile_catalog(po: Path, locale: str) -> None:
    mo = po.with_suffix(".mo")
    with po.open("rb") as f:
        catalog = read_po(f, locale=locale)
    fd, tmp = tempfile.mkstemp(dir=po.parent, prefix=".messages-", suffix=".mo")
    try:
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog)
        os.replace(tmp, mo)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ensure_compiled(directories: str, locales) -> list[Path]:
    """Compile every ``<dir>/<locale>/LC_MESSAGES/messages.po`` whose ``.mo`` is missing or older;
    returns the catalogs compiled. ``directories`` is Flask-Babel's setting (``;``-separated)."""
    compiled = []
    for directory in filter(None, directories.split(";")):
        for locale in locales:
            po = Path(directory) / locale / "LC_MESSAGES" / "messages.po"
            if not po.exists():
                raise CatalogError(f"The translation catalog {po} is missing: restore it from git "
                                   "(git checkout translations) and start again.")
            if not _outdated(po, po.with_suffix(".mo")):
                continue
            try:
                compile_catalog(po, locale)
            except Exception as exc:
                raise CatalogError(f"The translation catalog {po} could not be compiled ({exc}): "
                                   "run bash translations/compile.sh and start again.") from exc
            log.info("Compiled the %s translations (%s)", locale, po.with_suffix(".mo"))
            compiled.append(po.with_suffix(".mo"))
    return compiled
