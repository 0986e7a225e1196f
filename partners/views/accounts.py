"""Sign-in protection (how django-axes names an account and an address when it counts failures) and
the sign-out page."""

import hashlib
import ipaddress
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from partners.forms.accounts import PasswordResetRequestForm
from partners.models import User
from throttle.guard import password_reset_refusal


def lockout_username(request: HttpRequest, credentials: Mapping[str, Any] | None) -> str:
    """The account a failure counts against: the e-mail as typed, in lower case.

    Sign-in ignores the e-mail's case: without this, « Lea@… » and « lea@… » would each get 5 tries.
    django-axes' backend names the address by the user model's field (``email``), Django's failure signal
    by the ``authenticate()`` argument (``username``): both are read, so a sign-in made elsewhere than the
    sign-in form (an invitation accepted by an existing account) counts against the same address.
    """
    credentials = credentials or {}
    typed = credentials.get("username") or credentials.get(User.USERNAME_FIELD) or request.POST.get("username", "")
    # No e-mail address is longer (RFC 5321), and django-axes stores it in 255 characters: a longer
    # string typed in the form would otherwise end the sign-in on a server error.
    return str(typed).strip().lower()[:EMAIL_MAX_LENGTH]


EMAIL_MAX_LENGTH = 254


def _address(value: str) -> str | None:
    """``value`` as a canonical IP address, or None: what a proxy writes may carry a port
    (« 192.0.2.4:51234 », « [2001:db8::1]:443 ») or be no address at all (« unknown »)."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # IPv4 with a port (an IPv6 address has at least two colons)
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def lockout_client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the
    outermost one appended to X-Forwarded-For (what the client wrote there itself is never trusted).

    Always a valid address in canonical form, or "" (none known): django-axes stores it in an ``inet``
    column, where anything else would end the sign-in on a server error, and ``SignInNetwork`` digests it,
    where « 2001:DB8::1 » and « 2001:db8::1 » must be one network.
    """
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if proxies:
        forwarded: list[str] = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
        ]
        if len(forwarded) >= proxies:
            appended = _address(forwarded[-proxies])
            if appended is not None:
                return appended
    return _address(str(request.META.get("REMOTE_ADDR") or "")) or ""


def lockout_client_str(
    username: str | None, ip_address: str | None, user_agent: str | None, path_info: Any, request: HttpRequest
) -> str:
    """How django-axes names the client in the logs: the account by a digest, never its e-mail address."""
    account = hashlib.sha256((username or "").encode()).hexdigest()[:12] if username else "-"
    return f"account={account} ip={ip_address or '-'}"


class SignOutView(auth_views.LogoutView):
    """Signing out is a POST (the header's button). An address typed or bookmarked gets a page with that
    button and a word of explanation, never an empty « 405 » page; a visitor not signed in goes to the
    sign-in page."""

    http_method_names = ["get", "head", "post", "options"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect("login")
        return render(request, "registration/logout_confirm.html")


class PasswordResetRequestView(auth_views.PasswordResetView):
    """« Mot de passe oublié », Django's view with a brake: each request counts per address typed and
    per client network (throttle.limits), before anything else; over either limit, the 429 page. The
    counts never depend on whether the address has an account, so neither does the answer."""

    form_class = PasswordResetRequestForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refusal = password_reset_refusal(
            request, email=str(request.POST.get("email", ""))[:EMAIL_MAX_LENGTH], client_ip=lockout_client_ip(request)
        )
        if refusal is not None:
            return refusal
        return super().post(request, *args, **kwargs)
