"""Django settings, read from the environment (see docs/operator-guide.md for every variable)."""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.conf.locale import LANG_INFO

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("SERVITIUM_DATA_DIR", "./servitium-data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use the configured key, or one generated once and kept in the data dir so sessions survive restarts."""
    configured = os.environ.get("SERVITIUM_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        # O_EXCL: two processes starting at once must not write two different keys.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(64))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("SERVITIUM_DEBUG", False)
ALLOWED_HOSTS = _env_list("SERVITIUM_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = _env_list("SERVITIUM_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "huey.contrib.djhuey",
    "servitium.core",
    "servitium.parties",
    "servitium.catalog",
    "servitium.agreements",
    "servitium.relationships",
    "servitium.suppliers",
    "servitium.incidents",
    "servitium.problems",
    "servitium.cmdb",
    "servitium.changes",
    "servitium.releases",
    "servitium.improvement",
    "servitium.conformity",
    "servitium.documents",
    "servitium.sms",
    "servitium.risks",
    "servitium.competence",
    "servitium.audits",
    "servitium.finance",
    "servitium.availability",
    "servitium.capacity",
    "servitium.security",
    "servitium.design",
    "servitium.reporting",
    "servitium.reviews",
    "servitium.cloud",
    "servitium.exits",
    "servitium.webhooks",
    "servitium.events",  # monitoring events into incidents (issue 22)
    "servitium.portal",  # the customer portal (issue 21)
    "servitium.site",
]

MIDDLEWARE = [
    "servitium.core.metrics.RequestMetricsMiddleware",  # first: times everything below it (/metrics)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "servitium.core.middleware.RequestContextMiddleware",
    "servitium.core.middleware.UserTimezoneMiddleware",
    "servitium.portal.middleware.PortalMiddleware",  # customers to the portal, staff to the staff pages
]

ROOT_URLCONF = "servitium.urls"
WSGI_APPLICATION = "servitium.wsgi.application"
AUTH_USER_MODEL = "parties.User"
SERVITIUM_TENANT_MODEL = "parties.Organization"  # the records customer users belong to (core.declaration)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "servitium.core.context_processors.navigation",
            ]
        },
    }
]

# Database: SQLite in the data dir unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'servitium.sqlite3'}",
        conn_max_age=int(os.environ.get("SERVITIUM_DB_CONN_MAX_AGE", "60")),
        # A health check costs a round trip on every request; a connection broken by a database restart
        # fails one request per worker instead. Operators who prefer the check turn it on.
        conn_health_checks=_env_bool("SERVITIUM_DB_HEALTH_CHECKS"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer commits; IMMEDIATE avoids lock upgrades that deadlock.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; "
            "PRAGMA foreign_keys=ON;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if os.environ.get("SERVITIUM_TESTING") else 60
    # Django's SQLite backend with write transactions queued on a file lock (see the module);
    # SERVITIUM_SQLITE_WRITERS_QUEUE=0 leaves the waiting to SQLite.
    if _env_bool("SERVITIUM_SQLITE_WRITERS_QUEUE", True):
        DATABASES["default"]["ENGINE"] = "servitium.core.db.sqlite3"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "servitium.core.db.postgresql"  # timestamps parsed in C (see the module)
    # Values travel apart from the statement (server-side binding): psycopg quotes nothing into the SQL
    # text in Python, and a statement run five times on a connection is prepared, so PostgreSQL stops
    # planning the same page query again for every request (measured: a list page costs the database a
    # quarter less and the worker an eighth less, docs/performance.md).
    # SERVITIUM_DB_PREPARE=0 turns both off (for a pooler in transaction mode that drops prepared
    # statements); SERVITIUM_DB_SERVER_BINDING=0 only the binding.
    if _env_bool("SERVITIUM_DB_PREPARE", True):
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)
        if _env_bool("SERVITIUM_DB_SERVER_BINDING", True):
            DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LOCALE_PATHS = [BASE_DIR / "locale"]
# English is built in; a compiled catalogue dropped into locale/<code>/LC_MESSAGES/ adds a language.
# Each language is offered under its own name ("Deutsch"), so a user can find theirs whatever the page's.
LANGUAGES = [("en", "English")] + sorted(
    (path.name, LANG_INFO.get(path.name, {}).get("name_local", path.name))
    for path in (BASE_DIR / "locale").glob("*")
    if path.name != "en" and (path / "LC_MESSAGES" / "django.mo").exists()
)
TIME_ZONE = os.environ.get("SERVITIUM_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# Date formats people cannot misread (core/formats/en); other languages keep Django's own.
FORMAT_MODULE_PATH = ["servitium.core.formats"]

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "attachments"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed, hashed static files served by WhiteNoise; tests skip the manifest (no collectstatic).
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and not os.environ.get("SERVITIUM_TESTING")
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if os.environ.get("SERVITIUM_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["SERVITIUM_S3_BUCKET"],
            "endpoint_url": os.environ.get("SERVITIUM_S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("SERVITIUM_S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("SERVITIUM_S3_SECRET_KEY") or None,
            "region_name": os.environ.get("SERVITIUM_S3_REGION") or None,
            "default_acl": None,
            "querystring_auth": True,
        },
    }
WHITENOISE_USE_FINDERS = bool(os.environ.get("SERVITIUM_TESTING")) or DEBUG

# Resolved tickets the caller has not reopened are closed by a nightly job after this many days (0: never).
AUTO_CLOSE_RESOLVED_DAYS = int(os.environ.get("SERVITIUM_AUTO_CLOSE_DAYS", "7"))
ATTACHMENT_MAX_BYTES = int(os.environ.get("SERVITIUM_ATTACHMENT_MAX_BYTES", str(25 * 1024 * 1024)))
ATTACHMENT_CONTENT_TYPES = _env_list(
    "SERVITIUM_ATTACHMENT_CONTENT_TYPES",
    "text/plain,text/csv,text/markdown,application/pdf,application/json,application/xml,text/xml,"
    "application/zip,application/gzip,image/png,image/jpeg,image/gif,image/webp,message/rfc822,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
    "application/vnd.openxmlformats-officedocument.presentationml.presentation,"
    "application/vnd.oasis.opendocument.text,application/vnd.oasis.opendocument.spreadsheet,"
    "application/octet-stream",
)

# Security baseline: `manage.py check --deploy` is clean when DEBUG is off.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the cookie-less meta tag; kept default-safe
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
_behind_tls = _env_bool("SERVITIUM_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = _behind_tls
CSRF_COOKIE_SECURE = _behind_tls
SECURE_SSL_REDIRECT = _env_bool("SERVITIUM_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SERVITIUM_HSTS_SECONDS", "31536000" if _behind_tls else "0"))
# Sent only on requests that arrived over TLS (behind a proxy: SERVITIUM_BEHIND_PROXY, so Django can tell).
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0 and _env_bool(
    "SERVITIUM_HSTS_INCLUDE_SUBDOMAINS", True
)
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0 and _env_bool("SERVITIUM_HSTS_PRELOAD", True)
# Behind the reverse proxy, X-Forwarded-Proto says whether the client used TLS and the last X-Forwarded-For
# entry is the client's address (for the sign-in limits, core/login.py).
BEHIND_PROXY = _env_bool("SERVITIUM_BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# Content-Security-Policy on every response (django-csp): scripts, styles, fonts and requests from this site
# only; images also as data: URIs (Bootstrap's icons). No template has an inline script, style or event
# handler (tests/core/test_csp.py keeps it so); the API docs page has its own policy (servitium/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if os.environ.get("SERVITIUM_CSP_REPORT_URI"):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = [os.environ["SERVITIUM_CSP_REPORT_URI"]]
SILENCED_SYSTEM_CHECKS = [
    # The built-in server of `servitium run` speaks plain HTTP on loopback; TLS terminates at the proxy,
    # whose redirect policy is the operator's (SERVITIUM_SSL_REDIRECT=1 to redirect here instead).
    "security.W008",
]

# Login rate limiting (per username and per client address).
LOGIN_RATE_LIMIT = int(os.environ.get("SERVITIUM_LOGIN_RATE_LIMIT", "10"))
LOGIN_RATE_WINDOW_S = int(os.environ.get("SERVITIUM_LOGIN_RATE_WINDOW", "300"))

# Single sign-on (servitium/sso; docs/operator-guide.md "Single sign-on"): OpenID Connect when
# SERVITIUM_OIDC_CLIENT_ID and an issuer (or explicit endpoints) are set, LDAP when SERVITIUM_LDAP_URI is;
# local passwords stay, after them. API tokens are unaffected.
from servitium.sso.config import backends as _sso_backends  # noqa: E402
from servitium.sso.config import ldap_settings as _ldap_settings  # noqa: E402
from servitium.sso.config import oidc_settings as _oidc_settings  # noqa: E402

INSTALLED_APPS.append("servitium.sso")  # its German sign-in strings (servitium/sso/locale)
_sso_oidc, _sso_ldap = _oidc_settings(os.environ), _ldap_settings(os.environ)
globals().update({**_sso_oidc, **_sso_ldap})
AUTHENTICATION_BACKENDS = _sso_backends(_sso_oidc, _sso_ldap)

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Sessions: in the database; with REDIS_URL read through the shared Redis cache, so that most requests skip
# the session query and a sign-out ends the session on every node at once (a per-process cache could keep a
# signed-out session alive in another process, so without Redis there is none).
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if os.environ.get("REDIS_URL")
    else "django.contrib.sessions.backends.db"
)
# The name this node goes by where several share the database and queue (periodic runs are recorded with it).
NODE_NAME = os.environ.get("SERVITIUM_NODE_NAME") or f"{socket.gethostname()}"

# Task queue: Redis when REDIS_URL is set, otherwise a SQLite file in the data dir.
_redis_url = os.environ.get("REDIS_URL")
if _redis_url:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": os.environ.get("SERVITIUM_QUEUE_NAME", "servitium"),
        "url": _redis_url,
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "servitium",
        "filename": str(DATA_DIR / "tasks.sqlite3"),
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
if os.environ.get("SERVITIUM_TESTING") or _env_bool("SERVITIUM_IMMEDIATE_TASKS"):
    HUEY["immediate"] = True
    # Immediate mode must not drop periodic/delayed tasks onto a real queue during tests.
    HUEY["immediate_use_memory"] = True

# The fast lane for the busiest API writes (servitium/core/api/lane.py); 0 sends every call through the
# full stack.
API_LANE = _env_bool("SERVITIUM_API_LANE", True)

# The change log's anchor (docs/operator-guide.md, "Change log anchoring"): the key that signs chain heads
# and marks entries (the variable, else a file created on first use), the append-only file of signed
# heads, and the witnesses that receive a copy of each.
ANCHOR_KEY = os.environ.get("SERVITIUM_ANCHOR_KEY", "")
ANCHOR_KEY_FILE = Path(os.environ.get("SERVITIUM_ANCHOR_KEY_FILE") or DATA_DIR / "anchor.key")
ANCHOR_FILE = Path(os.environ.get("SERVITIUM_ANCHOR_FILE") or DATA_DIR / "changelog-anchors.jsonl")
ANCHOR_WEBHOOK = os.environ.get("SERVITIUM_ANCHOR_WEBHOOK", "")
ANCHOR_EMAIL = _env_list("SERVITIUM_ANCHOR_EMAIL", "")

# Outbound webhooks (servitium/webhooks; docs/operator-guide.md "Outbound webhooks"): the address other
# systems reach this instance at (links in payloads), the POST's timeout, tries per delivery, the first
# retry's delay (doubled each time), failed deliveries in a row that switch a subscription off (0: never),
# the days of delivery log kept, and how long a process trusts its index of subscriptions.
WEBHOOK_BASE_URL = os.environ.get("SERVITIUM_BASE_URL", "")
WEBHOOK_TIMEOUT_S = float(os.environ.get("SERVITIUM_WEBHOOK_TIMEOUT", "5"))
WEBHOOK_ATTEMPTS = int(os.environ.get("SERVITIUM_WEBHOOK_ATTEMPTS", "6"))
WEBHOOK_RETRY_BASE_S = int(os.environ.get("SERVITIUM_WEBHOOK_RETRY_BASE", "30"))
WEBHOOK_DISABLE_AFTER = int(os.environ.get("SERVITIUM_WEBHOOK_DISABLE_AFTER", "5"))
WEBHOOK_KEEP_DAYS = int(os.environ.get("SERVITIUM_WEBHOOK_KEEP_DAYS", "30"))  # the delivery log (0: for ever)
# (Tests: an hour, so that no query count depends on when the index happens to be read again.)
WEBHOOK_INDEX_SECONDS = int(
    os.environ.get("SERVITIUM_WEBHOOK_INDEX_SECONDS", "3600" if os.environ.get("SERVITIUM_TESTING") else "30")
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "servitium.core.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "servitium.core.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "servitium.core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # Every body checked once: a JSON object, nested at most 64 levels, no NUL character (core.api.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "servitium.core.api.parsers.JSONParser",
        "servitium.core.api.parsers.FormParser",
        "servitium.core.api.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "servitium.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "servitium.core.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Servitium API",
    "DESCRIPTION": "REST API of Servitium, a service management system for ISO/IEC 20000-1.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "CommunicationChannelEnum": "servitium.relationships.models.Communication.Channel",
        "LevelEnum": "servitium.incidents.models.LEVELS",
        "CompetenceLevelEnum": "servitium.competence.models.Level",
        # Corrective actions and risk treatment actions share these statuses.
        "ActionStatusEnum": "servitium.improvement.models.CorrectiveAction.Status",
        "PriorityEnum": "servitium.core.vocabulary.Priority",
        "ChangeAuthorityEnum": "servitium.changes.models.Authority",
        "ChangeStatusEnum": "servitium.changes.models.Change.Status",
        "ChangeApprovalDecisionEnum": "servitium.changes.models.ChangeApproval.Decision",
        "ReleaseStatusEnum": "servitium.releases.models.Release.Status",
        # Availability and continuity plans; budgets and capacity plans share draft/approved.
        "PlanStatusEnum": "servitium.availability.models.PlanStatus",
        "DraftApprovedEnum": "servitium.finance.models.Approval",
        # supplier criticality and change risk share the same three levels
        "LowMediumHighEnum": "servitium.suppliers.models.Supplier.Criticality",
        "OnboardingTaskKindEnum": "servitium.cloud.models.TaskKind",
        "EventStatusEnum": "servitium.events.models.Event.Status",  # events and their intake payloads
        # the RACI and the process register name the same processes
        "SmsProcessEnum": "servitium.sms.models.leadership.PROCESSES",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

EMAIL_BACKEND = os.environ.get("SERVITIUM_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("SERVITIUM_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("SERVITIUM_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("SERVITIUM_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SERVITIUM_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("SERVITIUM_EMAIL_USE_TLS")
EMAIL_USE_SSL = _env_bool("SERVITIUM_EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = os.environ.get("SERVITIUM_EMAIL_FROM", "servitium@localhost")
# Where the file-based backend (the demo's) writes each message.
EMAIL_FILE_PATH = os.environ.get("SERVITIUM_EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Share of an SLA target at which the warning (and automatic escalation) is scheduled.
SLA_WARNING_THRESHOLD = float(os.environ.get("SERVITIUM_SLA_WARNING_THRESHOLD", "0.75"))

# Mail gateway (incidents by email): see docs/operator-guide.md.
MAIL_DOMAIN = os.environ.get("SERVITIUM_MAIL_DOMAIN") or DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
MAIL_RATE_LIMIT_PER_HOUR = int(os.environ.get("SERVITIUM_MAIL_RATE_LIMIT", "30"))
MAIL_UNKNOWN_SENDER_CUSTOMER = os.environ.get("SERVITIUM_MAIL_UNKNOWN_SENDER_CUSTOMER", "")
# Mail from unknown addresses waits for an agent's triage (off: it is refused and only logged), and its
# sender is told it arrived.
MAIL_TRIAGE = _env_bool("SERVITIUM_MAIL_TRIAGE", True)
MAIL_TRIAGE_ANSWER = _env_bool("SERVITIUM_MAIL_TRIAGE_ANSWER", True)
MAIL_MAX_BYTES = int(os.environ.get("SERVITIUM_MAIL_MAX_BYTES", str(30 * 1024 * 1024)))
IMAP_HOST = os.environ.get("SERVITIUM_IMAP_HOST", "")
IMAP_PORT = int(os.environ.get("SERVITIUM_IMAP_PORT", "993"))
IMAP_USER = os.environ.get("SERVITIUM_IMAP_USER", "")
IMAP_PASSWORD = os.environ.get("SERVITIUM_IMAP_PASSWORD", "")
IMAP_FOLDER = os.environ.get("SERVITIUM_IMAP_FOLDER", "INBOX")
IMAP_SSL = _env_bool("SERVITIUM_IMAP_SSL", True)


# Metrics and health (docs/operator-guide.md, "Metrics and health"): /metrics answers a request with the
# bearer token or from an allowed address (CIDRs; empty: token only); /health/ calls the sealer stale when
# an entry has waited longer than this many seconds.
METRICS_TOKEN = os.environ.get("SERVITIUM_METRICS_TOKEN", "")
METRICS_ALLOW = _env_list("SERVITIUM_METRICS_ALLOW", "127.0.0.1/32,::1/128")
HEALTH_SEAL_MAX_AGE_S = int(os.environ.get("SERVITIUM_HEALTH_SEAL_MAX_AGE", "600"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SERVITIUM_LOG_LEVEL", "INFO")},
    # Huey's consumer adds its own handler; keep one copy of each line.
    "loggers": {"huey": {"level": "INFO", "handlers": [], "propagate": False}},
}
