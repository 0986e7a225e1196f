"""Import of the directory from a CSV file: read and preview first, then apply all-or-nothing.

The steps are the shared ones of ``csvimport.pipeline``; this module gives them the directory's
columns, how a line is read and how it is written: through ``organisation_create`` /
``organisation_update``, so an imported line is validated exactly as the directory form validates it
(SIRET key, département, phone, parent kind, région derived), parents before their children. The
file is keyed on the SIRET.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from csvimport.pipeline import CsvImport, ImportLine, ParsedFile, current_data
from csvimport.reading import (
    CREATE,
    NO_WORDS,
    UNCHANGED,
    UPDATE,
    YES_WORDS,
    Layout,
    LineError,
    Record,
    line_error,
    normalise_label,
    parse_yes_no,
    service_errors,
    thousands,
)
from csvimport.workflow import DIRECTORY_IMPORT_TABLE
from partners.access import Actor, Capability
from partners.enums import OrganisationKind
from partners.models import DirectoryImport, Organisation
from partners.services.organisations import OrganisationData, organisation_create, organisation_update
from partners.validators import normalise_siret

MAX_FILE_SIZE = 5 * 1024 * 1024
# Every line goes through the directory services (~7-10 ms each, full_clean included): 1,000 lines keep
# the preview and the apply well under the 30 s of a gunicorn worker. The national network (~1,600) takes 2 files.
MAX_ROWS = 1000

# Column of the file → field of OrganisationData (``parent_siret`` is resolved to an organisation).
COLUMNS: dict[str, str] = {
    "siret": "siret",
    "nom": "name",
    "type": "kind",
    "adresse": "address",
    "code_postal": "postcode",
    "commune": "commune",
    "departement": "departement_code",
    "telephone": "phone",
    "email": "email",
    "siret_parent": "parent_siret",
    "active": "is_active",
}
REQUIRED_COLUMNS = ("siret", "nom")
# Other spellings met in spreadsheets, already normalised (see ``_normalise_header``).
COLUMN_ALIASES: dict[str, str] = {
    "numero_siret": "siret",
    "n_siret": "siret",
    "raison_sociale": "nom",
    "type_d_organisation": "type",
    "type_de_structure": "type",
    "cp": "code_postal",
    "ville": "commune",
    "code_departement": "departement",
    "tel": "telephone",
    "e_mail": "email",
    "mail": "email",
    "courriel": "email",
    "adresse_e_mail": "email",
    "siret_de_rattachement": "siret_parent",
    "siret_rattachement": "siret_parent",
    "actif": "active",
}
# Where a service error on a model field is shown in the file.
FIELD_COLUMNS: dict[str, str] = {
    "name": "nom",
    "sort_name": "nom",
    "kind": "type",
    "siret": "siret",
    "address": "adresse",
    "postcode": "code_postal",
    "commune": "commune",
    "departement": "departement",
    "region": "departement",
    "phone": "telephone",
    "email": "email",
    "parent": "siret_parent",
    "is_active": "active",
}
# How a changed field is named in the preview (the sort key follows the name: not shown).
FIELD_LABELS = {
    field.name: str(field.verbose_name) for field in Organisation._meta.concrete_fields if field.name != "sort_name"
}
# The OrganisationData fields a line may set directly (the parent is resolved from its SIRET).
DATA_FIELDS = ("name", "kind", "address", "postcode", "commune", "departement_code", "phone", "email", "is_active")
EXTRA_KIND_LABELS: dict[str, str] = {
    "ML": OrganisationKind.MISSION_LOCALE,
    "France Travail": OrganisationKind.FRANCE_TRAVAIL,
    "Agence Pôle emploi": OrganisationKind.FRANCE_TRAVAIL,
    "Pôle emploi": OrganisationKind.FRANCE_TRAVAIL,
    "École E2C": OrganisationKind.E2C_SCHOOL,
    "E2C": OrganisationKind.E2C_SCHOOL,
    "École de la deuxième chance": OrganisationKind.E2C_SCHOOL,
    "Site-école": OrganisationKind.E2C_SITE,
    "Site-école E2C": OrganisationKind.E2C_SITE,
    "ARML": OrganisationKind.ARML,
    "Coordination E2C": OrganisationKind.E2C_REGIONAL,
}
TRUE_WORDS = YES_WORDS | {"active", "actif"}
FALSE_WORDS = NO_WORDS | {"inactive", "inactif"}


MAX_ROWS_TEXT = thousands(MAX_ROWS)
LAYOUT = Layout(
    columns=tuple(COLUMNS),
    required=REQUIRED_COLUMNS,
    aliases=COLUMN_ALIASES,
    empty_message=(
        "Le fichier est vide : il doit contenir une première ligne avec les noms des colonnes "
        "(siret;nom;type…), puis une ligne par organisation."
    ),
    no_rows_message="Le fichier ne contient aucune organisation : seule la ligne des noms de colonnes est remplie.",
    too_many_rows_message="Le fichier compte plus de {max_rows} organisations : découpez-le en plusieurs fichiers.",
    no_delimiter_message=(
        "Séparateur non reconnu : la première ligne doit contenir les noms des colonnes séparés par des "
        "points-virgules (;) ou des virgules (,), par exemple « siret;nom;type »."
    ),
)


@dataclasses.dataclass(kw_only=True)
class OrganisationLine(ImportLine):
    """One organisation line of the file, typed."""

    siret: str
    name: str

    @property
    def key(self) -> str:
        return self.siret

    def as_json(self, *, with_values: bool = True) -> dict[str, Any]:
        # The directory holds no personal data: the values are always kept.
        return {
            "line": self.line,
            "siret": self.siret,
            "name": self.name,
            "values": self.values,
            "action": self.action,
            "changes": self.changes,
        }

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> OrganisationLine:
        return cls(
            line=item["line"],
            siret=item["siret"],
            name=item["name"],
            values=dict(item["values"]),
            action=item["action"],
            changes=list(item["changes"]),
        )


# --- Reading the file (csvimport does the generic part) ---------------------------------------


KIND_LABELS: dict[str, str] = {
    normalise_label(text): value
    for text, value in [
        *((kind.value, kind.value) for kind in OrganisationKind),
        *((kind.label, kind.value) for kind in OrganisationKind),
        *EXTRA_KIND_LABELS.items(),
    ]
}


def _read_row(record: Record) -> OrganisationLine:
    line = record.line
    row = OrganisationLine(line=line, siret="", name="", values={}, errors=list(record.errors))
    if not record.complete:
        row.keyed = False
        return row
    for column, value in record.values.items():
        field = COLUMNS[column]
        if column in ("siret", "siret_parent"):
            row.values[field] = normalise_siret(value)
        elif column == "type":
            if value:
                kind = KIND_LABELS.get(normalise_label(value))
                if kind is None:
                    accepted = ", ".join(str(label) for label in OrganisationKind.labels)
                    row.errors.append(
                        line_error(line, column, f"Type inconnu : « {value} » (types acceptés : {accepted}).")
                    )
                else:
                    row.values[field] = kind
        elif column == "active":
            try:
                active = parse_yes_no(value, yes=TRUE_WORDS, no=FALSE_WORDS)
            except ValidationError as error:
                row.errors.append(line_error(line, column, error.messages[0]))
            else:
                if active is not None:
                    row.values[field] = active
        elif column == "departement":
            # '2a' is surely Corse-du-Sud; '1' is not guessed to be '01': a shortened code hides other errors.
            row.values[field] = value.upper()
        else:
            row.values[field] = value
    row.siret = row.values.pop("siret", "")
    row.name = row.values.get("name", "")
    if not row.siret:
        row.keyed = False
        row.errors.append(
            line_error(line, "siret", "Le SIRET est obligatoire : il identifie l'organisation d'un import à l'autre.")
        )
    if not row.name:
        row.errors.append(line_error(line, "nom", "Le nom est obligatoire."))
    return row


def parse_directory_csv(content: bytes) -> ParsedFile[OrganisationLine]:
    """Read a CSV file (UTF-8 or Windows-1252, ';' or ','); ValidationError if it cannot be read at all."""
    return DIRECTORY_IMPORT.parse(content)


# --- Creating or updating the organisations --------------------------------------------------


def _parents_first(rows: list[OrganisationLine]) -> tuple[list[OrganisationLine], set[str]]:
    """Rows ordered so a parent of the same file comes before its children; SIRETs caught in a cycle."""
    by_siret = {row.siret: row for row in rows}
    done: set[str] = set()
    cyclic: set[str] = set()
    ordered: list[OrganisationLine] = []
    for row in rows:
        path: list[OrganisationLine] = []
        on_path: set[str] = set()
        current: OrganisationLine | None = row
        while current is not None and current.siret not in done and current.siret not in on_path:
            path.append(current)
            on_path.add(current.siret)
            current = by_siret.get(current.values.get("parent_siret") or "")
        if current is not None and current.siret in on_path:  # walked back onto this path: a cycle
            start = next(index for index, member in enumerate(path) if member.siret == current.siret)
            cyclic.update(member.siret for member in path[start:])
        for member in reversed(path):
            done.add(member.siret)
            ordered.append(member)
    return ordered, cyclic


def _current_data(organisation: Organisation) -> OrganisationData:
    return current_data(organisation, OrganisationData, departement_code=organisation.departement_id or "")


def _service_errors(row: OrganisationLine, error: ValidationError) -> list[LineError]:
    """The service's messages, placed in the file's columns (not repeating a column already in error)."""
    already = [existing["column"] for existing in row.errors]
    return service_errors(row.line, error, field_columns=FIELD_COLUMNS, skip=already)


class _Run:
    """One pass over the keyed rows, writing through the directory services (see ``DirectoryImportSpec.write``)."""

    def __init__(self, *, actor: Actor, rows: list[OrganisationLine]) -> None:
        self.actor = actor
        self.keyed = rows
        self.file_lines = {row.siret: row.line for row in self.keyed}
        self.existing: dict[str, Organisation] = {}
        self.written: dict[str, Organisation] = {}

    def execute(self) -> None:
        ordered, cyclic = _parents_first(self.keyed)
        sirets = {row.siret for row in self.keyed} | {row.values.get("parent_siret") or "" for row in self.keyed}
        # Locked in a fixed order: two imports touching the same organisations wait, they never deadlock.
        self.existing = {
            organisation.siret: organisation
            for organisation in Organisation.objects.select_for_update(of=("self",))
            .select_related("parent")
            .filter(siret__in=sirets - {""})
            .order_by("pk")
        }
        for row in ordered:
            if row.siret in cyclic:
                row.errors.append(
                    line_error(
                        row.line,
                        "siret_parent",
                        "Rattachement circulaire : cette organisation serait rattachée, directement ou non, "
                        "à elle-même.",
                    )
                )
            else:
                self._write(row)

    def _parent(self, row: OrganisationLine, organisation: Organisation | None) -> tuple[Organisation | None, str]:
        if "parent_siret" not in row.values:
            return (organisation.parent if organisation else None), ""
        siret = row.values["parent_siret"]
        if not siret:
            return None, ""
        if siret in self.file_lines:
            if siret in self.written:
                return self.written[siret], ""
            return None, (
                f"La structure de rattachement (ligne {self.file_lines[siret]} du fichier) comporte des erreurs : "
                "corrigez d'abord cette ligne."
            )
        if siret in self.existing:
            return self.existing[siret], ""
        return None, f"Aucune organisation n'a le SIRET « {siret} », ni dans l'annuaire ni dans ce fichier."

    def _write(self, row: OrganisationLine) -> None:
        organisation = self.existing.get(row.siret)
        parent, parent_problem = self._parent(row, organisation)
        if parent_problem:
            row.errors.append(line_error(row.line, "siret_parent", parent_problem))
        if organisation is None and not row.values.get("kind") and not any(e["column"] == "type" for e in row.errors):
            row.errors.append(
                line_error(row.line, "type", "Le type est obligatoire pour une nouvelle organisation (ex. Site E2C).")
            )
        base = _current_data(organisation) if organisation else OrganisationData(name="", kind="")
        data = dataclasses.replace(
            base,
            siret=row.siret,
            parent=parent,
            **{field: row.values[field] for field in DATA_FIELDS if field in row.values},
        )
        try:
            with transaction.atomic():
                if organisation is None:
                    self.written[row.siret] = organisation_create(actor=self.actor, data=data)
                    row.action, row.changes = CREATE, []
                    return
                changed = organisation_update(actor=self.actor, organisation=organisation, data=data)
                row.action = UPDATE if changed else UNCHANGED
                row.changes = [FIELD_LABELS[name] for name in changed if name in FIELD_LABELS]
                # Children of this row check its kind: give them the organisation as now written.
                self.written[row.siret] = Organisation.objects.get(pk=organisation.pk) if changed else organisation
        except ValidationError as error:
            row.errors.extend(_service_errors(row, error))
        except IntegrityError:
            row.errors.append(
                line_error(
                    row.line, "", "Cette ligne contredit une règle de l'annuaire (SIRET en double) : vérifiez-la."
                )
            )


class DirectoryImportSpec(CsvImport[Actor, OrganisationLine, DirectoryImport]):
    """The directory's import: administrators only, keyed on the SIRET, parents written before their children."""

    model = DirectoryImport
    table = DIRECTORY_IMPORT_TABLE
    layout = LAYOUT
    line_class = OrganisationLine
    key_column = "siret"
    repeated_message = "Ce SIRET figure déjà ligne {line} : une organisation n'apparaît qu'une fois par fichier."
    changed = "l'annuaire a changé"

    @property
    def max_rows(self) -> int:
        return MAX_ROWS  # read when the file is: the tests lower it

    def require(self, actor: Actor) -> None:
        actor.require(Capability.MANAGE_DIRECTORY)

    def read_row(self, record: Record) -> OrganisationLine:
        return _read_row(record)

    def write(self, actor: Actor, rows: list[OrganisationLine]) -> None:
        _Run(actor=actor, rows=rows).execute()

    def new_import_fields(self, actor: Actor, parsed: ParsedFile[OrganisationLine]) -> dict[str, Any]:
        return {"delimiter": parsed.delimiter}


DIRECTORY_IMPORT = DirectoryImportSpec()


# --- Services ---------------------------------------------------------------------------------


def directory_import_create(*, actor: Actor, filename: str, content: bytes) -> DirectoryImport:
    """Read a CSV file and record what applying it would do, without changing the directory.

    Raises ValidationError (one French message) when the file cannot be read at all: nothing is
    recorded then. Otherwise returns a DirectoryImport in preview, with each line's planned action
    and every problem per line and column.
    Side effects: the DirectoryImport row. The dry run's writes are rolled back (its row locks
    on the organisations concerned last until this transaction ends).
    """
    return DIRECTORY_IMPORT.preview(actor=actor, filename=filename, content=content)


def directory_import_apply(*, actor: Actor, directory_import: DirectoryImport) -> DirectoryImport:
    """Create or update every organisation of a previewed import in one transaction: all or nothing.

    Refused (ValidationError) if the import is not in preview or has errors. If a line fails now
    (the directory changed since the preview), or if the outcome differs from the preview, nothing
    is written: the import stays in preview with the new errors and plan, and ValidationError says so.
    Side effects: organisations created or updated (through the directory services); the import
    marked applied with its counts, or its errors and plan refreshed.
    """
    return DIRECTORY_IMPORT.apply(actor=actor, record=directory_import)


def directory_import_cancel(*, actor: Actor, directory_import: DirectoryImport) -> DirectoryImport:
    """Drop a previewed import; the directory was never changed by it.

    Side effects: the import marked cancelled (kept in the history).
    """
    return DIRECTORY_IMPORT.cancel(actor=actor, record=directory_import)
