"""Reads of agreements, amendments and territorial diagnostics, and who may edit them.

Agreements and diagnostics are not personal data: every member with ``VIEW_DIRECTORY`` reads them
all. Editing is narrower (``partners.access.can_edit_agreement``, ``can_edit_diagnostic``).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable

from django.db.models import Case, CharField, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Lower
from django.http import Http404

from pagination.keyset import KeysetPage, paginate
from partners.access import Actor, Capability, can_edit_diagnostic, scope_organisations
from partners.enums import AgreementFramework, AgreementLevel, OrganisationKind, Role
from partners.models import Agreement, Amendment, Organisation, TerritorialDiagnostic

AGREEMENTS_PAGE_SIZE = 50
DIAGNOSTICS_PAGE_SIZE = 50

# --- Agreements -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AgreementFilters:
    level: str = ""
    framework: str = ""
    region: str = ""

    @classmethod
    def from_query(cls, query: dict[str, str]) -> AgreementFilters:
        """Unknown values are dropped, never an error."""
        level = query.get("niveau", "")
        framework = query.get("cadre", "")
        return cls(
            level=level if level in AgreementLevel.values else "",
            framework=framework if framework in AgreementFramework.values else "",
            region=query.get("region", "")[:2],
        )


def _visible_agreements(actor: Actor) -> QuerySet[Agreement]:
    if not actor.can(Capability.VIEW_DIRECTORY):
        return Agreement.objects.none()
    return Agreement.objects.all()


def agreements_for_list(
    *, actor: Actor, filters: AgreementFilters, after: str | None = None, before: str | None = None
) -> KeysetPage[Agreement]:
    """National agreements first, then regional, then local; by title within a level."""
    queryset = (
        _visible_agreements(actor)
        .select_related("region", "parent")
        .prefetch_related("amendments")
        .annotate(
            level_rank=Case(
                When(level=AgreementLevel.NATIONAL, then=Value(0)),
                When(level=AgreementLevel.REGIONAL, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            sort_title=Lower("title"),
        )
    )
    if filters.level:
        queryset = queryset.filter(level=filters.level)
    if filters.framework:
        queryset = queryset.filter(framework=filters.framework)
    if filters.region:
        queryset = queryset.filter(region_id=filters.region)
    return paginate(
        queryset, keys=("level_rank", "sort_title", "id"), after=after, before=before, size=AGREEMENTS_PAGE_SIZE
    )


def agreement_for_actor(*, actor: Actor, public_id: uuid.UUID | str) -> Agreement:
    """One agreement with its parties and amendments; 404 when unknown or not visible."""
    queryset = (
        _visible_agreements(actor)
        .select_related("region", "parent", "created_by")
        .prefetch_related("amendments", "parties__region", "versions")
    )
    try:
        return queryset.get(public_id=public_id)
    except (Agreement.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("Accord introuvable.") from error


def amendment_of(*, agreement: Agreement, public_id: uuid.UUID | str) -> Amendment:
    try:
        return agreement.amendments.get(public_id=public_id)
    except (Amendment.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("Avenant introuvable.") from error


def national_agreements() -> QuerySet[Agreement]:
    """The agreements a regional or local version may decline."""
    return Agreement.objects.filter(level=AgreementLevel.NATIONAL).order_by("-starts_on", "id")


def party_candidates(actor: Actor) -> QuerySet[Organisation]:
    """The organisations offered as parties: the actor's région (and national bodies) when they
    have one and may only edit regional or local agreements, the whole directory otherwise."""
    queryset = scope_organisations(actor, Organisation.objects.filter(is_active=True))
    region_id = actor.organisation.region_id if actor.organisation else None
    if actor.role in (Role.MANAGER, Role.REGIONAL_COORDINATOR) and region_id:
        queryset = queryset.filter(Q(region_id=region_id) | Q(kind=OrganisationKind.NATIONAL))
    return queryset.order_by("sort_name", "id")


# --- Territorial diagnostics ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DiagnosticFilters:
    region: str = ""
    departement: str = ""

    @classmethod
    def from_query(cls, query: dict[str, str]) -> DiagnosticFilters:
        return cls(region=query.get("region", "")[:2], departement=query.get("departement", "")[:3])


def diagnostics_for_list(
    *, actor: Actor, filters: DiagnosticFilters, after: str | None = None, before: str | None = None
) -> KeysetPage[TerritorialDiagnostic]:
    """By région of the Mission Locale, then ML, then site, then date. A pair belongs to a région
    (or département) when its ML or its site is there."""
    if not actor.can(Capability.VIEW_DIRECTORY):
        queryset = TerritorialDiagnostic.objects.none()
    else:
        queryset = TerritorialDiagnostic.objects.all()
    queryset = queryset.select_related(
        "mission_locale", "mission_locale__region", "mission_locale__departement", "e2c_site", "author"
    ).annotate(
        region_key=Coalesce(F("mission_locale__region_id"), Value(""), output_field=CharField()),
        ml_key=F("mission_locale__sort_name"),
        site_key=F("e2c_site__sort_name"),
    )
    if filters.region:
        queryset = queryset.filter(Q(mission_locale__region_id=filters.region) | Q(e2c_site__region_id=filters.region))
    if filters.departement:
        queryset = queryset.filter(
            Q(mission_locale__departement_id=filters.departement) | Q(e2c_site__departement_id=filters.departement)
        )
    return paginate(
        queryset,
        keys=("region_key", "ml_key", "site_key", "assessed_on", "id"),
        after=after,
        before=before,
        size=DIAGNOSTICS_PAGE_SIZE,
    )


def diagnostic_for_actor(*, actor: Actor, public_id: uuid.UUID | str) -> TerritorialDiagnostic:
    if not actor.can(Capability.VIEW_DIRECTORY):
        raise Http404("Diagnostic introuvable.")
    try:
        return TerritorialDiagnostic.objects.select_related("mission_locale", "e2c_site", "author").get(
            public_id=public_id
        )
    except (TerritorialDiagnostic.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("Diagnostic introuvable.") from error


def diagnostic_pair_candidates(actor: Actor) -> tuple[QuerySet[Organisation], QuerySet[Organisation]]:
    """The Missions Locales and the E2C sites offered in the diagnostic form.

    Regional coordinators and managers get their région's (a manager their own side only);
    the national committee and administrators the whole directory. The service checks the pair.
    """
    active = scope_organisations(actor, Organisation.objects.filter(is_active=True)).order_by("sort_name", "id")
    missions = active.filter(kind=OrganisationKind.MISSION_LOCALE)
    sites = active.filter(kind=OrganisationKind.E2C_SITE)
    organisation = actor.organisation
    region_id = organisation.region_id if organisation else None
    if actor.role == Role.REGIONAL_COORDINATOR:
        return missions.filter(region_id=region_id), sites.filter(region_id=region_id)
    if actor.role == Role.MANAGER and organisation is not None:
        family = actor.family_ids
        if organisation.kind == OrganisationKind.MISSION_LOCALE:
            sites = sites.filter(region_id=region_id) if region_id else sites
            return missions.filter(pk__in=family), sites
        missions = missions.filter(region_id=region_id) if region_id else missions
        return missions, sites.filter(pk__in=family)
    return missions, sites


def with_edit_rights(
    actor: Actor, diagnostics: Iterable[TerritorialDiagnostic]
) -> list[tuple[TerritorialDiagnostic, bool]]:
    """Each diagnostic of a page with whether the actor may edit it (no query per row)."""
    return [(d, can_edit_diagnostic(actor, mission_locale=d.mission_locale, e2c_site=d.e2c_site)) for d in diagnostics]
