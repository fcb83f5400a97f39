"""Registrar settings, read from the environment with safe defaults for the embedded
SQLite mode. Production sets DJANGO_ENV=production (or DEBUG=0), SECRET_KEY, ALLOWED_HOSTS,
DATABASE_URL (PostgreSQL) and EMAIL_URL."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_int, env_list, env_str, parse_email_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("REGISTRAR_DATA_DIR", str(BASE_DIR / "var")))

PRODUCTION = env_str("DJANGO_ENV", "development") == "production"
DEBUG = env_bool("DEBUG", default=not PRODUCTION)

_DEV_SECRET = "dev-insecure-registrar-secret-key-change-me-in-production-0123456789"  # noqa: S105 (development only)
SECRET_KEY = env_str("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to at least 50 random characters in production")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "ninja",  # the API docs' Swagger UI from its own static files, not from a CDN
    # domain apps, in the order of their layers (core/layers.py; docs/decisions/0009-layers.md)
    "audit",
    "organizations",
    "accounts",
    "households",
    "catalog",
    "notifications",
    "capacity",
    "orders",
    "registrations",
    "carts",
    "attendance",
    "rentals",
    "payments",
    "bulk",
    "imports",
    "reports",
    # interface apps
    "ui",
    "api",
    "portal",
    "office",
    "jobs",
    "monitoring",
    "demo",
]

MIDDLEWARE = [
    # /health/live, /health/ready and /metrics answer before anything else (host check, HTTPS);
    # adds, refusals, checkouts and payments are counted as their answers leave (monitoring.actions).
    "monitoring.middleware.MonitoringMiddleware",
    "core.middleware.ApiGuardMiddleware",  # /api/ only: 413 for a large body, 404 for a NUL in the path
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.LoginThrottleMiddleware",  # a locked-out sign-in page answers 429
    "core.middleware.PageMessageMiddleware",  # not for /api/
    "core.middleware.PageNulGuardMiddleware",  # pages: a NUL in a query string or form is a 400
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "registrar.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "office.context_processors.office",
                "portal.context_processors.portal",
            ],
        },
    },
]

WSGI_APPLICATION = "registrar.wsgi.application"


def _database() -> dj_database_url.DBConfig:
    default_sqlite = f"sqlite:///{DATA_DIR / 'registrar.sqlite3'}"
    config = dj_database_url.parse(env_str("DATABASE_URL", default_sqlite), conn_max_age=env_int("CONN_MAX_AGE", 60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE: BEGIN takes the write lock at once, so the lock-count-insert of a
        # capacity claim is serialised (D3). WAL lets readers go on while one writer works;
        # the timeout makes writers queue for the lock instead of failing with "locked".
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
        # A file, not :memory:, so that threads in concurrency tests share it; one per
        # process, so that two test runs on one machine never write the same file.
        config["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # Health checks cost a "SELECT 1" round trip per request (10% of an add-to-cart
        # under load, bench/surge.py); persistent connections are recycled by CONN_MAX_AGE.
        config["CONN_HEALTH_CHECKS"] = env_bool("DB_HEALTH_CHECKS", default=False)
        config.setdefault("OPTIONS", {}).update(
            {
                # A lock that cannot be had in 5 s fails with "lock timeout" and the API
                # answers 503 "busy" (capacity.locks); per connection, so no statement per claim.
                "options": f"-c lock_timeout={env_int('DB_LOCK_TIMEOUT_MS', 5000)}",
                # Bind parameters on the server. psycopg's own statement preparation stays off:
                # it sends DEALLOCATE ALL after every rollback, which would also drop the hot
                # path's statements, which core.sqlbatch prepares by name per connection.
                "server_side_binding": env_bool("DB_SERVER_SIDE_BINDING", default=True),
                "prepare_threshold": None,
            }
        )
        if os.environ.get("TEST_DATABASE_NAME"):
            config["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
    return config


DATABASES = {"default": _database()}

# core.sqlbatch prepares the hot path's statements once per PostgreSQL connection. Turn
# it off (DB_PREPARED_STATEMENTS=0) behind a pooler that shares server sessions between
# clients, such as pgbouncer in transaction mode: PostgreSQL then plans them on every call.
REGISTRAR_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", default=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Content-Security-Policy of every answer (core.middleware): everything from this site, nothing
# inline (the pages have no inline script or style: docs/ui.md), images also as data: URIs
# (USWDS's CSS draws its icons so). form-action is left open: checkout's form is answered by a
# redirect to the payment provider. CONTENT_SECURITY_POLICY="" turns it off.
CONTENT_SECURITY_POLICY = env_str(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
)
# /api/v1/docs (Swagger UI): "public", "staff" (signed-in staff of some organization) or "off";
# the schema itself (/api/v1/openapi.json) stays public (X3).
API_DOCS = env_str("API_DOCS", "staff" if PRODUCTION else "public")

# The largest request body read, in bytes (the API answers 413 above it): room for the CSV
# import's 5 MB of text in its JSON body.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BODY_BYTES", 6 * 1024 * 1024)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.NotOnlySpacesValidator"},
]

# Pages outside any organization (the landing page, sign-in, Django's admin) are in LANGUAGE_CODE.
# An organization's pages, and its emails, are in the organization's `locale`, one of LANGUAGES
# (portal.access, office.access, notifications.services): its money, numbers and dates follow
# it; the words stay English until a catalog is added (docs/decisions/0025-organization-locale.md).
# No LocaleMiddleware: the browser's Accept-Language never decides.
LANGUAGE_CODE = "en-us"
LANGUAGES = [("en-ca", "English (Canada)"), ("en-us", "English (US)"), ("fr-ca", "Français (Canada)")]
# Where Django's own formats of a locale are corrected (registrar/formats/<locale>/formats.py).
FORMAT_MODULE_PATH = ["registrar.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
WHITENOISE_AUTOREFRESH = DEBUG  # development serves app static files without collectstatic

# Pages (docs/ui.md): one sign-in for customers and staff, every form rendered in USWDS markup.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# Sign-in throttling (X6, accounts.throttle): the page, the admin and the API token endpoint
# all sign in through this backend, which counts failures per account and per client address.
AUTHENTICATION_BACKENDS = ["accounts.backends.ThrottledModelBackend"]
# Database sessions, their read compiled once per process (decision 0014).
SESSION_ENGINE = "core.sessions"
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 10)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 50)
LOGIN_FAILURE_WINDOW_MINUTES = env_int("LOGIN_FAILURE_WINDOW_MINUTES", 15)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
# Behind N reverse proxies, the client's address is the Nth entry from the right of
# X-Forwarded-For; 0 (the default) trusts no header and uses the connection's address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# An API token lapses after this many hours without use (sliding: each use pushes it on).
API_TOKEN_IDLE_HOURS = env_int("API_TOKEN_IDLE_HOURS", 24 * 14)
FORM_RENDERER = "ui.forms.FormRenderer"
CSRF_FAILURE_VIEW = "ui.views.csrf_failure"

# Email: EMAIL_URL like smtp://user:pass@host:587?tls=1 ; console in development.
EMAIL_URL = env_str("EMAIL_URL", "")
if EMAIL_URL:
    globals().update(parse_email_url(EMAIL_URL))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "registrar@localhost")

# Background worker: seconds between runs of the periodic jobs (N5).
WORKER_INTERVAL_SECONDS = env_int("WORKER_INTERVAL_SECONDS", 300)
# /metrics (Prometheus): with a token, only for "Authorization: Bearer <token>"; without one,
# open in development and off in production.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# /health/ready turns 503 when the oldest email still queued has waited longer (0: never).
HEALTH_OUTBOX_MAX_AGE_SECONDS = env_int("HEALTH_OUTBOX_MAX_AGE_SECONDS", 3600)
# The worker deletes its own JobRun records once they are this many days old.
JOB_RUN_RETENTION_DAYS = env_int("JOB_RUN_RETENTION_DAYS", 30)
if JOB_RUN_RETENTION_DAYS < 1:  # 0 would delete each run's records during the run itself
    raise ImproperlyConfigured(f"JOB_RUN_RETENTION_DAYS must be at least 1, not {JOB_RUN_RETENTION_DAYS}")

# Paying online (P4, B3). SITE_URL is this installation's public address: providers send
# customers back to it, and the sandbox provider delivers its webhooks to it.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "https://api.stripe.com")
# The sandbox (the demo provider of `make run`) signs its webhooks with this; production has
# no default, so a published development secret can never mark an order paid there.
SANDBOX_WEBHOOK_SECRET = env_str("SANDBOX_WEBHOOK_SECRET", "" if PRODUCTION else "dev-sandbox-webhook-secret")
SANDBOX_WEBHOOK_DELAY_SECONDS = env_int("SANDBOX_WEBHOOK_DELAY_SECONDS", 30)

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

# LOG_FORMAT=json writes one JSON object per line (core.logformat), for a log collector.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "core.logformat.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        # Refusals (409 full, 404 unknown) are expected answers, not incidents: log 5xx only.
        "django.request": {"level": "ERROR"},
        # The worker's one line per run (INFO when all went well; `worker --verbosity 0` hides it).
        "jobs": {"level": env_str("WORKER_LOG_LEVEL", "INFO")},
    },
}
