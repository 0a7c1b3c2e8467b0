"""FAB's roles and permissions, for the portal's versions of FAB's user and role forms."""

from __future__ import annotations

from flask_appbuilder.security.sqla.models import PermissionView, Role

from ..extensions import db


def roles() -> list[Role]:
    """Every role (the view sorts them by their translated names)."""
    return db.session.query(Role).all()


def permission_views() -> list[PermissionView]:
    """Every permission on a view or entity (the view sorts them by their labels)."""
    return db.session.query(PermissionView).all()
