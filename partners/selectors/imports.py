"""Reads of the directory imports: administrators only (anyone else sees none)."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import BigIntegerField, ExpressionWrapper, F, Func, IntegerField, QuerySet
from django.http import Http404

from pagination.keyset import KeysetPage, paginate
from partners.access import Actor, Capability
from partners.models import DirectoryImport
from partners.services.imports import CREATE, ERROR, UNCHANGED, UPDATE, LineError

IMPORT_PAGE_SIZE = 25


def _scope(actor: Actor) -> QuerySet[DirectoryImport]:
    if not actor.can(Capability.MANAGE_DIRECTORY):
        return DirectoryImport.objects.none()
    return DirectoryImport.objects.all()


def directory_imports_for_history(
    *, actor: Actor, after: str | None = None, before: str | None = None
) -> KeysetPage[DirectoryImport]:
    """The imports, newest first, with who made them; the stored lines are not loaded, only counted."""
    queryset = (
        _scope(actor)
        .select_related("created_by")
        .defer("rows", "errors")
        .annotate(
            # The keyset pager walks ascending keys: the negated id lists the newest first.
            newest_first=ExpressionWrapper(-F("id"), output_field=BigIntegerField()),
            line_count=Func(F("rows"), function="jsonb_array_length", output_field=IntegerField()),
            error_count=Func(F("errors"), function="jsonb_array_length", output_field=IntegerField()),
        )
    )
    return paginate(queryset, keys=("newest_first",), after=after, before=before, size=IMPORT_PAGE_SIZE)


def directory_import_for_actor(*, actor: Actor, public_id: uuid.UUID | str) -> DirectoryImport:
    """One import; 404 if it does not exist or the actor may not see imports."""
    try:
        return _scope(actor).select_related("created_by").get(public_id=public_id)
    except (DirectoryImport.DoesNotExist, ValidationError, ValueError, TypeError) as error:
        raise Http404("Import introuvable.") from error


@dataclasses.dataclass(frozen=True)
class ImportReport:
    """What the preview page shows: the lines with their planned (or applied) action, and the problems."""

    lines: list[dict[str, Any]]
    errors: list[LineError]
    created: int
    updated: int
    unchanged: int
    error_lines: int

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)


def directory_import_report(directory_import: DirectoryImport) -> ImportReport:
    lines: list[dict[str, Any]] = directory_import.rows
    errors: list[LineError] = directory_import.errors
    by_line: dict[int, list[str]] = {}
    for error in errors:
        by_line.setdefault(error["line"], []).append(error["text"])
    return ImportReport(
        lines=[{**line, "errors": by_line.get(line["line"], [])} for line in lines],
        errors=errors,
        created=sum(line["action"] == CREATE for line in lines),
        updated=sum(line["action"] == UPDATE for line in lines),
        unchanged=sum(line["action"] == UNCHANGED for line in lines),
        error_lines=sum(line["action"] == ERROR for line in lines),
    )
