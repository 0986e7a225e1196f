"""The outbox's purge: old messages, deleted by bounded batches (``scheduling.batches``).

Old messages: a notification is useful about a year back, so a message sent (or finally failed)
more than 13 months ago is deleted, read or not. A message still to send (``pending``, retries
included) is never deleted, whatever its age: that would lose a delivery.

A sent message is also what makes its delivery key "sent once" (``outbox.services.enqueue`` does
not write a key that exists). Every reminder whose condition ends within 13 months (follow-ups:
30 days back; contracts ending: 30 days ahead; PACEA: a 30-day window; agreement reviews: from
the review notice to the agreement's end, about 7 months; information sessions: one day; retention
notices: deduplicated by ``RetentionNotice`` rows) can no longer match when its message is deleted,
and event notifications are written once by the change that causes them. Three reminders have no
end (a referral left « envoyée », an integration period past its planned end and not confirmed, a
hand-back never handled): their messages are kept while their object is still in that state
(the guard ``e2c_referrals.purges.messages_still_due``, registered with ``register_purge_guard``), so
deleting old rows never sends a reminder again.
"""

from __future__ import annotations

import datetime
import logging

from dateutil.relativedelta import relativedelta
from django.db.models import QuerySet
from django.utils import timezone

from common import versioned_cache
from outbox.models import Message
from outbox.registry import purge_guard
from scheduling.batches import PURGE_BATCH, delete_in_batches
from scheduling.registry import JobCounts

logger = logging.getLogger(__name__)

# Notifications are useful a year back; one more month so that last year's same month is still there.
MESSAGE_RETENTION = relativedelta(months=13)
# Statuses past delivery: the only ones a purge may delete.
DELIVERED = [Message.Status.SENT, Message.Status.FAILED]


def messages_to_purge(*, now: datetime.datetime | None = None) -> QuerySet[Message]:
    """Messages sent or finally failed more than 13 months ago, except those still guarding a reminder
    (see the module docstring) and those still owed to a daily digest."""
    limit = (now or timezone.now()) - MESSAGE_RETENTION
    return (
        Message.objects.filter(status__in=DELIVERED, created_at__lt=limit)
        .exclude(in_digest=True, digested_at__isnull=True)
        .exclude(purge_guard())
    )


def messages_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the messages of ``messages_to_purge``, in batches; returns how many."""
    deleted = delete_in_batches(messages_to_purge(now=now), size=PURGE_BATCH)
    if deleted:  # unread rows among them: every bell counts again
        versioned_cache.bump(versioned_cache.GLOBAL)
    logger.info("purge: %s old messages deleted", deleted)
    return deleted


def messages(today: datetime.date) -> JobCounts:
    """The ``message_purge`` job: rows deleted (``examined``)."""
    return JobCounts(examined=messages_purge(), enqueued=0)
