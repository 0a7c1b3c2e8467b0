"""Read-only journals for administrators: business-record changes and login attempts.

Only list and show exist as permissions, so nobody, administrators included, can add, edit or
delete an entry through the UI; there is no API for them.
"""

from __future__ import annotations

from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from ..display import display, enum_display
from ..extensions import db
from ..models import ChangeLog, LoginEvent
from ..models.history import ChangeAction, LoginEventKind
from ..models.logins import SessionEnd
from .routing import QueryGuard

READ_ONLY = ["can_list", "can_show"]


class ChangeLogView(QueryGuard, ModelView):
    download = None  # no uploads: FAB's download route is not registered (see security.manager.guarded)
    datamodel = SQLAInterface(ChangeLog, db.session)
    base_permissions = READ_ONLY
    list_title = show_title = _l("Change history")
    list_columns = ["at", "username", "source", "entity", "row_id", "action"]
    show_columns = [*list_columns, "changes"]
    search_columns = ["entity", "row_id", "username", "action", "at"]
    base_order = ("id", "desc")
    label_columns = {
        "at": _l("When"), "username": _l("Who"), "source": _l("Channel"), "entity": _l("Record type"),
        "row_id": _l("Record ID"), "action": _l("What"), "changes": _l("Changes"),
    }
    formatters_columns = {"at": display, "action": enum_display(ChangeAction)}


class LoginEventView(QueryGuard, ModelView):
    download = None
    datamodel = SQLAInterface(LoginEvent, db.session)
    base_permissions = READ_ONLY
    list_title = show_title = _l("Login journal")
    list_columns = ["at", "username", "kind", "success", "channel", "ip", "actor"]
    show_columns = [*list_columns, "reason"]
    search_columns = ["username", "kind", "success", "at"]
    base_order = ("id", "desc")
    label_columns = {
        "at": _l("When"), "username": _l("Login"), "kind": _l("What"), "success": _l("Succeeded"),
        "channel": _l("Channel"), "ip": _l("IP address"), "actor": _l("By administrator"),
        "reason": _l("Why"),
    }
    formatters_columns = {"at": display, "success": display, "kind": enum_display(LoginEventKind),
                          "reason": enum_display(SessionEnd)}
