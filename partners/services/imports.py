"""Import of the directory from a CSV file: read and preview first, then apply all-or-nothing.

The preview and the write run the very same code (``_execute``): each line goes through
``organisation_create`` / ``organisation_update``, so an imported line is validated exactly as the
directory form validates it (SIRET key, département, phone, parent kind, région derived). The preview
runs it inside a savepoint that is always rolled back; the apply inside one transaction that is kept
only if every line passes and the outcome is still the one the administrator previewed.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partners.access import Actor, Capability
from partners.enums import OrganisationKind
from partners.models import DirectoryImport, Organisation
from partners.services.organisations import OrganisationData, organisation_create, organisation_update
from partners.text import sort_key
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
TRUE_WORDS = frozenset({"oui", "o", "vrai", "1", "true", "yes", "x", "active", "actif"})
FALSE_WORDS = frozenset({"non", "n", "faux", "0", "false", "no", "inactive", "inactif"})

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"

EMPTY_FILE = (
    "Le fichier est vide : il doit contenir une première ligne avec les noms des colonnes "
    "(siret;nom;type…), puis une ligne par organisation."
)
NOT_CSV = (
    "Ce fichier n'est pas un fichier CSV (texte). Depuis un tableur, enregistrez-le au format "
    "« CSV UTF-8 » ou « CSV (séparateur : point-virgule) », puis importez ce fichier."
)
UNDECODABLE = (
    "Impossible de lire ce fichier : son encodage n'est ni UTF-8 ni Windows-1252 (Latin-1). "
    "Enregistrez-le au format « CSV UTF-8 »."
)
NO_DELIMITER = (
    "Séparateur non reconnu : la première ligne doit contenir les noms des colonnes séparés par des "
    "points-virgules (;) ou des virgules (,), par exemple « siret;nom;type »."
)
NO_ROWS = "Le fichier ne contient aucune organisation : seule la ligne des noms de colonnes est remplie."
MAX_ROWS_TEXT = f"{MAX_ROWS:,}".replace(",", "\u202f")  # "1 000": French thousands separator
TOO_MANY_ROWS = f"Le fichier compte plus de {MAX_ROWS_TEXT} organisations : découpez-le en plusieurs fichiers."


class LineError(TypedDict):
    """One problem of the file, as stored in ``DirectoryImport.errors`` (header = line 1)."""

    line: int
    column: str
    message: str
    text: str


@dataclasses.dataclass
class ImportRow:
    """One organisation line of the file, typed; ``values`` holds only the columns the file has."""

    line: int
    siret: str
    name: str
    values: dict[str, Any]
    action: str = ""
    changes: list[str] = dataclasses.field(default_factory=list)
    # Not stored: problems found while reading the line, and whether it can be keyed on its SIRET.
    errors: list[LineError] = dataclasses.field(default_factory=list)
    keyed: bool = True

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "siret": self.siret,
            "name": self.name,
            "values": self.values,
            "action": self.action,
            "changes": self.changes,
        }

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> ImportRow:
        return cls(
            line=item["line"],
            siret=item["siret"],
            name=item["name"],
            values=dict(item["values"]),
            action=item["action"],
            changes=list(item["changes"]),
        )


@dataclasses.dataclass(frozen=True)
class ParsedFile:
    encoding: str
    delimiter: str
    rows: list[ImportRow]


def line_error(line: int, column: str, message: str) -> LineError:
    """'Ligne 4, colonne siret : ce SIRET n'existe pas…' (acronyms keep their capitals)."""
    where = f"Ligne {line}, colonne {column}" if column else f"Ligne {line}"
    sentence = message[0].lower() + message[1:] if message[:1].isupper() and not message[:2].isupper() else message
    return {"line": line, "column": column, "message": message, "text": f"{where} : {sentence}"}


# --- Reading the file ------------------------------------------------------------------------


def _normalise_header(text: str) -> str:
    """'Code postal *' → 'code_postal', 'Téléphone' → 'telephone'."""
    return re.sub(r"[^a-z0-9]+", "_", sort_key(text)).strip("_")


def _normalise_label(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", sort_key(text)).strip()


KIND_LABELS: dict[str, str] = {
    _normalise_label(text): value
    for text, value in [
        *((kind.value, kind.value) for kind in OrganisationKind),
        *((kind.label, kind.value) for kind in OrganisationKind),
        *EXTRA_KIND_LABELS.items(),
    ]
}


def _decode(content: bytes) -> tuple[str, str]:
    if not content.strip():
        raise ValidationError(EMPTY_FILE, code="empty")
    # Control characters do not occur in a spreadsheet's CSV: a workbook, a PDF, an image, UTF-16…
    if re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", content):
        raise ValidationError(NOT_CSV, code="not_csv")
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as error:
        raise ValidationError(UNDECODABLE, code="undecodable") from error


def _delimiter(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    semicolons, commas = header.count(";"), header.count(",")
    if not semicolons and not commas:
        raise ValidationError(NO_DELIMITER, code="no_delimiter")
    return ";" if semicolons >= commas else ","


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Non-blank records with the file line they start on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    previous = 0
    try:
        for cells in reader:
            start, previous = previous + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                records.append((start, cells))
                if len(records) > MAX_ROWS + 1:
                    raise ValidationError(TOO_MANY_ROWS, code="too_many_rows")
    except csv.Error as error:
        raise ValidationError(
            f'Le fichier CSV est mal formé vers la ligne {reader.line_num} : vérifiez les guillemets (") '
            "et les séparateurs.",
            code="malformed",
        ) from error
    return records


def _columns(header: list[str]) -> list[str]:
    """The canonical column of each header cell ('' for an unnamed one); one message for all problems."""
    columns: list[str] = []
    problems: list[str] = []
    for cell in header:
        normalised = _normalise_header(cell)
        column = normalised if normalised in COLUMNS else COLUMN_ALIASES.get(normalised, "")
        if normalised and not column:
            problems.append(f"Colonne inconnue : « {cell.strip()} ».")
        elif column and column in columns:
            problems.append(f"La colonne « {column} » figure deux fois.")
        columns.append(column)
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        label = "Colonne obligatoire absente" if len(missing) == 1 else "Colonnes obligatoires absentes"
        problems.insert(0, f"{label} : {', '.join(missing)}.")
    if problems:
        problems.append(
            f"La première ligne doit nommer les colonnes ; colonnes acceptées : {', '.join(COLUMNS)} "
            "(voir le fichier d'exemple)."
        )
        raise ValidationError(" ".join(problems), code="columns")
    return columns


def _read_row(line: int, columns: list[str], cells: list[str]) -> ImportRow:
    row = ImportRow(line=line, siret="", name="", values={})
    if len(cells) != len(columns):
        row.keyed = False
        row.errors.append(
            line_error(
                line,
                "",
                f"{len(cells)} valeurs pour {len(columns)} colonnes : vérifiez les séparateurs, et mettez entre "
                "guillemets une valeur qui contient le séparateur.",
            )
        )
        return row
    for column, raw in zip(columns, cells, strict=True):
        value = raw.strip()
        if not column:
            if value:
                row.errors.append(line_error(line, "", f"la valeur « {value} » est dans une colonne sans nom."))
            continue
        field = COLUMNS[column]
        if column in ("siret", "siret_parent"):
            row.values[field] = normalise_siret(value)
        elif column == "type":
            if value:
                kind = KIND_LABELS.get(_normalise_label(value))
                if kind is None:
                    accepted = ", ".join(str(label) for label in OrganisationKind.labels)
                    row.errors.append(
                        line_error(line, column, f"Type inconnu : « {value} » (types acceptés : {accepted}).")
                    )
                else:
                    row.values[field] = kind
        elif column == "active":
            word = sort_key(value)
            if word in TRUE_WORDS:
                row.values[field] = True
            elif word in FALSE_WORDS:
                row.values[field] = False
            elif word:
                row.errors.append(line_error(line, column, f"Valeur « {value} » non reconnue : indiquez oui ou non."))
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


def parse_directory_csv(content: bytes) -> ParsedFile:
    """Read a CSV file (UTF-8 or Windows-1252, ';' or ','); ValidationError if it cannot be read at all."""
    text, encoding = _decode(content)
    delimiter = _delimiter(text)
    records = _records(text, delimiter)
    if not records:
        raise ValidationError(EMPTY_FILE, code="empty")
    columns = _columns(records[0][1])
    if len(records) == 1:
        raise ValidationError(NO_ROWS, code="no_rows")
    rows = [_read_row(line, columns, cells) for line, cells in records[1:]]
    first_line: dict[str, int] = {}
    for row in rows:
        if not row.keyed:
            continue
        if row.siret in first_line:
            row.keyed = False
            row.errors.append(
                line_error(
                    row.line,
                    "siret",
                    f"Ce SIRET figure déjà ligne {first_line[row.siret]} : une organisation n'apparaît qu'une fois "
                    "par fichier.",
                )
            )
        else:
            first_line[row.siret] = row.line
    return ParsedFile(encoding=encoding, delimiter=delimiter, rows=rows)


# --- Creating or updating the organisations --------------------------------------------------


def _parents_first(rows: list[ImportRow]) -> tuple[list[ImportRow], set[str]]:
    """Rows ordered so a parent of the same file comes before its children; SIRETs caught in a cycle."""
    by_siret = {row.siret: row for row in rows}
    done: set[str] = set()
    cyclic: set[str] = set()
    ordered: list[ImportRow] = []
    for row in rows:
        path: list[ImportRow] = []
        on_path: set[str] = set()
        current: ImportRow | None = row
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
    return OrganisationData(
        name=organisation.name,
        kind=organisation.kind,
        siret=organisation.siret,
        address=organisation.address,
        postcode=organisation.postcode,
        commune=organisation.commune,
        departement_code=organisation.departement_id or "",
        phone=organisation.phone,
        email=organisation.email,
        parent=organisation.parent,
        is_active=organisation.is_active,
        opened_on=organisation.opened_on,
        closed_on=organisation.closed_on,
        label_granted_on=organisation.label_granted_on,
        label_expires_on=organisation.label_expires_on,
    )


def _service_errors(row: ImportRow, error: ValidationError) -> list[LineError]:
    """The service's messages, placed in the file's columns (not repeating a column already in error)."""
    items = error.message_dict.items() if hasattr(error, "error_dict") else [("", error.messages)]
    already = {existing["column"] for existing in row.errors}
    return [
        line_error(row.line, column, message)
        for field, messages in items
        for column in [FIELD_COLUMNS.get(field, "")]
        if not column or column not in already
        for message in messages
    ]


class _Run:
    """One pass over the rows, writing through the directory services (see ``_execute``)."""

    def __init__(self, *, actor: Actor, rows: list[ImportRow]) -> None:
        self.actor = actor
        self.keyed = [row for row in rows if row.keyed]
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

    def _parent(self, row: ImportRow, organisation: Organisation | None) -> tuple[Organisation | None, str]:
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

    def _write(self, row: ImportRow) -> None:
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


def _execute(*, actor: Actor, rows: list[ImportRow]) -> list[LineError]:
    """Create or update the organisation of every keyed row, parents first; fills each row's action.

    Each row runs in its own savepoint, so one bad row does not hide the next one's problems; the
    caller decides whether the writes are kept. Returns every problem, the reading ones included.
    """
    _Run(actor=actor, rows=rows).execute()
    order = list(COLUMNS)
    for row in rows:
        if row.errors:
            row.action, row.changes = ERROR, []
    return sorted(
        (problem for row in rows for problem in row.errors),
        key=lambda problem: (problem["line"], order.index(problem["column"]) if problem["column"] else -1),
    )


def _plan(rows: list[ImportRow]) -> list[tuple[int, str, list[str]]]:
    return [(row.line, row.action, row.changes) for row in rows]


def _require_preview(directory_import: DirectoryImport) -> None:
    if directory_import.status == DirectoryImport.Status.APPLIED:
        raise ValidationError("Cet import a déjà été appliqué.", code="applied")
    if directory_import.status == DirectoryImport.Status.CANCELLED:
        raise ValidationError("Cet import a été annulé : importez de nouveau le fichier.", code="cancelled")


# --- Services ---------------------------------------------------------------------------------


@transaction.atomic
def directory_import_create(*, actor: Actor, filename: str, content: bytes) -> DirectoryImport:
    """Read a CSV file and record what applying it would do, without changing the directory.

    Raises ValidationError (one French message) when the file cannot be read at all: nothing is
    recorded then. Otherwise returns a DirectoryImport in preview, with each line's planned action
    and every problem per line and column.
    Side effects: the DirectoryImport row. The dry run's writes are rolled back (its row locks
    on the organisations concerned last until this transaction ends).
    """
    actor.require(Capability.MANAGE_DIRECTORY)
    parsed = parse_directory_csv(content)
    with transaction.atomic():
        errors = _execute(actor=actor, rows=parsed.rows)
        transaction.set_rollback(True)
    return DirectoryImport.objects.create(
        created_by=actor.user,
        filename=filename[:255],
        encoding=parsed.encoding,
        delimiter=parsed.delimiter,
        rows=[row.as_json() for row in parsed.rows],
        errors=errors,
    )


def directory_import_apply(*, actor: Actor, directory_import: DirectoryImport) -> DirectoryImport:
    """Create or update every organisation of a previewed import in one transaction: all or nothing.

    Refused (ValidationError) if the import is not in preview or has errors. If a line fails now
    (the directory changed since the preview), or if the outcome differs from the preview, nothing
    is written: the import stays in preview with the new errors and plan, and ValidationError says so.
    Side effects: organisations created or updated (through the directory services); the import
    marked applied with its counts, or its errors and plan refreshed.
    """
    actor.require(Capability.MANAGE_DIRECTORY)
    refusal = ""
    with transaction.atomic():
        locked = DirectoryImport.objects.select_for_update().get(pk=directory_import.pk)
        _require_preview(locked)
        if locked.errors:
            raise ValidationError(
                "Cet import comporte des erreurs : corrigez le fichier puis importez-le de nouveau.", code="errors"
            )
        rows = [ImportRow.from_json(item) for item in locked.rows]
        previewed = _plan(rows)
        with transaction.atomic():
            errors = _execute(actor=actor, rows=rows)
            drifted = _plan(rows) != previewed
            if errors or drifted:
                transaction.set_rollback(True)
        locked.rows = [row.as_json() for row in rows]
        if errors:
            locked.errors = errors
            locked.save(update_fields=["rows", "errors", "updated_at"])
            refusal = (
                "L'import n'a pas été appliqué : l'annuaire a changé depuis l'aperçu et certaines lignes ne sont "
                "plus valables. Rien n'a été écrit ; consultez les erreurs."
            )
        elif drifted:
            locked.save(update_fields=["rows", "updated_at"])
            refusal = (
                "L'annuaire a changé depuis l'aperçu : l'aperçu est mis à jour. Rien n'a été écrit ; vérifiez-le "
                "puis appliquez de nouveau l'import."
            )
        else:
            locked.status = DirectoryImport.Status.APPLIED
            locked.applied_at = timezone.now()
            locked.created_count = sum(row.action == CREATE for row in rows)
            locked.updated_count = sum(row.action == UPDATE for row in rows)
            locked.unchanged_count = sum(row.action == UNCHANGED for row in rows)
            locked.save(
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
    if refusal:
        raise ValidationError(refusal, code="not_applied")
    return locked


@transaction.atomic
def directory_import_cancel(*, actor: Actor, directory_import: DirectoryImport) -> DirectoryImport:
    """Drop a previewed import; the directory was never changed by it.

    Side effects: the import marked cancelled (kept in the history).
    """
    actor.require(Capability.MANAGE_DIRECTORY)
    locked = DirectoryImport.objects.select_for_update().get(pk=directory_import.pk)
    _require_preview(locked)
    locked.status = DirectoryImport.Status.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    return locked
