"""A Mission Locale manager answers a young person's data-protection requests in Chromium: restricts a
file's processing (RGPD article 18) and lifts it once the person is told, then erases another file on
request (article 17)."""

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from cej.models import Restriction, YoungPerson
from demo.services import DEMO_PASSWORD
from retention.models import AnonymisedFile, ErasureRequest
from tests.e2e.conftest import assert_no_accessibility_violations, screenshot, type_two_factor_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
MANAGER = "marc.olivier@ml-lyon.exemple.fr"


@pytest.fixture
def demo(db):
    call_command("load_demo", "--allow-without-debug", verbosity=0)


def open_file(page: Page, live_server, person: YoungPerson) -> None:
    page.goto(f"{live_server.url}/jeunes/{person.public_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{person.last_name} {person.first_name}")


def test_a_manager_restricts_lifts_then_erases_on_request(live_server, page: Page, axe, demo):
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(MANAGER)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    type_two_factor_code(page, MANAGER)
    contested, leaving = YoungPerson.objects.filter(organisation__name="Mission Locale de Lyon").order_by("pk")[:2]

    # Restriction: the effects are explained, then the file says it is frozen and hides its writes
    open_file(page, live_server, contested)
    page.get_by_role("link", name="Limiter le traitement").click()
    expect(page.get_by_text("il ne peut plus être modifié")).to_be_visible()
    assert_no_accessibility_violations(axe, page)
    page.get_by_label("Exactitude des données contestée, le temps de la vérifier").check()
    page.get_by_role("button", name="Limiter le traitement").click()
    banner = page.locator("#traitement-limite")
    expect(banner).to_contain_text("Traitement limité (RGPD, article 18)")
    expect(page.get_by_role("link", name="Modifier", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Effacer ce dossier")).to_have_count(0)  # refused while restricted
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "dossier-traitement-limite")

    # Lift: refused without the date the person was told, then done
    banner.get_by_role("link", name="Lever la limitation").click()
    page.get_by_label("Motif de la levée").fill("Adresse vérifiée avec le jeune.")
    page.get_by_role("button", name="Lever la limitation").click()
    expect(page.get_by_role("region", name="Le formulaire contient 1 erreur")).to_be_focused()
    expect(page.get_by_role("main").locator(".invalid-feedback")).to_contain_text("Ce champ est obligatoire.")
    page.get_by_label("Date à laquelle la personne a été informée de la levée").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Lever la limitation").click()
    expect(page.locator("#traitement-limite")).to_have_count(0)
    assert not Restriction.objects.get(young_person=contested).is_open

    # Erasure: what goes and what stays, an explicit confirmation, then back to the list without the file
    open_file(page, live_server, leaving)
    page.get_by_role("link", name="Effacer ce dossier").click()
    expect(page.get_by_role("heading", name="Ce qui est effacé")).to_be_visible()
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "dossier-effacement")
    erase = page.locator("form").filter(has=page.get_by_role("button", name="Effacer définitivement"))
    erase.get_by_label("Date à laquelle la demande a été reçue").fill(timezone.localdate().isoformat())
    erase.get_by_label("Consentement retiré (article 17, 1, b)").check()
    erase.get_by_role("button", name="Effacer définitivement").click()
    summary = page.get_by_role("region", name="Le formulaire contient 1 erreur")
    expect(summary).to_contain_text("Cochez la case pour confirmer l'effacement définitif.")
    expect(summary).to_be_focused()
    assert not AnonymisedFile.objects.filter(young_person=leaving).exists()
    erase = page.locator("form").filter(has=page.get_by_role("button", name="Effacer définitivement"))
    erase.get_by_label("Consentement retiré (article 17, 1, b)").check()
    erase.get_by_label("Je confirme l'effacement définitif").check()
    erase.get_by_role("button", name="Effacer définitivement").click()
    expect(page.get_by_text("Le dossier est effacé")).to_be_visible()
    assert AnonymisedFile.objects.filter(young_person=leaving).exists()
    assert ErasureRequest.objects.get(young_person=leaving).outcome == ErasureRequest.Outcome.DONE
    expect(page.get_by_text(leaving.last_name, exact=False)).to_have_count(0)
    screenshot(page, "liste-apres-effacement")
