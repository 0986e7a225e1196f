"""Reads about follow-up reviews."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from cej.enums import ContractStatus, FollowUpStatus
from cej.models import CejContract, FollowUp, YoungPerson
from partners.enums import Role
from partners.models import User


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
                memberships__organisation__consents__young_person=young_person,
                memberships__organisation__consents__revoked_at__isnull=True,
            )
        )
        .order_by("last_name", "first_name")
    )


def overdue_follow_ups(*, referent: User, today: datetime.date | None = None) -> QuerySet[FollowUp]:
    """Planned reviews whose date has passed, for the young people this adviser refers."""
    return (
        FollowUp.objects.filter(
            status=FollowUpStatus.PLANNED,
            scheduled_on__lt=today or timezone.localdate(),
            young_person__referent=referent,
        )
        .select_related("young_person")
        .order_by("scheduled_on", "id")
    )


def cej_ending_soon(*, referent: User, days: int = 30, today: datetime.date | None = None) -> QuerySet[CejContract]:
    """Active CEJ of this adviser's young people that end within ``days`` days."""
    today = today or timezone.localdate()
    return (
        CejContract.objects.filter(
            status__in=[ContractStatus.ACTIVE, ContractStatus.SUSPENDED],
            planned_end_on__gte=today,
            planned_end_on__lte=today + datetime.timedelta(days=days),
            young_person__referent=referent,
        )
        .select_related("young_person")
        .order_by("planned_end_on", "id")
    )
