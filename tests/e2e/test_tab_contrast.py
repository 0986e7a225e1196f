"""The current tab of a young person's file (« Dossier » / « Historique ») is framed by a border of 3:1 at least
on the page (WCAG 1.4.11, RGAA 3.3): it is what tells the current tab apart, the two texts differing by 2.6:1 only."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from demo.services import DEMO_PASSWORD
from tests.e2e.conftest import type_two_factor_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RGB = re.compile(r"rgba?\((\d+), (\d+), (\d+)")


def luminance(css_colour: str) -> float:
    match = RGB.match(css_colour)
    assert match, css_colour
    channels = [int(value) / 255 for value in match.groups()]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    light, dark = sorted([luminance(first), luminance(second)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture
def demo(db):
    call_command("load_demo", "--allow-without-debug", verbosity=0)


def test_the_current_tab_of_a_file_is_framed_at_3_to_1_at_least(live_server, page: Page, demo):
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill("amelie.lefevre@ml-lyon.exemple.fr")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    type_two_factor_code(page, "amelie.lefevre@ml-lyon.exemple.fr")
    page.goto(f"{live_server.url}/jeunes/?mes-jeunes=1")
    page.locator("main table a[href^='/jeunes/']").first.click()
    current = page.locator(".nav-tabs .nav-link[aria-current='page']")
    expect(current).to_have_text("Dossier")

    border = current.evaluate("tab => getComputedStyle(tab).borderTopColor")
    # The main area is transparent: the tab sits on the body's background.
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")

    assert contrast(border, background) >= 3, f"current tab's border {border} on {background}"
