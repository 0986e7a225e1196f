import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from exports.models import ExportJob
from exports.services import export_build
from reporting.services.facts import refresh_facts
from tests.reporting.builders import at, enrolled_path, known_dataset, referral
from tests.world import build_world

pytestmark = pytest.mark.django_db

S1 = "semestre=2026-S1"


@pytest.fixture
def world():
    w = build_world()
    known_dataset(w)
    # ten more exits in the semester, half of them positive: 12 exits, 6 positive (rate 0.5)
    for number in range(10):
        referral(
            w,
            referrer=w.ml_a,
            site=w.site,
            sent_at=at("2025-06-02"),
            steps=enrolled_path(2, 5, 10, 20, 50),
            exit_on="2026-04-01",
            outcome="apprenticeship" if number % 2 else "drop_out",
        )
    refresh_facts()
    return w


def member(client, w, role="national_committee"):
    client.force_login(w.user(role))
    return client


def rows_of(sheet):
    return {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row and row[0]}


def test_xlsx_has_one_sheet_per_breakdown_with_numbers_typed_as_numbers(client, world):
    # When
    response = member(client, world).get(reverse("reporting:export_xlsx") + "?" + S1)

    # Then
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="indicateurs-france-20260101-20260630.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "Indicateurs",
        "Par région",
        "Par réseau prescripteur",
        "Sorties par situation",
        "Retours par motif",
    ]
    indicators = workbook["Indicateurs"]
    values = {row[1]: row[2] for row in indicators.iter_rows(values_only=True) if len(row) > 2 and row[1]}
    assert values["Orientations envoyées"] == 10
    assert values["Entrées en parcours"] == "< 5"  # 3 young people: masked, as on the page
    assert values["Sorties de parcours"] == 12
    assert values["Taux de sorties positives"] == 0.5
    assert values["Délai envoi → prise en compte, médiane (jours)"] == 3.5
    header = next(row for row in indicators.iter_rows() if row[0].value == "Rubrique")
    assert all(cell.font.bold for cell in header)
    rate_cell = next(row[2] for row in indicators.iter_rows() if row[1].value == "Taux de sorties positives")
    assert rate_cell.number_format == "0.0%"
    assert indicators.column_dimensions["B"].width > 20
    regions = rows_of(workbook["Par région"])
    assert regions["Auvergne-Rhône-Alpes"][0] == 9
    assert regions["Hauts-de-France"][0] == "< 5"
    assert rows_of(workbook["Sorties par situation"])["Alternance : contrat d'apprentissage"] == (5,)


def test_csv_for_french_spreadsheets(client, world):
    response = member(client, world).get(reverse("reporting:export_csv") + "?" + S1 + "&region=84")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    text = content.decode("utf-8-sig")
    assert "Indicateurs — Auvergne-Rhône-Alpes" in text
    assert "Sorties enregistrées sur la période;Taux de sorties positives;0,5\r\n" in text
    assert (
        "Délais depuis l'envoi;Délai envoi → prise en compte, médiane (jours);3,0\r\n" in text
    )  # 1, 2, 2, 3, 4, 6, 10 days
    assert "Parcours des orientations envoyées sur la période;Entrées en parcours;< 5\r\n" in text
    assert "Lefèvre" not in text


def test_exports_follow_the_dashboard_scope(client, world):
    coordinator = member(client, world, "regional_coordinator")
    assert coordinator.get(reverse("reporting:export_xlsx") + "?region=32").status_code == 404
    assert coordinator.get(reverse("reporting:export_csv") + "?departement=59").status_code == 404
    own = coordinator.get(reverse("reporting:export_csv") + "?" + S1)
    assert "Indicateurs — Auvergne-Rhône-Alpes" in own.content.decode("utf-8-sig")
    assert member(client, world, "manager_ml").get(reverse("reporting:export_xlsx")).status_code == 403


def test_xlsx_prepared_by_a_worker(client, world, settings, django_capture_on_commit_callbacks):
    # When: the committee member asks for the file in the background
    response = member(client, world).post(reverse("reporting:export_in_background"), {"semestre": "2026-S1"})

    # Then: a job of the exports app, built by the worker's service
    job = ExportJob.objects.get(kind="reporting_xlsx")
    assert response.url == reverse("exports:job_detail", kwargs={"public_id": job.public_id})
    assert job.parameters == {"level": "national", "code": "", "start": "2026-01-01", "end": "2026-06-30"}
    export_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error_message
    with job.file.open("rb") as file:
        workbook = load_workbook(io.BytesIO(file.read()))
    assert workbook["Indicateurs"]["A1"].value == "Indicateurs — France entière"


def test_pdf_report_with_its_charts_and_tables(client, world, tmp_path):
    response = member(client, world).get(reverse("reporting:export_pdf") + "?" + S1)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    (tmp_path / "rapport.pdf").write_bytes(response.content)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Indicateurs — France entière" in text
    assert "Parcours des orientations envoyées sur la période" in text
    assert "< 5" in text
    assert "Lefèvre" not in text
    # Aggregates only: the report's own notice on every page, not the personal-data one of the base
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert text.count("Statistiques agrégées — aucune donnée nominative") == len(pages)
    assert "Document confidentiel" not in text and "données personnelles" not in text
    assert response.content.count(b"/Subtype /Image") == 0  # the charts are vector drawings, not images
