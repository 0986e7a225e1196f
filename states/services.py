"""The one service that applies a move of a declared state table."""

from __future__ import annotations

import datetime
from typing import Any, TypeVar

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from states.models import StateChange
from states.tables import StateTable

M = TypeVar("M", bound=models.Model)

REASON_MAX = 500


@transaction.atomic
def change_state(
    table: StateTable,
    instance: M,
    to: str,
    *,
    actor_id: int | None = None,
    reason: str = "",
    fields: dict[str, Any] | None = None,
    now: datetime.datetime | None = None,
    locked: bool = False,
) -> M:
    """Moves ``instance`` to ``to`` if ``table`` allows it, and returns the saved row.

    Locks the row (``SELECT … FOR UPDATE``; pass ``locked=True`` when the caller already holds the
    lock on this very instance), checks the move against the state read under the lock, assigns
    ``fields`` with it, saves with ``update_fields`` (``updated_at`` too when the model has one)
    and, when the table logs, writes a ``StateChange`` row. Raises ``states.tables.InvalidMove``.
    """
    model = apps.get_model(table.model)
    if not isinstance(instance, model):
        raise TypeError(f"{table.name} applies to {table.model}, not {type(instance).__name__}.")
    row: M = instance if locked else type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    origin = getattr(row, table.field)
    table.check(origin, to, reason=reason)
    now = now or timezone.now()
    changed = [table.field]
    setattr(row, table.field, to)
    for name, value in (fields or {}).items():
        setattr(row, name, value)
        changed.append(name)
    if any(field.name == "updated_at" for field in row._meta.concrete_fields) and "updated_at" not in changed:
        row.updated_at = now  # type: ignore[attr-defined]
        changed.append("updated_at")
    row.save(update_fields=changed)
    if row is not instance:
        for name in changed:
            setattr(instance, name, getattr(row, name))
    if table.log:
        StateChange.objects.create(
            table=table.name,
            object_id=str(row.pk),
            from_state=origin,
            to_state=to,
            actor_id=actor_id,
            reason=reason.strip()[:REASON_MAX],
            created_at=now,
        )
    return row
