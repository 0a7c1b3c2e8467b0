"""What a list of rows loads besides the rows: the relationships its columns show, and nothing
else (issue 11). The models' own defaults eager-load most references, and those chain (an order
joins its customer, the customer its owner, the owner his team and user...); a list that states
its columns loads those references with what their names read (a model's ``label_reads``: the
references its ``__str__`` reads, e.g. a shipment is named by its order), the collections its
columns computed in Python may read (an order's ``total`` reads its lines) one level deep, and
leaves every other relationship to load only if something touches it."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.orm import RelationshipDirection, joinedload, lazyload, load_only, selectinload


def label_reads(model) -> tuple[str, ...]:
    """The references ``str()`` of a ``model`` row reads (none unless the model says)."""
    return getattr(model, "label_reads", ())


def label_columns(model) -> tuple[str, ...]:
    """The columns ``str()`` of a ``model`` row reads, when the model says (``label_columns``) and
    its name reads no reference; otherwise none known."""
    return () if label_reads(model) else getattr(model, "label_columns", ())


def picker_loads(model) -> list:
    """Loader options for a form's picker: each option is a row's key and name, so a model that
    says which columns its name reads loads those alone, and no reference (a salesperson's
    customer picker built 100 whole customers with their owners)."""
    columns = label_columns(model)
    if not columns:
        return []
    return [load_only(*(getattr(model, c) for c in columns)), lazyload("*")]


def named(attr, rest=lazyload):
    """``joinedload(attr)`` with what the referenced row's name reads, each in turn; ``rest``
    (lazy by default) for every other relationship on the way, each named: a row loaded with
    these options and expired by a commit is read again with them (an API write's response), and
    SQLAlchemy keeps a nested option naming a relationship for that, but not a nested ``"*"``
    (the joined reference came back with its whole eager tree: an activity's six documents with
    theirs passed SQLite's 64 tables in a join)."""
    target = attr.property.mapper.class_
    reads = label_reads(target)
    return joinedload(attr).options(*(named(getattr(target, key), rest) for key in reads),
                                    *(rest(getattr(target, rel.key)) for rel in inspect(target).relationships
                                      if rel.key not in reads))


def list_loads(model, columns) -> list:
    """Loader options for rows of ``model`` shown in ``columns``: a shown reference joined with
    what its name reads, the collections selected in one statement per batch of rows, each
    without its own eager tree."""
    shown = {column.split(".")[0] for column in columns}
    mapper = inspect(model)
    # A column computed in Python (an order's total) may read the collections the model loads
    # eagerly; columns that are all mapped (a column, a reference, a SQL-computed property such
    # as an order's profit) read none, and their rows load no collection (an export of 50,000
    # orders loaded their 50,000 lines for nothing).
    computed = any(key not in mapper.attrs for key in shown)
    options = []
    for rel in mapper.relationships:
        attr = getattr(model, rel.key)
        if rel.direction is RelationshipDirection.MANYTOONE:
            if rel.key in shown:
                options.append(named(attr))
        elif computed and rel.lazy in ("selectin", "joined", "subquery"):  # what a computed column reads
            options.append(selectinload(attr).options(lazyload("*")))
    return [*options, lazyload("*")]
