"""Purges of the sign-in traces: expired sessions and django-axes' failed sign-ins (jobs in ``partners.jobs``).

Nothing else deletes them: Django leaves an expired session row in place until ``clearsessions``
runs, and django-axes keeps a failed sign-in (the address typed, the IP address, the browser's
user agent) for ever.
"""

from __future__ import annotations

import datetime
import logging
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.utils import timezone

from scheduling.batches import delete_in_batches
from scheduling.registry import JobCounts

logger = logging.getLogger(__name__)

# A failed sign-in counts towards a lockout for AXES_COOLOFF_TIME (15 minutes) only; it is kept
# 30 days so that an administrator can still see a wave of attempts on an account or an address.
SIGN_IN_ATTEMPT_RETENTION = datetime.timedelta(days=30)
# django-axes' tables: attempts (counted for the lockout), and the failure and access logs, which
# settings leave unused today (AXES_ENABLE_ACCESS_FAILURE_LOG off, AXES_DISABLE_ACCESS_LOG on):
# purged alike should they be turned on.
AXES_MODELS = ("axes.AccessAttempt", "axes.AccessFailureLog", "axes.AccessLog")
# A network an account signed in from (partners.lockout) is remembered 90 days after its last success there:
# long enough to cover holidays, short enough to forget an office left behind.
SIGN_IN_NETWORK_RETENTION = datetime.timedelta(days=90)


def expired_sessions_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the sessions whose expiry date is past (what ``clearsessions`` does), in batches."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):  # a session engine without a table clears itself
        store.clear_expired()
        return 0
    expired = store.get_model_class().objects.filter(expire_date__lt=now or timezone.now())
    deleted = delete_in_batches(expired)
    logger.info("purge: %s expired sessions deleted", deleted)
    return deleted


def email_change_requests_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the address-change requests never confirmed whose link has expired (they hold an address)."""
    from partners.models import EmailChangeRequest

    expired = EmailChangeRequest.objects.filter(confirmed_at__isnull=True, expires_at__lt=now or timezone.now())
    deleted = delete_in_batches(expired)
    logger.info("purge: %s expired address-change requests deleted", deleted)
    return deleted


def sign_in_attempts_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete django-axes' rows whose last attempt is more than 30 days old, and the networks of
    successful sign-ins (``SignInNetwork``) not used for 90 days, in batches."""
    from partners.models import SignInNetwork

    now = now or timezone.now()
    limit = now - SIGN_IN_ATTEMPT_RETENTION
    deleted = 0
    for label in AXES_MODELS:
        model = apps.get_model(label)
        deleted += delete_in_batches(model._default_manager.filter(attempt_time__lt=limit))
    networks = SignInNetwork.objects.filter(last_signed_in_at__lt=now - SIGN_IN_NETWORK_RETENTION)
    deleted += delete_in_batches(networks)
    logger.info("purge: %s sign-in attempt rows deleted", deleted)
    return deleted


def sessions(today: datetime.date) -> JobCounts:
    """The ``session_purge`` job: expired sessions and address-change links deleted (``examined``)."""
    return JobCounts(examined=expired_sessions_purge() + email_change_requests_purge(), enqueued=0)


def sign_in_attempts(today: datetime.date) -> JobCounts:
    """The ``sign_in_attempt_purge`` job: rows deleted (``examined``)."""
    return JobCounts(examined=sign_in_attempts_purge(), enqueued=0)
