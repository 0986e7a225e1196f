"""Reads about follow-up reviews."""

from __future__ import annotations

import datetime
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils import timezone

from cej.enums import ContractStatus, FollowUpStatus
from cej.models import CejContract, FollowUp, YoungPerson
from cej.selectors.consents import sites_shared_with
from partners.access import Actor, scope_personal_records
from partners.enums import Role
from partners.models import User

ModelT = TypeVar("ModelT", bound=Model)


def _in_scope(queryset: QuerySet[ModelT], actor: Actor | None) -> QuerySet[ModelT]:
    """Keep the rows whose young person's file the actor may open (same rule as young_people_for_actor).

    ``actor`` is optional only until e2c_referrals' home page passes it; without it, nothing is
    restricted beyond the referent (the old behaviour).
    """
    if actor is None:
        return queryset
    return scope_personal_records(actor, queryset, organisation_field="young_person__organisation")


def possible_participants(young_person: YoungPerson) -> list[User]:
    """The file's organisation's advisers and managers, and the E2C staff of the sites the young
    person agreed to share with (the review partners while at the E2C)."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__organisation=young_person.organisation,
            memberships__role__in=[Role.ADVISER, Role.MANAGER],
        )
        .union(
            User.objects.filter(
                is_active=True,
                memberships__is_active=True,
                memberships__role=Role.E2C_STAFF,
                memberships__organisation__in=sites_shared_with(young_person),
            )
        )
        .order_by("last_name", "first_name")
    )


def overdue_follow_ups(
    *, referent: User, actor: Actor | None = None, today: datetime.date | None = None
) -> QuerySet[FollowUp]:
    """Planned reviews whose date has passed, for the young people this adviser refers, among the
    files the actor may open (a referent who changed organisation keeps no view of the old one's)."""
    return (
        _in_scope(
            FollowUp.objects.filter(
                status=FollowUpStatus.PLANNED,
                scheduled_on__lt=today or timezone.localdate(),
                young_person__referent=referent,
            ),
            actor,
        )
        .select_related("young_person")
        .order_by("scheduled_on", "id")
    )


def cej_ending_soon(
    *, referent: User, actor: Actor | None = None, days: int = 30, today: datetime.date | None = None
) -> QuerySet[CejContract]:
    """Active CEJ of this adviser's young people that end within ``days`` days, among the files the
    actor may open."""
    today = today or timezone.localdate()
    return (
        _in_scope(
            CejContract.objects.filter(
                status__in=[ContractStatus.ACTIVE, ContractStatus.SUSPENDED],
                planned_end_on__gte=today,
                planned_end_on__lte=today + datetime.timedelta(days=days),
                young_person__referent=referent,
            ),
            actor,
        )
        .select_related("young_person")
        .order_by("planned_end_on", "id")
    )
