"""An ML adviser's morning in Chromium: finds a young person despite a typo, opens a new file,
is offered the existing one for a duplicate, records an oral consent and plans a review."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from cej.models import Consent, FollowUp, YoungPerson
from demo.services import DEMO_PASSWORD
from tests.e2e.conftest import assert_no_accessibility_violations, screenshot, type_two_factor_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    call_command("load_demo", "--allow-without-debug", verbosity=0)


def test_an_adviser_finds_opens_and_follows_a_young_persons_file(live_server, page: Page, axe, demo):
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill("amelie.lefevre@ml-lyon.exemple.fr")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    type_two_factor_code(page, "amelie.lefevre@ml-lyon.exemple.fr")
    expect(page.get_by_role("heading", name="Points de suivi en retard")).to_be_visible()
    expect(page.get_by_text("Lefèvre-Martin")).to_be_visible()  # her overdue review
    screenshot(page, "accueil-conseillere")

    page.get_by_role("link", name="Jeunes", exact=True).click()
    page.get_by_label("Nom, date de naissance (jj/mm/aaaa) ou identifiant").fill("lefevre martin eloise")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("link", name="Lefèvre-Martin Éloïse")).to_be_visible()
    # The words typed are back in the field, never in the address (history, shared computer, proxies).
    expect(page.get_by_label("Nom, date de naissance (jj/mm/aaaa) ou identifiant")).to_have_value(
        "lefevre martin eloise"
    )
    assert "/jeunes/?recherche=" in page.url and "lefevre" not in page.url.lower()
    assert_no_accessibility_violations(axe, page)

    # A new file for someone who already has one: the existing file is offered.
    existing = YoungPerson.objects.get(last_name="Da Silva")
    page.get_by_role("link", name="Ouvrir un dossier").click()
    page.get_by_label("Nom(s)", exact=False).first.fill("DA SILVA")
    page.get_by_label("Prénom(s)").fill("Joao")
    page.get_by_label("Date de naissance").fill(existing.birth_date.isoformat())
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert").filter(has_text="Un dossier semblable existe déjà")).to_be_visible()
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "dossier-doublon")
    page.get_by_role("link", name="Da Silva João", exact=False).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Da Silva João")
    assert YoungPerson.objects.filter(last_name__iexact="da silva").count() == 1

    page.get_by_role("link", name="Enregistrer un accord").click()
    page.get_by_label("Site E2C concerné").select_option(label="E2C Lyon Métropole — site de Vénissieux")
    page.get_by_label("Identité et date de naissance").check()
    page.get_by_label("Coordonnées (téléphone, e-mail, adresse)").check()
    page.get_by_label("Date de l'accord").fill(timezone.localdate().isoformat())
    page.get_by_label("Accord oral, attesté par le conseiller").check()
    page.get_by_label("Votre attestation (accord oral)").fill("Notice remise et expliquée, João est d'accord.")
    page.get_by_role("button", name="Enregistrer l'accord").click()
    expect(page.get_by_role("status")).to_contain_text("L'accord de partage avec E2C Lyon Métropole")
    assert Consent.objects.filter(young_person=existing).count() == 1

    page.get_by_role("link", name="Prévoir un point").click()
    planned = timezone.localdate() + datetime.timedelta(days=10)
    page.get_by_label("Date prévue").fill(planned.isoformat())
    page.get_by_role("button", name="Prévoir").click()
    expect(page.get_by_role("status")).to_contain_text(f"Point de suivi prévu le {planned:%d/%m/%Y}")
    assert FollowUp.objects.filter(young_person=existing, scheduled_on=planned).exists()
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "dossier-jeune")
