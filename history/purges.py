"""Purge of the change contexts no change points to any more (job in ``history.jobs``).

A context row (``pghistory_context``: who, which organisation, which page or job) is written with
the first change of a request or a job; its events point to it. When every event of a context is
gone (the retention job deletes the history of an anonymised file or account), the row stays,
naming a user and a path for nothing: it is deleted here. Only rows untouched for a day are, so
a transaction still writing its events is never raced (pghistory writes the context back anyway
if a block still open writes again).
"""

from __future__ import annotations

import datetime
import functools
import logging

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from pghistory.models import Context

from scheduling.batches import delete_in_batches
from scheduling.registry import JobCounts

logger = logging.getLogger(__name__)

# A context younger than this may belong to a transaction still writing its events.
CONTEXT_QUIET_PERIOD = datetime.timedelta(days=1)


@functools.cache
def context_references() -> list[tuple[type[models.Model], str]]:
    """Every table pointing to a context: (model, field name), whichever app declares it.

    All the foreign keys to ``Context``, rather than ``retention.services.history_event_models``
    (which keeps the event models with an object link only): an event without one still points
    to its context.
    """
    found: list[tuple[type[models.Model], str]] = []
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue  # a database view (unmanaged) or a proxy only reads the tables found here
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Context:
                found.append((model, field.name))
    return found


def orphan_contexts(*, now: datetime.datetime | None = None) -> models.QuerySet[Context]:
    """Contexts untouched for a day that no row points to."""
    limit = (now or timezone.now()) - CONTEXT_QUIET_PERIOD
    orphans = Context.objects.filter(updated_at__lt=limit)
    for model, field in context_references():
        orphans = orphans.exclude(Exists(model._default_manager.filter(**{field: OuterRef("pk")})))
    return orphans


def orphan_contexts_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the contexts of ``orphan_contexts``, in batches; returns how many."""
    deleted = delete_in_batches(orphan_contexts(now=now))
    logger.info("purge: %s change contexts without changes deleted", deleted)
    return deleted


def contexts(today: datetime.date) -> JobCounts:
    """The ``history_context_purge`` job: rows deleted (``examined``)."""
    return JobCounts(examined=orphan_contexts_purge(), enqueued=0)
