"""Where attached files live (issue 13, item 6): a folder on disk (``ATTACHMENT_DIR``), one file
per key in a subfolder named by its first two characters. Keys are random hexadecimal strings made
here, never a name from a request, so nothing a user sends can point outside the folder."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from flask import current_app

KEY = re.compile(r"^[0-9a-f]{32}$")


def new_key() -> str:
    return secrets.token_hex(16)


def _path(key: str) -> Path:
    if not KEY.fullmatch(key):
        raise ValueError("not a storage key")
    return Path(current_app.config["ATTACHMENT_DIR"]) / key[:2] / key


def save(key: str, data: bytes) -> None:
    """Write the bytes under ``key`` (to a temporary name first: a half-written file is never
    served)."""
    path = _path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def read(key: str) -> bytes:
    return _path(key).read_bytes()


def delete(key: str) -> None:
    _path(key).unlink(missing_ok=True)
