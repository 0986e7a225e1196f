"""Reads of the young people imports: a file holder sees their own organisation's imports only."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import BigIntegerField, ExpressionWrapper, F, Func, IntegerField, QuerySet
from django.http import Http404

from cej.models import YoungPeopleImport
from cej.services.imports import CREATE, ERROR, UNCHANGED, UPDATE
from cej.services.young_people import can_hold_files
from csvimport.reading import LineError
from pagination.keyset import KeysetPage, paginate
from partners.access import Actor

IMPORT_PAGE_SIZE = 25


def _scope(actor: Actor) -> QuerySet[YoungPeopleImport]:
    if not can_hold_files(actor) or actor.organisation is None:
        return YoungPeopleImport.objects.none()
    return YoungPeopleImport.objects.filter(organisation=actor.organisation)


def young_people_imports_for_history(
    *, actor: Actor, after: str | None = None, before: str | None = None
) -> KeysetPage[YoungPeopleImport]:
    """The organisation's imports, newest first, with who made them; the lines are counted, not loaded."""
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


def young_people_import_for_actor(*, actor: Actor, public_id: uuid.UUID | str) -> YoungPeopleImport:
    """One import of the actor's organisation; 404 otherwise (another organisation's is not revealed)."""
    try:
        return _scope(actor).select_related("created_by").get(public_id=public_id)
    except (YoungPeopleImport.DoesNotExist, ValidationError, ValueError, TypeError) as error:
        raise Http404("Import introuvable.") from error


@dataclasses.dataclass(frozen=True)
class ImportReport:
    """What the preview page shows: each line's planned (or applied) action, warnings, problems."""

    lines: list[dict[str, Any]]
    errors: list[LineError]
    created: int
    updated: int
    unchanged: int
    error_lines: int
    warning_lines: int

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)


def young_people_import_report(young_people_import: YoungPeopleImport) -> ImportReport:
    lines: list[dict[str, Any]] = young_people_import.rows
    errors: list[LineError] = young_people_import.errors
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
        warning_lines=sum(bool(line.get("warnings")) for line in lines),
    )
