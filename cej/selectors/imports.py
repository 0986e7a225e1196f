"""Reads of the young people imports: a file holder sees their own organisation's imports only."""

from __future__ import annotations

import dataclasses
import uuid

from django.db.models import QuerySet

from cej.access import can_hold_files
from cej.models import YoungPeopleImport
from csvimport.selectors import ImportReport, import_in_scope, imports_for_history
from pagination.keyset import KeysetPage
from partners.access import Actor


def _scope(actor: Actor) -> QuerySet[YoungPeopleImport]:
    if not can_hold_files(actor) or actor.organisation is None:
        return YoungPeopleImport.objects.none()
    return YoungPeopleImport.objects.filter(organisation=actor.organisation)


def young_people_imports_for_history(
    *, actor: Actor, after: str | None = None, before: str | None = None
) -> KeysetPage[YoungPeopleImport]:
    """The organisation's imports, newest first, with who made them; the lines are counted, not loaded."""
    return imports_for_history(_scope(actor), after=after, before=before)


def young_people_import_for_actor(*, actor: Actor, public_id: uuid.UUID | str) -> YoungPeopleImport:
    """One import of the actor's organisation; 404 otherwise (another organisation's is not revealed)."""
    return import_in_scope(_scope(actor), public_id=public_id)


@dataclasses.dataclass(frozen=True)
class YoungPeopleImportReport(ImportReport):
    """The shared report, plus the lines that might duplicate an existing file."""

    warning_lines: int


def young_people_import_report(young_people_import: YoungPeopleImport) -> YoungPeopleImportReport:
    lines = young_people_import.rows
    return YoungPeopleImportReport.from_stored(
        lines, young_people_import.errors, warning_lines=sum(bool(line.get("warnings")) for line in lines)
    )
