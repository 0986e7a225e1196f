"""Reads of the directory imports: administrators only (anyone else sees none)."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from csvimport.selectors import ImportReport, import_in_scope, imports_for_history
from pagination.keyset import KeysetPage
from partners.access import Actor, Capability
from partners.models import DirectoryImport


def _scope(actor: Actor) -> QuerySet[DirectoryImport]:
    if not actor.can(Capability.MANAGE_DIRECTORY):
        return DirectoryImport.objects.none()
    return DirectoryImport.objects.all()


def directory_imports_for_history(
    *, actor: Actor, after: str | None = None, before: str | None = None
) -> KeysetPage[DirectoryImport]:
    """The imports, newest first, with who made them; the stored lines are not loaded, only counted."""
    return imports_for_history(_scope(actor), after=after, before=before)


def directory_import_for_actor(*, actor: Actor, public_id: uuid.UUID | str) -> DirectoryImport:
    """One import; 404 if it does not exist or the actor may not see imports."""
    return import_in_scope(_scope(actor), public_id=public_id)


def directory_import_report(directory_import: DirectoryImport) -> ImportReport:
    """What the preview page shows: the lines with their planned (or applied) action, and the problems."""
    return ImportReport.from_stored(directory_import.rows, directory_import.errors)
