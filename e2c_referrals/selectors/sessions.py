"""Reads of information sessions, scoped: an E2C sees its sites' sessions, an ML or France Travail
agency the sessions of the sites it works with (its correspondents, or its referrals)."""

from __future__ import annotations

import uuid

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from e2c_referrals.enums import INVITABLE_STATUSES, OPEN_STATUSES, RegistrationStatus, SessionStatus
from e2c_referrals.models import AdviserImmersion, InformationSession, Referral, SessionRegistration
from partners.access import Actor, Capability
from partners.enums import OrganisationKind
from partners.models import Correspondent, Organisation

R = RegistrationStatus


def site_ids_for_organisations(organisation_ids: list[int], *, e2c: bool) -> list[int]:
    """The E2C sites whose sessions these organisations follow."""
    if e2c:
        return list(
            Organisation.objects.filter(kind=OrganisationKind.E2C_SITE, pk__in=organisation_ids).values_list(
                "pk", flat=True
            )
        )
    paired = Correspondent.objects.filter(partner_id__in=organisation_ids).values_list("e2c_site_id", flat=True)
    referred = (
        Referral.objects.filter(referring_organisation_id__in=organisation_ids, status__in=sorted(OPEN_STATUSES))
        .values_list("e2c_site_id", flat=True)
        .distinct()
    )
    return sorted(set(paired) | set(referred))


def planning_sites(actor: Actor) -> list[Organisation]:
    """The active E2C sites the actor's team plans sessions for (their site, or their school's)."""
    return list(
        Organisation.objects.filter(pk__in=actor.family_ids, kind=OrganisationKind.E2C_SITE, is_active=True).order_by(
            "sort_name", "pk"
        )
    )


def session_site_ids(actor: Actor) -> list[int]:
    if actor.organisation is None or not actor.can(Capability.VIEW_PERSONAL_DATA):
        return []
    return site_ids_for_organisations(actor.family_ids, e2c=actor.organisation.is_e2c)


def sessions_for_actor(actor: Actor) -> QuerySet[InformationSession]:
    """Sessions the actor may see, with their seat counts (``registered``, ``waiting``)."""
    return (
        InformationSession.objects.filter(e2c_site_id__in=session_site_ids(actor))
        .select_related("e2c_site", "venue_organisation")
        .annotate(
            registered=Count("registrations", filter=Q(registrations__status=R.REGISTERED)),
            waiting=Count("registrations", filter=Q(registrations__status=R.WAITING)),
        )
    )


def session_for_actor(*, actor: Actor, public_id: uuid.UUID | str) -> InformationSession:
    try:
        return sessions_for_actor(actor).get(public_id=public_id)
    except (InformationSession.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("Séance introuvable.") from error


def visible_registrations(actor: Actor, session: InformationSession) -> QuerySet[SessionRegistration]:
    """The E2C sees every registration; a referrer only those of its own referrals (names are
    personal data of another organisation's young people)."""
    registrations = session.registrations.select_related(
        "referral__young_person", "referral__referring_organisation", "referral__referring_adviser", "registered_by"
    ).order_by("created_at", "id")
    if session.e2c_site_id in actor.family_ids and actor.can(Capability.PROCESS_REFERRALS):
        return registrations
    return registrations.filter(referral__referring_organisation_id__in=actor.family_ids)


def registrable_referrals(actor: Actor, site: Organisation) -> QuerySet[Referral]:
    """Referrals to ``site`` the actor may register to a session: taken into account by the E2C (or
    absent from a previous session), sent by the actor's organisation or received by its site."""
    condition = Q(pk__in=[])
    if actor.can(Capability.REFER):
        condition |= Q(referring_organisation_id__in=actor.family_ids)
    if actor.can(Capability.PROCESS_REFERRALS) and site.pk in actor.family_ids:
        condition |= Q(e2c_site_id=site.pk)
    return (
        Referral.objects.filter(condition, e2c_site=site, status__in=list(INVITABLE_STATUSES))
        .select_related("young_person")
        .order_by("young_person__last_name", "young_person__first_name", "id")
    )


def open_sessions_for_referral(referral: Referral) -> QuerySet[InformationSession]:
    """The site's planned sessions still open to registration, soonest first, with seat counts."""
    return (
        InformationSession.objects.filter(
            e2c_site_id=referral.e2c_site_id,
            status=SessionStatus.PLANNED,
            starts_at__gt=timezone.now(),
            registration_deadline__gte=timezone.localdate(),
        )
        .annotate(registered=Count("registrations", filter=Q(registrations__status=R.REGISTERED)))
        .select_related("e2c_site", "venue_organisation")
        .order_by("starts_at", "id")
    )


def registrations_of_referral(referral: Referral) -> QuerySet[SessionRegistration]:
    return referral.session_registrations.select_related("session").order_by("-created_at", "-id")


def immersions_for_actor(actor: Actor) -> QuerySet[AdviserImmersion]:
    """Immersions where the actor's organisation (or its sites) visited or hosted."""
    if actor.organisation is None or not actor.can(Capability.VIEW_PERSONAL_DATA):
        return AdviserImmersion.objects.none()
    family = actor.family_ids
    return (
        AdviserImmersion.objects.filter(Q(visiting_organisation_id__in=family) | Q(host_organisation_id__in=family))
        .select_related("visiting_organisation", "host_organisation", "recorded_by")
        .prefetch_related("participants")
    )
