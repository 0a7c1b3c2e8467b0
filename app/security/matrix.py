"""The access matrix: roles × entities × {read, write, approve} × scope, as data.

Each entity's row is part of its description (``access`` in ``app.registry``); this module says
what the cells mean and how they become permissions. ``flask roles sync`` writes it into
FAB's database roles as permissions named ``can_<verb>_<scope>`` on a view-menu named after the
entity (e.g. ``can_read_team`` on ``Customer``); administrators may then change those roles in the
UI or the permission grid, and ``flask roles sync --check`` reports the drift.

Each cell is three scopes for read, write and approve:
  ``o`` own rows, ``t`` the team's rows, ``a`` all rows, ``-`` no access.
"Own" and "team" are decided by the entity's anchor in ``app.registry`` (the employee a row hangs
off: a customer's owner, a leave request's employee, ...). For entities without an anchor (products,
competitors, plans) every scope means all rows. Admin has ``a a a`` on everything.
"""

from __future__ import annotations

from typing import Final

VERBS: Final = ("read", "write", "approve")
SCOPES: Final = ("own", "team", "all")  # ordered: each includes the one before
SCOPE_CODES: Final = {"o": "own", "t": "team", "a": "all", "-": None}

SALES, SUPERVISOR, FINANCE, HR, ADMIN = "Salesperson", "Supervisor", "Finance", "HR", "Admin"
ROLES: Final = (SALES, SUPERVISOR, FINANCE, HR, ADMIN)


def _parse(entity: str, role: str, cell: str) -> dict[str, str | None]:
    codes = cell.split()
    if len(codes) != len(VERBS) or any(c not in SCOPE_CODES for c in codes):
        raise ValueError(f"{entity}.access, {role}: {cell!r} is not three of o, t, a, - (read write approve)")
    return dict(zip(VERBS, (SCOPE_CODES[c] for c in codes), strict=True))


def build_matrix(rows: dict[str, tuple[str, ...]]) -> dict[str, dict[str, dict[str, str | None]]]:
    """``{role: {entity: {verb: scope or None}}}`` for every role, Admin included, from each
    entity's row (``{entity: (cell per role but Admin)}``, ``app.registry.Entity.access``)."""
    matrix: dict[str, dict[str, dict[str, str | None]]] = {role: {} for role in ROLES}
    for entity, cells in rows.items():
        if len(cells) != len(ROLES) - 1:
            raise ValueError(f"{entity}.access: {len(cells)} cells, one per role is {len(ROLES) - 1}")
        for role, cell in zip(ROLES[:-1], cells, strict=True):
            matrix[role][entity] = _parse(entity, role, cell)
        matrix[ADMIN][entity] = dict.fromkeys(VERBS, "all")
    return matrix


def permission_name(verb: str, scope: str) -> str:
    """The database permission of a verb in a scope (``can_read_team``)."""
    return f"{verb_permission(verb)}_{scope}"


def verb_permission(verb: str) -> str:
    """The permission a generated view asks for a verb (``can_read``), held through any scope."""
    return f"can_{verb}"


def parse_permission(name: str) -> tuple[str, str] | None:
    """``can_read_team`` → ``("read", "team")``; anything else → None."""
    parts = name.split("_")
    if len(parts) == 3 and parts[0] == "can" and parts[1] in VERBS and parts[2] in SCOPES:
        return parts[1], parts[2]
    return None


def widest(scopes) -> str | None:
    """The broadest of several scopes (a user with two roles gets the wider one)."""
    best = None
    for s in scopes:
        if s and (best is None or SCOPES.index(s) > SCOPES.index(best)):
            best = s
    return best
