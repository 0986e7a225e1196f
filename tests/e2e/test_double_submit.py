"""A double click on « Enregistrer » in Chromium: one request leaves, the button says it is sending
and cannot be pressed again, and one file is opened."""

import pytest
from django.test import Client
from playwright.sync_api import Page, Route, expect

from cej.models import YoungPerson
from tests.e2e.conftest import screenshot
from tests.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def signed_in(page: Page, live_server, user) -> None:
    """The browser carries the session of ``user`` signed in (two-factor step included, tests/conftest.py)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_a_double_click_on_the_new_file_form_sends_it_once_and_disables_the_button(live_server, page: Page):
    world = build_world()
    signed_in(page, live_server, world.user("adviser_ml"))
    sent: list[int] = []

    def send_and_stay(route: Route) -> None:
        # Each post the browser makes reaches the server for real; the browser is then answered
        # « 204 No Content », so it stays on the form, where the button can be looked at.
        if route.request.method == "POST":
            sent.append(route.fetch(max_redirects=0).status)
            route.fulfill(status=204)
        else:
            route.continue_()

    page.goto(f"{live_server.url}/jeunes/nouveau/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ouvrir un dossier")
    page.get_by_role("textbox", name="Nom(s)*", exact=True).fill("Lefèvre-Œuvray")
    page.get_by_label("Prénom(s)").fill("Adèle")
    page.get_by_label("Date de naissance").fill("2006-05-04")
    page.route("**/jeunes/nouveau/", send_and_stay)
    button = page.get_by_role("button", name="Enregistrer")

    button.dblclick(no_wait_after=True)

    busy = page.get_by_role("button", name="Envoi en cours…")
    expect(busy).to_be_disabled()
    expect(busy).to_have_attribute("aria-disabled", "true")
    expect(page.locator("form[aria-busy=true]")).to_have_count(1)
    screenshot(page, "double-clic-envoi-en-cours", full_page=False)
    page.wait_for_timeout(1000)  # time for a second request, were one to leave
    assert sent == [302]
    assert YoungPerson.objects.filter(last_name="Lefèvre-Œuvray").count() == 1
