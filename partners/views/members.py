"""A manager's team: members, invitations, roles, deactivation, history; and accepting an invitation."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from common.forms import attach_errors, submit, submitted_data
from common.http_methods import http_methods
from partners.access import actor_for, choose_membership
from partners.forms.members import InvitationAcceptForm, InvitationForm, ReasonForm, RoleChangeForm
from partners.french import de
from partners.models import Invitation
from partners.selectors.members import (
    account_for_email,
    account_reopenable_by,
    hash_token,
    invitation_for_manager,
    invitation_for_token,
    invitation_for_token_hash,
    membership_for_manager,
    organisation_for_team,
    pending_invitations,
    team_history,
    team_members,
)
from partners.services.members import (
    ACCOUNT_CLOSED_BY_ADMINISTRATOR,
    WRONG_ACCOUNT_PASSWORD,
    InvitationUnavailable,
    check_invitation_usable,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    membership_change_role,
    membership_deactivate,
    membership_reactivate,
    two_factor_reset,
)
from partners.services.two_factor import two_factor_in_place


def _team_url(organisation_public_id: object) -> str:
    return reverse("partners:team", kwargs={"public_id": organisation_public_id})


# --- The team and its history ---------------------------------------------------------------


@http_methods("GET")
@login_required
def team(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    organisation = organisation_for_team(actor=actor, public_id=public_id)
    page = team_members(organisation=organisation, after=request.GET.get("apres"), before=request.GET.get("avant"))
    return render(
        request,
        "partners/members/team.html",
        {
            "organisation": organisation,
            "page": page,
            "invitations": pending_invitations(organisation=organisation),
            "my_user_id": actor.user.pk,
            "can_reset_two_factor": actor.is_administrator,
        },
    )


@http_methods("GET")
@login_required
def team_history_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    organisation = organisation_for_team(actor=actor, public_id=public_id)
    page = team_history(organisation=organisation, after=request.GET.get("apres"), before=request.GET.get("avant"))
    return render(request, "partners/members/history.html", {"organisation": organisation, "page": page})


# --- Invitations ----------------------------------------------------------------------------


@http_methods("GET", "POST")
@login_required
def invitation_create_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    organisation = organisation_for_team(actor=actor, public_id=public_id)
    form = InvitationForm(submitted_data(request), actor=actor, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_create(
                actor=actor,
                organisation=organisation,
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                role=form.cleaned_data["role"],
                link_for=lambda token: (
                    settings.SITE_URL + reverse("partners:invitation_accept", kwargs={"token": token})
                ),
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                f"L'invitation est envoyée à {invitation.email}. Le lien est valable 7 jours et ne sert qu'une fois.",
            )
            return redirect(_team_url(organisation.public_id))
    return render(request, "partners/members/invitation_form.html", {"organisation": organisation, "form": form})


@http_methods("GET", "POST")
@login_required
def invitation_revoke_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    invitation = invitation_for_manager(actor=actor, public_id=public_id)
    form = ReasonForm(submitted_data(request))
    if submit(
        request, form, lambda: invitation_revoke(actor=actor, invitation=invitation, reason=form.cleaned_data["reason"])
    ):
        messages.success(request, f"L'invitation {de(invitation.email)} est annulée : son lien ne fonctionne plus.")
        return redirect(_team_url(invitation.organisation.public_id))
    return render(
        request,
        "partners/members/invitation_revoke.html",
        {"invitation": invitation, "organisation": invitation.organisation, "form": form},
    )


# Like Django's PasswordResetConfirmView: the link's token is swapped at once for its hash in the session, and
# the form lives at a token-free URL, so the token stays out of access logs, history and Referer headers.
INVITATION_SESSION_KEY = "invitation_token_hash"
NO_INVITATION_OPENED = (
    "Aucune invitation n'est ouverte dans ce navigateur : ouvrez le lien reçu par e-mail "
    "(il est valable 7 jours et ne sert qu'une fois), ou demandez une nouvelle invitation à votre responsable."
)


def _no_referrer(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The pages of an invitation tell no other site where the visitor comes from."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped


def _unavailable(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return render(request, "partners/members/invitation_unavailable.html", {"message": message}, status=status)


def _invitation_unavailable(request: HttpRequest, error: InvitationUnavailable) -> HttpResponse:
    # Unknown and revoked links answer 404; expired and used ones 410 (Gone), with the French reason.
    return _unavailable(request, str(error.message), status=404 if error.code == "not_found" else 410)


@http_methods("GET")
@never_cache
@_no_referrer
def invitation_open_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the e-mail: a usable token is kept (hashed) in the session, then the token-free form page."""
    try:
        check_invitation_usable(invitation_for_token(token=token))
    except InvitationUnavailable as error:
        return _invitation_unavailable(request, error)
    request.session[INVITATION_SESSION_KEY] = hash_token(token)
    return redirect("partners:invitation_accept_form")


@http_methods("GET", "POST")
@never_cache
@_no_referrer
@sensitive_variables("password")
@sensitive_post_parameters("password", "password_confirmation")
def invitation_accept_view(request: HttpRequest) -> HttpResponse:
    """Public page of an opened invitation: no sign-in needed, the link opened in this browser is the credential."""
    token_hash = request.session.get(INVITATION_SESSION_KEY)
    if not isinstance(token_hash, str):
        return _unavailable(request, NO_INVITATION_OPENED, status=404)
    try:
        invitation: Invitation = check_invitation_usable(invitation_for_token_hash(token_hash=token_hash))
    except InvitationUnavailable as error:
        del request.session[INVITATION_SESSION_KEY]
        return _invitation_unavailable(request, error)
    has_account = account_for_email(email=invitation.email) is not None
    form = InvitationAcceptForm(submitted_data(request), has_account=has_account)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password"]
        # An existing account signs in through the sign-in's own door: django-axes refuses a locked-out
        # address before the password is checked, counts each failure (AccessAttempt) and applies the
        # lockout rules (partners.lockout); its lockout page then replaces this one (AxesMiddleware).
        account = authenticate(request, username=invitation.email, password=password) if has_account else None
        if has_account and account is None:
            form.add_error("password", WRONG_ACCOUNT_PASSWORD)
            return _accept_page(request, invitation, form, has_account)
        try:
            membership = invitation_accept(
                token_hash=token_hash,
                password=password,
                account=account,
                form_of_address=form.cleaned_data.get("form_of_address", ""),
            )
        except InvitationUnavailable as error:
            del request.session[INVITATION_SESSION_KEY]
            return _invitation_unavailable(request, error)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            # Before login(), which keeps the session's data or flushes it (another user was signed in).
            # The session is not verified by a second factor: TwoFactorRequiredMiddleware asks for it
            # before any page, as after the sign-in form.
            del request.session[INVITATION_SESSION_KEY]
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            choose_membership(request, str(membership.public_id))
            messages.success(
                request,
                f"Bienvenue ! Vous faites désormais partie de l'équipe {de(membership.organisation)}, "
                f"avec le rôle « {membership.role_label} ».",
            )
            return redirect("home")
    return _accept_page(request, invitation, form, has_account)


def _accept_page(
    request: HttpRequest, invitation: Invitation, form: InvitationAcceptForm, has_account: bool
) -> HttpResponse:
    return render(
        request,
        "partners/members/invitation_accept.html",
        {"invitation": invitation, "form": form, "has_account": has_account},
    )


# --- Roles, deactivation, reactivation ------------------------------------------------------


@http_methods("GET", "POST")
@login_required
def membership_role_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    membership = membership_for_manager(actor=actor, public_id=public_id)
    form = RoleChangeForm(submitted_data(request), actor=actor, membership=membership)
    is_me = membership.user_id == actor.user.pk
    if request.method == "POST" and form.is_valid():
        previous = membership.role_label
        try:
            membership = membership_change_role(
                actor=actor, membership=membership, role=form.cleaned_data["role"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                f"{membership.user.get_full_name()} : rôle « {previous} » remplacé par « {membership.role_label} ».",
            )
            return redirect(_team_url(membership.organisation.public_id))
    return render(
        request,
        "partners/members/membership_role.html",
        {"membership": membership, "organisation": membership.organisation, "form": form, "is_me": is_me},
    )


@http_methods("GET", "POST")
@login_required
def membership_deactivate_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    membership = membership_for_manager(actor=actor, public_id=public_id)
    form = ReasonForm(submitted_data(request))
    if submit(
        request,
        form,
        lambda: membership_deactivate(actor=actor, membership=membership, reason=form.cleaned_data["reason"]),
    ):
        membership.user.refresh_from_db(fields=["is_active"])
        text = f"Le rattachement {de(membership.user.get_full_name())} est désactivé."
        if not membership.user.is_active:
            text += " Son compte, qui n'avait pas d'autre rattachement actif, est fermé et ses sessions terminées."
        messages.success(request, text)
        return redirect(_team_url(membership.organisation.public_id))
    return render(
        request,
        "partners/members/membership_status.html",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "form": form,
            "deactivate": True,
            "is_me": membership.user_id == actor.user.pk,
        },
    )


@http_methods("GET", "POST")
@login_required
def membership_reactivate_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    membership = membership_for_manager(actor=actor, public_id=public_id)
    form = ReasonForm(submitted_data(request))
    if submit(
        request,
        form,
        lambda: membership_reactivate(actor=actor, membership=membership, reason=form.cleaned_data["reason"]),
    ):
        messages.success(request, f"Le rattachement {de(membership.user.get_full_name())} est réactivé.")
        return redirect(_team_url(membership.organisation.public_id))
    account_locked = not membership.is_active and not account_reopenable_by(actor=actor, user=membership.user)
    return render(
        request,
        "partners/members/membership_status.html",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "form": form,
            "deactivate": False,
            "is_me": membership.user_id == actor.user.pk,
            "account_locked": account_locked,
            "account_locked_message": ACCOUNT_CLOSED_BY_ADMINISTRATOR,
        },
    )


@http_methods("GET", "POST")
@login_required
def two_factor_reset_view(request: HttpRequest, public_id: str) -> HttpResponse:
    """An administrator removes a member's two-factor authentication (lost phone), after confirmation."""
    actor = actor_for(request)
    if not actor.is_administrator:  # before the lookup: every other role gets 403, whatever the record
        raise PermissionDenied("Seul un administrateur peut réinitialiser la double authentification.")
    membership = membership_for_manager(actor=actor, public_id=public_id)
    form = ReasonForm(submitted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            two_factor_reset(actor=actor, membership=membership, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                f"La double authentification {de(membership.user.get_full_name())} est réinitialisée : ses sessions "
                "sont fermées, et une nouvelle application lui sera demandée à sa prochaine connexion. "
                "Un message l'en informe.",
            )
            return redirect(_team_url(membership.organisation.public_id))
    return render(
        request,
        "partners/members/two_factor_reset.html",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "form": form,
            "is_me": membership.user_id == actor.user.pk,
            "in_place": two_factor_in_place(membership.user),
        },
    )


urlpatterns = [
    path("annuaire/<uuid:public_id>/equipe/", team, name="team"),
    path("annuaire/<uuid:public_id>/equipe/historique/", team_history_view, name="team_history"),
    path("annuaire/<uuid:public_id>/equipe/inviter/", invitation_create_view, name="invitation_create"),
    path("invitations/<uuid:public_id>/annuler/", invitation_revoke_view, name="invitation_revoke"),
    path("rattachements/<uuid:public_id>/role/", membership_role_view, name="membership_role"),
    path("rattachements/<uuid:public_id>/desactiver/", membership_deactivate_view, name="membership_deactivate"),
    path("rattachements/<uuid:public_id>/reactiver/", membership_reactivate_view, name="membership_reactivate"),
    path(
        "rattachements/<uuid:public_id>/double-authentification/reinitialiser/",
        two_factor_reset_view,
        name="two_factor_reset",
    ),
    # Before the token's route, which would take « accepter » for a token.
    path("invitation/accepter/", invitation_accept_view, name="invitation_accept_form"),
    path("invitation/<str:token>/", invitation_open_view, name="invitation_accept"),
]
