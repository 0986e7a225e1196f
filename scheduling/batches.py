"""Walking and deleting many rows in bounded batches: what the reminders and the nightly purges share.

``delete_in_batches``: each batch is one short statement in its own transaction, so a first run on a
big table never holds its locks for long, and the primary key is walked upwards (keyset), so rows the
filter keeps are not read again at each batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

# Rows per DELETE statement (each in its own transaction).
PURGE_BATCH = 5000


def in_batches(queryset: QuerySet[M], size: int = 500) -> Iterator[list[M]]:
    """The rows of ``queryset`` by increasing primary key, ``size`` at a time (bounded memory)."""
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        rows = list(page[:size])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


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
