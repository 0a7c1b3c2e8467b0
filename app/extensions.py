"""Extension singletons. AppBuilder itself is created per app in ``create_app`` (fab-notes)."""

from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event

from .models.base import metadata

db = SQLA(metadata=metadata)
csrf = CSRFProtect()
# Batch mode lets SQLite alter tables; compare types so autogenerate sees column changes.
migrate = Migrate(render_as_batch=True, compare_type=True)


def enforce_sqlite_foreign_keys(engine) -> None:
    """SQLite ignores foreign keys unless asked per connection; PostgreSQL always enforces them."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _fk_on(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()
