"""Attachments of business records (issue 13, item 6): list, upload, download and delete, each
through the record's scope.

- The record is found through the user's read scope (404 when out of sight): another salesperson
  gets 404 for the file as for the record.
- Uploading and deleting need the write scope over the record (its workflow lock aside: a signed
  contract's scan is attached after signing).
- A file is refused unless its name is a plain name (no folder, no ``..``), its type is one the
  settings allow (never a page or a program: ``policy.NEVER_ATTACHED``), its content starts as
  that type does (a page renamed ``.png`` is refused) and its size is within the settings' limit.
- It is served as a download with the type its extension says and ``nosniff``: never shown
  inline, never as HTML.
- Each upload and delete is in the record's history (``attachment``: none → name, name → none).
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from . import locks, policy, storage
from . import models as m
from .extensions import db
from .history import record_update
from .models.policy import PolicyKey
from .registry import BY_MODEL, BY_NAME, Entity
from .security.scope import current_actor, in_scope, scoped
from .validation import ValidationFailure, int_limit

NAME_MAX = 200
MSG_PATH = _l("The file name may not contain a folder or '..'; rename the file and try again.")
MSG_TYPE = _l("This type of file cannot be attached; allowed: %(types)s.")
MSG_CONTENT = _l("The file's content is not what its name says (.%(ext)s).")
MSG_SIZE = _l("The file is larger than %(mb)s MB.")
MSG_EMPTY = _l("Choose a file to attach.")

# What each type's content starts with; a type not listed here is taken as it is named.
SIGNATURES = {
    "pdf": (b"%PDF-",), "png": (b"\x89PNG\r\n\x1a\n",), "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"), "zip": (b"PK\x03\x04", b"PK\x05\x06"), "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",), "doc": (b"\xd0\xcf\x11\xe0",), "xls": (b"\xd0\xcf\x11\xe0",),
}
TYPES = {
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
    "webp": "image/webp", "zip": "application/zip", "txt": "text/plain; charset=utf-8",
    "doc": "application/msword", "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# HTML-ish starts of a text file: a page renamed .txt is refused like one renamed .png.
_PAGE = re.compile(rb"^\s*<(!doctype|html|script|svg|\?xml)", re.I)


def record_of(entity_name: str, pk: int, verb: str = "read"):
    """The record, through the user's ``verb`` scope; None when out of sight (or no such entity)."""
    entity = BY_NAME.get(entity_name)
    if entity is None or not 0 < pk < int_limit(entity.model.id.type):
        return None
    return scoped(entity, verb, pinned=True).filter(entity.model.id == pk).one_or_none()


def may_write(entity: Entity, row) -> bool:
    return current_actor().may(entity.name, "write") and in_scope(row, "write", entity)


def of_record(entity_name: str, row_id: int) -> list[m.Attachment]:
    A = m.Attachment  # noqa: N806
    return db.session.scalars(select(A).where(A.entity == entity_name, A.row_id == row_id)
                              .order_by(A.uploaded_at.desc(), A.id.desc())).all()


def limit_bytes() -> int:
    return policy.get(PolicyKey.attachment_max_mb) * 1024 * 1024


def clean_name(raw: str | None) -> str:
    """The name as the user gave it, refused when it names a folder or climbs out of one."""
    name = unicodedata.normalize("NFC", (raw or "").strip())
    if not name:
        raise ValidationFailure({"file": str(MSG_EMPTY)})
    if "/" in name or "\\" in name or ".." in name or name.startswith(".") or any(
            unicodedata.category(ch).startswith("C") for ch in name):
        raise ValidationFailure({"file": str(MSG_PATH)})
    if len(name) > NAME_MAX:
        raise ValidationFailure({"file": str(_l("At most %(n)s characters.", n=NAME_MAX))})
    return name


def check_file(name: str, data: bytes) -> str:
    """The file's extension once its type, content and size are allowed."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = policy.get(PolicyKey.attachment_types)
    if ext not in allowed or ext in policy.NEVER_ATTACHED:
        raise ValidationFailure({"file": str(MSG_TYPE % {"types": ", ".join(allowed)})})
    if not data:
        raise ValidationFailure({"file": str(MSG_EMPTY)})
    if len(data) > limit_bytes():
        raise ValidationFailure({"file": str(MSG_SIZE % {"mb": policy.get(PolicyKey.attachment_max_mb)})})
    starts = SIGNATURES.get(ext)
    webp = ext == "webp" and not (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    if (starts and not data.startswith(starts)) or webp or (ext == "txt" and _PAGE.match(data[:512])):
        raise ValidationFailure({"file": str(MSG_CONTENT % {"ext": ext})})
    return ext


def attach(entity: Entity, row, filename: str | None, data: bytes) -> m.Attachment:
    """Store a file on the record (the caller commits); raises ``ValidationFailure``."""
    name = clean_name(filename)
    ext = check_file(name, data)
    key = storage.new_key()
    att = m.Attachment(entity=entity.name, row_id=row.id, filename=name, content_type=TYPES.get(ext, "application/octet-stream"),
                       size=len(data), key=key, uploaded_by_id=current_actor().user_id)
    db.session.add(att)
    record_update(db.session, entity.name, row.id, {"attachment": [None, name]})
    locks.flush()
    storage.save(key, data)  # after the row: a refused row leaves no file behind
    return att


def remove(entity: Entity, row, att: m.Attachment) -> None:
    """Delete the file from the record (the caller commits, then ``storage.delete``)."""
    record_update(db.session, entity.name, row.id, {"attachment": [att.filename, None]})
    db.session.delete(att)


def _before_flush(session, _ctx, _instances) -> None:
    """A deleted record's attachments go with it: SQLite may give its id to the next record."""
    gone: dict[str, list[int]] = {}
    for obj in session.deleted:
        entity = BY_MODEL.get(type(obj))
        if entity is not None and obj.id is not None:
            gone.setdefault(entity.name, []).append(obj.id)
    for name, ids in gone.items():
        session.execute(delete(m.Attachment).where(m.Attachment.entity == name, m.Attachment.row_id.in_(ids)))


def install() -> None:
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
