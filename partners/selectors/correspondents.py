"""Reads of the correspondents: the named contacts between an E2C site and an ML or FT agency."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet
from django.http import Http404

from partners.access import Actor, scope_organisations
from partners.enums import OrganisationKind
from partners.models import Correspondent, Membership, Organisation, User

PARTNER_KINDS = (OrganisationKind.MISSION_LOCALE, OrganisationKind.FRANCE_TRAVAIL)


def organisation_for_correspondents(*, actor: Actor, public_id: uuid.UUID | str) -> Organisation:
    """An organisation of the actor's directory (404 outside it), with its parent for E2C sites."""
    queryset = scope_organisations(actor, Organisation.objects.all()).select_related("parent")
    try:
        return queryset.get(public_id=public_id)
    except (Organisation.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("Organisation introuvable.") from error


def _pairs() -> QuerySet[Correspondent]:
    return Correspondent.objects.select_related(
        "e2c_site", "e2c_site__parent", "partner", "partner_correspondent", "e2c_contact"
    )


def pairs_of(*, organisation: Organisation) -> QuerySet[Correspondent]:
    """The pairs shown on an organisation's correspondents page.

    An E2C site sees its ML / FT partners, an ML or FT agency its E2C sites, an E2C school the
    pairs of all its sites. Other kinds of organisation have none.
    """
    if organisation.kind == OrganisationKind.E2C_SITE:
        return _pairs().filter(e2c_site=organisation).order_by("partner__sort_name", "id")
    if organisation.kind in PARTNER_KINDS:
        return _pairs().filter(partner=organisation).order_by("e2c_site__sort_name", "id")
    if organisation.kind == OrganisationKind.E2C_SCHOOL:
        return _pairs().filter(e2c_site__parent=organisation).order_by("e2c_site__sort_name", "partner__sort_name")
    return Correspondent.objects.none()


def pair_of(*, organisation: Organisation, public_id: uuid.UUID | str) -> Correspondent:
    """One pair the organisation is part of (as site or as partner); 404 for any other."""
    try:
        return _pairs().get(Q(e2c_site=organisation) | Q(partner=organisation), public_id=public_id)
    except (Correspondent.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("Correspondant introuvable.") from error


def counterparts_for(*, actor: Actor, organisation: Organisation) -> QuerySet[Organisation]:
    """The organisations ``organisation`` may be paired with and is not paired with yet.

    For an E2C site: the active MLs and FT agencies of its région (of the whole directory when
    the site has no région); for an ML or FT agency: the active E2C sites of its région.
    """
    queryset: QuerySet[Organisation]
    if organisation.kind == OrganisationKind.E2C_SITE:
        queryset = Organisation.objects.filter(kind__in=PARTNER_KINDS).exclude(
            e2c_correspondents__e2c_site=organisation
        )
    elif organisation.kind in PARTNER_KINDS:
        queryset = Organisation.objects.filter(kind=OrganisationKind.E2C_SITE).exclude(
            partner_correspondents__partner=organisation
        )
    else:
        return Organisation.objects.none()
    queryset = scope_organisations(actor, queryset).filter(is_active=True)
    if organisation.region_id:
        queryset = queryset.filter(region_id=organisation.region_id)
    return queryset.order_by("sort_name", "id")


def counterpart_for(*, actor: Actor, organisation: Organisation, public_id: str) -> Organisation | None:
    """One of :func:`counterparts_for`, or None for an unknown, malformed or unsuitable id."""
    try:
        uuid.UUID(public_id)
    except (ValueError, TypeError, AttributeError):
        return None
    return counterparts_for(actor=actor, organisation=organisation).filter(public_id=public_id).first()


def people_of(*, organisations: list[Organisation]) -> list[User]:
    """Active users with an active membership in one of ``organisations``, by name."""
    memberships = (
        Membership.objects.filter(organisation__in=organisations, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user_id")
    )
    people: dict[int, User] = {}
    for membership in memberships:
        people.setdefault(membership.user_id, membership.user)
    return list(people.values())


def e2c_side_of(site: Organisation) -> list[Organisation]:
    """Where an E2C contact may belong: the site itself or its school."""
    return [site, site.parent] if site.parent is not None else [site]


# --- Routing (used by the later referral and information-session issues) ---------------------


def correspondents_for_site(site: Organisation) -> QuerySet[Correspondent]:
    """The ML / FT correspondents named for an E2C site, with their partner organisation.

    Notification routing: when a site publishes the dates of its information sessions, or the
    results of a session for candidates an ML referred (accord-cadre UNML × E2C), it notifies
    ``pair.partner_correspondent`` of each pair returned here. The person may be None (not named
    yet, or their account was removed) or deactivated since: the caller then falls back to the
    partner organisation's address and should skip inactive users.
    """
    return (
        Correspondent.objects.filter(e2c_site=site, partner__is_active=True)
        .select_related("partner", "partner_correspondent")
        .order_by("partner__sort_name", "id")
    )


def e2c_contacts_for_partner(partner: Organisation) -> QuerySet[Correspondent]:
    """The E2C contacts named for an ML or FT agency, one pair per E2C site, with the site.

    Notification routing: when an adviser of ``partner`` refers a young person to a site, or a
    young person is handed back, the service notifies ``pair.e2c_contact`` of the pair whose
    ``e2c_site`` is concerned. The contact may be None or deactivated: the caller then falls back
    to the site's address and should skip inactive users.
    """
    return (
        Correspondent.objects.filter(partner=partner, e2c_site__is_active=True)
        .select_related("e2c_site", "e2c_contact")
        .order_by("e2c_site__sort_name", "id")
    )
