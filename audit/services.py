"""Writes of the access log: one row per read of personal data, and the retention purge."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any, Protocol
from uuid import UUID

from django.conf import settings
from django.db import connection
from django.utils import timezone

from audit.models import AccessLog
from common.actors import Actor

# The database refuses to delete younger rows (migration 0002): the setting can only lengthen it.
MINIMUM_RETENTION_DAYS = 183
PURGE_BATCH = 5000


class PublicRecord(Protocol):
    public_id: UUID


# Every read of personal data writes a row, on the page's own time: one INSERT, no model instance, no
# RETURNING (nobody reads the row back), the same columns and values ``AccessLog.objects.create`` wrote.
_INSERT = (
    f"INSERT INTO {AccessLog._meta.db_table} "  # noqa: S608
    "(created_at, user_id, organisation_id, object_type, object_id, purpose, shown) VALUES "
)
_ROW = "(%s, %s, %s, %s, %s, %s, %s::uuid[])"


def _write_rows(*, actor: Actor, rows: list[tuple[str, UUID, str, list[UUID]]]) -> None:
    """One INSERT for all ``rows`` (object type, object id, purpose, shown): one round trip per page."""
    now = timezone.now()
    organisation_id = actor.organisation.pk if actor.organisation is not None else None
    params: list[Any] = []  # the cursor's parameter types, row after row
    for object_type, object_id, purpose, shown in rows:
        params += [now, actor.user.pk, organisation_id, object_type, object_id, purpose, shown]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT + ", ".join([_ROW] * len(rows)), params)


def _write(*, actor: Actor, object_type: str, object_id: UUID, purpose: str, shown: list[UUID] | None = None) -> None:
    _write_rows(actor=actor, rows=[(object_type, object_id, purpose, shown or [])])


def log_access(*, actor: Actor, record: PublicRecord, purpose: str) -> None:
    """Record that ``actor`` read ``record`` (its public UUID and model name, never its content)."""
    _write(actor=actor, object_type=type(record).__name__, object_id=record.public_id, purpose=purpose)


def log_accesses(*, actor: Actor, records: Sequence[PublicRecord], purpose: str) -> None:
    """``log_access`` for several records a page reads together (a referral and its young person): the
    same rows, written by one INSERT."""
    if records:
        _write_rows(actor=actor, rows=[(type(record).__name__, record.public_id, purpose, []) for record in records])


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
    _write(actor=actor, object_type=listing, object_id=owner.public_id, purpose=purpose, shown=shown)


def log_access_log_export(*, actor: Actor, object_id: UUID | None) -> None:
    """Record that ``actor`` exported access-log rows: about ``object_id`` (a young person, a
    document), else their own public id (an export filtered by user only)."""
    _write(
        actor=actor,
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
