"""Import of young people's files from an i-milo style export: preview first, then apply all-or-nothing.

The steps are the shared ones of ``csvimport.pipeline``; this module gives them the export's columns,
how a line is read and how it is written. The file is keyed on the i-milo number: a number not yet
known in the actor's organisation opens a file (``young_person_create``), a known one updates it
(``young_person_update``), so importing the same export twice updates, never duplicates; a line is
checked exactly as the file form checks it (age for a new file, phone, e-mail, département, NIR…).

Personal data in the stored import is kept to what is needed: a line's values are stored only while
the import can still be applied (a preview without errors); a value that looks like a NIR is never
stored, nor echoed in a message.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, IntegrityError, transaction

from cej.access import require_file_holder
from cej.enums import QualificationLevel
from cej.models import YoungPeopleImport, YoungPerson
from cej.services.young_people import (
    YoungPersonData,
    find_duplicates,
    young_person_create,
    young_person_update,
)
from cej.validators import NIR_MESSAGE, looks_like_nir
from csvimport.pipeline import CsvImport, ImportLine, ParsedFile, current_data
from csvimport.reading import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Layout,
    Record,
    line_error,
    normalise_label,
    parse_french_date,
    parse_yes_no,
    service_errors,
    thousands,
)
from csvimport.workflow import CANCELLED, PREVIEW, YOUNG_PEOPLE_IMPORT_TABLE, import_close
from partners.access import Actor
from partners.enums import Role
from partners.models import User

MAX_FILE_SIZE = 5 * 1024 * 1024
# Every line goes through the file services (~8-12 ms each): 1,000 lines keep the preview and the
# apply well under the 30 s of a gunicorn worker. A larger Mission Locale imports in several files.
MAX_ROWS = 1000
MAX_ROWS_TEXT = thousands(MAX_ROWS)

# Column of the export → field of YoungPersonData (``email_referent`` is resolved to an adviser).
COLUMNS: dict[str, str] = {
    "numero_imilo": "imilo_number",
    "nom": "last_name",
    "prenom": "first_name",
    "date_naissance": "birth_date",
    "email": "email",
    "telephone": "phone",
    "adresse": "address",
    "code_postal": "postcode",
    "commune": "commune",
    "departement": "departement_code",
    "qpv": "lives_in_qpv",
    "zrr": "lives_in_zrr",
    "niveau": "qualification_level",
    "derniere_classe": "last_class",
    "date_sortie_scolaire": "left_school_on",
    "rqth": "has_rqth",
    "identifiant_france_travail": "france_travail_id",
    "email_referent": "referent",
}
REQUIRED_COLUMNS = ("numero_imilo",)
# Other spellings met in exports and spreadsheets, already normalised (see csvimport.normalise_header).
COLUMN_ALIASES: dict[str, str] = {
    "numero_i_milo": "numero_imilo",
    "n_imilo": "numero_imilo",
    "n_i_milo": "numero_imilo",
    "imilo": "numero_imilo",
    "identifiant_imilo": "numero_imilo",
    "noms": "nom",
    "nom_s": "nom",
    "nom_de_naissance": "nom",
    "prenoms": "prenom",
    "prenom_s": "prenom",
    "date_de_naissance": "date_naissance",
    "ne_e_le": "date_naissance",
    "e_mail": "email",
    "mail": "email",
    "courriel": "email",
    "adresse_e_mail": "email",
    "tel": "telephone",
    "portable": "telephone",
    "telephone_portable": "telephone",
    "cp": "code_postal",
    "ville": "commune",
    "code_departement": "departement",
    "habite_en_qpv": "qpv",
    "quartier_prioritaire": "qpv",
    "habite_en_zrr": "zrr",
    "niveau_de_qualification": "niveau",
    "niveau_qualification": "niveau",
    "niveau_de_formation": "niveau",
    "derniere_classe_suivie": "derniere_classe",
    "date_de_sortie_scolaire": "date_sortie_scolaire",
    "date_sortie_systeme_scolaire": "date_sortie_scolaire",
    "date_de_sortie_du_systeme_scolaire": "date_sortie_scolaire",
    "identifiant_ft": "identifiant_france_travail",
    "id_france_travail": "identifiant_france_travail",
    "identifiant_pole_emploi": "identifiant_france_travail",
    "identifiant_pe": "identifiant_france_travail",
    "email_du_referent": "email_referent",
    "e_mail_referent": "email_referent",
    "courriel_referent": "email_referent",
    "email_conseiller": "email_referent",
}
LAYOUT = Layout(
    columns=tuple(COLUMNS),
    required=REQUIRED_COLUMNS,
    aliases=COLUMN_ALIASES,
    delimiters=(";",),
    empty_message=(
        "Le fichier est vide : il doit contenir une première ligne avec les noms des colonnes "
        "(numero_imilo;nom;prenom;date_naissance…), puis une ligne par jeune."
    ),
    no_rows_message="Le fichier ne contient aucun jeune : seule la ligne des noms de colonnes est remplie.",
    too_many_rows_message="Le fichier compte plus de {max_rows} jeunes : découpez-le en plusieurs fichiers.",
    no_delimiter_message=(
        "Séparateur non reconnu : comme dans l'export i-milo, la première ligne doit contenir les noms des "
        "colonnes séparés par des points-virgules (;), par exemple « numero_imilo;nom;prenom ». Depuis un "
        "tableur, enregistrez le fichier au format « CSV (séparateur : point-virgule) »."
    ),
)
# Where a service error on a field is shown in the file.
FIELD_COLUMNS: dict[str, str] = {
    **{field: column for column, field in COLUMNS.items()},
    "departement": "departement",
    "search_name": "nom",
}
# How a changed field is named in the preview.
FIELD_LABELS: dict[str, str] = {
    field.name: str(field.verbose_name) for field in YoungPerson._meta.concrete_fields if field.name != "search_name"
}
DATE_FIELDS = ("birth_date", "left_school_on")
# Free text whose length the service leaves to the form: checked here against the model.
MAX_LENGTHS: dict[str, int] = {
    field.name: field.max_length
    for field in YoungPerson._meta.concrete_fields
    if field.name in ("last_name", "first_name", "email", "address", "commune", "last_class") and field.max_length
}
# Needed to open a file (a known file keeps its own when the column is left out).
NEW_FILE_COLUMNS = {"nom": "Le nom", "prenom": "Le prénom", "date_naissance": "La date de naissance"}
# Current scale (décret 2019-14) and the old names advisers still use, normalised.
LEVEL_WORDS: dict[str, str] = {
    **{normalise_label(level.label): level.value for level in QualificationLevel},
    **{normalise_label(level.value): level.value for level in QualificationLevel},
    "infra 3": QualificationLevel.INFRA_3,
    "infra3": QualificationLevel.INFRA_3,
    "vi": QualificationLevel.INFRA_3,
    "v bis": QualificationLevel.INFRA_3,
    "vbis": QualificationLevel.INFRA_3,
    "3": QualificationLevel.LEVEL_3,
    "v": QualificationLevel.LEVEL_3,
    "4": QualificationLevel.LEVEL_4,
    "iv": QualificationLevel.LEVEL_4,
    "5": QualificationLevel.LEVEL_5_PLUS,  # "5+" reads "5" once normalised
    "5 et plus": QualificationLevel.LEVEL_5_PLUS,
    "6": QualificationLevel.LEVEL_5_PLUS,
    "7": QualificationLevel.LEVEL_5_PLUS,
    "8": QualificationLevel.LEVEL_5_PLUS,
    "iii": QualificationLevel.LEVEL_5_PLUS,
    "ii": QualificationLevel.LEVEL_5_PLUS,
    "i": QualificationLevel.LEVEL_5_PLUS,
}
LEVELS_ACCEPTED = "infra 3, 3, 4, 5 ou 5+ (ou les anciens niveaux VI, V bis, V, IV, III)"
# Stands for an unreadable birth date so the service still checks the rest of a new file's line;
# its age error is not shown (the column is already in error) and nothing can be written with it.
UNKNOWN_BIRTH_DATE = datetime.date.min


ELSEWHERE = "Ce numéro i-milo est suivi par une autre structure."


@dataclasses.dataclass(kw_only=True)
class YoungPersonLine(ImportLine):
    """One young person's line, typed."""

    imilo: str
    name: str
    warnings: list[str] = dataclasses.field(default_factory=list)

    @property
    def key(self) -> str:
        return self.imilo

    def mark_error(self) -> None:
        super().mark_error()
        self.warnings = []

    def as_json(self, *, with_values: bool) -> dict[str, Any]:
        return {
            "line": self.line,
            "imilo": self.imilo,
            "name": self.name,
            "values": self.values if with_values else {},
            "action": self.action,
            "changes": self.changes,
            "warnings": self.warnings,
        }

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> YoungPersonLine:
        return cls(
            line=item["line"],
            imilo=item["imilo"],
            name=item["name"],
            values=dict(item["values"]),
            action=item["action"],
            changes=list(item["changes"]),
            warnings=list(item.get("warnings", [])),
        )


# --- Reading the file ------------------------------------------------------------------------------


def _read_cell(row: YoungPersonLine, column: str, value: str) -> None:
    field = COLUMNS[column]
    try:
        if field in DATE_FIELDS:
            day = parse_french_date(value)
            if day is None and field == "birth_date":
                raise ValidationError("La date de naissance est obligatoire.", code="required")
            row.values[field] = day.isoformat() if day else None
        elif field in ("lives_in_qpv", "lives_in_zrr", "has_rqth"):
            flag = parse_yes_no(value)
            if flag is not None:  # an empty cell keeps the file's value
                row.values[field] = flag
        elif field == "qualification_level":
            if value:
                word = normalise_label(value).removeprefix("niveau ")
                if word not in LEVEL_WORDS:
                    raise ValidationError(f"Niveau « {value} » inconnu : indiquez {LEVELS_ACCEPTED}.", code="level")
                row.values[field] = LEVEL_WORDS[word]
        elif field == "referent":
            if value:  # an empty cell keeps the file's referent
                row.values[field] = value.lower()
        elif field == "departement_code":
            # '2a' is surely Corse-du-Sud; '1' is not guessed to be '01': a shortened code hides other errors.
            row.values[field] = value.upper()
        else:
            limit = MAX_LENGTHS.get(field)
            if limit is not None and len(value) > limit:
                raise ValidationError(f"Trop long : {limit} caractères au plus.", code="max_length")
            row.values[field] = value
    except ValidationError as error:
        row.errors.append(line_error(row.line, column, error.messages[0]))


def _read_row(record: Record) -> YoungPersonLine:
    row = YoungPersonLine(line=record.line, imilo="", name="", values={}, errors=list(record.errors))
    if not record.complete:
        row.keyed = False
        return row
    for column, value in record.values.items():
        if looks_like_nir(value):  # refused before anything else: never stored, never echoed
            row.errors.append(line_error(row.line, column, NIR_MESSAGE))
            if column == "numero_imilo":
                row.keyed = False
            continue
        _read_cell(row, column, value)
    row.imilo = row.values.pop("imilo_number", "")
    row.name = f"{row.values.get('first_name', '')} {row.values.get('last_name', '')}".strip()
    if not row.imilo and row.keyed:
        row.keyed = False
        row.errors.append(
            line_error(
                row.line,
                "numero_imilo",
                "Le numéro i-milo est obligatoire : il identifie le dossier d'un import à l'autre.",
            )
        )
    return row


def parse_imilo_csv(content: bytes) -> ParsedFile[YoungPersonLine]:
    """Read an i-milo style export (';', UTF-8 or Windows-1252); ValidationError if it cannot be read at all."""
    return YOUNG_PEOPLE_IMPORT.parse(content)


# --- Opening or updating the files -------------------------------------------------------------------


def _current_data(young_person: YoungPerson) -> YoungPersonData:
    return current_data(young_person, YoungPersonData, departement_code=young_person.departement_id or "")


def _typed(field: str, value: Any) -> Any:
    if field in DATE_FIELDS:
        return datetime.date.fromisoformat(value) if value else None
    return value


def _duplicate_warning(match: YoungPerson, imilo: str) -> str:
    if match.imilo_number:
        return (
            "Un dossier au même nom et à la même date de naissance existe déjà, avec le numéro i-milo "
            f"{match.imilo_number} : vérifiez qu'il ne s'agit pas de la même personne."
        )
    return (
        "Un dossier au même nom et à la même date de naissance existe déjà, sans numéro i-milo : s'il s'agit de "
        f"la même personne, ajoutez-lui le numéro i-milo {imilo} avant d'appliquer l'import, pour ne pas créer "
        "de doublon."
    )


class _Run:
    """One pass over the keyed rows, writing through the file services (see ``YoungPeopleImportSpec.write``)."""

    def __init__(self, *, actor: Actor, rows: list[YoungPersonLine]) -> None:
        assert actor.organisation is not None  # noqa: S101 (checked by require_file_holder)
        self.actor = actor
        self.organisation = actor.organisation
        self.keyed = rows
        self.existing: dict[str, YoungPerson] = {}
        self.elsewhere: set[str] = set()
        self.advisers: dict[str, User] = {}

    def execute(self) -> None:
        numbers = {row.imilo for row in self.keyed}
        # Another structure's young person: refused without saying which one (its files are not ours to see).
        self.elsewhere = set(
            YoungPerson.objects.filter(imilo_number__in=numbers)
            .exclude(organisation=self.organisation)
            .values_list("imilo_number", flat=True)
        )
        # Locked in a fixed order: two imports touching the same files wait, they never deadlock.
        self.existing = {
            young_person.imilo_number: young_person
            for young_person in YoungPerson.objects.select_for_update(of=("self",))
            .select_related("referent")
            .filter(organisation=self.organisation, imilo_number__in=numbers)
            .order_by("pk")
        }
        emails = {row.values["referent"] for row in self.keyed if row.values.get("referent")}
        self.advisers = {
            user.email.lower(): user
            for user in User.objects.filter(
                email__in=emails,
                is_active=True,
                memberships__organisation=self.organisation,
                memberships__is_active=True,
                memberships__role__in=[Role.ADVISER, Role.MANAGER],
            ).distinct()
        }
        for row in self.keyed:
            self._write(row)

    def _data(self, row: YoungPersonLine, young_person: YoungPerson | None) -> YoungPersonData:
        """The file as the line wants it: a known file keeps what the line leaves out."""
        values = {field: _typed(field, value) for field, value in row.values.items() if field != "referent"}
        if "referent" in row.values:
            email = row.values["referent"]
            if email in self.advisers:
                values["referent"] = self.advisers[email]
            else:
                row.errors.append(
                    line_error(
                        row.line,
                        "email_referent",
                        f"Aucun conseiller de votre structure n'a l'adresse « {email} » : indiquez l'adresse "
                        "e-mail de connexion d'un conseiller ou d'un responsable, ou laissez la case vide.",
                    )
                )
        if young_person is not None:
            return dataclasses.replace(_current_data(young_person), imilo_number=row.imilo, **values)
        in_error = {problem["column"] for problem in row.errors}
        for column, label in NEW_FILE_COLUMNS.items():
            if COLUMNS[column] not in row.values and column not in in_error:
                row.errors.append(
                    line_error(
                        row.line,
                        column,
                        f"{label} est obligatoire pour un nouveau dossier (ce numéro i-milo n'est pas encore connu).",
                    )
                )
        return YoungPersonData(
            last_name=values.pop("last_name", ""),
            first_name=values.pop("first_name", ""),
            birth_date=values.pop("birth_date", UNKNOWN_BIRTH_DATE),
            imilo_number=row.imilo,
            **values,
        )

    def _write(self, row: YoungPersonLine) -> None:
        if row.imilo in self.elsewhere:
            row.errors.append(line_error(row.line, "numero_imilo", ELSEWHERE))
            return
        young_person = self.existing.get(row.imilo)
        data = self._data(row, young_person)
        row.name = f"{data.first_name} {data.last_name}".strip()
        in_error = [problem["column"] for problem in row.errors]
        try:
            with transaction.atomic():
                if young_person is None:
                    row.warnings = [
                        _duplicate_warning(match, row.imilo)
                        for match in find_duplicates(
                            actor=self.actor,
                            last_name=data.last_name,
                            first_name=data.first_name,
                            birth_date=data.birth_date,
                        )
                        if match.imilo_number != row.imilo
                    ]
                    young_person_create(actor=self.actor, data=data, not_a_duplicate=True)
                    row.action, row.changes = CREATE, []
                    return
                changed = young_person_update(actor=self.actor, young_person=young_person, data=data)
                row.action = UPDATE if changed else UNCHANGED
                row.changes = [FIELD_LABELS[name] for name in changed if name in FIELD_LABELS]
        except ValidationError as error:
            row.errors.extend(service_errors(row.line, error, field_columns=FIELD_COLUMNS, skip=in_error))
        except (IntegrityError, DataError):
            row.errors.append(
                line_error(
                    row.line,
                    "",
                    "Cette ligne contredit une règle des dossiers (numéro i-milo en double, valeur trop longue) : "
                    "vérifiez-la.",
                )
            )


class YoungPeopleImportSpec(CsvImport[Actor, YoungPersonLine, YoungPeopleImport]):
    """The young people's import: file holders, into their own organisation, keyed on the i-milo number."""

    model = YoungPeopleImport
    table = YOUNG_PEOPLE_IMPORT_TABLE
    layout = LAYOUT
    line_class = YoungPersonLine
    key_column = "numero_imilo"
    repeated_message = "Ce numéro i-milo figure déjà ligne {line} : un jeune n'apparaît qu'une fois par fichier."
    changed = "les dossiers ont changé"
    personal_data = True

    @property
    def max_rows(self) -> int:
        return MAX_ROWS  # read when the file is: the tests lower it

    def require(self, actor: Actor) -> None:
        require_file_holder(actor)

    def read_row(self, record: Record) -> YoungPersonLine:
        return _read_row(record)

    def write(self, actor: Actor, rows: list[YoungPersonLine]) -> None:
        _Run(actor=actor, rows=rows).execute()

    def new_import_fields(self, actor: Actor, parsed: ParsedFile[YoungPersonLine]) -> dict[str, Any]:
        organisation = actor.organisation
        assert organisation is not None  # noqa: S101 (checked by require_file_holder)
        return {"organisation": organisation}

    def check_owner(self, actor: Actor, record: YoungPeopleImport) -> None:
        if actor.organisation is None or record.organisation_id != actor.organisation.pk:
            raise PermissionDenied("Cet import appartient à une autre structure.")


YOUNG_PEOPLE_IMPORT = YoungPeopleImportSpec()


# --- Services ---------------------------------------------------------------------------------------


def young_people_import_create(*, actor: Actor, filename: str, content: bytes) -> YoungPeopleImport:
    """Read an i-milo style export and record what applying it would do, without changing any file.

    Raises ValidationError (one French message) when the file cannot be read at all: nothing is
    recorded then. Otherwise returns a YoungPeopleImport in preview for the actor's organisation,
    with each line's planned action, warnings (possible duplicates) and every problem per line and
    column; the lines' values are kept only if there is no problem (they are needed to apply).
    Side effects: the YoungPeopleImport row. The dry run's writes are rolled back (its row locks on
    the files concerned last until this transaction ends).
    """
    return YOUNG_PEOPLE_IMPORT.preview(actor=actor, filename=filename, content=content)


def young_people_import_apply(*, actor: Actor, young_people_import: YoungPeopleImport) -> YoungPeopleImport:
    """Open or update every file of a previewed import in one transaction: all or nothing.

    Refused (ValidationError) if the import is not in preview or has errors. If a line fails now
    (files or advisers changed since the preview), or if the outcome differs from the preview,
    nothing is written: the import stays in preview with the new errors or plan, and
    ValidationError says so.
    Side effects: files opened or updated through the file services (each with its history
    event); the import marked applied with its counts, its personal data dropped (per line only its
    number, action and changed fields' names).
    """
    return YOUNG_PEOPLE_IMPORT.apply(actor=actor, record=young_people_import)


def young_people_import_cancel(*, actor: Actor, young_people_import: YoungPeopleImport) -> YoungPeopleImport:
    """Drop a previewed import; no file was ever changed by it.

    Side effects: the import marked cancelled (kept in the history) with its personal data dropped:
    per line only its number and action, per error only its line and column.
    """
    return YOUNG_PEOPLE_IMPORT.cancel(actor=actor, record=young_people_import)


@transaction.atomic
def young_people_imports_forget(*, organisation_id: int, imilo: str) -> None:
    """Cancel and empty the previews of ``organisation_id`` that name the i-milo number ``imilo``.

    For the retention job, which anonymises that young person's file: a previewed (never applied)
    import still holds the file's lines. Per line only its number and action are kept, no error.
    Side effects: each preview cancelled (its ``states.StateChange`` reason says why).
    """
    previews = YoungPeopleImport.objects.select_for_update().filter(
        organisation_id=organisation_id, status=PREVIEW, rows__contains=[{"imilo": imilo}]
    )
    for preview in previews:
        rows = [
            {"line": item.get("line"), "action": item.get("action", ""), "changes": [], "values": {}}
            for item in preview.rows
        ]
        import_close(
            YOUNG_PEOPLE_IMPORT_TABLE,
            preview,
            CANCELLED,
            actor_id=None,
            reason="anonymisation du dossier",
            fields={"rows": rows, "errors": []},
        )
