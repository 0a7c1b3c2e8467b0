"""Settings: the regulation's configurable figures (app.policy) with their defaults, for admins.

Every key is listed with its clause, its default and the value in force; saving a value checks it
with the key's parser (a refused value changes nothing) and records the change in the change
history like any business record.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from .. import history, locks, policy
from ..extensions import db
from ..models import PolicyKey, PolicySetting
from ..models.orders import Department
from ..queries import settings
from ..queries.people import active_employees


def signer_choices() -> dict:
    """The order-review signers widget: departments, the active employees, who is named now."""
    people = active_employees()
    named = policy.get(PolicyKey.order_review_signers)
    return {"departments": list(Department), "people": people,
            "named": {d.name: named.get(d, frozenset()) for d in Department}}


class SettingsView(BaseView):
    route_base = "/settings"
    default_view = "show"
    class_permission_name = "PolicySettings"
    method_permission_name = {"show": "settings", "save": "settings"}
    menu_label = _l("Settings")

    @expose("/", methods=["GET"])
    @has_access
    def show(self, errors=None, status=200):
        rows = settings.overrides()
        items = [
            {"key": key.name, "label": key.label, "clause": d.clause,
             "default": policy.describe(policy.parse(key, d.text)),
             "value": rows[key].value if key in rows else "", "note": rows[key].note if key in rows else "",
             "in_force": policy.describe(policy.get(key)), **_widget(key, rows.get(key))}
            for key, d in policy.DEFAULTS.items()
        ]
        return self.render_template("portal/settings.html", items=items, errors=errors or {},
                                    signers=signer_choices()), status

    @expose("/", methods=["POST"])
    @has_access
    def save(self):
        name = request.form.get("key", "")
        if name not in PolicyKey.__members__:
            return self.show(errors={"_": str(_l("Unknown setting."))}, status=422)
        key = PolicyKey[name]
        text = _submitted(key)
        row = settings.override(key)
        old = row.value if row else None
        if text:
            try:
                policy.parse(key, text)
            except policy.PolicyValueError as exc:
                return self.show(errors={name: str(exc.args[0])}, status=422)
            if row is None:
                row = PolicySetting(key=key, value=text)
                db.session.add(row)
            row.value = text
            row.note = request.form.get("note", "").strip()[:300] or None
        elif row is not None:
            db.session.delete(row)  # back to the default
        try:  # another administrator saving this setting at the same moment: 409, nothing saved
            with locks.conflicts():
                db.session.flush()
                if old != (text or None):
                    history.record_update(db.session, "PolicySetting", list(PolicyKey).index(key) + 1,
                                          {name: [old, text or None]})
                db.session.commit()
        except locks.Conflict as exc:
            return self.show(errors={"_": str(exc)}, status=409)
        flash(str(_l("Setting saved.")), "success")
        return redirect(url_for(".show"))


def _widget(key: PolicyKey, row) -> dict:
    """What the template needs to draw the key's widget, filled with the stored override."""
    kind, default = policy.widget(key), policy.parse(key, policy.DEFAULTS[key].text)
    try:
        value = policy.parse(key, row.value) if row is not None else None
    except policy.PolicyValueError:
        value = None  # a value written before a rule tightened: the field starts empty
    if isinstance(kind, policy.Choices):
        chosen = set(value or ())
        return {"kind": "choices", "choices": [(m.name, m.label, m in chosen) for m in kind.enum]}
    if isinstance(kind, policy.PerKey):
        options = [(m.name, m.label) for m in kind.values] if kind.values else None
        if kind.text and value is None:
            value = default  # text fields start from what is in force: edit one, keep the others
        return {"kind": "per_key", "options": options, "text": kind.text, "fields": [
            (k.name, k.label, "" if value is None else getattr(value[k], "name", value[k]),
             getattr(default[k], "name", default[k])) for k in kind.keys]}
    return {"kind": "text"}


def _submitted(key: PolicyKey) -> str:
    """The setting's text in its stored format, from the key's widget ("" means the default). A
    plain ``value`` (what the form of a one-field setting sends) is taken as the stored text."""
    kind = policy.widget(key)
    if kind == "signers" and "value" not in request.form:  # one employee picker per department
        return policy.signers_text(request.form)
    if isinstance(kind, policy.Choices):
        return ",".join(v.strip() for v in request.form.getlist("value") if v.strip())
    if isinstance(kind, policy.PerKey) and any(f"value.{k.name}" in request.form for k in kind.keys):
        pairs = [(k.name, request.form.get(f"value.{k.name}", "").strip()) for k in kind.keys]
        # An empty field is left out: the parser then names every key that needs a value.
        return ",".join(f"{k}:{v}" for k, v in pairs if v)
    return request.form.get("value", "").strip()
