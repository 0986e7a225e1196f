"""The sign-in lockout: who is refused after failed sign-ins, and what the refused person reads.

django-axes counts the failures (one ``AccessAttempt`` row per address typed, network and browser);
this handler decides from them, so that an office behind one address is never locked out as a whole
and an account attacked from everywhere still opens for its owner at work (docs/security.md):

1. **An address typed and a network** (``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]``):
   AXES_FAILURE_LIMIT (5) failures with one e-mail address from one network refuse that address from
   that network for AXES_COOLOFF_TIME (15 minutes), even with the right password. Other addresses from
   that network, and that address from other networks, are not affected.
2. **An address attacked from many networks**: LOCKOUT_ACCOUNT_LIMIT (20) failures with one address,
   all networks together, refuse it before its password is checked, but only from networks the account
   has never signed in from (``SignInNetwork``): its owner still signs in from the office.
3. **A network trying addresses that match no account** (credential stuffing, password spraying):
   LOCKOUT_UNKNOWN_ADDRESS_LIMIT (10) failures with unknown addresses from one network make every
   *failed* sign-in from there end on the lockout page. The password is still checked for everyone, and
   a right password of an existing account signs in: the colleagues of whoever mistyped keep working.
   The page is the same whether the address exists or not, after the same password check (same time):
   the brake tells no one which addresses have an account.

Every count is over the last AXES_COOLOFF_TIME, and each failure restarts it.
"""

from __future__ import annotations

import datetime
import enum
import logging
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import salted_hmac

from partners.models import SignInNetwork, User
from partners.views.accounts import lockout_client_str

logger = logging.getLogger(__name__)

NETWORK_DIGEST_SALT = "partners.lockout.network"


class Refusal(enum.StrEnum):
    """Why a sign-in is refused; the lockout page explains each one."""

    ADDRESS_FROM_NETWORK = "address_from_network"  # rule 1
    ADDRESS_FROM_NEW_NETWORK = "address_from_new_network"  # rule 2
    NETWORK = "network"  # rule 3


def network_digest(ip_address: str) -> str:
    """What ``SignInNetwork`` stores of an address: a keyed digest, useless without the SECRET_KEY."""
    return salted_hmac(NETWORK_DIGEST_SALT, ip_address, algorithm="sha256").hexdigest()


def _recent_attempts(request: HttpRequest) -> QuerySet[AccessAttempt]:
    attempts: QuerySet[AccessAttempt] = AccessAttempt.objects.all()
    return attempts.filter(attempt_time__gte=get_cool_off_threshold(request))


def _failures(attempts: QuerySet[AccessAttempt]) -> int:
    return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)


def _signed_in_from(username: str, ip_address: str) -> bool:
    return SignInNetwork.objects.filter(user__email=username, network_digest=network_digest(ip_address)).exists()


def refusal_before_password(request: HttpRequest, credentials: dict[str, Any] | None = None) -> Refusal | None:
    """Rules 1 and 2: refused whatever the password (django-axes' backend asks before the password check)."""
    username = get_client_username(request, credentials) or ""
    ip_address = request.axes_ip_address  # type: ignore[attr-defined]
    recent = _recent_attempts(request)
    if _failures(recent.filter(username=username, ip_address=ip_address)) >= get_failure_limit(request, credentials):
        return Refusal.ADDRESS_FROM_NETWORK
    if (
        username
        and _failures(recent.filter(username=username)) >= settings.LOCKOUT_ACCOUNT_LIMIT
        and not _signed_in_from(username, ip_address)
    ):
        return Refusal.ADDRESS_FROM_NEW_NETWORK
    return None


def refusal_after_failure(request: HttpRequest, credentials: dict[str, Any] | None = None) -> Refusal | None:
    """Rules 1 to 3, once a sign-in has failed (its failure counted)."""
    refusal = refusal_before_password(request, credentials)
    if refusal is not None:
        return refusal
    from_network = _recent_attempts(request).filter(ip_address=request.axes_ip_address)  # type: ignore[attr-defined]
    unknown = from_network.exclude(username__in=User.objects.values("email"))
    if _failures(unknown) >= settings.LOCKOUT_UNKNOWN_ADDRESS_LIMIT:
        return Refusal.NETWORK
    return None


class LockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]  # django-axes has no type hints
    """django-axes' database handler with the three rules above instead of its own count."""

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        if not getattr(settings, "AXES_LOCK_OUT_AT_FAILURE", True):
            return False
        refusal = refusal_before_password(request, credentials)
        if refusal is not None:
            request.lockout_refusal = refusal  # type: ignore[attr-defined]
        return refusal is not None

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or self.is_whitelisted(request, credentials):
            return
        refusal = refusal_after_failure(request, credentials)
        if refusal is None:
            return
        request.lockout_refusal = refusal  # type: ignore[attr-defined]
        if not request.axes_locked_out:  # type: ignore[attr-defined]
            username = get_client_username(request, credentials)
            client = lockout_client_str(username, request.axes_ip_address, None, None, request)  # type: ignore[attr-defined]
            logger.warning("lockout: %s refused (%s)", client, refusal.value)
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]

    def user_logged_in(self, sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        """django-axes clears the failures of this address from this network; the network is remembered."""
        super().user_logged_in(sender, request, user, **kwargs)
        ip_address = getattr(request, "axes_ip_address", "")
        if isinstance(user, User) and ip_address:
            SignInNetwork.objects.bulk_create(
                [SignInNetwork(user=user, network_digest=network_digest(ip_address), last_signed_in_at=timezone.now())],
                update_conflicts=True,
                unique_fields=["user", "network_digest"],
                update_fields=["last_signed_in_at"],
            )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The lockout page (429): why, for how long, and what to do — never whether the address exists."""
    cool_off = get_cool_off(request) or datetime.timedelta(minutes=15)
    refusal = getattr(request, "lockout_refusal", None) or Refusal.ADDRESS_FROM_NETWORK
    context = {
        "refusal": str(refusal),
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": int(cool_off.total_seconds() // 60),
        # Each failure restarts the count: the block ends this long after the one just made.
        "blocked_until": timezone.localtime(timezone.now() + cool_off),
    }
    return render(
        request, settings.AXES_LOCKOUT_TEMPLATE, context, status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)
    )
