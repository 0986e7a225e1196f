"""Reminder about agreements, run by beat every minute (``partners.jobs``)."""

from __future__ import annotations

import datetime

from django.db.models import Q

from outbox.services import enqueue
from partners.enums import Role
from partners.models import Agreement
from partners.recipients import members_by_organisation
from scheduling.batches import in_batches
from scheduling.registry import JobCounts

# The accord-cadre: a review meeting at least 6 months before the end; told a month before that.
REVIEW_NOTICE = datetime.timedelta(days=30)
SIGNATORY_ROLES = [Role.MANAGER, Role.REGIONAL_COORDINATOR, Role.NATIONAL_COMMITTEE]


def agreement_reviews_due(today: datetime.date) -> JobCounts:
    """Agreements whose review meeting (6 months before the current end) is due within 30 days,
    or passed while the agreement still runs: the signatory organisations' managers are told."""
    counts = JobCounts()
    running = (
        Agreement.objects.filter(Q(ends_on__gte=today) | Q(amendments__new_end_on__gte=today))
        .distinct()
        .prefetch_related("amendments", "parties")
    )
    for batch in in_batches(running, size=200):
        due = [a for a in batch if a.review_meeting_due_on - REVIEW_NOTICE <= today <= a.current_end]
        party_ids = {party.pk for agreement in due for party in agreement.parties.all()}
        managers = members_by_organisation(party_ids, SIGNATORY_ROLES)
        for agreement in due:
            counts.examined += 1
            recipients = [user for party in agreement.parties.all() for user in managers.get(party.pk, [])]
            counts.enqueued += len(
                enqueue(
                    kind="reminder.agreement_review",
                    recipients=recipients,
                    key=f"reminder.agreement_review:{agreement.pk}:{agreement.current_end}",
                    context={
                        "agreement": str(agreement.public_id),
                        "review_due_on": str(agreement.review_meeting_due_on),
                    },
                )
            )
    return counts
