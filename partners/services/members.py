"""Writes to accounts and memberships. Every change is logged in AccountEvent with its actor."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from partners.access import Actor, can_manage_members_of
from partners.enums import ROLE_ORGANISATION_KINDS, Role
from partners.models import AccountEvent, Membership, Organisation, User


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
