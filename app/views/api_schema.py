"""What the REST API returns for a row: chosen columns, and references as ``{id, label}``.

FAB's converter nests the whole related row for every relationship in the list or show columns,
every column of it (a ``User`` row with its password hash; a customer inside an integrity record
for a reader without customer access). Here a many-to-one reference is always ``Ref``: ``{"id": 7,
"label": "华南一组"}`` when the reader may read row 7 of that entity, ``{"id": 7}`` when not; a
reference to anything that is not a business record never appears (``Entity.api_columns``).
Readability is decided in one query per referenced entity for a whole page
(``security.scope.ScopedInterface``).
"""

from __future__ import annotations

from datetime import UTC

from flask_appbuilder.api.convert import Model2SchemaConverter
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields
from marshmallow import validate as mv
from marshmallow_sqlalchemy.fields import Related
from sqlalchemy import inspect

from ..security.scope import is_readable
from ..validation import int_limit


class RefSchema(Schema):
    """A reference to another record: its id, and its label when the reader may read it."""

    id = fields.Integer(required=True)
    label = fields.String()


class Ref(fields.Nested):
    def __init__(self, **kwargs):
        super().__init__(RefSchema, dump_only=True, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        out = {"id": value.id}
        if is_readable(value):
            out["label"] = str(value)
        return out


# Amounts travel as decimal strings ("1250.00": no binary rounding); a body may also give a number.
DECIMAL_DOC = {"type": "string", "format": "decimal"}


class StoredDateTime(fields.DateTime):
    """A stored time as RFC 3339 with its offset. Our columns are timezone-aware UTC, which
    SQLite hands back naive (read as UTC); FAB's own (a login's ``last_login``, ``created_on``)
    are naive server-local times (read as local)."""

    def __init__(self, *args, naive_is_utc: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.naive_is_utc = naive_is_utc

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC) if self.naive_is_utc else value.astimezone()
        return super()._serialize(value, attr, obj, **kwargs)


class FabSchemaConverter(Model2SchemaConverter):
    """FAB's converter with output that says what it dumps: times with their offset, a list of
    related rows documented as a list (FAB documented a user's ``groups`` as one object)."""

    def _column2relation(self, datamodel, column, nested=False, parent_schema_name=None):
        field = super()._column2relation(datamodel, column, nested, parent_schema_name)
        if nested and isinstance(field, fields.Nested):
            prop = inspect(datamodel.obj).relationships.get(column.name)
            if prop is not None and prop.uselist:
                # apispec reads "a list" from the nested schema instance FAB passes, not the field
                field.many = True
                field.schema.many = True
            elif datamodel.is_nullable(column.name):
                field.allow_none = True  # a user's created_by is null when the seed made it
        return field

    def _column2field(self, datamodel, column, nested=True, parent_schema_name=None):
        field = super()._column2field(datamodel, column, nested, parent_schema_name)
        if not nested or datamodel.is_relation(column.name):
            return field
        sqla_column = datamodel.list_columns.get(column.name)
        if type(field) is fields.DateTime:  # not its subclasses Date and Time
            aware = bool(getattr(getattr(sqla_column, "type", None), "timezone", False))
            field = StoredDateTime(required=field.required, allow_none=field.allow_none,
                                   naive_is_utc=aware)
        if sqla_column is not None and getattr(sqla_column, "nullable", False):
            field.allow_none = True
        return field


class PortalSchemaConverter(FabSchemaConverter):
    """For the entity APIs: references dumped as ``Ref`` instead of the nested related row, and
    amounts as decimal strings (the OpenAPI document is generated from these fields)."""

    def _column2relation(self, datamodel, column, nested=False, parent_schema_name=None):
        if not nested:
            return super()._column2relation(datamodel, column, nested, parent_schema_name)
        if not datamodel.is_relation_many_to_one(column.name):
            raise ValueError(f"only many-to-one references may be in API output: {column.name}")
        return Ref(allow_none=datamodel.is_nullable(column.name))

    def _column2field(self, datamodel, column, nested=True, parent_schema_name=None):
        field = super()._column2field(datamodel, column, nested, parent_schema_name)
        if nested and isinstance(field, fields.Decimal):
            field.metadata = {**field.metadata, **DECIMAL_DOC}
        return field


# --- what the API accepts ---------------------------------------------------------------------

# marshmallow's own messages (field types, required, unknown fields), in the user's language.
MESSAGES = {
    "Missing data for required field.": _l("Missing data for required field."),
    "Field may not be null.": _l("Field may not be null."),
    "Invalid value.": _l("Invalid value."),
    "Not a valid integer.": _l("Not a valid integer."),
    "Not a valid number.": _l("Not a valid number."),
    "Number too large.": _l("Number too large."),
    "Special numeric values (nan or infinity) are not permitted.": _l("Not a valid number."),
    "Not a valid string.": _l("Not a valid text."),
    "Not a valid utf-8 string.": _l("Not a valid text."),
    "Not a valid date.": _l("Not a valid date."),
    '"{input}" cannot be formatted as a date.': _l("Not a valid date."),
    "Not a valid {obj_type}.": _l("Not a valid value."),
    "Not a valid {awareness} {obj_type}.": _l("Not a valid value."),
    '"{input}" cannot be formatted as a {obj_type}.': _l("Not a valid value."),
    "Not a valid boolean.": _l("Not a valid yes/no value."),
    "Must be one of: {choices}.": _l("Must be one of: {choices}."),
    "Invalid type.": _l("Not a valid value."),
    "Invalid input type.": _l("Not a valid value."),
    "Unknown field.": _l("Unknown field."),
}


class _Translated(dict):
    """A marshmallow ``error_messages`` mapping read in the user's language when an error is
    raised (schemas are built once at start-up, for every language)."""

    def __getitem__(self, key):
        message = super().__getitem__(key)
        return str(MESSAGES.get(message, message)) if isinstance(message, str) else message


def _checked_reference(field: Related) -> None:
    """A reference in a body must be an id; an id beyond the column's range is looked up by
    nobody (the database would fail on it) and refused like any unknown id, by the write's scope
    check (``security.scope.check_writable``), so the answer is the same as for an invisible id."""
    deserialize = field._deserialize
    pk = field.related_keys[0] if len(field.related_keys) == 1 else None

    def _deserialize(value, *args, **kwargs):
        if isinstance(value, dict) and set(value) == {"id"}:
            value = value["id"]
        if isinstance(value, bool) or not isinstance(value, int):
            raise field.make_error("invalid_id")
        if pk is not None and not 0 < value < int_limit(pk.columns[0].type):
            return field.related_model(**{pk.key: None})  # unknown: refused on the field later
        return deserialize(value, *args, **kwargs)

    field._deserialize = _deserialize
    field.error_messages["invalid_id"] = "Not a valid integer."
    # Documented as what it takes: an id (marshmallow-sqlalchemy leaves the type open, "{}").
    field.metadata = {**field.metadata, "type": "integer", "minimum": 1}


def _whole_numbers_only(field: fields.Integer) -> None:
    """marshmallow turns 30.5 into 30 for an integer field: refuse it instead."""
    deserialize = field._deserialize

    def _deserialize(value, *args, **kwargs):
        if isinstance(value, float) and not value.is_integer():
            raise field.make_error("invalid")
        return deserialize(value, *args, **kwargs)

    field._deserialize = _deserialize


def translated_messages(schema: Schema) -> Schema:
    """Every marshmallow message of ``schema`` (its own and its fields') in the user's language."""
    schema.error_messages = _Translated(schema.error_messages)
    for fld in schema.fields.values():
        fld.error_messages = _Translated(fld.error_messages)
    return schema


def harden_input_schema(schema: Schema) -> None:
    """An add / edit schema of the API: references checked before any lookup, the column rules of
    ``app.validation`` instead of marshmallow-sqlalchemy's length checks (one translated message
    per problem), and every message in the user's language."""
    for fld in schema.fields.values():
        if isinstance(fld, Related):
            _checked_reference(fld)
        elif isinstance(fld, fields.Decimal):
            fld.places = None  # refuse extra decimals (app.validation), never round them away
            fld.metadata = {**fld.metadata, **DECIMAL_DOC}
        elif isinstance(fld, fields.Integer):
            _whole_numbers_only(fld)
        fld.validators = [v for v in fld.validators if not isinstance(v, mv.Length)]
        if isinstance(fld.validate, list):  # what FAB's _info lists
            fld.validate = [v for v in fld.validate if not isinstance(v, mv.Length)]
    translated_messages(schema)
