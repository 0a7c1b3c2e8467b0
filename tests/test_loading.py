"""What a list loads (``app.queries.loading``): a row's name is built from its own columns and the
references its model lists in ``label_reads``, and from nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import load_only, raiseload

from app.extensions import db
from app.queries.loading import label_columns, label_reads, named, picker_loads
from app.registry import ENTITIES
from tests.conftest import employee
from tests.factories import make


def _saved_row(entity) -> int:
    """The id of a saved row of ``entity`` (sales1's), with the session emptied so it loads afresh."""
    owner = employee("sales1")
    pk = make(entity.model, owner, **({"team_id": owner.team_id} if entity.name == "Employee" else {})).id
    db.session.expunge_all()
    return pk


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: e.name)
def test_a_row_is_named_from_its_label_reads_only(app, entity):
    """Loaded with its ``label_reads`` (and theirs) and every other relationship refusing to load,
    ``str()`` of a row still works: the list of what a name reads is complete."""
    model = entity.model
    with app.app_context():
        pk = _saved_row(entity)
        options = [named(getattr(model, key), raiseload) for key in label_reads(model)]
        row = db.session.query(model).options(*options, raiseload("*")).filter(model.id == pk).one()
        assert str(row)


def test_a_name_that_reads_an_unlisted_reference_is_refused(app):
    """The check above can fail: a shipment is named by its order, which it must list."""
    from app.models import Shipment

    with app.app_context():
        pk = make(Shipment, employee("sales1")).id
        db.session.expunge_all()
        row = db.session.query(Shipment).options(raiseload("*")).filter(Shipment.id == pk).one()
        with pytest.raises(InvalidRequestError, match="lazy=.raise"):
            str(row)


@pytest.mark.parametrize("entity", [e for e in ENTITIES if label_columns(e.model)], ids=lambda e: e.name)
def test_a_picker_option_is_named_from_its_label_columns_only(app, entity):
    """A form's picker loads only the columns a model's name reads (``label_columns``): loaded
    with those alone, every other column refusing to load, ``str()`` of the row still works."""
    model = entity.model
    with app.app_context():
        pk = _saved_row(entity)
        columns = [getattr(model, c) for c in label_columns(model)]
        row = db.session.query(model).options(load_only(*columns, raiseload=True), raiseload("*")) \
            .filter(model.id == pk).one()
        assert str(row)
        assert picker_loads(model)  # and the pickers use them


def test_a_name_that_reads_an_unlisted_column_is_refused(app):
    """The check above can fail: a customer is named by its code and its name."""
    from app.models import Customer

    with app.app_context():
        pk = make(Customer, employee("sales1")).id
        db.session.expunge_all()
        row = db.session.query(Customer).options(load_only(Customer.name, raiseload=True)) \
            .filter(Customer.id == pk).one()
        with pytest.raises(InvalidRequestError, match="raiseload"):
            str(row)
