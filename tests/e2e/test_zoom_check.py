"""Reflow (WCAG 1.4.10) at 200 % zoom and at 375 px: the check used by the journeys
(conftest.assert_usable_zoomed) refuses what it should refuse — a page wider than the window, no main
landmark, no visible primary action — and the key pages of the three users' days pass it."""

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from demo.services import DEMO_PASSWORD
from e2c_referrals.models import InformationSession, Referral
from tests.e2e.conftest import assert_usable_zoomed

pytestmark = pytest.mark.e2e

FLUID = "<main><h1>Titre</h1><p>Un texte qui passe à la ligne.</p><button>Valider</button></main>"


def open_html(page: Page, body: str) -> None:
    page.goto(f"data:text/html;charset=utf-8,<!doctype html><html lang=fr><title>t</title><body>{body}</body></html>")


def primary(page: Page):
    return page.get_by_role("button", name="Valider")


def test_a_page_that_reflows_passes(page: Page):
    open_html(page, FLUID)
    assert_usable_zoomed(page, primary)


@pytest.mark.parametrize(
    "body",
    [
        # 800 px of content: fits a desktop window, scrolls sideways at 640 and 375 px.
        "<main><table style='width:800px'><tr><td>Colonne</td></tr></table><button>Valider</button></main>",
        "<div><button>Valider</button></div>",  # no main landmark
        "<main><button hidden>Valider</button></main>",  # no visible primary action
    ],
)
def test_a_page_that_does_not_reflow_fails(page: Page, body: str):
    open_html(page, body)
    with pytest.raises(AssertionError):
        assert_usable_zoomed(page, primary)


@pytest.fixture
def demo(db):
    call_command("load_demo", "--allow-without-debug", verbosity=0)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")


def in_main(role: str, name: str):
    return lambda page: page.get_by_role("main").get_by_role(role, name=name, exact=True).first


@pytest.mark.django_db(transaction=True)
def test_the_key_pages_of_the_day_reflow_at_200_percent_and_375_px(live_server, page: Page, demo):
    """The pages the journeys cross most, beyond those each journey checks itself."""
    base = live_server.url
    referral = Referral.objects.get(young_person__last_name="Girard")  # « prise en compte » in the demo
    session = InformationSession.objects.filter(starts_at__gt=timezone.now()).order_by("starts_at")[0]  # next week
    pages = {
        None: [
            ("/connexion/", in_main("button", "Se connecter")),
            ("/accessibilite/", None),
        ],
        "amelie.lefevre@ml-lyon.exemple.fr": [
            ("/", in_main("link", "Ouvrir un dossier")),
            ("/jeunes/", in_main("button", "Rechercher")),
            (f"/jeunes/{referral.young_person.public_id}/", in_main("link", "Orienter vers une E2C")),
            (f"/orientations/{referral.public_id}/", in_main("link", "Inscrire à une information collective")),
            ("/orientations/envoyees/", in_main("button", "Filtrer")),
            (f"/seances/{session.public_id}/", in_main("button", "Inscrire")),
        ],
        "chloe.ndiaye@e2c-lyon.exemple.fr": [
            ("/orientations/recues/", in_main("button", "Filtrer")),
            ("/seances/", in_main("link", "Programmer une séance")),
            ("/seances/nouvelle/", in_main("button", "Programmer la séance")),
        ],
    }
    checked = 0
    for account, paths in pages.items():
        if account:
            page.context.clear_cookies()
            sign_in(page, base, account)
        for path, primary in paths:
            page.goto(base + path)
            assert_usable_zoomed(page, primary)
            checked += 1
    print(f"\nreflow: {checked} key pages usable at 200 % zoom (640 CSS px) and at 375 px")
