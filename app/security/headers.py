"""Security headers on every response, with Flask-Talisman.

- ``Content-Security-Policy``: everything from the portal itself, nothing from elsewhere (no CDN);
  scripts only from our files or inline blocks carrying the request's nonce (FAB's templates
  already ask for it through ``baselib.get_nonce()``, which calls Talisman's ``csp_nonce()``), so
  an injected ``<script>`` or ``onclick=`` never runs. Styles the same way, plus the few fixed
  ``style="…"`` attribute values FAB's templates (and pygal's charts) carry, allowed one by one by
  their hash (``'unsafe-hashes'``) rather than with ``'unsafe-inline'``: see ``STYLE_ATTRIBUTES``.
- ``X-Frame-Options: DENY`` and ``frame-ancestors 'none'``: no page may be framed (clickjacking).
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin`` (our URLs carry record ids
  and search filters: other sites get no referrer at all), ``Cross-Origin-Opener-Policy``, and a
  ``Permissions-Policy`` switching off browser features the portal never uses.
- ``Cache-Control: no-store`` on every response except static files: pages, API answers,
  downloads and redirects of logged-in users carry business data that must not stay in a shared
  or back-button cache. Static files keep Flask's revalidating cache.
- Production (``APP_ENV=production``): ``Strict-Transport-Security`` (Talisman sends it only on
  requests that arrived over HTTPS, directly or per ``X-Forwarded-Proto``), and the session and
  remember-me cookies are ``Secure``. HTTPS itself is the reverse proxy's job (``force_https`` off).
"""

from __future__ import annotations

import base64
import hashlib

from flask import Flask, has_request_context, request
from flask_talisman import Talisman

# Every ``style="…"`` value the portal's pages carry, each allowed by its hash. They are fixed
# strings in FAB's templates (list pagination, hidden action forms, the required-field star, the
# login box, multi-line values on record pages, the tab bar of a record without related lists) and
# in pygal's SVG (its tooltip, hidden until pygal's script, which we never load, shows it).
# ``tests/test_headers.py`` checks that every literal style attribute in FAB's and our templates is
# listed here; the browser tests fail on any style the policy refuses.
STYLE_ATTRIBUTES = (
    "",
    "display: none;",
    "display: none",
    "display:inherit;",
    "color: red",
    "display: flex;",
    "white-space: pre-line",
    "margin-top:50px;",
    "padding-top:30px",
    "opacity: 0",
)

ONE_YEAR = 365 * 24 * 3600
STATIC_ENDPOINTS = {"static", "appbuilder.static"}


def _hash(value: str) -> str:
    digest = hashlib.sha256(value.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def policy() -> dict[str, str]:
    """The Content-Security-Policy (Talisman appends the request's nonce to script-src and
    style-src)."""
    style_hashes = " ".join(_hash(v) for v in STYLE_ATTRIBUTES)
    return {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": f"'self' 'unsafe-hashes' {style_hashes}",
        "img-src": "'self' data:",  # Swagger UI's and Select2's icons are data: URIs in their CSS
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


PERMISSIONS_POLICY = {
    feature: "()"
    for feature in ("browsing-topics", "camera", "microphone", "geolocation", "payment", "usb")
}


def csp_nonce() -> str:
    """The current request's nonce, for markup built outside templates (pygal's charts)."""
    return getattr(request, "csp_nonce", "") if has_request_context() else ""


def install(app: Flask) -> None:
    """Call first in ``create_app``: Talisman's before-request hook must make the nonce before
    any other hook can answer (a CSRF refusal renders a page too)."""
    production = app.config.get("APP_ENV") == "production"
    secure_cookies = production or bool(app.config.get("SESSION_COOKIE_SECURE"))
    app.config["SESSION_COOKIE_SECURE"] = secure_cookies
    app.config["REMEMBER_COOKIE_SECURE"] = secure_cookies
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    Talisman(
        app,
        force_https=False,  # TLS ends at the reverse proxy, which redirects plain HTTP
        frame_options="DENY",
        strict_transport_security=production,
        strict_transport_security_max_age=ONE_YEAR,
        # Other hosts of the factory's domain may still be plain HTTP: HSTS for this host only.
        strict_transport_security_include_subdomains=False,
        content_security_policy=policy(),
        content_security_policy_nonce_in=["script-src", "style-src"],
        referrer_policy="same-origin",
        permissions_policy=PERMISSIONS_POLICY,
        session_cookie_secure=secure_cookies,
        session_cookie_http_only=True,
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
    )

    @app.after_request
    def _no_store(response):
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.endpoint not in STATIC_ENDPOINTS:
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Pragma", None)
            response.headers.pop("Expires", None)
        return response
