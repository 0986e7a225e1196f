"""The « Plan du site » (RGAA 12.1), reached from the footer, signed in or not: axe finds no WCAG A/AA violation."""

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


def open_site_map_from_the_footer(page: Page) -> None:
    page.get_by_role("contentinfo").get_by_role("link", name="Plan du site").click()
    expect(page).to_have_title("Plan du site — Orientations E2C")
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan du site")


def test_the_site_map_from_the_footer_signed_out_then_signed_in(live_server, page: Page, axe, adviser):
    page.goto(f"{live_server.url}/connexion/")
    open_site_map_from_the_footer(page)

    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="Se connecter")).to_be_visible()
    expect(main.get_by_role("link", name="Jeunes", exact=True)).to_have_count(0)
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "plan-du-site-public")

    main.get_by_role("link", name="Se connecter").click()
    page.get_by_label("Adresse e-mail").fill("amelie.lefevre@ml.exemple.fr")
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Amélie")
    open_site_map_from_the_footer(page)

    expect(main.get_by_role("heading", level=2, name="Jeunes et orientations")).to_be_visible()
    expect(main.get_by_role("link", name="Nouveau dossier de jeune")).to_be_visible()
    expect(main.get_by_role("link", name="Se connecter")).to_have_count(0)
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "plan-du-site-conseillere")

    main.get_by_role("link", name="Mes orientations").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/orientations/envoyees/?mes-orientations=1")
