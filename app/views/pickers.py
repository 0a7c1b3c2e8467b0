"""Required many-to-one pickers start blank: FAB's select for a required relation has no empty
option, so the browser showed (and saved, if the user did not look) the first record."""

from __future__ import annotations

from flask_appbuilder.fields import QuerySelectField
from flask_babel import lazy_gettext as _l

MSG_CHOOSE = _l("Please choose")


class RequiredPicker(QuerySelectField):
    """A required relation's select with a placeholder first; choosing nothing is the field's
    DataRequired message (FAB's validators are kept), not a silently chosen first row."""

    def iter_choices(self):
        yield ("__None", str(MSG_CHOOSE), self.data is None, {})
        yield from super().iter_choices()

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0] in ("__None", ""):
            self.data = None
            return
        super().process_formdata(valuelist)

    def pre_validate(self, form):
        if self.data is not None:  # a missing value is reported by DataRequired
            super().pre_validate(form)


def use_blank_pickers(form_cls) -> None:
    """Swap FAB's select of every required relation of ``form_cls`` for ``RequiredPicker``."""
    if form_cls is None:
        return
    for name in dir(form_cls):
        unbound = getattr(form_cls, name, None)
        if getattr(unbound, "field_class", None) is QuerySelectField and \
                unbound.kwargs.get("allow_blank") is False:
            unbound.field_class = RequiredPicker
