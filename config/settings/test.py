"""Tests: the same real PostgreSQL and Redis (embedded unless DATABASE_URL / REDIS_URL are set)."""

import os
import warnings

from config import embedded

embedded.ensure_from_environment()

from config.settings.base import *  # noqa: E402,F403
from config.settings.base import (  # noqa: E402
    CACHES,
    INSTALLED_APPS,
    REDIS_URL,
    TEMPLATES,
    redis_cache_url,
    redis_database,
)

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# The demonstration data: the browser tests load it (installed in local and test settings, never in production).
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]
SITE_URL = "http://testserver"  # the test client's address: links in e-mails open with it
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
# Off by default: Django's test client.login() passes no request, which django-axes refuses, and browser
# tests sign in many times from one address. tests/partners/test_security.py turns it on.
AXES_ENABLED = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# An unknown variable in a template is a bug: fail loudly in tests.
TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = "%(invalid)s"  # type: ignore[index]

# WhiteNoise serves straight from the static folders (no collectstatic) outside production.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")

# `make test` runs the suite in two processes (pytest-xdist): each has its own test database
# (pytest-django suffixes it) and its own Celery queue on the shared Redis, so a worker started by
# one process's test never takes the other's tasks. Worker subprocesses inherit the variable.
if _xdist_worker := os.environ.get("PYTEST_XDIST_WORKER"):
    CELERY_TASK_DEFAULT_QUEUE = f"celery-{_xdist_worker}"

# The rate-limit counters of each test process in a Redis database of its own (gw0 and a run without
# xdist: the broker's + 2, gw1: + 3…), emptied before every test (tests/conftest.py): one process's
# test never sees, nor empties, the other's counters, nor the developer's (the broker's + 1).
CACHE_REDIS_DATABASE = (redis_database(REDIS_URL) + 2 + int((_xdist_worker or "gw0").removeprefix("gw"))) % 16
CACHES["default"]["LOCATION"] = redis_cache_url(REDIS_URL, database=CACHE_REDIS_DATABASE)
