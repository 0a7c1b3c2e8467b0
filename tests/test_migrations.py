"""The schema comes from Alembic only, and the migrations match the models exactly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from app import create_app
from app.extensions import db
from app.models import metadata
from app.models.base import include_object

# Migrations run DDL on databases of their own and compare committed schemas.
pytestmark = pytest.mark.commits


def _diff(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True,
                                                     "include_object": include_object(engine.dialect.name)})
        return compare_metadata(ctx, metadata)


def test_upgraded_database_matches_models(app):
    """The session database was built by `flask db upgrade`: autogenerate finds nothing to add."""
    with app.app_context():
        assert _diff(db.engine) == []


def test_upgrade_from_empty_then_downgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    fresh = create_app("config", SQLALCHEMY_DATABASE_URI=url, TESTING=True,
                       SECRET_KEY="test-secret-key-of-at-least-32-bytes-long")
    with fresh.app_context():
        engine = create_engine(url)
        assert inspect(engine).get_table_names() == []  # the app creates no table itself
        upgrade()
        names = set(inspect(engine).get_table_names())
        assert {"customer", "receivable", "ab_user", "alembic_version"} <= names
        assert _diff(engine) == []
        downgrade(revision="base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        engine.dispose()


def test_foreign_keys_are_enforced(app):
    """A customer with a contract cannot be deleted out from under it (SQLite included)."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from app.models import Contract, Customer
    from tests.conftest import employee
    from tests.factories import make

    with app.app_context():
        contract = make(Contract, employee("sales1"))
        customer_id = contract.customer_id
        db.session.delete(db.session.get(Customer, customer_id))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        assert db.session.get(Customer, customer_id) is not None
