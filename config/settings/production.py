"""Production: everything from the environment; refuses to start without its secrets."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.http.request import validate_host

from config.settings.base import *  # noqa: F403
from config.settings.base import env, required, site_address

DEBUG = False
SECRET_KEY = required("DJANGO_SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters long.")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set the DJANGO_ALLOWED_HOSTS environment variable.")
# The links of the e-mails: an address the site answers at, over HTTPS.
SITE_URL = site_address(required("SITE_URL"), https=True)
if not validate_host(str(urlsplit(SITE_URL).hostname), ALLOWED_HOSTS):
    raise ImproperlyConfigured("SITE_URL's host must be one of DJANGO_ALLOWED_HOSTS.")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "media"  # noqa: F405

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind that one proxy, REMOTE_ADDR is the proxy's: the sign-in lockout per address reads the client's
# address that the proxy appends last to X-Forwarded-For (partners.views.accounts.lockout_client_ip),
# or one attacker would lock everybody out. Earlier entries are the client's own claims, never trusted.
TRUSTED_PROXY_COUNT = 1
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
