"""What start-up logs is read by a person: FAB's notes that are no problem are left out, every
other warning still shows.

FAB builds a search filter for every column of every view and API, and warns about each column
type it has no filter for (times of day, JSON): such a column is simply not searchable, at every
start of every process. (Its other flood, a warning per scoped permission at each ``roles sync``,
is fixed at its cause: ``PortalSecurityManager.add_permissions_view``.)"""

from __future__ import annotations

import logging

NOT_SEARCHABLE = "Filter type not supported for column"


class _DropNotes(logging.Filter):
    def __init__(self, *prefixes: str):
        super().__init__()
        self.prefixes = prefixes

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.prefixes)


def install() -> None:
    logger = logging.getLogger("flask_appbuilder.models.filters")
    if not any(isinstance(f, _DropNotes) for f in logger.filters):
        logger.addFilter(_DropNotes(NOT_SEARCHABLE))
