"""Extension singletons. AppBuilder itself is created per app in ``create_app`` (fab-notes)."""

from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from .models.base import metadata

db = SQLA(metadata=metadata)
csrf = CSRFProtect()
# Batch mode lets SQLite alter tables; compare types so autogenerate sees column changes.
migrate = Migrate(render_as_batch=True, compare_type=True)
