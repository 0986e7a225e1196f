"""Every page reachable from the menus, for each demo role, in Chromium: axe finds no WCAG A/AA violation.

The crawler follows same-site links of the header and the main content (GET pages only, never a
download or the sign-out), breadth first, so a new page is scanned as soon as a link leads to it.
"""

import re
from collections import deque
from urllib.parse import urldefrag, urlparse

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from demo.services import DEMO_PASSWORD
from tests.e2e.conftest import assert_no_accessibility_violations, type_two_factor_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ACCOUNTS = [
    "amelie.lefevre@ml-lyon.exemple.fr",
    "chloe.ndiaye@e2c-lyon.exemple.fr",
    "helene.garcon@e2c-lyon.exemple.fr",
    "noel.berard@arml-aura.exemple.fr",
    "zoe.lambert-dupre@unml.exemple.fr",
    "jerome.paris@orientations-e2c.exemple.fr",
]
MAX_PAGES_PER_ACCOUNT = 60
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Région and département codes (84, 2A, 971) and semesters (2026-S1) in paths: one page per view too.
CODE = re.compile(r"/(\d{2,3}|2[AB]|\d{4}-S[12])/")
SKIPPED_PREFIXES = ("/admin/", "/deconnexion/", "/static/", "/media/")
SKIPPED_SUFFIXES = (".pdf", ".csv", ".ics", ".zip", ".xlsx", ".json")


@pytest.fixture
def demo(db):
    call_command("load_demo", "--allow-without-debug", verbosity=0)


def shape(path: str) -> str:
    """One page per view: /annuaire/<uuid>/ stands for every organisation page, /indicateurs/region/84/
    for every région; queries are ignored."""
    return CODE.sub("/<code>/", UUID.sub("<uuid>", path.split("?")[0]))


def crawl(page: Page, base: str, axe) -> list[str]:
    seen: set[str] = set()
    queue = deque(["/"])
    scanned = []
    while queue and len(scanned) < MAX_PAGES_PER_ACCOUNT:
        path = queue.popleft()
        if shape(path) in seen:
            continue
        seen.add(shape(path))
        response = page.goto(base + path)
        assert response is not None and response.status == 200, f"{path} → {response and response.status}"
        assert_no_accessibility_violations(axe, page)
        scanned.append(path)
        hrefs = page.eval_on_selector_all("header a[href], main a[href]", "links => links.map(a => a.href)")
        for href in hrefs:
            url = urlparse(urldefrag(href)[0])
            if url.netloc != urlparse(base).netloc or url.path.startswith(SKIPPED_PREFIXES):
                continue
            if url.path.endswith(SKIPPED_SUFFIXES) or "telecharger" in url.path or "/pieces/" in url.path:
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if shape(target) not in seen:
                queue.append(target)
    return scanned


@pytest.mark.parametrize("email", ACCOUNTS)
def test_every_page_a_role_reaches_has_no_accessibility_violation(live_server, page: Page, axe, demo, email):
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    type_two_factor_code(page, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")

    scanned = crawl(page, live_server.url, axe)

    print(
        f"\naxe: {len(scanned)} pages scanned for {email.split('@')[0]}, 0 violations: {' '.join(map(shape, scanned))}"
    )
    assert len(scanned) < MAX_PAGES_PER_ACCOUNT, "raise the cap: some pages were left unscanned"
    assert len(scanned) >= 5
