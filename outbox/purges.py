"""Purges: rows past their use deleted by bounded batches, and the outbox's own purge (old messages).

``delete_in_batches`` is shared by the purges of the other apps (``partners.purges``,
``history.purges``): each batch is one short statement in its own transaction, so a first run on
a big table never holds its locks for long, and the primary key is walked upwards (keyset), so
rows the filter keeps are not read again at each batch.

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
(``e2c_referrals.purges.messages_still_due``), so deleting old rows never sends a reminder again.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from outbox.jobs import JobCounts
from outbox.models import Message

logger = logging.getLogger(__name__)

# Rows per DELETE statement (each in its own transaction).
PURGE_BATCH = 5000
# Notifications are useful a year back; one more month so that last year's same month is still there.
MESSAGE_RETENTION = relativedelta(months=13)
# Statuses past delivery: the only ones a purge may delete.
DELIVERED = [Message.Status.SENT, Message.Status.FAILED]


def delete_in_batches(rows: QuerySet[Any], *, size: int | None = None) -> int:
    """Delete ``rows`` by primary-key batches of ``size``, each batch its own transaction.

    Each DELETE repeats the filter of ``rows`` (a row that stopped matching since it was read is
    kept). Returns how many rows of ``rows.model`` were deleted (cascades not counted).
    """
    size = size or PURGE_BATCH
    model: type[Model] = rows.model
    ordered = rows.order_by("pk")
    deleted = 0
    last: object = None
    while True:
        page = ordered if last is None else ordered.filter(pk__gt=last)
        keys = list(page.values_list("pk", flat=True)[:size])
        if not keys:
            return deleted
        with transaction.atomic():
            _, by_model = rows.filter(pk__in=keys).delete()
        deleted += by_model.get(model._meta.label, 0)
        if len(keys) < size:
            return deleted
        last = keys[-1]


def messages_to_purge(*, now: datetime.datetime | None = None) -> QuerySet[Message]:
    """Messages sent or finally failed more than 13 months ago, except those still guarding a reminder
    (see the module docstring) and those still owed to a daily digest."""
    from e2c_referrals.purges import messages_still_due  # outbox imports no domain at start-up

    limit = (now or timezone.now()) - MESSAGE_RETENTION
    return (
        Message.objects.filter(status__in=DELIVERED, created_at__lt=limit)
        .exclude(in_digest=True, digested_at__isnull=True)
        .exclude(messages_still_due())
    )


def messages_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the messages of ``messages_to_purge``, in batches; returns how many."""
    deleted = delete_in_batches(messages_to_purge(now=now))
    logger.info("purge: %s old messages deleted", deleted)
    return deleted


def messages(today: datetime.date) -> JobCounts:
    """The ``message_purge`` job: rows deleted (``examined``)."""
    return JobCounts(examined=messages_purge(), enqueued=0)
