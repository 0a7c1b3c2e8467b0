"""Employees by id or login: the names the pages show (the views format them)."""

from __future__ import annotations

from sqlalchemy import select

from .. import models as m
from ..extensions import db
from ..security.scope import scoped


def employee_names(user_ids) -> dict[int, str]:
    """{user id: the name of the employee who signs in as that user} for the given logins."""
    users = {u for u in user_ids if u}
    if not users:
        return {}
    return dict(db.session.execute(select(m.Employee.user_id, m.Employee.name)
                                   .where(m.Employee.user_id.in_(users))).all())


def names(employee_ids) -> list[tuple]:
    """(id, name, English name) of the given employees (the view picks the page's language)."""
    return db.session.execute(select(m.Employee.id, m.Employee.name, m.Employee.name_en).where(
        m.Employee.id.in_(list(employee_ids)))).all()


def active_employees() -> list[tuple]:
    """(id, number, name) of every active employee, by number."""
    return db.session.execute(select(m.Employee.id, m.Employee.number, m.Employee.name).where(
        m.Employee.status == m.people.EmployeeStatus.active).order_by(m.Employee.number)).all()


def readable_employees() -> list:
    """The active employees the reader may see, by number (a list's owner choice)."""
    return scoped("Employee").filter(m.Employee.status == m.people.EmployeeStatus.active).order_by(
        m.Employee.number).all()
