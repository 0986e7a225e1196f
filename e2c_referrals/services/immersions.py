"""Adviser immersions: ML or France Travail advisers spending time in an E2C, and the reverse."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from e2c_referrals.access import REFERRING_KINDS, can_record_immersions
from e2c_referrals.enums import ImmersionDirection
from e2c_referrals.models import AdviserImmersion
from partners.access import Actor
from partners.enums import OrganisationKind
from partners.models import Organisation, User

LONGEST_IMMERSION = datetime.timedelta(days=31)


@dataclasses.dataclass(frozen=True)
class ImmersionData:
    host_organisation: Organisation
    starts_on: datetime.date
    ends_on: datetime.date
    participants: Sequence[User]
    host_contacts: str = ""
    notes: str = ""


def host_choices(actor: Actor) -> list[Organisation]:
    """Structures of the other network: E2C sites for an ML or agency, MLs and agencies for an E2C."""
    organisation = actor.organisation
    if organisation is None:
        return []
    kinds = REFERRING_KINDS if organisation.is_e2c else (OrganisationKind.E2C_SITE,)
    return list(Organisation.objects.filter(is_active=True, kind__in=kinds).order_by("sort_name", "pk"))


def participant_choices(actor: Actor) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, memberships__is_active=True, memberships__organisation_id__in=actor.family_ids
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


@transaction.atomic
def immersion_record(*, actor: Actor, data: ImmersionData) -> AdviserImmersion:
    """Record an immersion of colleagues of the actor's organisation in the other network."""
    organisation = actor.organisation
    if organisation is None or not can_record_immersions(actor):
        raise PermissionDenied("Votre rôle ne permet pas d'enregistrer une immersion.")
    errors: dict[str, list[str]] = {}
    if data.host_organisation.is_e2c == organisation.is_e2c or not data.host_organisation.is_active:
        errors["host_organisation"] = ["La structure d'accueil appartient à l'autre réseau."]
    if data.ends_on < data.starts_on:
        errors["ends_on"] = ["La fin ne peut pas précéder le début."]
    elif data.ends_on - data.starts_on > LONGEST_IMMERSION:
        errors["ends_on"] = ["Une immersion dure au plus un mois : enregistrez-en plusieurs."]
    if abs((data.starts_on - timezone.localdate()).days) > 366:
        errors["starts_on"] = ["Cette date est à plus d'un an d'aujourd'hui."]
    allowed = {user.pk for user in participant_choices(actor)}
    if not data.participants:
        errors["participants"] = ["Choisissez au moins un participant."]
    elif any(user.pk not in allowed for user in data.participants):
        errors["participants"] = ["Les participants sont des membres de votre structure."]
    if errors:
        raise ValidationError(errors)
    immersion = AdviserImmersion.objects.create(
        direction=ImmersionDirection.E2C_IN_ML if organisation.is_e2c else ImmersionDirection.ML_IN_E2C,
        visiting_organisation=organisation,
        host_organisation=data.host_organisation,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        host_contacts=data.host_contacts.strip(),
        notes=data.notes.strip(),
        recorded_by=actor.user,
    )
    immersion.participants.set(data.participants)
    return immersion
