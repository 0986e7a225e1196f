"""Settings shared by every environment. Values come from environment variables (django-environ).

Environment variables read here (and nowhere else):
DATABASE_URL, REDIS_URL, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DJANGO_CSRF_TRUSTED_ORIGINS,
DJANGO_DEBUG, EMAIL_URL, DEFAULT_FROM_EMAIL, DJANGO_LOG_LEVEL, DJANGO_SECURE_SSL_REDIRECT,
DJANGO_SECURE_HSTS_SECONDS, CELERY_WORKER_CONCURRENCY, ACCESS_LOG_RETENTION_DAYS, SITE_URL.
"""

import base64
import datetime
import hashlib
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import csp.constants
import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured

from common.log_filters import CLIENT_ERROR_LOGGERS

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()


def required(name: str) -> str:
    """An environment variable that must be set and not empty."""
    value = str(env.str(name, default=""))
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


# Every variable the settings know; docker-compose.yml and .env.example may use only these.
KNOWN_ENVIRONMENT_VARIABLES = frozenset(
    {
        "DATABASE_URL",
        "REDIS_URL",
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DJANGO_CSRF_TRUSTED_ORIGINS",
        "DJANGO_DEBUG",
        "EMAIL_URL",
        "DEFAULT_FROM_EMAIL",
        "DJANGO_LOG_LEVEL",
        "DJANGO_SECURE_SSL_REDIRECT",
        "DJANGO_SECURE_HSTS_SECONDS",
        "CELERY_WORKER_CONCURRENCY",
        "ACCESS_LOG_RETENTION_DAYS",
        "SITE_URL",
    }
)


def site_address(value: str, *, https: bool = False) -> str:
    """SITE_URL checked: scheme and host (and port) only, e.g. ``https://orientations-e2c.example.org``."""
    parts = urlsplit(value.strip())
    schemes = ("https",) if https else ("http", "https")
    if parts.scheme not in schemes or not parts.hostname or parts.path not in ("", "/") or parts.query:
        raise ImproperlyConfigured(
            f"SITE_URL must be the site's address, {' or '.join(schemes)}://host[:port] without a path "
            f"(the links of the e-mails start with it), not {value!r}."
        )
    return f"{parts.scheme}://{parts.netloc}"


DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The address people open the site at: every absolute link (e-mails, notices, calendar feeds) starts
# with it, never with a request's Host header. `make run` sets it to the address it serves.
SITE_URL = site_address(env("SITE_URL", default="") or "http://127.0.0.1:8000")
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "partners.admin_site.AdminConfig",  # Django's admin, each change written to the account history
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "django.contrib.postgres",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "pgtrigger",
    "pghistory",
    "django_ratelimit",  # its system check refuses a per-process cache for the counters
    "states",
    "scheduling",
    "csvimport",
    "privacy",
    "audit",
    "outbox",
    "partners",
    "cej",
    "e2c_referrals",
    "exports",
    "reporting",
    "history",
    "retention",
    "submissions",
    "texthygiene",
    "throttle",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "common.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check: a method the view does not implement is refused as such (405), token or not.
    "common.http_methods.MethodNotAllowedMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "history.context.HistoryContextMiddleware",  # who, which organisation, which page: on every change
    "common.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "partners.middleware.SessionEndedMiddleware",  # before anything reads request.user
    "common.middleware.RejectNulBytesMiddleware",
    "common.middleware.SessionTimeoutMiddleware",
    "partners.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After sign-in, two-factor and messages: a tokened form's view runs once per token.
    "submissions.guard.SubmittedOnceMiddleware",
    # Last, as django-axes requires: turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# The change history's context is resolved when a change is written (history/context.py).
PGHISTORY_JSON_ENCODER = "history.context.ContextEncoder"
# The moment of each change (not its transaction's start): a service's changes list in order.
PGHISTORY_CREATED_AT_FUNCTION = "clock_timestamp()"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "partners.context_processors.current_membership",
                "config.navigation.menus",
            ],
            # submissions: ``{% csrf_token %}`` also writes the form's submission token (submissions.guard).
            "builtins": [
                "partners.templatetags.french_dates",
                "partners.templatetags.french_words",
                "partners.templatetags.form_errors",
                "submissions.templatetags.submissions",
            ],
        },
    },
]


def database_from_url(url: str) -> dict[str, object]:
    """DATABASE_URL → DATABASES entry; a percent-encoded host is a unix socket directory."""
    config: dict[str, object] = env.db_url_config(url)
    config["HOST"] = unquote(str(config.get("HOST") or ""))
    config["CONN_MAX_AGE"] = 60
    config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": database_from_url(required("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "partners.User"
# Length and resistance to guessing, never composition rules (ANSSI, NIST SP 800-63B).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "partners.validators.PasswordStrengthValidator", "OPTIONS": {"min_score": 3}},
]
# django-axes first: it refuses a locked-out address typed before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# The sign-in lockout (partners.lockout, docs/security.md): never a whole office behind one address.
# 5 failures with one e-mail address from one network refuse that pair for 15 minutes; 20 failures with
# one address from all networks refuse it only from networks it never signed in from; 10 failures with
# unknown addresses from one network end every failed sign-in from there on the lockout page (a right
# password still signs in). A success clears the failures of that address from that network.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "partners.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "partners.lockout.lockout_response"
LOCKOUT_ACCOUNT_LIMIT = 20
LOCKOUT_UNKNOWN_ADDRESS_LIMIT = 10
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_CALLABLE = "partners.views.accounts.lockout_username"
AXES_CLIENT_IP_CALLABLE = "partners.views.accounts.lockout_client_ip"
TRUSTED_PROXY_COUNT = 0  # reverse proxies in front of the application, each appending to X-Forwarded-For
# Logs name an account by a digest, never by its e-mail address; successful sign-ins are not stored
# (only a keyed digest of the networks an account signed in from: partners.models.SignInNetwork).
AXES_CLIENT_STR_CALLABLE = "partners.views.accounts.lockout_client_str"
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True
# Two-factor authentication (django-otp, TOTP): mandatory for the roles of
# partners.services.two_factor.TWO_FACTOR_ROLES, enforced by common.middleware.TwoFactorRequiredMiddleware.
OTP_TOTP_ISSUER = "Orientations E2C"
# Belt and braces: partners.admin replaces django-otp's device admin by one without the secret.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day, in seconds

LANGUAGE_CODE = "fr-fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

# How long the access log keeps its rows (days): 12 months by default, never under 6 (see audit).
ACCESS_LOG_RETENTION_DAYS = env.int("ACCESS_LOG_RETENTION_DAYS", default=365)

# The largest request accepted at all (a form with one 10 MB PDF and its fields); see common.middleware.
MAX_REQUEST_BODY_BYTES = 12 * 1024 * 1024

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = BASE_DIR / ".data" / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security headers and cookies (production.py adds HSTS, Secure and the __Host- names) --------
SESSION_COOKIE_HTTPONLY = True
# common.middleware.SessionTimeoutMiddleware signs out after 30 minutes without a request and 12 hours
# after sign-in, whatever the activity; the cookie and the session row last no longer than that.
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_ABSOLUTE_TIMEOUT = 12 * 60 * 60
# Each signed-in page warns this long before the end and offers to stay signed in (WCAG 2.2.1, at
# least 20 seconds): static/js/session-timeout.js, partners.views.session.session_extend.
SESSION_IDLE_WARNING = 2 * 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
# Lax, not Strict: a link in a notification e-mail must open the page signed in.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"


def csp_hash(source: str) -> str:
    """The CSP source that allows exactly this inline text (here: a style="..." attribute's value)."""
    digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
    return f"'sha256-{digest}'"


# The only style="..." attributes the pages may carry (tests/partners/test_security.py lists the
# templates' ones and fails on any other): no 'unsafe-inline' at all, scripts or styles.
CSP_ALLOWED_STYLE_ATTRIBUTES = (
    # The 413 and 500 pages stand alone, without the stylesheet.
    "font-family: sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #212529;",
    "color: #0b4f9c;",
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.constants.SELF],
        "script-src": [csp.constants.SELF],
        "style-src": [csp.constants.SELF],
        "style-src-attr": [csp.constants.UNSAFE_HASHES, *map(csp_hash, CSP_ALLOWED_STYLE_ATTRIBUTES)],
        # Bootstrap's stylesheet draws its icons (menu, select arrow, checks) as data: SVG images.
        "img-src": [csp.constants.SELF, "data:"],
        "font-src": [csp.constants.SELF],
        "connect-src": [csp.constants.SELF],
        "form-action": [csp.constants.SELF],
        "frame-ancestors": [csp.constants.NONE],
        "base-uri": [csp.constants.NONE],
        "object-src": [csp.constants.NONE],
    }
}

# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.org:587 ; the console by default.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL", False))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Orientations E2C <ne-pas-repondre@orientations-e2c.fr>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds: a mail server that stops answering fails the attempt; the outbox retries the row later.
# Sender and reply-to are set per message by the outbox (the acting organisation's contact e-mail).
EMAIL_TIMEOUT = 30

# --- Celery -------------------------------------------------------------------------------
REDIS_URL = required("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
# A task is acknowledged only once it has run, and re-queued if its worker dies mid-way:
# tasks must therefore be idempotent (the outbox issue gives them delivery keys).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that stops answering without closing its connections (a hung server, a network partition)
# makes every Redis call wait forever by default. In every process (web, worker, beat) connecting and
# each reply wait at most 3 seconds: a worker's BRPOP is answered within 1 s, a publish in milliseconds.
# A publish with Celery's default retry policy (django-celery-beat's « Run selected tasks » in the
# admin) thus gives up within (1 + 3 retries) × 2 × 3 s, under gunicorn's 30 s (config/gunicorn.py).
_BROKER_SOCKET_TIMEOUT = 3.0
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": _BROKER_SOCKET_TIMEOUT,
    "socket_connect_timeout": _BROKER_SOCKET_TIMEOUT,
}
CELERY_BROKER_CONNECTION_TIMEOUT = _BROKER_SOCKET_TIMEOUT
# The same bound for the result backend (the worker writing a result; only tests read one).
CELERY_REDIS_SOCKET_TIMEOUT = _BROKER_SOCKET_TIMEOUT
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = _BROKER_SOCKET_TIMEOUT
# A web request publishes its tasks after its commit (common.tasks.publish): connecting and each reply
# wait at most this long, once, without retry; a task not published is sent again by a beat sweep.
# Small enough that a request with the broker frozen still answers in well under 2 seconds.
BROKER_PUBLISH_TIMEOUT = 0.5
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=2)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic tasks are declared in code, each with a sentence saying why, by each app in its ``jobs``
# module (``scheduling.registry``); ``scheduling`` hands them to the Celery app when Django is ready
# and django-celery-beat's DatabaseScheduler stores them at beat start-up.
# A scheduled job's run is recorded in the change history under its name (history names no job).
SCHEDULED_JOB_CONTEXT = "history.context.job_context"
# A task stuck on a dead SMTP server is stopped: soft limit (the task can record its failure), then hard.
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180

# --- Cache: the rate-limit counters -----------------------------------------------------------
# The limits themselves (how many exports, documents, searches and password-reset requests, and why
# those numbers) are in throttle/limits.py and docs/security.md. Their counters live in the project's
# Redis through Django's own Redis cache, so every web replica counts the same requests; on its own
# database number (the broker's + 1) so that emptying the cache never touches the Celery queues.


def redis_cache_url(url: str, *, database: int) -> str:
    """The broker's URL (``redis://…/0``, ``rediss://…``, kombu's ``redis+socket:///path``) on another
    database number, in the form redis-py reads."""
    parts = urlsplit(url)
    if parts.scheme == "redis+socket":
        return f"unix://{parts.path}?db={database}"
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


def redis_database(url: str) -> int:
    """The database number a Redis URL names (0 when it names none)."""
    parts = urlsplit(url)
    number = parts.path.strip("/") if parts.scheme != "redis+socket" else ""
    return int(number) if number.isdigit() else 0


CACHE_REDIS_DATABASE = (redis_database(REDIS_URL) + 1) % 16
CACHES = {
    "default": {
        "BACKEND": "common.redis_cache.RedisCache",  # Django's, one redis-py client per pool
        "LOCATION": redis_cache_url(REDIS_URL, database=CACHE_REDIS_DATABASE),
        "KEY_PREFIX": "e2c",
        # As for the broker: a Redis that stops answering must not hold a request. A count that
        # fails lets the request through (RATELIMIT_FAIL_OPEN, logged): a brake, not an access check.
        "OPTIONS": {"socket_timeout": BROKER_PUBLISH_TIMEOUT, "socket_connect_timeout": BROKER_PUBLISH_TIMEOUT},
    }
}
RATELIMIT_USE_CACHE = "default"
RATELIMIT_FAIL_OPEN = True
# django-ratelimit lists memcached and django-redis as « officially supported » and warns for any other
# backend. Django's own RedisCache gives it what it needs: ``add`` is one SET NX EX and ``incr`` one
# INCRBY on a key that cannot expire within its window (its lifetime is the window plus 5 seconds).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

# --- Logging: identifiers only, never personal data -------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"one_line_client_errors": {"()": "common.log_filters.OneLineClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # A refused request (403, 400…) on one line: who, which path, which view, why; no traceback.
        **{name: {"filters": ["one_line_client_errors"]} for name in CLIENT_ERROR_LOGGERS},
    },
}
