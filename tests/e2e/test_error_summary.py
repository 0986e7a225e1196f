"""A failed submission in Chromium: the page's title starts with « Erreur : », the error summary is shown
and has the focus (a screen reader reads it at once, the keyboard starts from it), each of its links moves
the focus to its field; axe still finds nothing. The sign-in with a wrong password, the « orienter » form
sent empty, and a refused search (an error message after the page, focused the same way)."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.cej.factories import YoungPersonFactory
from tests.e2e.conftest import assert_no_accessibility_violations, screenshot
from tests.partners.factories import DEFAULT_PASSWORD
from tests.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FOCUSED_SUMMARY = "() => document.activeElement && document.activeElement.hasAttribute('data-error-summary')"
FOCUSED_ID = "() => document.activeElement && document.activeElement.id"


def sign_in(page: Page, base: str, email: str, password: str = DEFAULT_PASSWORD) -> None:
    # The first page of a run imports the views and compiles the templates: slow on a loaded machine.
    page.goto(base + reverse("login"), timeout=60_000)
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def test_a_wrong_password_is_announced_and_leads_back_to_the_address(live_server, page: Page, axe):
    adviser = build_world().user("adviser_ml")

    sign_in(page, live_server.url, adviser.email, "pas-le-bon-mot-de-passe")

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("Le formulaire contient 1 erreur")
    assert page.evaluate(FOCUSED_SUMMARY), "the error summary does not have the focus"
    assert page.title().startswith("Erreur : Connexion")
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "connexion-erreur")

    summary.get_by_role("link").first.click()
    assert page.evaluate(FOCUSED_ID) == "id_username"


def test_the_orienter_form_sent_empty_lists_each_field_and_each_link_reaches_it(live_server, page: Page, axe):
    world = build_world()
    young_person = YoungPersonFactory(organisation=world.ml_a)
    sign_in(page, live_server.url, world.user("adviser_ml").email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")

    page.goto(live_server.url + reverse("e2c_referrals:referral_create", kwargs={"public_id": young_person.public_id}))
    title = page.title()
    page.get_by_role("button", name="Enregistrer le brouillon").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    assert page.evaluate(FOCUSED_SUMMARY), "the error summary does not have the focus"
    assert page.title() == f"Erreur : {title}"
    links = summary.get_by_role("link")
    assert links.count() >= 2
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "orienter-erreurs")

    for index in range(links.count()):
        target = links.nth(index).get_attribute("href").removeprefix("#")
        links.nth(index).click()
        assert page.evaluate(FOCUSED_ID) == target
        page.locator("[data-error-summary]").focus()


def test_a_refused_search_message_takes_the_focus(live_server, page: Page, axe):
    world = build_world()
    sign_in(page, live_server.url, world.user("adviser_ml").email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")

    page.goto(f"{live_server.url}/annuaire/?q=L%C3%A9a%E2%80%8B")

    message = page.locator(".messages .alert-danger")
    expect(message).to_be_visible()
    assert page.evaluate("() => document.activeElement === document.querySelector('.messages .alert-danger')")
    assert page.title().startswith("Erreur : ")
    assert_no_accessibility_violations(axe, page)
