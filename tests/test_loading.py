"""What a list loads (``app.queries.loading``): a row's name is built from its own columns and the
references its model lists in ``label_reads``, and from nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import raiseload

from app.extensions import db
from app.queries.loading import label_reads, named
from app.registry import ENTITIES
from tests.conftest import employee
from tests.factories import make


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: e.name)
def test_a_row_is_named_from_its_label_reads_only(app, entity):
    """Loaded with its ``label_reads`` (and theirs) and every other relationship refusing to load,
    ``str()`` of a row still works: the list of what a name reads is complete."""
    model = entity.model
    with app.app_context():
        owner = employee("sales1")
        pk = make(model, owner, **({"team_id": owner.team_id} if entity.name == "Employee" else {})).id
        db.session.expunge_all()
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
