"""Reads shared by the imports: the history page, one import, the preview report.

Each application passes its own scoped queryset (who may see which imports is its rule, not ours);
the import models only need the fields both have: ``public_id``, ``created_by``, ``rows`` and
``errors`` (JSON lists of ``{"line": …, "action": …}`` and of ``LineError``).
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any, Self, TypeVar, cast

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import BigIntegerField, ExpressionWrapper, F, Func, IntegerField, Model, QuerySet
from django.http import Http404

from csvimport.reading import CREATE, ERROR, UNCHANGED, UPDATE, LineError
from pagination.keyset import KeysetPage, paginate

IMPORT_PAGE_SIZE = 25

ImportT = TypeVar("ImportT", bound=Model)


def imports_for_history(
    scope: QuerySet[ImportT], *, after: str | None = None, before: str | None = None
) -> KeysetPage[ImportT]:
    """The imports of ``scope``, newest first, with who made them; the stored lines are not loaded, only counted."""
    # cast: django-stubs loses the model of a generic queryset through annotate().
    queryset = cast(
        "QuerySet[ImportT]",
        scope.select_related("created_by")
        .defer("rows", "errors")
        .annotate(
            # The keyset pager walks ascending keys: the negated id lists the newest first.
            newest_first=ExpressionWrapper(-F("id"), output_field=BigIntegerField()),
            line_count=Func(F("rows"), function="jsonb_array_length", output_field=IntegerField()),
            error_count=Func(F("errors"), function="jsonb_array_length", output_field=IntegerField()),
        ),
    )
    return paginate(queryset, keys=("newest_first",), after=after, before=before, size=IMPORT_PAGE_SIZE)


def import_in_scope(scope: QuerySet[ImportT], *, public_id: uuid.UUID | str) -> ImportT:
    """One import of ``scope``; 404 if it does not exist, is out of scope or the identifier is malformed."""
    try:
        return scope.select_related("created_by").get(public_id=public_id)
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError) as error:
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

    @classmethod
    def from_stored(cls, lines: list[dict[str, Any]], errors: list[LineError], **extra: Any) -> Self:
        """The report of an import's stored lines and errors, each line with its own error texts.

        ``extra`` fills the fields an application's subclass adds.
        """
        by_line: dict[int, list[str]] = {}
        for error in errors:
            by_line.setdefault(error["line"], []).append(error["text"])
        return cls(
            lines=[{**line, "errors": by_line.get(line["line"], [])} for line in lines],
            errors=errors,
            created=sum(line["action"] == CREATE for line in lines),
            updated=sum(line["action"] == UPDATE for line in lines),
            unchanged=sum(line["action"] == UNCHANGED for line in lines),
            error_lines=sum(line["action"] == ERROR for line in lines),
            **extra,
        )
