"""Teams, employees and their links to the demo logins."""

from __future__ import annotations

from datetime import timedelta

from ..models import Employee, Team, User
from ..models.people import EmployeeStatus, Position
from .context import Ctx, phone
from .data.people import EMAIL_DOMAIN, MARKER_NUMBER, PEOPLE, TEAMS


def add_people(ctx: Ctx, users: dict[str, User], linked: set[int]) -> None:
    rng, today = ctx.rng, ctx.today
    ctx.teams = [ctx.add(Team(name=name, region=region)) for name, region, _ in TEAMS]
    ctx.team_sales = [[] for _ in TEAMS]
    for number, username, name, name_en, position, team_idx, _role, dept, hired in PEOPLE:
        user = users.get(number)
        emp = Employee(
            number=number, name=name, name_en=name_en, department=dept, position=position,
            team=ctx.teams[team_idx] if team_idx is not None else None,
            hire_date=today - timedelta(days=hired), phone=phone(rng),
            email=f"{username or number.lower()}@{EMAIL_DOMAIN}",
            status=EmployeeStatus.left if number == "E0023" else EmployeeStatus.active,
        )
        if user is not None and user.id not in linked:
            emp.user_id = user.id
            linked.add(user.id)
        ctx.emp[number] = ctx.add(emp)
        if position is Position.supervisor:
            ctx.teams[team_idx].supervisor = emp
        elif position is Position.salesperson and team_idx is not None:
            ctx.team_sales[team_idx].append(emp)
    manager = ctx.emp[MARKER_NUMBER]
    for team, members in zip(ctx.teams, ctx.team_sales, strict=True):
        team.supervisor.manager = manager
        for e in members:
            e.manager = team.supervisor
    ctx.emp["E0023"].manager = ctx.teams[2].supervisor
    ctx.sales = [e for members in ctx.team_sales for e in members]
    ctx.sales.sort(key=lambda e: e.number)
    ctx.team_of = {e.number: i for i, members in enumerate(ctx.team_sales) for e in members}
