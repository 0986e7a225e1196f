"""Reminders about follow-ups and contracts, run by beat every minute (``cej.jobs``).

Idempotent (the delivery key holds the row and its due date) and bounded (primary-key batches).
Each goes to the referent adviser, or to the organisation's managers when there is none.
Restricted files (RGPD article 18) are skipped: they are kept, not processed.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import QuerySet

from cej.enums import ContractStatus, FollowUpStatus
from cej.models import CejContract, FollowUp, PaceaContract, restricted
from outbox.services import enqueue
from partners.enums import Role
from partners.models import User
from partners.recipients import members_by_organisation
from scheduling.batches import in_batches
from scheduling.registry import JobCounts

OVERDUE_LOOKBACK = datetime.timedelta(days=30)  # older overdue follow-ups were reminded already
CEJ_ENDING_NOTICE = datetime.timedelta(days=30)
PACEA_MAXIMUM = relativedelta(months=24)
PACEA_NOTICE = datetime.timedelta(days=30)
OPEN_CONTRACT = [ContractStatus.ACTIVE, ContractStatus.SUSPENDED]


def _referent_or_managers(referent: User | None, organisation_id: int, managers: dict[int, list[User]]) -> list[User]:
    if referent is not None and referent.is_active:
        return [referent]
    return managers.get(organisation_id, [])


def follow_ups_due(today: datetime.date) -> JobCounts:
    """Planned follow-ups due tomorrow, or overdue (planned date passed, not held nor cancelled)."""
    counts = JobCounts()
    tomorrow = today + datetime.timedelta(days=1)
    due = (
        FollowUp.objects.filter(
            status=FollowUpStatus.PLANNED, scheduled_on__gte=today - OVERDUE_LOOKBACK, scheduled_on__lte=tomorrow
        )
        .exclude(scheduled_on=today)
        .exclude(restricted("young_person_id"))
        .select_related("young_person__referent")
    )
    for batch in in_batches(due):
        managers = members_by_organisation({f.young_person.organisation_id for f in batch}, [Role.MANAGER])
        for follow_up in batch:
            kind = "reminder.follow_up_tomorrow" if follow_up.scheduled_on == tomorrow else "reminder.follow_up_overdue"
            counts.examined += 1
            counts.enqueued += len(
                enqueue(
                    kind=kind,
                    recipients=_referent_or_managers(
                        follow_up.young_person.referent, follow_up.young_person.organisation_id, managers
                    ),
                    key=f"{kind}:{follow_up.pk}:{follow_up.scheduled_on}",
                    context={
                        "follow_up": follow_up.pk,
                        "young_person": str(follow_up.young_person.public_id),
                        "scheduled_on": str(follow_up.scheduled_on),
                    },
                )
            )
    return counts


def _remind_about_contracts(
    due: QuerySet[Any],  # CEJ or PACEA
    *,
    kind: str,
    due_on: Callable[[Any], datetime.date],
    context: Callable[[Any], dict[str, object]],
) -> JobCounts:
    """One message per contract of ``due`` to its referent (or its organisation's managers), keyed by
    the contract and ``due_on`` so a run repeated the same day sends nothing twice."""
    counts = JobCounts()
    for batch in in_batches(due):
        managers = members_by_organisation({c.organisation_id for c in batch}, [Role.MANAGER])
        for contract in batch:
            counts.examined += 1
            counts.enqueued += len(
                enqueue(
                    kind=kind,
                    recipients=_referent_or_managers(contract.referent, contract.organisation_id, managers),
                    key=f"{kind}:{contract.pk}:{due_on(contract)}",
                    context={**context(contract), "young_person": str(contract.young_person.public_id)},
                )
            )
    return counts


def cej_contracts_ending(today: datetime.date) -> JobCounts:
    """Running CEJ whose planned end is within 30 days: the referent prepares what comes next."""
    due = (
        CejContract.objects.filter(
            status__in=OPEN_CONTRACT, planned_end_on__gte=today, planned_end_on__lte=today + CEJ_ENDING_NOTICE
        )
        .exclude(restricted("young_person_id"))
        .select_related("referent", "young_person")
    )
    return _remind_about_contracts(
        due,
        kind="reminder.cej_ending",
        due_on=lambda contract: contract.planned_end_on,
        context=lambda contract: {"cej_contract": contract.pk, "planned_end_on": str(contract.planned_end_on)},
    )


def pacea_contracts_reaching_24_months(today: datetime.date) -> JobCounts:
    """Running PACEA that reach their 24-month maximum within 30 days."""
    due = (
        PaceaContract.objects.filter(
            status__in=OPEN_CONTRACT,
            starts_on__gte=today - PACEA_MAXIMUM,
            starts_on__lte=today + PACEA_NOTICE - PACEA_MAXIMUM,
        )
        .exclude(restricted("young_person_id"))
        .select_related("referent", "young_person")
    )
    return _remind_about_contracts(
        due,
        kind="reminder.pacea_24_months",
        due_on=lambda contract: contract.starts_on,
        context=lambda contract: {
            "pacea_contract": contract.pk,
            "reaches_on": str(contract.starts_on + PACEA_MAXIMUM),
        },
    )
