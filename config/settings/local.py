"""Local development: embedded PostgreSQL and Redis unless DATABASE_URL / REDIS_URL are set."""

import warnings

from config import embedded

embedded.ensure_from_environment()

from config.settings.base import *  # noqa: E402,F403
from config.settings.base import INSTALLED_APPS, env  # noqa: E402

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-only-insecure-key-never-used-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# The demonstration data (``make run`` loads it): installed here and in the tests, never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]

# WhiteNoise serves straight from the static folders (no collectstatic) outside production.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
