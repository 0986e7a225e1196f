"""Sign-in protection: how django-axes names an account and an address when it counts failures."""

import hashlib
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def lockout_username(request: HttpRequest, credentials: Mapping[str, Any] | None) -> str:
    """The account a failure counts against: the e-mail as typed, in lower case.

    Sign-in ignores the e-mail's case: without this, « Lea@… » and « lea@… » would each get 5 tries.
    """
    typed = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(typed).strip().lower()


def lockout_client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the
    outermost one appended to X-Forwarded-For (what the client wrote there itself is never trusted)."""
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if proxies:
        forwarded: list[str] = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR") or "")


def lockout_client_str(
    username: str | None, ip_address: str | None, user_agent: str | None, path_info: Any, request: HttpRequest
) -> str:
    """How django-axes names the client in the logs: the account by a digest, never its e-mail address."""
    account = hashlib.sha256((username or "").encode()).hexdigest()[:12] if username else "-"
    return f"account={account} ip={ip_address or '-'}"
