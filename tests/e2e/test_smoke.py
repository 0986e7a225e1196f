"""A person signs in through a real Chromium and reaches the home page; axe finds no WCAG A/AA violation."""

import pytest
from playwright.sync_api import Page, expect

from partners.enums import OrganisationKind, Role
from tests.e2e.conftest import assert_no_accessibility_violations, screenshot
from tests.partners.factories import DEFAULT_PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def adviser():
    return MembershipFactory(
        user=UserFactory(email="amelie.lefevre@ml.exemple.fr", first_name="Amélie", last_name="Lefèvre"),
        organisation=OrganisationFactory(name="Mission Locale de Lyon", kind=OrganisationKind.MISSION_LOCALE),
        role=Role.ADVISER,
    ).user


def test_an_adviser_signs_in_and_reaches_the_home_page(live_server, page: Page, axe, adviser):
    page.goto(f"{live_server.url}/")

    expect(page).to_have_url(f"{live_server.url}/connexion/?next=/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "connexion")

    page.get_by_label("Adresse e-mail").fill("amelie.lefevre@ml.exemple.fr")
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Amélie")
    banner = page.get_by_role("banner")
    expect(banner).to_contain_text("Amélie Lefèvre")
    expect(banner).to_contain_text("Conseiller — Mission Locale de Lyon")
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "accueil")


def test_a_wrong_password_is_announced_and_the_page_stays_accessible(live_server, page: Page, axe, adviser):
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill("amelie.lefevre@ml.exemple.fr")
    page.get_by_label("Mot de passe").fill("pas le bon")
    page.get_by_role("button", name="Se connecter").click()

    summary = page.get_by_role("region", name="Le formulaire contient 1 erreur")
    expect(summary).to_contain_text("Adresse e-mail ou mot de passe incorrect")
    expect(summary).to_be_focused()
    assert_no_accessibility_violations(axe, page)


def test_the_skip_link_is_the_first_stop_of_the_keyboard_and_leads_to_the_content(live_server, page: Page, adviser):
    page.goto(f"{live_server.url}/connexion/")

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Aller au contenu principal")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")

    expect(page.locator("main#contenu")).to_be_focused()


def test_the_password_reset_page_is_accessible_at_375_px(live_server, page: Page, axe):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe oublié")
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "mot-de-passe-oublie-375px")
