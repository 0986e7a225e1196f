"""Reads of the outbox, scoped: a person sees their own notifications; administrators the monitoring."""

from __future__ import annotations

import dataclasses

from django.db import connection
from django.db.models import Count, F, QuerySet
from django.http import Http404

from common import versioned_cache
from outbox.models import Message, Preference
from outbox.registry import Actor, require_monitor
from pagination.keyset import KeysetPage, paginate
from scheduling.models import JobRun
from scheduling.registry import JOBS

PAGE_SIZE = 30


def notifications_for(actor: Actor) -> QuerySet[Message]:
    return Message.objects.filter(recipient=actor.user).annotate(newest_first=F("id") * -1)


def notifications_page(*, actor: Actor, after: str | None, before: str | None) -> KeysetPage[Message]:
    return paginate(notifications_for(actor), keys=["newest_first"], after=after, before=before, size=PAGE_SIZE)


def notification_for(*, actor: Actor, public_id: str) -> Message:
    found = Message.objects.filter(recipient=actor.user, public_id=public_id).first()
    if found is None:
        raise Http404("Notification introuvable.")
    return found


def unread_count(actor_user_id: int) -> int:
    """The bell of every page: one indexed count, in SQL (the ORM's aggregation cost a millisecond a page).

    Kept in the cache between pages (``common.versioned_cache``): writing a notification to the person,
    reading one or all of them, and the purge replace the tokens it was read under."""
    return versioned_cache.cached(
        f"outbox:unread:{actor_user_id}",
        versions=(versioned_cache.GLOBAL, versioned_cache.user_version(actor_user_id)),
        compute=lambda: unread_count_read(actor_user_id),
    )


def unread_count_read(actor_user_id: int) -> int:
    """The count itself, from the database."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {Message._meta.db_table} WHERE recipient_id = %s AND read_at IS NULL",  # noqa: S608
            [actor_user_id],
        )
        (count,) = cursor.fetchone()
    return int(count)


def frequency_of(actor: Actor) -> str:
    preference = Preference.objects.filter(user=actor.user).first()
    return preference.frequency if preference else Preference.Frequency.IMMEDIATE


@dataclasses.dataclass(frozen=True)
class JobLine:
    name: str
    label: str
    last_run: JobRun | None


def monitoring(actor: Actor) -> tuple[dict[str, int], list[JobLine]]:
    """Outbox rows by state, and the last run of each registered job (403 unless administrator)."""
    require_monitor(actor)
    counts = dict.fromkeys(Message.Status.values, 0)
    counts.update(
        {row["status"]: row["total"] for row in Message.objects.order_by().values("status").annotate(total=Count("id"))}
    )
    last_runs = {
        run.job: run for run in JobRun.objects.filter(job__in=list(JOBS)).order_by("job", "-started_at").distinct("job")
    }
    return counts, [JobLine(name, job.label, last_runs.get(name)) for name, job in JOBS.items()]


def failed_messages_page(*, actor: Actor, after: str | None, before: str | None) -> KeysetPage[Message]:
    require_monitor(actor)
    failed = Message.objects.filter(status=Message.Status.FAILED).select_related("organisation", "recipient")
    return paginate(failed, keys=["id"], after=after, before=before, size=PAGE_SIZE)


def failed_message(*, actor: Actor, public_id: str) -> Message:
    require_monitor(actor)
    found = Message.objects.filter(public_id=public_id).first()
    if found is None:
        raise Http404("Message introuvable.")
    return found
