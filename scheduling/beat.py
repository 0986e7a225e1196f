"""The registry handed to django-celery-beat: its DatabaseScheduler stores the entries at beat start-up.

Beat reads ``app.conf.beat_schedule`` when its scheduler starts, after Django's apps are ready (the
Celery fixup sets Django up first), so the entries installed by ``SchedulingConfig.ready`` are the
ones it stores, by name: an entry changed here updates its row, one removed here is left as it is.
"""

from __future__ import annotations

from celery import current_app

from scheduling.registry import ENTRIES


def beat_schedule() -> dict[str, dict[str, object]]:
    """Beat's schedule, one entry per registered job or task (``CELERY_BEAT_SCHEDULE``'s shape)."""
    return {
        entry.name: {"task": entry.task, "schedule": entry.schedule, "args": list(entry.args)}
        for entry in ENTRIES.values()
    }


def install() -> None:
    """Adds the registered entries to the Celery app's schedule (entries set in settings, if any, stay)."""
    conf = current_app.conf
    conf.beat_schedule = {**(conf.beat_schedule or {}), **beat_schedule()}
