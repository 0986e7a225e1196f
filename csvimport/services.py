"""Writes shared by the imports."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from csvimport.reading import CREATE, UNCHANGED, UPDATE


def save_applied(record: Any, *, actions: Iterable[str]) -> None:
    """Mark a locked import applied now, with the count of each action of its lines; ``rows`` is saved too.

    ``record`` is an import model instance with ``Status.APPLIED``, ``applied_at`` and the three counts.
    """
    actions = list(actions)
    record.status = type(record).Status.APPLIED
    record.applied_at = timezone.now()
    record.created_count = actions.count(CREATE)
    record.updated_count = actions.count(UPDATE)
    record.unchanged_count = actions.count(UNCHANGED)
    record.save(
        update_fields=[
            "rows",
            "status",
            "applied_at",
            "created_count",
            "updated_count",
            "unchanged_count",
            "updated_at",
        ]
    )
