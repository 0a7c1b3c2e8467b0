"""Configuration, read from the environment.

`APP_ENV` selects the profile: ``development`` (the default for local use), ``production`` or
``testing``. Outside development a missing ``SECRET_KEY`` is refused at start-up.
"""

import os
from datetime import timedelta
from pathlib import Path

from flask_appbuilder.const import AUTH_DB
from flask_babel import lazy_gettext

BASE_DIR = Path(__file__).resolve().parent
APP_ENV = os.environ.get("APP_ENV", "development")

_secret = os.environ.get("SECRET_KEY")
if not _secret:
    if APP_ENV != "development":
        raise RuntimeError("SECRET_KEY must be set in the environment outside development")
    _secret = "dev-only-not-secret"  # development only; never used when APP_ENV is set otherwise
SECRET_KEY = _secret

SQLALCHEMY_DATABASE_URI = os.environ.get(
    "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'portal.db'}"
)
SQLALCHEMY_TRACK_MODIFICATIONS = False
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
# How long a write waits for another one holding the same row (PostgreSQL lock_timeout) or the
# database (SQLite busy timeout) before it is refused with 409; and how long a second daily job
# waits for the first to finish (app/locks.py).
DATABASE_LOCK_TIMEOUT = float(os.environ.get("DATABASE_LOCK_TIMEOUT", "10"))
JOB_LOCK_TIMEOUT = float(os.environ.get("JOB_LOCK_TIMEOUT", "300"))
# API writes with an Idempotency-Key header: how long a key is remembered (app/idempotency.py).
IDEMPOTENCY_KEY_HOURS = int(os.environ.get("IDEMPOTENCY_KEY_HOURS", "24"))

# Schema comes from Alembic migrations only; permissions are synced by `flask roles sync`.
FAB_CREATE_DB = False
FAB_UPDATE_PERMS = False
FAB_ADD_SECURITY_API = True
FAB_API_SWAGGER_UI = True
FAB_API_MAX_PAGE_SIZE = 200
FAB_PASSWORD_COMPLEXITY_ENABLED = True
# The portal's own password policy (app/security/passwords.py) replaces FAB's default rule and is
# applied on every path a password is set, FAB's add_user / reset_password and CLI included.

# Shown in the menu bar and every page title, in the page's language (zh: 业务员管理平台).
APP_NAME = lazy_gettext("Sales department portal")
APP_THEME = ""
AUTH_TYPE = AUTH_DB
AUTH_ROLE_ADMIN = "Admin"
AUTH_ROLE_PUBLIC = "Public"
AUTH_USER_REGISTRATION = False
# Sign-in protection (app/security/throttle.py). Failed sign-ins, not successes, are counted per
# login (lock-out: Settings) and per client address (LOGIN_ADDRESS_LIMIT, limits' notation, several
# separated by ";"), for the form and the API alike. The counters live in Redis when REDIS_URL is
# set, shared by every worker and instance; without it in the process's memory (one-process
# development server only). FAB's own login limiter counts every POST, successes included, per
# worker: it stays off.
REDIS_URL = os.environ.get("REDIS_URL", "")
RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") == "1"  # the per-address limit
RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "portal")
AUTH_RATE_LIMITED = False
LOGIN_ADDRESS_LIMIT = os.environ.get("LOGIN_ADDRESS_LIMIT", "50 per 15 minutes")
# Proxies in front of the portal whose X-Forwarded-For is believed (0: the peer address is the
# client; 1: one reverse proxy, e.g. nginx on the same host, appends the client's address).
PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))

# Sessions are recorded server-side (app/security/sessions.py): logout, a password change, a
# deactivation or an administrator's "sign out everywhere" ends them. A browser login lasts at
# most WEB_SESSION_HOURS; API access tokens 15 minutes; refresh tokens rotate on every use and
# each lasts JWT_REFRESH_DAYS.
WEB_SESSION_HOURS = int(os.environ.get("WEB_SESSION_HOURS", "12"))
JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=15)
JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=int(os.environ.get("JWT_REFRESH_DAYS", "7")))

# A request body beyond this is refused (413) before any view reads it (a 50 MB visit summary was
# stored and bloated every page showing it); an attachment's upload may be as large as the
# settings allow (app.attachments raises the limit for that request alone).
MAX_CONTENT_LENGTH = 2 * 1024 * 1024
# Attached files (app.storage): a folder the web processes may write, shared by every instance.
ATTACHMENT_DIR = os.environ.get("ATTACHMENT_DIR", str(BASE_DIR / "instance" / "attachments"))

WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = APP_ENV == "production"

BABEL_DEFAULT_LOCALE = "zh"
BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
LANGUAGES = {
    "zh": {"flag": "cn", "name": "简体中文"},
    "en": {"flag": "gb", "name": "English"},
}

# Demo logins for local use (`flask seed demo`).
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "Demo-Pass-2026")  # meets the password policy
DISPLAY_TIMEZONE = os.environ.get("DISPLAY_TIMEZONE", "Asia/Shanghai")  # times are stored in UTC

# Outgoing mail: settlement notices (`flask jobs daily`) and notifications (app/mail.py); no
# MAIL_SERVER, no mail is sent (notifications stay in the inbox, their mails waiting).
MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
MAIL_FROM = os.environ.get("MAIL_FROM", "portal@localhost")
MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "10"))  # seconds one SMTP exchange may take
# The portal's address as users reach it (https://portal.example.cn), for links in e-mails.
PUBLIC_URL = os.environ.get("PUBLIC_URL", "")
