"""Two-factor pages: the code after the password, enrolment of an authenticator application, the
password asked again before a change of sign-in settings, and the change of one's sign-in address."""

import time
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from config.middleware import SIGNED_IN_AT
from partners.forms.accounts import EmailChangeForm
from partners.forms.two_factor import PasswordConfirmForm, TotpCodeForm
from partners.models import User
from partners.services.accounts import EmailTaken, account_email_change
from partners.services.two_factor import (
    confirmed_device,
    qr_code_svg,
    secret_for_manual_entry,
    session_is_verified,
    totp_enrolment_confirm,
    totp_enrolment_start,
    totp_verify,
)

REAUTHENTICATED_AT = "_reauthenticated_at"  # session key: when the password was last typed again
RECENT_AUTHENTICATION_SECONDS = 5 * 60


def next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


def with_next(url_name: str, target: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': target})}"


def recently_authenticated(request: HttpRequest) -> bool:
    """The password was typed (sign-in or confirmation) less than 5 minutes ago."""
    latest = max(float(request.session.get(SIGNED_IN_AT, 0)), float(request.session.get(REAUTHENTICATED_AT, 0)))
    return time.time() - latest < RECENT_AUTHENTICATION_SECONDS


def signed_in_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 (login_required ran)
    return request.user


@never_cache
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    target = next_url(request)
    if session_is_verified(request):
        return redirect(target)
    if confirmed_device(user) is None:
        return redirect(with_next("two_factor_setup", target))
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_verify(request=request, user=user, token=form.cleaned_data["token"]):
            return redirect(target)
        form.add_error(
            "token",
            "Code refusé : il est faux, a déjà servi ou a expiré. Saisissez le code affiché en ce moment "
            "par votre application (après plusieurs erreurs, patientez quelques secondes).",
        )
    return render(request, "partners/two_factor/verify.html", {"form": form, "next": target})


@never_cache
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator application: the first one after sign-in, or a new one replacing it."""
    user = signed_in_user(request)
    target = next_url(request)
    current = confirmed_device(user)
    if current is not None and not session_is_verified(request):
        # Enrolling a new application must not be a way round the code of the current one.
        return redirect(with_next("two_factor_verify", target))
    if not recently_authenticated(request):
        return redirect(with_next("reauthenticate", f"{reverse('two_factor_setup')}?{urlencode({'next': target})}"))
    device = totp_enrolment_start(user=user)
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_enrolment_confirm(request=request, user=user, device=device, token=form.cleaned_data["token"]):
            messages.success(request, "La double authentification est activée sur votre compte.")
            return redirect(target)
        form.add_error(
            "token", "Code refusé. Vérifiez que l'application a bien enregistré la clé, puis saisissez le code actuel."
        )
    context = {
        "form": form,
        "next": target,
        "replacing": current is not None,
        "qr_code_svg": qr_code_svg(device),
        "secret": secret_for_manual_entry(device),
    }
    return render(request, "partners/two_factor/setup.html", context)


@never_cache
@login_required
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """The password typed again before changing sign-in settings; failures count towards the lockout."""
    user = signed_in_user(request)
    target = next_url(request)
    form = PasswordConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        checked = authenticate(request, username=user.email, password=form.cleaned_data["password"])
        if checked is not None and checked.pk == user.pk:
            request.session[REAUTHENTICATED_AT] = time.time()
            return redirect(target)
        form.add_error("password", "Mot de passe incorrect.")
    return render(request, "partners/two_factor/reauthenticate.html", {"form": form, "next": target})


@never_cache
@login_required
def email_change(request: HttpRequest) -> HttpResponse:
    """A new sign-in address, after the password typed again (sign-in or confirmation < 5 minutes)."""
    user = signed_in_user(request)
    if not recently_authenticated(request):
        return redirect(with_next("reauthenticate", reverse("email_change")))
    form = EmailChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            account_email_change(user=user, email=form.cleaned_data["email"])
        except EmailTaken:
            form.add_error("email", "Cette adresse ne peut pas être celle de votre compte.")
        else:
            messages.success(
                request, "Votre adresse de connexion est changée : utilisez-la à votre prochaine connexion."
            )
            return redirect("home")
    return render(request, "partners/email_change.html", {"form": form, "current_email": user.email})
