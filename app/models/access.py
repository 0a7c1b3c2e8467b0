"""The access grid's revision: one number that changes whenever any role's permissions may have.

Every change of FAB's permission tables (``ab_permission``, ``ab_view_menu``,
``ab_permission_view``, ``ab_permission_view_role``), by whatever path (the permission grid,
FAB's screens and REST API, ``flask roles sync``, a migration, plain SQL), bumps it by a database
trigger in the same transaction (migration ``a1c3e5f7b9d2``). A process may keep a set of roles'
permissions for as long as the number it read them at is the one in the database
(``app.security.grants``): the login session check reads it with the session row, so knowing
it costs no statement.
"""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model

# The tables whose rows make up what a role is allowed: the triggers are on these.
GRID_TABLES = ("ab_permission", "ab_view_menu", "ab_permission_view", "ab_permission_view_role")


class AccessRevision(Model):
    __tablename__ = "access_revision"
    id: Mapped[int] = mapped_column(primary_key=True)  # the one row: 1
    value: Mapped[int] = mapped_column(BigInteger)
