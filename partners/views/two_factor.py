"""Two-factor pages: the code after the password (or a backup code), enrolment of an authenticator
application, a new set of backup codes, the password asked again before a change of sign-in settings, and
the change of one's sign-in address."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from common.forms import attach_errors, refusal_form
from common.http_methods import http_methods
from common.middleware import SIGNED_IN_AT
from partners.forms.accounts import EmailChangeForm, FormOfAddressForm
from partners.forms.two_factor import (
    BackupCodesRegenerateForm,
    PasswordConfirmForm,
    SecondFactorCodeForm,
    TotpCodeForm,
)
from partners.models import User
from partners.selectors.members import hash_token
from partners.services.accounts import (
    LINK_UNUSABLE,
    account_form_of_address_set,
    email_change_confirm,
    email_change_request,
    email_change_request_for,
    masked_address,
)
from partners.services.two_factor import (
    BACKUP_CODE_COUNT,
    BACKUP_CODES_LOW,
    backup_code_verify,
    backup_codes_generate,
    backup_codes_remaining,
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


CODE_REFUSED = (
    "Code refusé : il est faux, a déjà servi ou a expiré. Saisissez le code affiché en ce moment "
    "par votre application (après plusieurs erreurs, patientez quelques secondes)."
)
BACKUP_CODE_USED = (
    "Ce code de secours a déjà servi : chaque code ne fonctionne qu'une fois. Saisissez un autre de vos codes."
)
BACKUP_CODE_REFUSED = (
    "Code de secours refusé : il est faux, ou a été remplacé par une nouvelle série de codes "
    "(après plusieurs erreurs, patientez quelques secondes)."
)


def remaining_codes_message(request: HttpRequest, remaining: int) -> None:
    """After a backup code: how many are left, a warning when few are."""
    if remaining <= BACKUP_CODES_LOW:
        left = f"il ne vous reste que {remaining} code{'s' if remaining > 1 else ''} de secours"
        if remaining == 0:
            left = "vous n'avez plus aucun code de secours"
        messages.warning(
            request,
            f"Code de secours accepté, mais {left}. Générez-en une nouvelle série depuis la page "
            "« Double authentification » (et, si vous avez perdu votre téléphone, configurez-y une nouvelle "
            "application).",
        )
    else:
        messages.success(
            request,
            f"Code de secours accepté. Il vous reste {remaining} codes de secours. Si vous avez perdu votre "
            "téléphone, configurez une nouvelle application depuis la page « Double authentification ».",
        )


@http_methods("GET", "POST")
@never_cache
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The code after the password: the application's, or one of the person's backup codes."""
    user = signed_in_user(request)
    target = next_url(request)
    if session_is_verified(request):
        return redirect(target)
    if confirmed_device(user) is None:
        return redirect(with_next("two_factor_setup", target))
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        if not form.is_backup_code:
            if totp_verify(request=request, user=user, token=token):
                return redirect(target)
            form.add_error("token", CODE_REFUSED)
        else:
            check = backup_code_verify(request=request, user=user, code=token)
            if check.accepted:
                remaining_codes_message(request, check.remaining)
                return redirect(target)
            form.add_error("token", BACKUP_CODE_USED if check.used else BACKUP_CODE_REFUSED)
    return render(request, "partners/two_factor/verify.html", {"form": form, "next": target})


def render_backup_codes(request: HttpRequest, codes: list[str], *, target: str, first: bool) -> HttpResponse:
    """The one page that shows a new set of codes in clear: rendered in the answer to the POST, stored nowhere."""
    return render(
        request,
        "partners/two_factor/backup_codes.html",
        {"codes": codes, "next": target, "first": first, "count": BACKUP_CODE_COUNT},
    )


@http_methods("GET", "POST")
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
            return render_backup_codes(request, backup_codes_generate(user=user), target=target, first=True)
        form.add_error(
            "token", "Code refusé. Vérifiez que l'application a bien enregistré la clé, puis saisissez le code actuel."
        )
    context = {
        "form": form,
        "next": target,
        "replacing": current is not None,
        "backup_codes_remaining": backup_codes_remaining(user) if current is not None else None,
        "qr_code_svg": qr_code_svg(device),
        "secret": secret_for_manual_entry(device),
    }
    return render(request, "partners/two_factor/setup.html", context)


@http_methods("GET", "POST")
@never_cache
@login_required
def backup_codes_regenerate(request: HttpRequest) -> HttpResponse:
    """A new set of backup codes, the old one invalidated: verified session, password typed < 5 minutes."""
    user = signed_in_user(request)
    here = reverse("backup_codes_regenerate")
    if confirmed_device(user) is None:
        return redirect(with_next("two_factor_setup", here))
    if not session_is_verified(request):
        return redirect(with_next("two_factor_verify", here))
    if not recently_authenticated(request):
        return redirect(with_next("reauthenticate", here))
    form = BackupCodesRegenerateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        messages.success(request, "Une nouvelle série de codes de secours remplace la précédente.")
        return render_backup_codes(request, backup_codes_generate(user=user), target=reverse("home"), first=False)
    return render(
        request,
        "partners/two_factor/backup_codes_regenerate.html",
        {"form": form, "remaining": backup_codes_remaining(user), "count": BACKUP_CODE_COUNT},
    )


@http_methods("GET", "POST")
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
            # A session allowed to change sign-in settings is a new one: its former identifier is void.
            request.session.cycle_key()
            return redirect(target)
        form.add_error("password", "Mot de passe incorrect.")
    return render(request, "partners/two_factor/reauthenticate.html", {"form": form, "next": target})


@http_methods("GET", "POST")
@never_cache
@login_required
def email_change(request: HttpRequest) -> HttpResponse:
    """A new sign-in address, after the password typed again (sign-in or confirmation < 5 minutes): a
    confirmation link goes to that address; the account's address changes when it is followed."""
    user = signed_in_user(request)
    if not recently_authenticated(request):
        return redirect(with_next("reauthenticate", reverse("email_change")))
    if request.method == "POST" and "form_of_address" in request.POST:
        address_form = FormOfAddressForm(request.POST)
        if address_form.is_valid():
            try:
                account_form_of_address_set(actor=user, form_of_address=address_form.cleaned_data["form_of_address"])
            except ValidationError as error:
                attach_errors(address_form, error)
            else:
                messages.success(request, "C'est noté : votre rôle est désormais affiché en conséquence.")
                return redirect("email_change")
        return _email_change_page(request, user, EmailChangeForm(user=user), address_form)
    form = EmailChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        email_change_request(
            user=user,
            email=email,
            link_for=lambda token: settings.SITE_URL + reverse("email_change_open", kwargs={"token": token}),
        )
        messages.success(
            request,
            f"Un lien de confirmation vient d'être envoyé à {masked_address(email)} (valable 24 heures). "
            "Votre adresse actuelle reste celle de connexion tant que vous ne l'avez pas suivi.",
        )
        return redirect("home")
    return _email_change_page(request, user, form, FormOfAddressForm(initial={"form_of_address": user.form_of_address}))


def _email_change_page(
    request: HttpRequest, user: User, form: EmailChangeForm, address_form: FormOfAddressForm
) -> HttpResponse:
    return render(
        request,
        "partners/email_change.html",
        {"form": form, "address_form": address_form, "current_email": user.email},
    )


# Like the invitations: the link's token is swapped at once for its hash in the session and the page that
# confirms lives at a token-free URL (no token in access logs, history nor Referer headers).
EMAIL_CHANGE_SESSION_KEY = "email_change_token_hash"


@http_methods("GET")
@never_cache
@login_required
def email_change_open(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the e-mail, opened signed in: its hash kept in the session, then the confirmation page."""
    request.session[EMAIL_CHANGE_SESSION_KEY] = hash_token(token)
    response = redirect("email_change_confirm")
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@http_methods("GET", "POST")
@never_cache
@login_required
def email_change_confirm_view(request: HttpRequest) -> HttpResponse:
    """Confirm the new address (a POST: a mail scanner opening the link changes nothing)."""
    user = signed_in_user(request)
    token_hash = request.session.get(EMAIL_CHANGE_SESSION_KEY, "")
    pending = email_change_request_for(user=user, token_hash=str(token_hash)) if token_hash else None
    form = None
    if request.method == "POST" and pending is not None:
        try:
            email_change_confirm(user=user, token_hash=str(token_hash))
        except ValidationError as refused:
            form = refusal_form(refused)
        else:
            del request.session[EMAIL_CHANGE_SESSION_KEY]
            messages.success(
                request, "Votre adresse de connexion est changée : utilisez-la à votre prochaine connexion."
            )
            return redirect("home")
    response = render(
        request,
        "partners/email_change_confirm.html",
        {
            "pending": pending,
            "unusable": LINK_UNUSABLE if pending is None else "",
            "form": form,
            "current_email": user.email,
        },
        status=410 if pending is None else 200,
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
