"""Writes to the correspondents: who is the named contact between an E2C site and an ML / FT agency.

Who changed a pair and when: ``created_at`` / ``updated_at`` on the row for now; the full change
history of every table (who, when, before/after) comes with the security issue (#10, django-pghistory).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from partners.access import Actor, can_edit_correspondents_of
from partners.enums import OrganisationKind
from partners.models import Correspondent, Membership, Organisation, User
from partners.selectors.correspondents import PARTNER_KINDS, e2c_side_of


def _check_may_edit(actor: Actor, *, e2c_site: Organisation, partner: Organisation) -> None:
    if not (can_edit_correspondents_of(actor, e2c_site) or can_edit_correspondents_of(actor, partner)):
        raise PermissionDenied("Vous ne pouvez pas désigner les correspondants de ces organisations.")


def _is_active_member(user: User, organisations: list[Organisation]) -> bool:
    return (
        user.is_active and Membership.objects.filter(user=user, organisation__in=organisations, is_active=True).exists()
    )


def _check_people(
    *, e2c_site: Organisation, partner: Organisation, partner_correspondent: User | None, e2c_contact: User | None
) -> None:
    errors: dict[str, list[str]] = {}
    if partner_correspondent is None and e2c_contact is None:
        raise ValidationError(
            "Désignez au moins une personne : le correspondant ML / France Travail ou le contact E2C."
        )
    if partner_correspondent is not None and not _is_active_member(partner_correspondent, [partner]):
        errors["partner_correspondent"] = [
            f"{partner_correspondent.get_full_name()} n'a pas de rattachement actif à « {partner} »."
        ]
    if e2c_contact is not None and not _is_active_member(e2c_contact, e2c_side_of(e2c_site)):
        errors["e2c_contact"] = [
            f"{e2c_contact.get_full_name()} n'a pas de rattachement actif à « {e2c_site} » ni à son école."
        ]
    if errors:
        raise ValidationError(errors)


def _check_organisations(*, e2c_site: Organisation, partner: Organisation) -> None:
    errors: dict[str, list[str]] = {}
    if e2c_site.kind != OrganisationKind.E2C_SITE:
        errors["e2c_site"] = [f"« {e2c_site} » n'est pas un site E2C."]
    elif not e2c_site.is_active:
        errors["e2c_site"] = [f"Le site « {e2c_site} » est inactif."]
    if partner.kind not in PARTNER_KINDS:
        errors["partner"] = [f"« {partner} » n'est ni une Mission Locale ni une agence France Travail."]
    elif not partner.is_active:
        errors["partner"] = [f"« {partner} » est inactive."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def correspondent_create(
    *,
    actor: Actor,
    e2c_site: Organisation,
    partner: Organisation,
    partner_correspondent: User | None,
    e2c_contact: User | None,
) -> Correspondent:
    """Name the contacts between an E2C site and an ML or FT agency (one pair per site and partner).

    Side effects: none yet. The routing of notifications reads the pairs (see
    ``partners.selectors.correspondents.correspondents_for_site``).
    """
    _check_may_edit(actor, e2c_site=e2c_site, partner=partner)
    _check_organisations(e2c_site=e2c_site, partner=partner)
    _check_people(
        e2c_site=e2c_site, partner=partner, partner_correspondent=partner_correspondent, e2c_contact=e2c_contact
    )
    # Lock the site so two people adding the same pair at once get the French message, not an IntegrityError.
    Organisation.objects.select_for_update().filter(pk=e2c_site.pk).first()
    if Correspondent.objects.filter(e2c_site=e2c_site, partner=partner).exists():
        raise ValidationError(
            f"Des correspondants sont déjà désignés entre « {e2c_site} » et « {partner} » : modifiez-les plutôt."
        )
    return Correspondent.objects.create(
        e2c_site=e2c_site, partner=partner, partner_correspondent=partner_correspondent, e2c_contact=e2c_contact
    )


@transaction.atomic
def correspondent_update(
    *, actor: Actor, correspondent: Correspondent, partner_correspondent: User | None, e2c_contact: User | None
) -> list[str]:
    """Change the people named for a pair (the site and the partner stay); returns the changed fields."""
    locked = (
        Correspondent.objects.select_for_update(of=("self",))
        .select_related("e2c_site", "partner")
        .get(pk=correspondent.pk)
    )
    _check_may_edit(actor, e2c_site=locked.e2c_site, partner=locked.partner)
    _check_people(
        e2c_site=locked.e2c_site,
        partner=locked.partner,
        partner_correspondent=partner_correspondent,
        e2c_contact=e2c_contact,
    )
    values = {"partner_correspondent": partner_correspondent, "e2c_contact": e2c_contact}
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, values[name])
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
    return changed


@transaction.atomic
def correspondent_delete(*, actor: Actor, correspondent: Correspondent) -> None:
    """Remove a pair: the site and the partner no longer have named contacts."""
    locked = (
        Correspondent.objects.select_for_update(of=("self",))
        .select_related("e2c_site", "partner")
        .get(pk=correspondent.pk)
    )
    _check_may_edit(actor, e2c_site=locked.e2c_site, partner=locked.partner)
    locked.delete()
