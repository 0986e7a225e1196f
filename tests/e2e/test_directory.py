"""The directory in Chromium: an administrator searches, opens an organisation, adds one; axe on each page."""

import pytest
from playwright.sync_api import Page, expect

from partners.models import Organisation
from tests.e2e.conftest import assert_no_accessibility_violations, screenshot, type_two_factor_code
from tests.partners.factories import DEFAULT_PASSWORD
from tests.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, live_server, user) -> None:
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    type_two_factor_code(page, user.email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")


def test_an_administrator_finds_an_organisation_and_adds_another(live_server, page: Page, axe):
    world = build_world()
    sign_in(page, live_server, world.user("administrator"))

    page.get_by_role("link", name="Annuaire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuaire des organisations")
    assert_no_accessibility_violations(axe, page)
    page.get_by_label("Région").select_option(label="Hauts-de-France")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("row")).to_have_count(3)  # header + 2 organisations
    screenshot(page, "annuaire")

    page.get_by_role("link", name="Mission Locale de Lille").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mission Locale de Lille")
    assert_no_accessibility_violations(axe, page)

    page.goto(f"{live_server.url}/annuaire/nouvelle/")
    page.get_by_label("Nom").fill("Mission Locale de Bastia")
    page.get_by_label("Type").select_option(label="Mission Locale")
    page.get_by_label("SIRET").fill("12345678901234")
    page.get_by_label("Département").select_option(value="2B")
    page.get_by_role("button", name="Enregistrer").click()
    summary = page.get_by_role("region", name="Le formulaire contient 1 erreur")
    expect(summary.get_by_role("link", name="SIRET")).to_contain_text("clé de contrôle est fausse")
    expect(summary).to_be_focused()
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "organisation-erreur-siret")

    page.get_by_label("SIRET").fill("732 829 320 00074")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mission Locale de Bastia")
    expect(page.get_by_role("status")).to_contain_text("est ajoutée à l'annuaire")
    assert Organisation.objects.get(name="Mission Locale de Bastia").region.name == "Corse"


def test_a_user_with_two_organisations_switches_in_the_header_at_375_px(live_server, page: Page, axe):
    world = build_world()
    from partners.enums import Role
    from tests.partners.factories import MembershipFactory

    MembershipFactory(user=world.user("manager_e2c"), organisation=world.site, role=Role.E2C_STAFF)
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server, world.user("manager_e2c"))

    page.get_by_role("button", name="Ouvrir le menu").click()
    page.get_by_label("Organisation pour laquelle vous agissez").select_option(
        label="E2C Lyon — site de Vénissieux — Équipe E2C"
    )
    page.get_by_role("button", name="Changer").click()

    expect(page.get_by_role("status")).to_contain_text("Vous agissez désormais pour E2C Lyon — site de Vénissieux")
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "changement-organisation-375px")
