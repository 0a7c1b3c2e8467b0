"""FAB's user and role screens in the portal's words: role names and permissions as the
permission grid says them (``wording``), flags and times as every other screen shows them
(``app.display``), people by their names in the page's language.

FAB prints these columns with Python's ``str``: ``True``, ``[Salesperson]`` and hundreds of
``can read team on Employee`` strings, whatever the page's language.
"""

from __future__ import annotations

from flask_appbuilder.fields import QuerySelectMultipleField
from flask_appbuilder.fieldwidgets import Select2ManyWidget
from flask_appbuilder.security import views as fab
from flask_appbuilder.security.forms import roles_or_groups_required
from flask_babel import lazy_gettext as _l

from ..display import display, user_name
from ..labels import role_label
from ..queries import accounts
from ..security.wording import permissions_text, pv_label, roles_text


def _user_ref(user) -> str:
    return user_name(user) if user is not None else ""


USER_FORMATTERS = {
    "active": display,
    "roles": roles_text,
    "groups": lambda groups: ", ".join(str(g) for g in groups or ()),
    "last_login": display,
    "login_count": display,
    "fail_login_count": display,
    "created_on": display,
    "changed_on": display,
    "created_by": _user_ref,
    "changed_by": _user_ref,
}


def _all_roles():
    return sorted(accounts.roles(), key=lambda r: str(role_label(r.name)))


def _roles_field(required: bool = True):
    """FAB's roles field of the user forms, each role by its translated name."""
    return QuerySelectMultipleField(
        fab.UserModelView.label_columns["roles"],
        description=fab.UserModelView.description_columns["roles"] if required else "",
        query_func=_all_roles,
        get_pk_func=lambda r: r.id,
        get_label=lambda r: str(role_label(r.name)),
        validators=[roles_or_groups_required] if required else [],
        widget=Select2ManyWidget(),
    )


# The screens keep FAB's class names: FAB names their permissions and endpoints after the class
# (``can_userinfo`` on ``UserDBModelView``, ``UserDBModelView.show``).
class UserDBModelView(fab.UserDBModelView):
    # The portal signs in with passwords only: FAB's help texts speak of LDAP and OID.
    description_columns = {
        **fab.UserDBModelView.description_columns,
        "username": _l("The name the user signs in with"),
        "email": _l("The user's e-mail address"),
    }
    formatters_columns = USER_FORMATTERS
    add_form_extra_fields = {**fab.UserDBModelView.add_form_extra_fields, "roles": _roles_field()}
    edit_form_extra_fields = {"roles": _roles_field()}
    search_form_extra_fields = {"roles": _roles_field(required=False)}


class PortalRoleListWidget(fab.RoleListWidget):
    template = "portal/roles_list.html"


class PortalRoleShowWidget(fab.RoleShowWidget):
    template = "portal/roles_show.html"


def _all_permission_views():
    """Every permission, in the order their labels sort (entity, then verb and scope)."""
    return sorted(accounts.permission_views(), key=pv_label)


def _permissions_field():
    return QuerySelectMultipleField(
        _l("Permissions"),
        query_func=_all_permission_views,
        get_pk_func=lambda pv: pv.id,
        get_label=pv_label,
        widget=Select2ManyWidget(),
    )


class RoleModelView(fab.RoleModelView):
    list_widget = PortalRoleListWidget
    show_widget = PortalRoleShowWidget
    label_columns = {**fab.RoleModelView.label_columns, "user": _l("Users"), "groups": _l("Groups")}
    formatters_columns = {"name": role_label, "permissions": permissions_text}
    add_form_extra_fields = {"permissions": _permissions_field()}
    edit_form_extra_fields = {"permissions": _permissions_field()}
    search_form_extra_fields = {"permissions": _permissions_field()}


class UserGroupModelView(fab.UserGroupModelView):
    """FAB gives its group screens no column labels (it shows the column names, in English)."""

    label_columns = {"name": _l("Name"), "label": _l("Label"), "description": _l("Description"),
                     "users": _l("Users"), "roles": _l("Roles")}
    formatters_columns = {"roles": roles_text,
                          "users": lambda users: ", ".join(_user_ref(u) for u in users or ())}
