"""Reads of the directory, always through the actor's scope."""

from __future__ import annotations

import dataclasses
import uuid

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from pagination.keyset import KeysetPage, paginate
from partners.access import Actor, scope_organisations
from partners.models import Agreement, Correspondent, Departement, Membership, Organisation, Region
from partners.text import sort_key

DIRECTORY_PAGE_SIZE = 50


@dataclasses.dataclass(frozen=True)
class DirectoryFilters:
    query: str = ""
    kind: str = ""
    region: str = ""
    departement: str = ""


def organisations_for_directory(
    *, actor: Actor, filters: DirectoryFilters, after: str | None = None, before: str | None = None
) -> KeysetPage[Organisation]:
    queryset = scope_organisations(actor, Organisation.objects.all()).select_related("departement", "region")
    if filters.query:
        term = sort_key(filters.query)
        queryset = queryset.filter(
            Q(sort_name__contains=term) | Q(commune__icontains=filters.query) | Q(siret=filters.query.replace(" ", ""))
        )
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.region:
        queryset = queryset.filter(region_id=filters.region)
    if filters.departement:
        queryset = queryset.filter(departement_id=filters.departement)
    return paginate(queryset, keys=("sort_name", "id"), after=after, before=before, size=DIRECTORY_PAGE_SIZE)


def organisation_for_actor(*, actor: Actor, public_id: uuid.UUID | str) -> Organisation:
    """One organisation of the actor's directory, with what its page shows; 404 outside the scope."""
    # Typed as plain querysets: the models' own (partners.models.ActorRowsQuerySet) differ in bulk writes only.
    members: QuerySet[Membership] = (
        Membership.objects.filter(is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    children: QuerySet[Organisation] = Organisation.objects.filter(is_active=True)
    queryset = (
        scope_organisations(actor, Organisation.objects.all())
        .select_related("departement", "region", "parent")
        .prefetch_related(
            Prefetch("memberships", queryset=members, to_attr="active_memberships"),
            Prefetch("children", queryset=children, to_attr="active_children"),
            Prefetch(
                "agreements",
                queryset=Agreement.objects.prefetch_related("amendments").order_by("-starts_on"),
                to_attr="agreement_list",
            ),
        )
    )
    try:
        return queryset.get(public_id=public_id)
    except (Organisation.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("Organisation introuvable.") from error


def correspondents_of(*, organisation: Organisation) -> QuerySet[Correspondent]:
    """The pairs an organisation is part of (as E2C site or as ML / France Travail partner)."""
    return (
        Correspondent.objects.filter(Q(e2c_site=organisation) | Q(partner=organisation))
        .select_related("e2c_site", "partner", "partner_correspondent", "e2c_contact")
        .order_by("e2c_site__sort_name", "partner__sort_name")
    )


def regions() -> list[Region]:
    return list(Region.objects.order_by("name"))


def departements() -> list[Departement]:
    return list(Departement.objects.order_by("code"))
