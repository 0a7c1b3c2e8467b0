"""Printed documents (issue 13, item 5): a quotation, a contract, a settlement notice (3.3.1) and a
dunning letter for the receivable's dunning level (3.3.2), as PDF, in Chinese or English.

Each document is one HTML template in ``app/templates/print/`` (the letterhead and the page in
``print/base.html``), rendered with the factory's details from Settings and turned into PDF by
WeasyPrint. The fonts are the machine's (Debian's ``fonts-noto-cjk``), embedded in the file as the
subset the text uses. Nothing is fetched: WeasyPrint's fetcher refuses every URL, so a template
can never reach the network or the disk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from . import models as m
from . import policy
from .clock import today
from .models.policy import PolicyKey
from .services import collection

LANGUAGES = ("zh", "en")
# The dunning levels a letter is written for (3.3.2), gentlest first.
LEVELS = collection.DUNNING_LEVELS


@dataclass(frozen=True)
class Document:
    entity: str  # the registry entity whose record it prints
    template: str
    title: object  # what the record page's link says

    def applies(self, row) -> bool:
        """Whether the record has this document now (a dunning letter: only while overdue)."""
        if self.template == "dunning_letter.html":
            return dunning_level(row) is not None
        return True


DOCUMENTS = {
    "quotation": Document("Quotation", "quotation.html", _l("Quotation (PDF)")),
    "contract": Document("Contract", "contract.html", _l("Contract (PDF)")),
    "notice": Document("Receivable", "settlement_notice.html", _l("Settlement notice (PDF)")),
    "dunning": Document("Receivable", "dunning_letter.html", _l("Dunning letter (PDF)")),
}


class NoNetwork(Exception):
    pass


def _refuse(url, *args, **kwargs):
    raise NoNetwork(url)


def dunning_level(rec: m.Receivable) -> str | None:
    return collection.dunning_level(rec.days_overdue, policy.get(PolicyKey.dunning_level_days))


def letterhead() -> dict[str, str]:
    return {key: policy.get(getattr(PolicyKey, f"letterhead_{key}")) for key in ("name", "address", "contact", "bank")}


def html(name: str, row, locale: str) -> str:
    """The document's HTML in ``locale``."""
    doc = DOCUMENTS[name]
    with force_locale(locale):
        return render_template(f"print/{doc.template}", row=row, head=letterhead(), today=today(),
                               level=dunning_level(row) if doc.entity == "Receivable" else None,
                               levels=LEVELS, locale=locale)


def pdf(name: str, row, locale: str) -> bytes:
    """The document as PDF in ``locale`` ("zh" or "en")."""
    from weasyprint import HTML  # imported when a document is printed: it loads Pango

    return HTML(string=html(name, row, locale), url_fetcher=_refuse).write_pdf()


def filename(name: str, row) -> str:
    """``QT2026-0001.pdf``: the record's number, kept to characters safe in a header."""
    number = re.sub(r"[^A-Za-z0-9._-]+", "_", str(getattr(row, "number", "") or row.id))
    return f"{number}-{name}.pdf" if name == "dunning" else f"{number}.pdf"
