"""Tests: the same real PostgreSQL and Redis (embedded unless DATABASE_URL / REDIS_URL are set)."""

import os
import sys
import types
import warnings

from config import embedded

embedded.ensure_from_environment()

from config.settings.base import *  # noqa: E402,F403
from config.settings.base import (  # noqa: E402
    BASE_DIR,
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


class UnknownTemplateVariable(Exception):
    pass


class FailOnUnknownVariable(str):
    """``string_if_invalid``: an unknown variable in one of our templates (``templates/``) is a bug, so its
    rendering raises in every test, naming the variable and the template. Django interpolates the value with
    the variable's name (``"%s" % var``): we raise there. Django's admin and crispy-forms templates rely on
    silent missing variables (Django's documentation warns of it): in theirs it renders as nothing, as in
    production. ``{% if x %}`` and ``{% for %}`` still test a missing variable silently."""

    def __contains__(self, part: object) -> bool:
        # Django interpolates only a value holding "%s"; the value itself stays "%(invalid)s", which the few
        # paths that print it without a name (a method needing arguments…) show, and tests look for.
        return part == "%s" or super().__contains__(part)  # type: ignore[operator]

    def __mod__(self, variable: object) -> str:
        origin = _rendering_template()
        if origin is not None and _third_party(origin):
            return ""
        raise UnknownTemplateVariable(f"Unknown variable {variable!r} in template {origin or '?'}")


def _third_party(origin: str) -> bool:
    """A template file of an installed package (Django's admin, crispy-forms…); a template of ours lies in the
    project (``templates/``, an app's ``templates/``), and one built from a string in a test has no file."""
    if not os.path.isabs(origin):
        return False
    return not origin.startswith(str(BASE_DIR) + os.sep) or f"{os.sep}site-packages{os.sep}" in origin


def _rendering_template() -> str | None:
    """The file of the template node being rendered: the nearest ``Node.render_annotated`` on the stack."""
    frame: types.FrameType | None = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name == "render_annotated":
            origin = getattr(frame.f_locals.get("self"), "origin", None)
            if origin is not None:
                return str(origin.name)
        frame = frame.f_back
    return None


TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = FailOnUnknownVariable("%(invalid)s")  # type: ignore[index]

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
