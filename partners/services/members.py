"""Writes to accounts and memberships. Every change is logged in AccountEvent with its actor.

Lock order, the same in every service: the invitation, then the membership, then the user.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from outbox.services import enqueue
from partners.access import Actor, can_manage_members_of
from partners.enums import ROLE_ORGANISATION_KINDS, FormOfAddress, Role
from partners.french import de
from partners.models import AccountEvent, BackupCode, Invitation, Membership, Organisation, User
from partners.selectors.members import ACCOUNT_CLOSED_WITH_LAST_MEMBERSHIP, account_reopenable_by, hash_token
from partners.sessions import SESSION_ENDED_KEY, SessionEnd

INVITATION_EXPIRED = "Ce lien d'invitation a expiré : demandez à votre responsable une nouvelle invitation."
INVITATION_USED = "Ce lien d'invitation a déjà servi."
INVITATION_NOT_FOUND = (
    "Ce lien d'invitation n'est pas valable : vérifiez qu'il est complet, ou demandez une nouvelle invitation "
    "à votre responsable."
)
ACCOUNT_CLOSED_BY_ADMINISTRATOR = "Ce compte a été fermé par un administrateur : lui seul peut le rouvrir."


class InvitationUnavailable(ValidationError):
    """The link cannot be used. ``code`` is ``expired``, ``used`` or ``not_found`` (unknown or revoked)."""


def check_role_fits(*, role: str, organisation: Organisation) -> None:
    if role not in Role.values:
        raise ValidationError({"role": [f"Rôle inconnu : « {role} »."]})
    if organisation.kind not in ROLE_ORGANISATION_KINDS[role]:
        raise ValidationError(
            {
                "role": [
                    f"Le rôle « {Role(role).label} » n'existe pas dans une organisation de type "
                    f"« {organisation.get_kind_display()} »."
                ]
            }
        )


def roles_grantable(*, actor: Actor, organisation: Organisation) -> list[tuple[str, str]]:
    """The roles ``actor`` may give in ``organisation``: those of its kind; administrator only by an administrator."""
    return [
        (value, label)
        for value, label in Role.choices
        if organisation.kind in ROLE_ORGANISATION_KINDS[value]
        and (value != Role.ADMINISTRATOR or actor.is_administrator)
    ]


def _check_role_grantable(*, actor: Actor, role: str, organisation: Organisation) -> None:
    if role == Role.ADMINISTRATOR and not actor.is_administrator:
        raise ValidationError({"role": ["Seul un administrateur peut attribuer le rôle « Administrateur »."]})
    check_role_fits(role=role, organisation=organisation)


def _require_manager_of(actor: Actor, organisation: Organisation) -> None:
    if not can_manage_members_of(actor, organisation):
        raise PermissionDenied("Vous ne gérez pas les comptes de cette organisation.")


def log_account_event(
    *,
    actor: Actor | None,
    organisation: Organisation,
    action: str,
    user: User | None = None,
    detail: str = "",
    reason: str = "",
) -> AccountEvent:
    return AccountEvent.objects.create(
        actor=actor.user if actor else None,
        actor_organisation=actor.organisation if actor else None,
        user=user,
        organisation=organisation,
        action=action,
        detail=detail,
        reason=reason,
    )


@transaction.atomic
def membership_add(
    *, actor: Actor | None, user: User, organisation: Organisation, role: str, reason: str = ""
) -> Membership:
    """Attach ``user`` to ``organisation`` with ``role``. ``actor`` None only for demo data and imports.

    Side effects: an AccountEvent row.
    """
    if actor is not None and not can_manage_members_of(actor, organisation):
        raise PermissionDenied("Vous ne gérez pas les comptes de cette organisation.")
    check_role_fits(role=role, organisation=organisation)
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError("Cette personne est déjà rattachée à cette organisation.")
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    log_account_event(
        actor=actor,
        organisation=organisation,
        user=user,
        action=AccountEvent.Action.MEMBERSHIP_ADDED,
        detail=Role(role).label,
        reason=reason,
    )
    return membership


# --- Invitations --------------------------------------------------------------------------------


def _send_invitation(*, invitation: Invitation, link: str, has_account: bool) -> None:
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "role": invitation.get_role_display(),
        "invited_by": invitation.invited_by.get_full_name(),
        "link": link,
        "has_account": has_account,
        "expires_at": timezone.localtime(invitation.expires_at),
    }
    subject = " ".join(render_to_string("partners/emails/invitation_subject.txt", context).split())
    body = render_to_string("partners/emails/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])


@transaction.atomic
def invitation_create(
    *,
    actor: Actor,
    organisation: Organisation,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    link_for: Callable[[str], str],
) -> Invitation:
    """Invite a colleague into ``organisation``: a single-use link valid ``Invitation.VALIDITY``.

    ``link_for(token)`` gives the absolute URL of the acceptance page (built by the view from the request).
    Only the SHA-256 of the token is stored; the token itself travels in the e-mail only.

    Side effects: an AccountEvent INVITED row; the French invitation e-mail, sent once the transaction commits.
    """
    _require_manager_of(actor, organisation)
    # The organisation's row serialises two managers inviting the same address at the same time.
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    email = User.objects.normalize_email(email.strip()).lower()
    errors: dict[str, list[str]] = {}
    if not organisation.is_active:
        errors.setdefault("__all__", []).append("Cette organisation est fermée : personne ne peut y être invité.")
    try:
        _check_role_grantable(actor=actor, role=role, organisation=organisation)
    except ValidationError as error:
        errors.update(error.message_dict)
    existing_user = User.objects.filter(email=email).first()
    membership = (
        Membership.objects.filter(user=existing_user, organisation=organisation).first() if existing_user else None
    )
    if membership is not None and membership.is_active:
        errors.setdefault("email", []).append(f"Cette personne fait déjà partie de l'équipe {de(organisation)}.")
    elif membership is not None:
        errors.setdefault("email", []).append(
            "Cette personne a un rattachement désactivé à cette organisation : réactivez-le depuis la page de l'équipe."
        )
    elif existing_user is not None and not existing_user.is_active:
        errors.setdefault("email", []).append(
            "Le compte de cette adresse est désactivé : demandez à un administrateur de le réactiver."
        )
    now = timezone.now()
    pending = Invitation.objects.filter(
        organisation=organisation, email=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    )
    if pending.exists():
        errors.setdefault("email", []).append(
            "Une invitation est déjà en attente pour cette adresse : annulez-la avant d'en envoyer une nouvelle."
        )
    if errors:
        raise ValidationError(errors)

    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        organisation=organisation,
        role=role,
        token_hash=hash_token(token),
        invited_by=actor.user,
        created_at=now,
        expires_at=now + Invitation.VALIDITY,
    )
    invitation.full_clean()
    invitation.save()
    log_account_event(
        actor=actor,
        organisation=organisation,
        user=existing_user,
        action=AccountEvent.Action.INVITED,
        detail=Role(role).label,
    )
    link = link_for(token)
    has_account = existing_user is not None
    transaction.on_commit(lambda: _send_invitation(invitation=invitation, link=link, has_account=has_account))
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: Actor, invitation: Invitation, reason: str = "") -> Invitation:
    """Cancel an invitation not yet accepted: its link answers « not found » from now on.

    Side effects: an AccountEvent INVITATION_REVOKED row.
    """
    _require_manager_of(actor, invitation.organisation)
    locked = Invitation.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise ValidationError("Cette invitation a déjà été acceptée : elle ne peut plus être annulée.")
    if locked.revoked_at is not None:
        raise ValidationError("Cette invitation est déjà annulée.")
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at", "updated_at"])
    log_account_event(
        actor=actor,
        organisation=locked.organisation,
        user=User.objects.filter(email=locked.email).first(),
        action=AccountEvent.Action.INVITATION_REVOKED,
        detail=locked.get_role_display(),
        reason=reason.strip(),
    )
    return locked


def check_invitation_usable(invitation: Invitation | None) -> Invitation:
    """``invitation`` if its link may still be used, else InvitationUnavailable with the French reason."""
    if invitation is None or invitation.revoked_at is not None:
        raise InvitationUnavailable(INVITATION_NOT_FOUND, code="not_found")
    if invitation.accepted_at is not None:
        raise InvitationUnavailable(INVITATION_USED, code="used")
    if invitation.expires_at <= timezone.now():
        raise InvitationUnavailable(INVITATION_EXPIRED, code="expired")
    return invitation


# An existing account's password refused on the invitation page (the sign-in door said no).
WRONG_ACCOUNT_PASSWORD = "Mot de passe incorrect pour ce compte."  # noqa: S105 (a message, not a password)


@transaction.atomic
def invitation_accept(
    *, token_hash: str, password: str = "", account: User | None = None, form_of_address: str = ""
) -> Membership:
    """Accept the invitation whose token hashes to ``token_hash``: create the account if the address has
    none (addressed as ``form_of_address``, which an existing account keeps unchanged), then the membership.

    An existing account is ``account``, which the caller authenticated through the sign-in's own door
    (``django.contrib.auth.authenticate``: the lockout, its counts and its records apply); any other
    value is refused. A new account's ``password`` goes through Django's password validators. The
    invitation row is locked first: of two simultaneous requests with the same link, the second waits,
    then finds it used. Nothing is written when an error is raised.

    Side effects: a User row (new account) and an AccountEvent ACTIVATED row, or an AccountEvent
    MEMBERSHIP_ADDED row (existing account); the invitation's accepted_at and accepted_by.
    """
    invitation = check_invitation_usable(
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .filter(token_hash=token_hash)
        .first()
    )
    organisation = invitation.organisation
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .filter(user__email=invitation.email, organisation=organisation)
        .first()
    )
    if membership is not None and not membership.is_active:
        raise ValidationError(
            f"Votre rattachement à {organisation} a été désactivé : adressez-vous au responsable de cette organisation."
        )
    user = User.objects.select_for_update().filter(email=invitation.email).first()
    if user is None:
        candidate = User(email=invitation.email, first_name=invitation.first_name, last_name=invitation.last_name)
        try:
            validate_password(password, user=candidate)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
        try:
            with transaction.atomic():  # a savepoint: the unique e-mail may be taken by a parallel acceptance
                user = User.objects.create_user(
                    email=invitation.email,
                    password=password,
                    first_name=invitation.first_name,
                    last_name=invitation.last_name,
                    form_of_address=FormOfAddress(form_of_address),
                )
        except IntegrityError as error:
            raise ValidationError(
                "Un compte vient d'être créé avec cette adresse : rechargez la page et saisissez son mot de passe."
            ) from error
        action = AccountEvent.Action.ACTIVATED
    else:
        if account is None:  # the account was created after the page was shown: it was asked no password
            raise ValidationError(
                "Un compte vient d'être créé avec cette adresse : rechargez la page et saisissez son mot de passe."
            )
        if account.pk != user.pk:
            raise ValidationError({"password": [WRONG_ACCOUNT_PASSWORD]})
        if not user.is_active:
            raise ValidationError("Ce compte est désactivé. Adressez-vous au responsable de votre structure.")
        action = AccountEvent.Action.MEMBERSHIP_ADDED

    if membership is None:
        check_role_fits(role=invitation.role, organisation=organisation)
        membership = Membership.objects.create(user=user, organisation=organisation, role=invitation.role)
        log_account_event(
            # The invited person acts for themselves, in the organisation they join.
            actor=Actor(user=user, membership=membership),
            organisation=organisation,
            user=user,
            action=action,
            detail=invitation.get_role_display(),
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return membership


# --- Roles, deactivation, reactivation ----------------------------------------------------------


def _refuse_self(actor: Actor, membership: Membership, message: str) -> None:
    if membership.user_id == actor.user.pk:
        raise ValidationError(message)


@transaction.atomic
def membership_change_role(*, actor: Actor, membership: Membership, role: str, reason: str = "") -> Membership:
    """Give ``membership`` another role of its organisation's kind.

    A manager can change neither their own role nor make anyone an administrator.

    Side effects: an AccountEvent ROLE_CHANGED row (« ancien → nouveau »).
    """
    _require_manager_of(actor, membership.organisation)
    _refuse_self(
        actor, membership, "Vous ne pouvez pas modifier votre propre rôle : demandez-le à un autre responsable."
    )
    locked = (
        Membership.objects.select_for_update(of=("self",)).select_related("organisation", "user").get(pk=membership.pk)
    )
    _check_role_grantable(actor=actor, role=role, organisation=locked.organisation)
    if locked.role == role:
        raise ValidationError({"role": ["C'est déjà le rôle de cette personne."]})
    previous = locked.get_role_display()
    locked.role = role
    locked.save(update_fields=["role", "updated_at"])
    log_account_event(
        actor=actor,
        organisation=locked.organisation,
        user=locked.user,
        action=AccountEvent.Action.ROLE_CHANGED,
        detail=f"{previous} → {Role(role).label}",
        reason=reason.strip(),
    )
    return locked


def end_sessions_of(user_id: int, *, reason: SessionEnd | None = None) -> int:
    """End every open session of the user ``user_id``; returns how many.

    With a ``reason``, each session's data is replaced by that reason alone (no user any more): the next
    request from that browser is signed out like after a deletion, and the login page says why
    (partners.middleware.SessionEndedMiddleware); the expired-session purge deletes the row later.
    Without one, the sessions are deleted (an anonymised account: no one is told anything).

    O(open sessions): Django's session table has no user column, so callers run it once their transaction
    has committed (``transaction.on_commit``), never while holding row locks. The authentication middleware
    also refuses an inactive user on the next request, so this is a second lock on the door, not the only one.
    """
    now = timezone.now()
    user_key = str(user_id)
    doomed = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=now).iterator()
        if session.get_decoded().get("_auth_user_id") == user_key
    ]
    if reason is None:
        Session.objects.filter(pk__in=doomed).delete()
    else:
        marker = SessionStore().encode({SESSION_ENDED_KEY: str(reason)})
        Session.objects.filter(pk__in=doomed).update(session_data=marker)
    return len(doomed)


@transaction.atomic
def membership_deactivate(*, actor: Actor, membership: Membership, reason: str = "") -> Membership:
    """Close ``membership``; when the person has no other active membership, close their account too.

    Side effects: an AccountEvent MEMBERSHIP_DEACTIVATED row; when the account closes, User.is_active False,
    deactivated_at, an AccountEvent ACCOUNT_DEACTIVATED row whose detail is ACCOUNT_CLOSED_WITH_LAST_MEMBERSHIP
    (what lets a manager reopen it), and, once the transaction commits, all the person's sessions ended (the
    login page tells them their account was closed).
    """
    _require_manager_of(actor, membership.organisation)
    _refuse_self(actor, membership, "Vous ne pouvez pas désactiver votre propre rattachement.")
    locked = Membership.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=membership.pk)
    if not locked.is_active:
        raise ValidationError("Ce rattachement est déjà désactivé.")
    user = User.objects.select_for_update().get(pk=locked.user_id)
    reason = reason.strip()
    locked.is_active = False
    locked.save(update_fields=["is_active", "updated_at"])
    log_account_event(
        actor=actor,
        organisation=locked.organisation,
        user=user,
        action=AccountEvent.Action.MEMBERSHIP_DEACTIVATED,
        detail=locked.get_role_display(),
        reason=reason,
    )
    if user.is_active and not Membership.objects.filter(user=user, is_active=True).exists():
        user.is_active = False
        user.deactivated_at = timezone.now()
        user.save(update_fields=["is_active", "deactivated_at"])
        log_account_event(
            actor=actor,
            organisation=locked.organisation,
            user=user,
            action=AccountEvent.Action.ACCOUNT_DEACTIVATED,
            detail=ACCOUNT_CLOSED_WITH_LAST_MEMBERSHIP,
            reason=reason,
        )
        # After the commit: the session scan must not run while the rows above are locked. Robust: a failed
        # scan leaves the deactivation committed, and Django refuses the inactive account on its next request.
        user_id = user.pk
        transaction.on_commit(lambda: end_sessions_of(user_id, reason=SessionEnd.ACCOUNT_CLOSED), robust=True)
    return locked


@transaction.atomic
def membership_reactivate(*, actor: Actor, membership: Membership, reason: str = "") -> Membership:
    """Reopen ``membership``, and the person's account if it was closed.

    A closed account reopens only if it was closed with its last membership (membership_deactivate), or if
    ``actor`` is an administrator: an account an administrator closed stays closed, and nothing is written.

    Side effects: an AccountEvent MEMBERSHIP_REACTIVATED row; when the account was closed, User.is_active
    True, deactivated_at cleared, an AccountEvent ACCOUNT_REACTIVATED row.
    """
    _require_manager_of(actor, membership.organisation)
    locked = Membership.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=membership.pk)
    if locked.is_active:
        raise ValidationError("Ce rattachement est déjà actif.")
    check_role_fits(role=locked.role, organisation=locked.organisation)
    user = User.objects.select_for_update().get(pk=locked.user_id)
    if not account_reopenable_by(actor=actor, user=user):
        raise ValidationError(ACCOUNT_CLOSED_BY_ADMINISTRATOR)
    reason = reason.strip()
    locked.is_active = True
    locked.save(update_fields=["is_active", "updated_at"])
    log_account_event(
        actor=actor,
        organisation=locked.organisation,
        user=user,
        action=AccountEvent.Action.MEMBERSHIP_REACTIVATED,
        detail=locked.get_role_display(),
        reason=reason,
    )
    if not user.is_active:
        user.is_active = True
        user.deactivated_at = None
        user.save(update_fields=["is_active", "deactivated_at"])
        log_account_event(
            actor=actor,
            organisation=locked.organisation,
            user=user,
            action=AccountEvent.Action.ACCOUNT_REACTIVATED,
            reason=reason,
        )
    return locked


# --- Two-factor reset ---------------------------------------------------------------------------

TWO_FACTOR_RESET_MESSAGE_KIND = "account.two_factor_reset"


@transaction.atomic
def two_factor_reset(*, actor: Actor, membership: Membership, reason: str = "") -> AccountEvent:
    """An administrator removes the two-factor authentication of ``membership``'s person (lost phone).

    The person enrols an authenticator application again at their next sign-in (mandatory for their
    role) and gets a new set of backup codes then. Administrators only; not on one's own account (one's
    own application is replaced from the « Double authentification » page).

    Side effects: every TOTPDevice (confirmed or pending) and BackupCode row of the person deleted; an
    AccountEvent TWO_FACTOR_RESET row in the membership's organisation; an outbox message to the person
    (in-app and e-mail); once the transaction commits, all the person's sessions ended (the login page says
    why).
    """
    if not actor.is_administrator:
        raise PermissionDenied("Seul un administrateur peut réinitialiser la double authentification.")
    _require_manager_of(actor, membership.organisation)
    _refuse_self(
        actor,
        membership,
        "Vous ne pouvez pas réinitialiser votre propre double authentification : changez d'application depuis "
        "la page « Double authentification », ou demandez-le à un autre administrateur.",
    )
    user = User.objects.select_for_update().get(pk=membership.user_id)
    devices, _ = TOTPDevice.objects.filter(user=user).delete()
    codes, _ = BackupCode.objects.filter(user=user).delete()
    if not devices and not codes:
        raise ValidationError("Cette personne n'a pas de double authentification active : rien à réinitialiser.")
    event = log_account_event(
        actor=actor,
        organisation=membership.organisation,
        user=user,
        action=AccountEvent.Action.TWO_FACTOR_RESET,
        reason=reason.strip(),
    )
    enqueue(
        kind=TWO_FACTOR_RESET_MESSAGE_KIND,
        recipients=[user],
        key=f"two_factor_reset:{event.pk}",
        context={"reset_on_label": timezone.localtime(event.created_at).strftime("%d/%m/%Y à %H:%M")},
        organisation=membership.organisation,
        address=user.email,  # a security notice: sent at once, never filed for the daily digest
    )
    user_id = user.pk
    transaction.on_commit(lambda: end_sessions_of(user_id, reason=SessionEnd.TWO_FACTOR_RESET), robust=True)
    return event
