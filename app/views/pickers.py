"""Pickers start blank: FAB's select for a required relation, and for any enum column, has no
empty option, so the browser showed (and saved, if the user did not look) the first record or the
first value; an optional enum could not even be left empty. A column's own default (a new
payment's method, a new visit's kind) and the owner (the user) are still preselected."""

from __future__ import annotations

from flask_appbuilder.fields import EnumField, QuerySelectField
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


class BlankFirst:
    """Mixin for an enum select: a placeholder option first, chosen while there is no value;
    choosing it is no value (FAB's InputRequired / Optional decide whether that may be saved)."""

    def iter_choices(self):
        yield ("", str(MSG_CHOOSE), self.data is None, {})
        yield from super().iter_choices()

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0] in ("", "__None"):
            self.data = None
            return
        super().process_formdata(valuelist)

    def pre_validate(self, form):
        if self.data is not None:
            super().pre_validate(form)


_BLANK_FIRST: dict[type, type] = {}


def _blank_first(cls: type) -> type:
    if cls not in _BLANK_FIRST:
        _BLANK_FIRST[cls] = type(f"BlankFirst{cls.__name__}", (BlankFirst, cls), {})
    return _BLANK_FIRST[cls]


def use_blank_pickers(form_cls) -> None:
    """Swap FAB's select of every required relation of ``form_cls`` for ``RequiredPicker`` and
    give every enum select a blank first option (after the enum fields got their labels)."""
    if form_cls is None:
        return
    for name in dir(form_cls):
        unbound = getattr(form_cls, name, None)
        cls = getattr(unbound, "field_class", None)
        if cls is QuerySelectField and unbound.kwargs.get("allow_blank") is False:
            unbound.field_class = RequiredPicker
        elif isinstance(cls, type) and issubclass(cls, EnumField) and not issubclass(cls, BlankFirst):
            unbound.field_class = _blank_first(cls)
