"""The states of a CSV import, declared once for every import: previewed, then applied or cancelled.

Both imports (the directory's and the young people's) keep the same three states and the same two
moves: one builder makes each import's table, and ``import_close`` is the one service that changes
an import's state (through ``states.services.change_state``: locked, checked, saved with
``update_fields``, logged). The models are named by their label, as Django resolves them: this
shared layer imports no domain.
"""

from __future__ import annotations

import datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

from states.services import change_state
from states.tables import Move, StateTable, register

PREVIEW, APPLIED, CANCELLED = "preview", "applied", "cancelled"
# Why an import that left its preview cannot be applied or cancelled, in the words its pages show.
CLOSED = {
    APPLIED: ValidationError("Cet import a déjà été appliqué.", code="applied"),
    CANCELLED: ValidationError("Cet import a été annulé : importez de nouveau le fichier.", code="cancelled"),
}

ImportT = TypeVar("ImportT", bound=models.Model)


def import_table(*, name: str, model: str) -> StateTable:
    """The table of one import model: created in preview, then applied or cancelled, once."""
    return StateTable(
        name=name,
        model=model,
        field="status",
        initial=frozenset({PREVIEW}),
        moves={
            (PREVIEW, APPLIED): Move("Appliquer l'import"),
            (PREVIEW, CANCELLED): Move("Annuler l'import"),
        },
        writers=("csvimport.workflow",),
    )


DIRECTORY_IMPORT_TABLE = register(import_table(name="directory_import", model="partners.DirectoryImport"))
YOUNG_PEOPLE_IMPORT_TABLE = register(import_table(name="young_people_import", model="cej.YoungPeopleImport"))


def require_preview(record: models.Model) -> None:
    """ValidationError (the pages' message) unless ``record`` is still in preview, read as it is now."""
    status = getattr(record, "status", PREVIEW)
    if status in CLOSED:
        closed = CLOSED[status]
        raise ValidationError(closed.message, code=closed.code)


def import_close(
    table: StateTable,
    record: ImportT,
    to: str,
    *,
    actor_id: int | None,
    reason: str = "",
    fields: dict[str, Any] | None = None,
    locked: bool = True,
    now: datetime.datetime | None = None,
) -> ImportT:
    """Move a previewed import to ``to`` (``APPLIED`` or ``CANCELLED``) with the ``fields`` that go with it.

    ``locked``: the caller holds the row lock (the pipeline and the retention job lock first, to read
    the lines they change). Raises ValidationError (the pages' message) if the import left its preview.
    Side effects: the row saved with ``update_fields``, a ``states.StateChange`` row.
    """
    require_preview(record)
    return change_state(table, record, to, actor_id=actor_id, reason=reason, fields=fields, locked=locked, now=now)
