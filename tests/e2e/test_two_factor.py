"""Two-factor authentication in Chromium: a demo manager types the code from the demo secret; an
administrator without an application enrols with the secret shown and is given backup codes; axe on
the three pages."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from demo.services import DEMO_PASSWORD
from demo.totp import totp_code
from tests.e2e.conftest import assert_no_accessibility_violations, screenshot, type_two_factor_code
from tests.partners.factories import DEFAULT_PASSWORD
from tests.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_demo_manager_types_the_code_after_the_password(live_server, page: Page, axe):
    call_command("load_demo", "--allow-without-debug", verbosity=0)
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill("marc.olivier@ml-lyon.exemple.fr")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Code de vérification")
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "code-de-verification")
    type_two_factor_code(page, "marc.olivier@ml-lyon.exemple.fr")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")


def test_an_administrator_without_an_application_enrols_then_reaches_the_home_page(live_server, page: Page, axe):
    administrator = build_world().user("administrator")
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(administrator.email)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Activer la double authentification")
    expect(page.get_by_role("img", name="Code QR à scanner avec votre application")).to_be_visible()
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "activer-double-authentification")
    page.get_by_label("Code à 6 chiffres").fill(totp_code(page.locator("#cle-secrete").inner_text()))
    page.get_by_role("button", name="Activer").click()

    expect(page.get_by_text("La double authentification est activée sur votre compte.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos codes de secours")
    expect(
        page.get_by_role("list", name="Les 10 codes, à utiliser une seule fois chacun").get_by_role("listitem")
    ).to_have_count(10)
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "codes-de-secours")
    page.get_by_role("link", name="J'ai mis mes codes en lieu sûr, continuer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")
