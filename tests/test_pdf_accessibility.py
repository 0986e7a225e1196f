"""Every PDF the product makes is an accessible document (RGAA 13.3): tagged (poppler's ``pdfinfo``
says « Tagged: yes »), titled (its Title is the document's title, shown instead of the file name),
in French (``/Lang`` fr), and structured in reading order: one H1 then headings without a skipped
level, every data cell tied to its header, lists as lists, charts with a text alternative.

Each kind of PDF is made through the real view or worker task a user sets off. A guard reads the
code: a new function that calls ``render_pdf`` fails the test until it is added here.
"""

from __future__ import annotations

import ast
import datetime
import inspect
import io
import itertools
import logging
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from e2c_referrals.enums import ReferralStatus
from e2c_referrals.models import Referral
from e2c_referrals.pdf import base
from e2c_referrals.services.sessions import registration_create
from exports.models import ExportJob
from exports.tasks import build_export
from partners.access import Actor
from reporting.services.facts import refresh_facts
from tests.e2c_referrals.sessions_support import make_session
from tests.e2c_referrals.test_documents import referral_with_history
from tests.world import World, build_world

pytestmark = pytest.mark.django_db
BASE_DIR = Path(settings.BASE_DIR)
# Folders that are not the product: the tests themselves and the benchmarks (which time render_pdf).
NOT_THE_PRODUCT = {"tests", "bench", ".venv", ".data", "node_modules", "staticfiles", "media"}


def referral_file(client, world: World) -> bytes:
    referral = referral_with_history(world)
    client.force_login(world.user("e2c_staff"))
    response = client.get(reverse("e2c_referrals:referral_file", kwargs={"public_id": referral.public_id}))
    assert response.status_code == 200
    return response.content


def referral_files_zip(client, world: World) -> bytes:
    referral = referral_with_history(world)
    client.force_login(world.user("manager_e2c"))
    today = timezone.localdate()
    client.post(
        reverse("exports:referral_files"),
        {
            "organisation": str(world.site.public_id),
            "start": (today - datetime.timedelta(days=30)).isoformat(),
            "end": today.isoformat(),
        },
    )
    job = ExportJob.objects.get(kind="referral_files")
    build_export(job.pk)  # what the worker runs
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error_message
    with default_storage.open(job.file.name) as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    return archive.read(f"fiche-de-liaison-{referral.public_id}.pdf")


def attendance_sheet(client, world: World) -> bytes:
    session = make_session(world.site, created_by=world.user("e2c_staff"), venue_organisation=world.ml_a)
    referral = referral_with_history(world)
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.ACKNOWLEDGED)
    membership = world.memberships["e2c_staff"]
    registration_create(
        actor=Actor(user=membership.user, membership=membership),
        session=session,
        referral=Referral.objects.get(pk=referral.pk),
    )
    client.force_login(world.user("e2c_staff"))
    response = client.get(reverse("e2c_referrals:session_attendance_sheet", args=[session.public_id]))
    assert response.status_code == 200
    return response.content


def personal_data(client, world: World) -> bytes:
    referral = referral_with_history(world)
    client.force_login(world.user("adviser_ml"))
    response = client.get(
        reverse("e2c_referrals:personal_data_pdf", kwargs={"public_id": referral.young_person.public_id})
    )
    assert response.status_code == 200
    return response.content


def indicators_report(client, world: World) -> bytes:
    referral_with_history(world)
    refresh_facts()
    client.force_login(world.user("national_committee"))
    response = client.get(reverse("reporting:export_pdf"))
    assert response.status_code == 200
    return response.content


# Every function of the product that calls render_pdf, with how a user gets its PDF and its title.
PRODUCERS: dict[str, tuple[Callable[..., bytes], str]] = {
    "e2c_referrals.pdf.referral_file.referral_file_pdf": (
        referral_file,
        "Fiche de liaison — orientation vers une E2C",
    ),
    "e2c_referrals.pdf.batch.build_referral_files_zip": (
        referral_files_zip,
        "Fiche de liaison — orientation vers une E2C",
    ),
    "e2c_referrals.pdf.attendance_sheet.attendance_sheet_pdf": (attendance_sheet, "Feuille d'émargement"),
    "e2c_referrals.personal_data.personal_data_pdf": (
        personal_data,
        "Données personnelles détenues — droit d'accès",
    ),
    "reporting.exports.pdf_bytes": (indicators_report, "Indicateurs — France entière"),
}


# --- What the code says: every caller of render_pdf is in PRODUCERS --------------------------------


def product_modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(BASE_DIR.rglob("*.py")):
        relative = path.relative_to(BASE_DIR)
        if relative.parts[0] in NOT_THE_PRODUCT or "migrations" in relative.parts:
            continue
        module = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        found.append((module, path))
    return found


def _called_name(call: ast.Call) -> str:
    function = call.func
    if isinstance(function, ast.Name):
        return function.id
    if isinstance(function, ast.Attribute):
        return function.attr
    return ""


def callers_of(names: set[str]) -> set[str]:
    """``module.function`` of every function (outermost) of the product that calls one of ``names``."""
    callers = set()
    for module, path in product_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            scopes = [node] if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else []
            if isinstance(node, ast.ClassDef):
                scopes = [item for item in node.body if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)]
            for scope in scopes:
                if any(isinstance(inner, ast.Call) and _called_name(inner) in names for inner in ast.walk(scope)):
                    callers.add(f"{module}.{scope.name}")
    return callers


def test_every_function_that_makes_a_pdf_is_checked_here():
    # The one door: only the shared base talks to WeasyPrint...
    assert callers_of({"write_pdf", "HTML"}) == {"e2c_referrals.pdf.base.render_pdf"}
    importers = {
        module
        for module, path in product_modules()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Import | ast.ImportFrom)
        and any((getattr(node, "module", None) or alias.name).split(".")[0] == "weasyprint" for alias in node.names)
    }
    assert importers == {"e2c_referrals.pdf.base"}
    # ...and every function going through it is generated and checked below.
    assert callers_of({"render_pdf"}) - {"e2c_referrals.pdf.base.render_pdf"} == set(PRODUCERS), (
        "A function of the product makes a PDF without being checked here: add it to PRODUCERS."
    )


# --- What the PDFs are ------------------------------------------------------------------------------


def pdfinfo(content: bytes, folder: Path) -> dict[str, str]:
    path = folder / "document.pdf"
    path.write_bytes(content)
    output = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in output.splitlines())}


def structure(element: DictionaryObject, found: list[DictionaryObject]) -> list[DictionaryObject]:
    """The structure elements under ``element``, in reading order (depth first)."""
    kids = element.get("/K", [])
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object()
        if isinstance(kid, DictionaryObject) and kid.get("/Type") == "/StructElem":
            found.append(kid)
            structure(kid, found)
    return found


def assert_reading_structure(reader: PdfReader) -> None:
    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    elements = structure(root, [])
    tags = [str(element["/S"]) for element in elements]
    headings = [int(tag[2]) for tag in tags if tag in {"/H1", "/H2", "/H3", "/H4", "/H5", "/H6"}]
    assert headings[0] == 1 and headings.count(1) == 1, tags
    assert all(level <= previous + 1 for previous, level in itertools.pairwise(headings)), headings
    # Data cells announced with their headers (<th scope>), lists as lists, charts with a text.
    cells = [element for element in elements if element["/S"] == "/TD"]
    assert cells and all(element["/A"].get("/Headers") for element in cells)
    for element in elements:
        if element["/S"] == "/L":
            items = [kid for kid in structure(element, []) if kid["/P"].get_object() is element]
            assert items and all(item["/S"] == "/LI" for item in items), tags
        if element["/S"] == "/Figure":
            assert str(element.get("/Alt", "")).strip(), "a figure without a text alternative"


@pytest.mark.parametrize("producer", sorted(PRODUCERS))
def test_every_pdf_is_tagged_titled_in_french_and_structured(client, tmp_path, monkeypatch, caplog, producer):
    make, title = PRODUCERS[producer]
    world = build_world()
    callers = []
    original = base.render_to_string

    def render_to_string(name, context):
        caller = inspect.stack()[2].frame  # render_to_string ← render_pdf ← the producer
        callers.append(f"{caller.f_globals['__name__']}.{caller.f_code.co_name}")
        return original(name, context)

    monkeypatch.setattr(base, "render_to_string", render_to_string)

    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        content = make(client, world)

    assert set(callers) == {producer}  # the real path went through the producer named
    info = pdfinfo(content, tmp_path)
    assert info["Tagged"] == "yes"
    assert info["Title"] == title
    reader = PdfReader(io.BytesIO(content))
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "fr"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])  # the title, not the file name
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert_reading_structure(reader)
    # WeasyPrint reports at ERROR what the PDF/UA profile misses (an image without text, no lang)
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []
