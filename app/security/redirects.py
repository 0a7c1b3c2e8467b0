"""Redirect targets a user can choose (``next``, the Referer) are followed only when they stay on
the portal.

``local_target`` is the one check. Two hooks apply it where FAB decides: a ``next`` query argument
that is not local is dropped before any view reads it (FAB's login follows ``next``, and its own
``get_safe_redirect`` lets ``/\\evil`` and ``\\\\evil`` through, and a newline in it answers 500);
and the ``Location`` of every redirect the portal sends is checked last, so a target a future view
forgets to check still cannot leave the portal.
"""

from __future__ import annotations

import logging
import unicodedata
from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import Flask, redirect, request, url_for

log = logging.getLogger(__name__)
MAX_LENGTH = 2048


def _unsafe_char(ch: str) -> bool:
    # Control, format and unassigned characters (browsers drop tabs and newlines inside URLs, so
    # "/\t/evil" would become "//evil"), line separators, and the backslash browsers read as "/".
    return ch == "\\" or unicodedata.category(ch)[0] == "C" or unicodedata.category(ch) in ("Zl", "Zp")


def local_target(url: str | None) -> str | None:
    """``url`` as a path on this portal (``/customerview/list/?page=2``), or None.

    Accepted: an absolute path (one leading ``/``), or an http(s) URL of this very host (FAB puts
    ``request.url`` into ``next`` when it sends a visitor to the login page), returned as its path.
    Everything a browser could take elsewhere is refused: another host, a scheme-relative
    ``//host``, ``javascript:`` and other schemes, ``http:host`` without slashes, backslashes,
    control characters, relative paths.
    """
    if not url or len(url) > MAX_LENGTH or any(_unsafe_char(ch) for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or parts.netloc != request.host:
            return None
        url = urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
    if not url.startswith("/") or url.startswith("//"):
        return None
    return url


def _is_local_location(location: str) -> bool:
    """A redirect's ``Location`` as the portal builds it: a path (relative ones included, FAB
    sends ``.``), or an absolute URL of this host."""
    if any(_unsafe_char(ch) for ch in location):
        return False
    try:
        parts = urlsplit(location)
    except ValueError:
        return False
    if parts.scheme or parts.netloc:
        return parts.scheme in ("http", "https") and parts.netloc == request.host
    return not location.startswith("//")


def install(app: Flask, index_endpoint: str) -> None:
    @app.before_request
    def _drop_foreign_next():
        target = request.args.get("next")
        if target is None or local_target(target):
            return None
        log.warning("Dropped a redirect target leaving the portal: %r", target[:200])
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "next"]
        query = urlencode(args)
        return redirect(request.path + (f"?{query}" if query else ""))

    @app.after_request
    def _only_local_redirects(response):
        location = response.headers.get("Location")
        if location is not None and not _is_local_location(location):
            log.warning("Replaced a redirect leaving the portal: %r", location[:200])
            response.headers["Location"] = url_for(index_endpoint)
        return response
