"""Count a request against a limit of ``throttle.limits``; over it, answer 429 in French.

The counting is django-ratelimit's ``get_usage`` (a fixed window per key, keys hashed, counters in
Django's Redis cache: ``CACHES`` in config/settings/base.py). Its own decorator is not used: over the
limit it raises an exception that does not say when the window ends, and the answer must say it, in
the page and in ``Retry-After``.

A view limited per account is decorated with ``per_account(LIMIT)`` under ``login_required``; a view
that counts only some of its requests (a search, not the empty list) calls ``refusal_per_account``.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import math
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django_ratelimit.core import get_usage

from throttle.limits import PASSWORD_RESETS_PER_ADDRESS, PASSWORD_RESETS_PER_NETWORK, Limit

logger = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., HttpResponseBase])

# What the page names, per limit: « Trop de demandes d'export ».
WHAT: dict[str, str] = {
    "exports": "d'export",
    "documents": "de documents",
    "searches": "de recherches",
    "password_reset_address": "de réinitialisation du mot de passe",
    "password_reset_network": "de réinitialisation du mot de passe",
}


def seconds_to_wait(request: HttpRequest, limit: Limit, *, key: str) -> int | None:
    """Count this request against ``limit`` for ``key``: the seconds until its window ends when the
    count is over the limit, else None. A counter that cannot be reached (Redis down) lets it through."""
    try:
        usage = get_usage(request, group=limit.group, key=lambda _group, _request: key, rate=limit.rate, increment=True)
    except Exception as error:  # redis-py's errors and timeouts alike: a brake must not stop the site
        logger.warning("rate limit %s not counted (%s): request let through", limit.group, type(error).__name__)
        return None
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, int(usage["time_left"]))


def too_many_requests(request: HttpRequest, *, limit: Limit, seconds: int) -> HttpResponse:
    """The French page: what was refused, when to try again; HTTP 429 with ``Retry-After`` (seconds)."""
    response = render(
        request,
        "429.html",
        {"what": WHAT.get(limit.group, ""), "minutes": max(1, math.ceil(seconds / 60))},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


def account_key(request: HttpRequest) -> str:
    return f"account:{request.user.pk}"


def refusal_per_account(request: HttpRequest, limit: Limit) -> HttpResponse | None:
    """Count this request of the signed-in person against ``limit``: the 429 page when over, else None."""
    seconds = seconds_to_wait(request, limit, key=account_key(request))
    return None if seconds is None else too_many_requests(request, limit=limit, seconds=seconds)


def per_account(limit: Limit, *, methods: Collection[str] = ()) -> Callable[[View], View]:
    """Decorate a view (under ``login_required``): each request counts against ``limit`` for the signed-in
    account (only those of ``methods`` when given, e.g. the POST that queues an export, not its form)."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not methods or request.method in methods:
                refusal = refusal_per_account(request, limit)
                if refusal is not None:
                    return refusal
            return view(request, *args, **kwargs)

        return limited  # type: ignore[return-value]

    return decorator


# --- The anonymous password-reset request --------------------------------------------------------

ADDRESS_KEY_SALT = "throttle.password_reset.address"


def network_of(address: str) -> str:
    """The client's network: the IPv4 address itself (an office behind one address is one network),
    an IPv6 address's /64 (what one subscriber or site is given, and can rotate addresses within)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def password_reset_refusal(request: HttpRequest, *, email: str, client_ip: str) -> HttpResponse | None:
    """Count a password-reset request per address typed and per client network; the 429 page when
    either is over its limit. Both are always counted, and neither depends on whether an account has
    that address: the answer never tells. The address is counted by a keyed digest (never in Redis)."""
    address = salted_hmac(ADDRESS_KEY_SALT, email.strip().lower(), algorithm="sha256").hexdigest()
    waits: list[tuple[Limit, int]] = []
    for limit, key in (
        (PASSWORD_RESETS_PER_NETWORK, f"network:{network_of(client_ip)}"),
        (PASSWORD_RESETS_PER_ADDRESS, f"address:{address}"),
    ):
        seconds = seconds_to_wait(request, limit, key=key)
        if seconds is not None:
            waits.append((limit, seconds))
    if not waits:
        return None
    limit, seconds = max(waits, key=lambda wait: wait[1])
    return too_many_requests(request, limit=limit, seconds=seconds)
