"""One CSV import pipeline, whatever the file holds: read, check each line, preview, apply all or nothing.

A domain describes its import once with a subclass of ``CsvImport``: the file's ``Layout``, its key
column, how a line is read (``read_row``), how the keyed lines are written through the domain's own
services (``write``), who may import (``require``) and which model keeps the imports. The pipeline
does the rest, the same way for every import:

- ``preview``: the file read (``csvimport.reading``; a file that cannot be read at all records
  nothing), each line read, a key repeated in the file refused, then every keyed line written
  through the domain's services inside a savepoint that is always rolled back. The preview and the
  apply run the very same code, so a line is checked exactly as the domain's form checks it;
- ``apply``: all or nothing. The import is locked, must still be in preview and free of errors; its
  lines are written again in one transaction, kept only if no line fails and the outcome is still
  the previewed one (otherwise the stored preview is refreshed and nothing is written);
- ``cancel``: the import closed without writing anything.

Idempotence: a line whose key is already known updates, never duplicates, so importing the same file
again only finds unchanged lines; applying or cancelling twice is refused. The states change through
``csvimport.workflow``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Generic, Protocol, Self, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from csvimport.reading import (
    CREATE,
    ERROR,
    UNCHANGED,
    UPDATE,
    Layout,
    LineError,
    Record,
    line_error,
    read_csv,
    repeated_keys,
    sort_errors,
)
from csvimport.workflow import APPLIED, CANCELLED, import_close, require_preview
from states.tables import StateTable

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

# Once an import that holds personal data is applied or cancelled, its history keeps none: per line
# only its number, its action and the names of the changed fields; per error only the line and column.
SCRUBBED_ERROR = "erreur dans cette colonne (le détail, qui citait le fichier, n'est plus conservé)."
HAS_ERRORS = "Cet import comporte des erreurs : corrigez le fichier puis importez-le de nouveau."


@dataclasses.dataclass(kw_only=True)
class ImportLine:
    """One line of the file as the pipeline handles it; a domain's line adds its key and what it shows.

    ``values`` holds only the columns the file has (JSON-ready).
    """

    line: int
    values: dict[str, Any]
    action: str = ""
    changes: list[str] = dataclasses.field(default_factory=list)
    # Not stored: problems found on the line, and whether it can be keyed (and so written).
    errors: list[LineError] = dataclasses.field(default_factory=list)
    keyed: bool = True

    @property
    def key(self) -> str:
        raise NotImplementedError

    def mark_error(self) -> None:
        """A line in error plans nothing."""
        self.action, self.changes = ERROR, []

    def as_json(self, *, with_values: bool) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Self:
        raise NotImplementedError


class Importer(Protocol):
    """The actor of an import: the pipeline only records who made it."""

    @property
    def user(self) -> Any: ...


LineT = TypeVar("LineT", bound=ImportLine)
ActorT = TypeVar("ActorT", bound=Importer)
ImportT = TypeVar("ImportT", bound=models.Model)
DataT = TypeVar("DataT", bound="DataclassInstance")


@dataclasses.dataclass(frozen=True)
class ParsedFile(Generic[LineT]):
    encoding: str
    delimiter: str
    rows: list[LineT]


def scrubbed_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"line": item["line"], "action": item["action"], "changes": list(item.get("changes", [])), "values": {}}
        for item in rows
    ]


def scrubbed_errors(errors: Sequence[LineError]) -> list[LineError]:
    return [line_error(problem["line"], problem["column"], SCRUBBED_ERROR) for problem in errors]


def current_data(instance: models.Model, data_class: type[DataT], **given: Any) -> DataT:
    """A known record as its service's data class, before a line changes it: each field read from the
    attribute of the same name, unless ``given`` (a foreign key's code, say)."""
    return data_class(
        **{
            field.name: given[field.name] if field.name in given else getattr(instance, field.name)
            for field in dataclasses.fields(data_class)
            if field.init
        }
    )


def _plan(rows: Sequence[ImportLine]) -> list[tuple[int, str, list[str]]]:
    return [(row.line, row.action, row.changes) for row in rows]


class CsvImport(Generic[ActorT, LineT, ImportT]):
    """One domain's import. A subclass sets the class attributes and writes the four hooks below."""

    model: type[ImportT]
    table: StateTable  # its table in ``csvimport.workflow``
    layout: Layout
    line_class: type[LineT]
    key_column: str  # the column that identifies a record from one import to the next
    repeated_message: str  # a key met twice in the file; receives ``{line}``, the line it first came on
    changed: str  # what may have changed since the preview, French, lower case: "l'annuaire a changé"
    # Lines that name people: their values are stored only while the import can be applied, and
    # nothing of the file is kept once it is applied or cancelled (see ``SCRUBBED_ERROR``).
    personal_data: bool = False

    # --- Hooks ------------------------------------------------------------------------------------

    @property
    def max_rows(self) -> int:
        raise NotImplementedError

    def require(self, actor: ActorT) -> None:
        """PermissionDenied unless ``actor`` may import."""
        raise NotImplementedError

    def read_row(self, record: Record) -> LineT:
        """The line typed, with its reading problems; ``keyed`` False if it cannot be written."""
        raise NotImplementedError

    def write(self, actor: ActorT, rows: list[LineT]) -> None:
        """Write every keyed line through the domain's services, each in its own savepoint (one bad line
        must not hide the next one's problems), filling its action and changes or adding its errors."""
        raise NotImplementedError

    def new_import_fields(self, actor: ActorT, parsed: ParsedFile[LineT]) -> dict[str, Any]:
        """The model's own fields of a new import (its organisation, the file's separator…)."""
        return {}

    def check_owner(self, actor: ActorT, record: ImportT) -> None:
        """PermissionDenied if the locked ``record`` is not the actor's to apply or cancel."""

    # --- Reading ----------------------------------------------------------------------------------

    def parse(self, content: bytes) -> ParsedFile[LineT]:
        """Read the file and each line; ValidationError (one French message) if it cannot be read at all."""
        table = read_csv(content, layout=self.layout, max_rows=self.max_rows)
        rows = [self.read_row(record) for record in table.records]
        keyed = [row for row in rows if row.keyed]
        repeated = repeated_keys((row.line, row.key) for row in keyed)
        for row in keyed:
            if row.line in repeated:
                row.keyed = False
                row.errors.append(
                    line_error(row.line, self.key_column, self.repeated_message.format(line=repeated[row.line]))
                )
        return ParsedFile(encoding=table.encoding, delimiter=table.delimiter, rows=rows)

    def _execute(self, actor: ActorT, rows: list[LineT]) -> list[LineError]:
        """Write the keyed lines; the caller decides whether the writes are kept. Every problem, sorted."""
        self.write(actor, [row for row in rows if row.keyed])
        for row in rows:
            if row.errors:
                row.mark_error()
        return sort_errors((problem for row in rows for problem in row.errors), self.layout.columns)

    def _stored(self, rows: Sequence[LineT], *, applicable: bool) -> list[dict[str, Any]]:
        return [row.as_json(with_values=applicable or not self.personal_data) for row in rows]

    # --- Services ---------------------------------------------------------------------------------

    @transaction.atomic
    def preview(self, *, actor: ActorT, filename: str, content: bytes) -> ImportT:
        """Read a file and record what applying it would do, without changing anything.

        Raises ValidationError (one French message) when the file cannot be read at all: nothing is
        recorded then. Otherwise returns the import in preview with each line's planned action and
        every problem per line and column.
        Side effects: the import row. The dry run's writes are rolled back (its row locks last until
        this transaction ends).
        """
        self.require(actor)
        parsed = self.parse(content)
        with transaction.atomic():
            errors = self._execute(actor, parsed.rows)
            transaction.set_rollback(True)
        return self.model._default_manager.create(
            created_by=actor.user,
            filename=filename[:255],
            encoding=parsed.encoding,
            rows=self._stored(parsed.rows, applicable=not errors),
            errors=errors,
            **self.new_import_fields(actor, parsed),
        )

    def _locked(self, actor: ActorT, record: ImportT) -> Any:
        locked = self.model._default_manager.select_for_update().get(pk=record.pk)
        self.check_owner(actor, locked)
        require_preview(locked)
        return locked

    def apply(self, *, actor: ActorT, record: ImportT) -> ImportT:
        """Write every line of a previewed import in one transaction: all or nothing.

        Refused (ValidationError) if the import is not in preview or has errors. If a line fails now, or
        the outcome differs from the preview, nothing is written: the import stays in preview with its
        new errors or plan, and ValidationError says so.
        Side effects: the domain's writes; the import applied with its counts (its personal data
        dropped), or its stored preview refreshed.
        """
        self.require(actor)
        refusal = ""
        with transaction.atomic():
            locked = self._locked(actor, record)
            if locked.errors:
                raise ValidationError(HAS_ERRORS, code="errors")
            rows = [self.line_class.from_json(item) for item in locked.rows]
            previewed = _plan(rows)
            with transaction.atomic():
                errors = self._execute(actor, rows)
                drifted = _plan(rows) != previewed
                if errors or drifted:
                    transaction.set_rollback(True)
            if errors:
                locked.rows = self._stored(rows, applicable=False)
                locked.errors = errors
                locked.save(update_fields=["rows", "errors", "updated_at"])
                refusal = (
                    f"L'import n'a pas été appliqué : {self.changed} depuis l'aperçu et certaines lignes ne sont "
                    "plus valables. Rien n'a été écrit ; consultez les erreurs."
                )
            elif drifted:
                locked.rows = self._stored(rows, applicable=True)
                locked.save(update_fields=["rows", "updated_at"])
                refusal = (
                    f"{self.changed[:1].upper()}{self.changed[1:]} depuis l'aperçu : l'aperçu est mis à jour. "
                    "Rien n'a été écrit ; vérifiez-le puis appliquez de nouveau l'import."
                )
            else:
                stored = self._stored(rows, applicable=False)
                actions = [row.action for row in rows]
                now = timezone.now()
                import_close(
                    self.table,
                    locked,
                    APPLIED,
                    actor_id=actor.user.pk,
                    now=now,
                    fields={
                        "rows": scrubbed_rows(stored) if self.personal_data else stored,
                        "applied_at": now,
                        "created_count": actions.count(CREATE),
                        "updated_count": actions.count(UPDATE),
                        "unchanged_count": actions.count(UNCHANGED),
                    },
                )
        if refusal:
            raise ValidationError(refusal, code="not_applied")
        return locked  # type: ignore[no-any-return]

    @transaction.atomic
    def cancel(self, *, actor: ActorT, record: ImportT) -> ImportT:
        """Drop a previewed import; nothing was ever written by it.

        Side effects: the import cancelled (kept in the history), its personal data dropped: per line
        only its number, action and changed fields' names, per error only its line and column.
        """
        self.require(actor)
        locked = self._locked(actor, record)
        fields = {"rows": scrubbed_rows(locked.rows), "errors": scrubbed_errors(locked.errors)}
        return import_close(  # type: ignore[no-any-return]
            self.table, locked, CANCELLED, actor_id=actor.user.pk, fields=fields if self.personal_data else None
        )
