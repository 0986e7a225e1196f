"""The reflow check used by the journeys (conftest.assert_usable_zoomed) refuses what it should refuse:
a page wider than the window at 200 % zoom, a page without a main landmark, a primary action out of view."""

import pytest
from playwright.sync_api import Page

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
