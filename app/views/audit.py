"""Read-only journals for administrators: business-record changes and login attempts.

Only list and show exist as permissions, so nobody, administrators included, can add, edit or
delete an entry through the UI; there is no API for them.
"""

from __future__ import annotations

from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from .. import policy
from ..display import display, enum_display
from ..extensions import db
from ..history import described
from ..models import ChangeLog, LoginEvent, PolicyKey
from ..models.history import ChangeAction, ChangeSource, LoginChannel, LoginEventKind
from ..models.logins import SessionEnd
from ..registry import BY_NAME
from .routing import QueryGuard

READ_ONLY = ["can_list", "can_show"]
SETTINGS = "PolicySetting"  # the Settings screen's entries (app.views.settings); no registry entity


def entity_label(name: str):
    """A record type by its translated name (the journal stores the model's class name)."""
    if name == SETTINGS:
        return _l("Settings")
    return BY_NAME[name].label if name in BY_NAME else name


def _setting_fields(changes: dict) -> list[tuple]:
    def value(key, text):
        try:
            return policy.describe(policy.parse(key, text)) if text is not None else ""
        except policy.PolicyValueError:
            return text
    return [(PolicyKey[name].label, value(PolicyKey[name], old), value(PolicyKey[name], new))
            for name, (old, new) in changes.items() if name in PolicyKey.__members__]


def changes_html(entry: ChangeLog) -> Markup:
    entity = BY_NAME.get(entry.entity)
    if entry.entity == SETTINGS:
        fields = _setting_fields(entry.changes)
    elif entity is None:
        return escape(str(entry.changes))
    else:
        (fields,) = described(entity, [entry])
    return Markup("").join(Markup("<div><strong>{}</strong>: {} → {}</div>").format(label, old, new)
                           for label, old, new in fields)


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
    formatters_columns = {"at": display, "action": enum_display(ChangeAction),
                          "source": enum_display(ChangeSource), "entity": entity_label,
                          "username": lambda login: login or gettext("System")}

    def _get_show_widget(self, pk, item, **kwargs):
        """The changes read like the record page's history (labels, names, translated values):
        FAB hands a formatter only the value, and reading the dict needs the entry's entity."""
        widgets = super()._get_show_widget(pk, item, **kwargs)
        widgets["show"].template_args["formatters_columns"] = {
            **self.formatters_columns, "changes": lambda _value: changes_html(item)}
        return widgets



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
                          "reason": enum_display(SessionEnd), "channel": enum_display(LoginChannel),
                          "actor": display, "ip": display}
