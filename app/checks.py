"""Start-up checks (in the spirit of Django's system checks): the descriptions the portal is
generated from agree with each other and with the models, or the portal does not start.

They compare the registry (``app.registry``: entries, their access rows, labels and validation
rules), the labels and both catalogs (``app.labels``, ``translations/``) and the workflows
(``app.workflow.definitions``) with the models, and name every disagreement in one message:
a column a screen, a label or a validation rule names that the model does not have (or a rule on
a column of the wrong type), a matrix row for an entity the registry does not know (or an entity
without one), an approve right no workflow step uses, a workflow state that is not a member of
its field's enum, a column without a label or without its translation. A malformed access cell
stops the import of the registry itself (``app.security.matrix.build_matrix``).

``run_checks`` runs at every start (``create_app``) and in ``tests/test_checks.py``, which also
shows that each kind of disagreement is found.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from babel.messages.pofile import read_po
from sqlalchemy import Date, DateTime, Integer, Numeric, Time, inspect
from sqlalchemy.orm import RelationshipDirection

from .locks import read_transaction
from .registry import ENTITIES, MATRIX, Entity
from .security.matrix import ADMIN, ROLES
from .workflow.definitions import WORKFLOWS, Workflow


class ConfigurationError(RuntimeError):
    """The portal's descriptions disagree; the message lists every disagreement."""


def _attributes(model) -> set[str]:
    """Every name a screen may show of a model: columns, relationships, properties."""
    mapper = inspect(model)
    names = set(mapper.attrs.keys())
    names.update(n for n in dir(model) if isinstance(getattr(model, n, None), property))
    return names


def _path_ok(model, path: str) -> bool:
    """A dotted anchor (``customer.owner_id``): relationships, then a column."""
    *rels, col = path.split(".")
    for rel in rels:
        prop = inspect(model).relationships.get(rel)
        if prop is None or prop.direction is not RelationshipDirection.MANYTOONE:
            return False
        model = prop.mapper.class_
    return col in inspect(model).columns


def registry_problems(entities: Iterable[Entity]) -> list[str]:
    entities = tuple(entities)
    names = {e.name for e in entities}
    out = []
    for e in entities:
        known = _attributes(e.model)
        for kind in ("list_columns", "search_columns", "extra_show", "readonly", "own_screen"):
            for col in getattr(e, kind):
                if col not in known and col.removesuffix("_id") not in known:
                    out.append(f"{e.name}.{kind}: {col!r} is not a column, relationship or property")
        for child in e.related:
            if child not in names:
                out.append(f"{e.name}.related: {child!r} is no entity of the registry")
        if e.order[0] not in known:
            out.append(f"{e.name}.order: {e.order[0]!r} is not a column")
        if e.anchor and not _path_ok(e.model, e.anchor):
            out.append(f"{e.name}.anchor: {e.anchor!r} does not lead to a column")
        if e.parent_lock and inspect(e.model).relationships.get(e.parent_lock[0]) is None:
            out.append(f"{e.name}.parent_lock: {e.parent_lock[0]!r} is not a relationship")
        for col, path in e.prefill.items():
            if col not in e.model.__table__.columns or not _path_ok(e.model, path):
                out.append(f"{e.name}.prefill: {col!r} from {path!r} is not a column filled from a reference")
        for col in e.labels:
            if col not in known and col.removesuffix("_id") not in known:
                out.append(f"{e.name}.labels: {col!r} is not a column, relationship or property")
        out += _typed_problems(e, "ranges", e.ranges, (Integer, Numeric), "a number column")
        out += _typed_problems(e, "positive", e.positive, (Integer, Numeric), "a number column")
        for pair in e.date_order:
            out += _typed_problems(e, "date_order", pair, (Date, DateTime, Time), "a date or time column")
    return out


def _typed_problems(e: Entity, kind: str, names, types, what: str) -> list[str]:
    """Validation rules name columns of the type they check."""
    columns = e.model.__table__.columns
    return [f"{e.name}.{kind}: {name!r} is not {what}" for name in names
            if name not in columns or not isinstance(columns[name].type, types)]


def matrix_problems(entities: Iterable[Entity], matrix: dict, workflows: dict[str, Workflow]) -> list[str]:
    names = {e.name for e in entities}
    out = []
    for role in ROLES:
        rows = matrix.get(role, {})
        for name in sorted(set(rows) - names):
            out.append(f"matrix[{role}]: {name!r} is no entity of the registry")
        for name in sorted(names - set(rows)):
            out.append(f"matrix[{role}]: no row for {name!r}")
        if role == ADMIN:  # every right on everything, by definition
            continue
        for name, cell in sorted(rows.items()):
            if cell.get("approve") is None or name not in names:
                continue
            wf = workflows.get(name)
            usable = wf is not None and any(s.verb == "approve" and s.open_to({role}) for s in wf.steps)
            if not usable:
                out.append(f"matrix[{role}][{name}]: grants approve, but no workflow step of "
                           f"{name} lets {role} approve")
    return out


def workflow_problems(entities: Iterable[Entity], workflows: dict[str, Workflow]) -> list[str]:
    by_name = {e.name: e for e in entities}
    out = []
    for name, wf in workflows.items():
        entity = by_name.get(name)
        if entity is None:
            out.append(f"workflow {name}: no such entity")
            continue
        column = inspect(entity.model).columns.get(wf.field)
        enum_cls = getattr(getattr(column, "type", None), "enum_class", None)
        if enum_cls is None:
            out.append(f"workflow {name}: {wf.field!r} is not an enum column")
            continue
        members = set(enum_cls.__members__)
        for state in sorted(wf.states() | set(wf.locked)):
            if state not in members:
                out.append(f"workflow {name}: state {state!r} is not a member of {enum_cls.__name__}")
        known = _attributes(entity.model)
        for step in wf.steps:
            for f in step.fields:
                if f not in known:
                    out.append(f"workflow {name}, step {step.name}: field {f!r} is not a column")
            for role in step.roles:
                if role not in ROLES:
                    out.append(f"workflow {name}, step {step.name}: {role!r} is no role")
    for e in entities:
        if e.parent_lock:
            rel = inspect(e.model).relationships.get(e.parent_lock[0])
            parent = rel.mapper.class_.__name__ if rel is not None else None
            wf = workflows.get(parent)
            if wf is None:
                out.append(f"{e.name}.parent_lock: {parent} has no workflow")
            else:
                enum_cls = inspect(rel.mapper.class_).columns[wf.field].type.enum_class
                for state in e.parent_lock[1]:
                    if state not in enum_cls.__members__:
                        out.append(f"{e.name}.parent_lock: {state!r} is not a state of {parent}")
    return out


def _labels_shown(e: Entity) -> set[str]:
    return {*e.record_columns(), *e.list_columns, *e.search_columns, *e.extra_show}


def label_problems(entities: Iterable[Entity], catalogs: dict[str, dict[str, str]]) -> list[str]:
    """Every column a screen shows has a label, and each label is translated in every catalog
    (``catalogs``: locale -> {msgid: msgstr})."""
    out = []
    for e in entities:
        for col in sorted(_labels_shown(e)):
            label = e.column_labels([col]).get(col)
            if label is None:
                out.append(f"{e.name}.{col}: no label (app/labels.py or the entry's labels)")
                continue
            # The message id of a lazy string: flask_babel keeps it as the first argument.
            msgid = label._args[0] if hasattr(label, "_args") else str(label)
            for locale, messages in sorted(catalogs.items()):
                if not messages.get(msgid):
                    out.append(f"{e.name}.{col}: label {msgid!r} is not translated in {locale}")
    return out


def read_catalogs(directory: str | Path, locales: Iterable[str]) -> dict[str, dict[str, str]]:
    out = {}
    for locale in locales:
        po = Path(directory) / locale / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as f:
            catalog = read_po(f, locale=locale)
        out[locale] = {m.id: m.string for m in catalog if m.id and isinstance(m.id, str)}
    return out


def problems(catalogs: dict[str, dict[str, str]]) -> list[str]:
    return [*registry_problems(ENTITIES), *matrix_problems(ENTITIES, MATRIX, WORKFLOWS),
            *workflow_problems(ENTITIES, WORKFLOWS), *label_problems(ENTITIES, catalogs)]


def run_checks(app) -> None:
    """Raise ``ConfigurationError`` naming every disagreement (the portal does not start)."""
    # The portal's catalogs (FAB's strings in them): the last of Babel's directories.
    own = app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")[-1]
    found = problems(read_catalogs(own, app.config["LANGUAGES"]))
    if found:
        raise ConfigurationError("The portal's descriptions disagree:\n  " + "\n  ".join(found))


def schema_behind(engine, directory: str | Path) -> str | None:
    """``None`` when the database is at the migrations' head; else a sentence for the log saying
    what it is at and what to run (an unmigrated database would otherwise fail every page)."""
    heads = set(ScriptDirectory(str(directory)).get_heads())
    # Only a read, on a connection of its own: it need not wait for a writer (SQLite, a POST).
    with read_transaction(), engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    if current == heads:
        return None
    return (f"the database schema is at {', '.join(sorted(current)) or 'nothing (empty)'}, the code "
            f"needs {', '.join(sorted(heads))}: run `flask db upgrade` (and `flask roles sync`)")
