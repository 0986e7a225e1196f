"""An E2C staff member's day in Chromium: from the inbox, takes a referral from « prise en compte »
to the exit, one move at a time, each form checked by axe, and downloads the referral file (PDF) with
its timeline; the referring adviser then sees the timeline without phoning anyone."""

import datetime
import io
import unicodedata

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from cej.models import YoungPerson
from demo.services import DEMO_PASSWORD
from e2c_referrals.models import Referral
from tests.e2e.conftest import (
    assert_no_accessibility_violations,
    assert_usable_zoomed,
    screenshot,
    type_two_factor_code,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    call_command("load_demo", "--allow-without-debug", verbosity=0)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    type_two_factor_code(page, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")


def move(page: Page, axe, link: str, fill=None) -> None:
    page.get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(link)
    if fill:
        fill(page)
    assert_no_accessibility_violations(axe, page)
    page.get_by_role("button", name=f"Confirmer : {link.lower()}").click()
    expect(page.get_by_role("status").first).to_be_visible()


def test_e2c_staff_take_a_referral_to_the_exit_and_the_adviser_sees_the_timeline(live_server, page: Page, axe, demo):
    today = timezone.localdate()
    referral = Referral.objects.get(young_person__last_name="Girard")  # « prise en compte » in the demo
    # A name with accents and a hyphen, to find it again in the PDF's text.
    YoungPerson.objects.filter(pk=referral.young_person_id).update(first_name="Maëlle", last_name="Girard-Lefèvre")
    sign_in(page, live_server.url, "chloe.ndiaye@e2c-lyon.exemple.fr")

    page.get_by_role("link", name="Orientations reçues", exact=True).click()
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "boite-de-reception-e2c")
    page.goto(f"{live_server.url}/orientations/{referral.public_id}/")
    assert_no_accessibility_violations(axe, page)

    # The invitation is a seat in one of the site's sessions (the demo plans one next week).
    page.get_by_role("link", name="Inscrire à une information collective", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("à une séance")
    assert_no_accessibility_violations(axe, page)
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Inscrire", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("est inscrit(e) à la séance")
    page.get_by_role("link", name="Information collective du").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Information collective du")
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "seance-information-collective")
    page.goto(f"{live_server.url}/orientations/{referral.public_id}/")
    move(page, axe, "Présent(e) à l'information collective")
    move(page, axe, "Entretien")

    def integration(p: Page) -> None:
        p.get_by_label("Début de la période d'intégration").fill((today - datetime.timedelta(days=21)).isoformat())
        p.get_by_label("Fin prévue de la période d'intégration").fill((today + datetime.timedelta(days=7)).isoformat())

    move(page, axe, "Commencer la période d'intégration", integration)
    move(
        page,
        axe,
        "Confirmer l'entrée en parcours",
        lambda p: p.get_by_label("Date d'entrée en parcours").fill(today.isoformat()),
    )

    def exit_(p: Page) -> None:
        p.get_by_label("Date de sortie du parcours").fill(today.isoformat())
        p.get_by_label("Situation à la sortie").select_option(label="Alternance : contrat d'apprentissage")
        p.get_by_label("Attestation de compétences acquises (ACA) remise").check()

    move(page, axe, "Enregistrer la sortie", exit_)
    referral.refresh_from_db()
    assert referral.status == "exited" and referral.exit_outcome == "apprenticeship"
    assert referral.transitions.count() == 8  # 2 from the demo, 6 here
    screenshot(page, "orientation-sortie")
    assert_usable_zoomed(page, lambda p: p.get_by_role("link", name="Télécharger la fiche de liaison (PDF)"))

    # The referral file, downloaded as the browser does it: the young person and every step of the timeline.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger la fiche de liaison (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    content = download.path().read_bytes()
    assert content.startswith(b"%PDF-")
    text = unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))
    assert "Maëlle" in text and "Girard-Lefèvre" in text
    for state in (
        "Prise en compte par l'E2C",
        "Invité(e) en information collective",
        "Présent(e) à l'information collective",
        "Entretien",
        "Période d'intégration",
        "Entré(e) en parcours",
        "Sorti(e) du parcours",
    ):
        assert state in text, f"« {state} » missing from the referral file"

    page.get_by_role("button", name="Se déconnecter").click()
    sign_in(page, live_server.url, "amelie.lefevre@ml-lyon.exemple.fr")
    page.goto(f"{live_server.url}/orientations/{referral.public_id}/")
    timeline = page.get_by_role("heading", name="Historique de l'orientation")
    expect(timeline).to_be_visible()
    expect(page.get_by_text("Sorti(e) du parcours").first).to_be_visible()
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "orientation-vue-du-prescripteur")
