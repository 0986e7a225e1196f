"""Writes of the access log: one row per read of personal data, and the retention purge."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Protocol
from uuid import UUID

from django.conf import settings
from django.utils import timezone

from audit.models import AccessLog
from common.actors import Actor

# The database refuses to delete younger rows (migration 0002): the setting can only lengthen it.
MINIMUM_RETENTION_DAYS = 183
PURGE_BATCH = 5000


class PublicRecord(Protocol):
    public_id: UUID


def log_access(*, actor: Actor, record: PublicRecord, purpose: str) -> None:
    """Record that ``actor`` read ``record`` (its public UUID and model name, never its content)."""
    AccessLog.objects.create(
        user=actor.user,
        organisation=actor.organisation,
        object_type=type(record).__name__,
        object_id=record.public_id,
        purpose=purpose,
    )


def log_download(actor: Actor, record: PublicRecord) -> None:
    """Record that ``actor`` downloaded ``record`` (an export's file: ``exports.registry.on_download``)."""
    log_access(actor=actor, record=record, purpose=AccessLog.Purpose.DOWNLOAD)


def log_listing(
    *,
    actor: Actor,
    listing: str,
    young_people: Iterable[UUID],
    purpose: str = AccessLog.Purpose.LIST,
    record: PublicRecord | None = None,
) -> None:
    """Record that a list or a search (``listing``, a key registered in ``audit.listings``) showed these
    young people (their public UUIDs) to ``actor``: one row for the page, none when it showed nobody.
    ``record``: what the list belongs to (an information session), else the acting organisation."""
    shown = list(dict.fromkeys(young_people))
    if not shown:
        return
    owner = record or actor.organisation or actor.user
    AccessLog.objects.create(
        user=actor.user,
        organisation=actor.organisation,
        object_type=listing,
        object_id=owner.public_id,
        purpose=purpose,
        shown=shown,
    )


def log_access_log_export(*, actor: Actor, object_id: UUID | None) -> None:
    """Record that ``actor`` exported access-log rows: about ``object_id`` (a young person, a
    document), else their own public id (an export filtered by user only)."""
    AccessLog.objects.create(
        user=actor.user,
        organisation=actor.organisation,
        object_type="AccessLogExport",
        object_id=object_id or actor.user.public_id,
        purpose=AccessLog.Purpose.EXPORT,
    )


def retention_days() -> int:
    return max(int(settings.ACCESS_LOG_RETENTION_DAYS), MINIMUM_RETENTION_DAYS)


def access_logs_purge(*, now: datetime.datetime | None = None, dry_run: bool = False) -> int:
    """Delete access-log rows older than the retention (12 months by default), in batches.

    Returns how many rows were (or, with ``dry_run``, would be) deleted.
    """
    limit = (now or timezone.now()) - datetime.timedelta(days=retention_days())
    expired = AccessLog.objects.filter(created_at__lt=limit)
    if dry_run:
        return expired.count()
    deleted = 0
    while True:
        batch = list(expired.order_by("id").values_list("id", flat=True)[:PURGE_BATCH])
        if not batch:
            return deleted
        count, _ = AccessLog.objects.filter(id__in=batch).delete()
        deleted += count
