"""A national committee member prepares the meeting in Chromium: signs in with two-factor authentication,
opens the indicators, chooses the semester and a région, drills down to a département and an E2C
site, closes the semester (a confirmation step; the freezing is a Celery worker's job, played here by
the test as the export journey plays its worker), sees who closed it and when, and downloads the
XLSX and PDF reports. No young person's name on any page; axe checks each one."""

import io
import unicodedata

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from cej.models import YoungPerson
from reporting.models import SemesterClosing, SemesterSnapshot
from reporting.services.snapshots import semester_close
from tests.e2e.conftest import (
    assert_no_accessibility_violations,
    assert_usable_zoomed,
    screenshot,
    screenshots_desktop_and_mobile,
    type_two_factor_code,
)
from tests.partners.factories import DEFAULT_PASSWORD
from tests.reporting.builders import known_dataset
from tests.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def indicator(page: Page, label: str) -> Locator:
    """The value cell of an indicator in the « Tous les indicateurs » tables."""
    return page.locator("tr", has=page.get_by_role("rowheader", name=label, exact=True)).locator("td").first


def assert_no_young_persons_name(page: Page, names: list[str]) -> None:
    content = page.content()
    for name in names:
        assert name not in content, f"{page.url} shows « {name} »"


def test_the_committee_filters_drills_down_closes_the_semester_and_downloads_the_reports(live_server, page: Page, axe):
    world = build_world()
    known_dataset(world)  # ten referrals sent in the first semester of 2026, one in the second of 2025
    member = world.user("national_committee")
    assert member is not None
    names = sorted({name for person in YoungPerson.objects.all() for name in (person.last_name, person.first_name)})
    assert names

    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(member.email)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    type_two_factor_code(page, member.email)  # no device yet: enrolment with the secret shown, then the code
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")
    assert member.totpdevice_set.filter(confirmed=True).exists()

    page.get_by_role("link", name="Indicateurs", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicateurs — France entière")
    assert_no_accessibility_violations(axe, page)

    # The semester filter: the second semester of 2025 (one referral, masked), then the first of 2026.
    page.get_by_label("Semestre", exact=True).select_option(label="2d semestre 2025")
    page.get_by_role("button", name="Afficher", exact=True).click()
    expect(page.get_by_text("2d semestre 2025", exact=False).first).to_be_visible()
    expect(indicator(page, "Orientations envoyées")).to_have_text("< 5")
    page.get_by_label("Semestre", exact=True).select_option(label="1er semestre 2026")
    page.get_by_role("button", name="Afficher", exact=True).click()
    expect(page.locator("p.lead")).to_contain_text("1er semestre 2026")
    expect(indicator(page, "Orientations envoyées")).to_have_text("10")
    assert_no_accessibility_violations(axe, page)
    assert_no_young_persons_name(page, names)
    screenshots_desktop_and_mobile(page, "comite-indicateurs-national")
    assert_usable_zoomed(page, lambda p: p.get_by_role("button", name="Afficher", exact=True))

    # The région filter, then the drill-down: département, then the E2C site.
    page.get_by_label("Région", exact=True).select_option(label="Auvergne-Rhône-Alpes")
    page.get_by_role("button", name="Aller au territoire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicateurs — Auvergne-Rhône-Alpes")
    expect(page.locator("p.lead")).to_contain_text("1er semestre 2026")
    expect(indicator(page, "Orientations envoyées")).to_have_text("9")  # one went to Lille from Lyon: both count
    assert_no_accessibility_violations(axe, page)
    assert_no_young_persons_name(page, names)
    page.get_by_role("table", name="Indicateurs par département").get_by_role("link", name="Rhône").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rhône")
    expect(page.locator("p.lead")).to_contain_text("1er semestre 2026")
    assert_no_accessibility_violations(axe, page)
    assert_no_young_persons_name(page, names)
    page.get_by_role("link", name=world.site.name, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Indicateurs — {world.site.name}")
    assert_no_accessibility_violations(axe, page)
    assert_no_young_persons_name(page, names)

    # Back to the whole country (the breadcrumb keeps the semester): the semester is closed.
    page.get_by_role("navigation", name="Fil d'Ariane").get_by_role("link", name="France entière").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicateurs — France entière")
    page.get_by_role("link", name="Clore ce semestre et figer ses chiffres").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clore le 1er semestre 2026")
    assert_no_accessibility_violations(axe, page)
    screenshots_desktop_and_mobile(page, "comite-clore-le-semestre")
    assert_usable_zoomed(page, lambda p: p.get_by_role("button", name="Clore le semestre"))
    page.get_by_role("button", name="Clore le semestre").click()
    expect(page.get_by_role("status").first).to_contain_text("Clôture du 1er semestre 2026 demandée")
    expect(page.get_by_text("Clôture de ce semestre en cours")).to_be_visible()
    expect(page.get_by_role("link", name="Clore ce semestre et figer ses chiffres")).to_have_count(0)
    assert_no_accessibility_violations(axe, page)

    # The worker freezes the semester (reporting.tasks.close_semester), then the page shows who and when.
    closing = SemesterClosing.objects.get(semester="2026-S1")
    assert closing.requested_by == member and closing.closed_at is None
    assert semester_close(closing_id=closing.pk) > 100  # France, each région, each département
    closing.refresh_from_db()
    page.reload()
    closed = page.get_by_role("status").filter(has_text="Semestre clos le")
    expect(closed).to_contain_text(f"par {member.get_full_name()}")
    day = closing.closed_at.astimezone().strftime("%d").lstrip("0")
    expect(closed).to_contain_text(f"Semestre clos le {day} ")
    expect(indicator(page, "Orientations envoyées")).to_have_text("10")
    assert SemesterSnapshot.objects.filter(semester="2026-S1", closed_by=member).exists()
    assert_no_accessibility_violations(axe, page)
    assert_no_young_persons_name(page, names)
    screenshots_desktop_and_mobile(page, "comite-semestre-clos")
    screenshot(page, "comite-semestre-clos-haut", full_page=False)  # the window's first screen, for the README
    assert_usable_zoomed(page, lambda p: p.get_by_role("link", name="Télécharger (Excel)"))

    # The reports for the meeting.
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Télécharger (Excel)").click()
    assert xlsx_download.value.suggested_filename == "indicateurs-france-20260101-20260630.xlsx"
    workbook = load_workbook(io.BytesIO(xlsx_download.value.path().read_bytes()))
    assert workbook.sheetnames == [
        "Indicateurs",
        "Par région",
        "Par réseau prescripteur",
        "Sorties par situation",
        "Retours par motif",
    ]
    values = {row[1]: row[2] for row in workbook["Indicateurs"].iter_rows(values_only=True) if len(row) > 2 and row[1]}
    assert values["Orientations envoyées"] == 10 and isinstance(values["Orientations envoyées"], int)
    assert values["Prises en compte par l'E2C"] == 8
    assert values["Délai envoi → prise en compte, médiane (jours)"] == 3.5
    regions = {row[0]: row[1] for row in workbook["Par région"].iter_rows(values_only=True) if row and row[0]}
    assert regions["Auvergne-Rhône-Alpes"] == 9
    cells = [str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert not any(name in cell for name in names for cell in cells)

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Rapport avec graphiques (PDF)").click()
    assert pdf_download.value.suggested_filename.endswith(".pdf")
    reader = PdfReader(io.BytesIO(pdf_download.value.path().read_bytes()))
    text = unicodedata.normalize("NFC", "\n".join(pdf_page.extract_text() for pdf_page in reader.pages))
    assert "France entière" in text and "1er semestre 2026" in text
    assert "Orientations envoyées" in text and "Auvergne-Rhône-Alpes" in text
    assert not any(name in text for name in names)
