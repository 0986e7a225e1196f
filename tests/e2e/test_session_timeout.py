"""The warning before the idle timeout in Chromium (WCAG 2.2.1, RGAA 13.1), with a 14-second session:
it appears with the focus on « Rester connecté », axe finds nothing, staying signed in outlasts the first
deadline; left alone, the page says the session ended, keeps what was typed, and the next request is the
sign-in page."""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_no_accessibility_violations, screenshot
from tests.partners.factories import DEFAULT_PASSWORD
from tests.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IDLE_TIMEOUT = 14
WARNS_BEFORE = 9
TYPED = "Diagnostic en cours de rédaction"


@pytest.fixture
def short_session(settings):
    settings.SESSION_IDLE_TIMEOUT = IDLE_TIMEOUT
    settings.SESSION_IDLE_WARNING = WARNS_BEFORE


def sign_in_and_type(page: Page, live_server) -> float:
    """Signs in an adviser, opens a form and types in it; returns when the page's session would end."""
    adviser = build_world().user("adviser_ml")
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(adviser.email)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")
    page.goto(f"{live_server.url}/mot-de-passe/changer/")
    expires_in = int(page.locator("script[data-expires-in]").get_attribute("data-expires-in") or "")
    deadline = time.time() + expires_in
    page.get_by_label("Ancien mot de passe").press_sequentially(TYPED)
    return deadline


def warning(page: Page):
    return page.get_by_role("alertdialog", name="Votre session va bientôt expirer")


def test_the_warning_lets_the_person_stay_signed_in_past_the_deadline(live_server, page: Page, axe, short_session):
    deadline = sign_in_and_type(page, live_server)

    expect(warning(page)).to_be_visible()
    expect(warning(page)).to_contain_text(re.compile(r"Votre session va expirer dans \d+\u00a0secondes?\. Rester"))
    expect(warning(page).get_by_role("button", name="Rester connecté")).to_be_focused()
    assert time.time() < deadline
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "session-avertissement")

    warning(page).get_by_role("button", name="Rester connecté").click()

    expect(warning(page)).to_be_hidden()
    expect(page.get_by_label("Ancien mot de passe")).to_be_focused()  # back where the person was typing
    time.sleep(max(0.0, deadline - time.time()) + 1.5)  # (the next warning may be showing: no click)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")


def test_without_an_answer_the_page_says_the_session_ended_and_keeps_the_text(
    live_server, page: Page, axe, short_session
):
    sign_in_and_type(page, live_server)
    expect(warning(page)).to_be_visible()

    ended = page.get_by_role("alertdialog", name="Votre session a expiré")
    expect(ended).to_be_visible(timeout=IDLE_TIMEOUT * 1000)
    expect(ended).to_contain_text("Vous avez été déconnecté(e)")
    expect(ended.get_by_role("button", name="Fermer")).to_be_focused()
    assert_no_accessibility_violations(axe, page)
    page.keyboard.press("Escape")

    expect(ended).to_be_hidden()
    expect(page.get_by_role("main").get_by_role("alert")).to_contain_text("votre session a expiré")
    assert page.url.endswith("/mot-de-passe/changer/")
    expect(page.get_by_label("Ancien mot de passe")).to_have_value(TYPED)
    page.get_by_role("link", name="Accueil").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    expect(page.get_by_role("main")).to_contain_text("Votre session a expiré")


def test_signing_out_from_the_warning(live_server, page: Page, short_session):
    sign_in_and_type(page, live_server)
    expect(warning(page)).to_be_visible()

    warning(page).get_by_role("button", name="Se déconnecter").click()

    expect(page.get_by_role("heading", level=1)).not_to_contain_text("Changer de mot de passe")
    page.goto(f"{live_server.url}/mot-de-passe/changer/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
