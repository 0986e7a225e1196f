"""Browser tests: Playwright driving Debian's Chromium (installed by `make test`, never downloaded)."""

import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from demo.totp import DEMO_TOTP_SECRET, totp_code

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the test
# itself (creating users) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium est absent : lancez « make test », qui l'installe avec apt (paquet chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Page:
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


# Every axe scan of the run, for the summary printed at the end (tests/conftest.py).
AXE_SCANS: list[tuple[str, int]] = []
# Pages checked at 200 % zoom and 375 px (assert_usable_zoomed), for the run's summary.
REFLOW_CHECKS: list[str] = []


def assert_no_accessibility_violations(axe: Axe, page: Page) -> None:
    """axe-core (bundled in the installed package) with the WCAG 2.0/2.1 A and AA rules."""
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    AXE_SCANS.append((page.url, results.violations_count))
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


# The last 30-second step whose code each (secret, account) has used: django-otp accepts a step only once.
_USED_STEPS: dict[tuple[str, str], int] = {}


def type_two_factor_code(page: Page, account: str) -> None:
    """Call right after clicking « Se connecter »: for a role that requires two-factor authentication,
    type the current code — from the demo secret (demo/totp.py) on the code page, or from the secret shown
    on the enrolment page for an account without a device yet. Does nothing for the other roles."""
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Connexion")
    path = urlparse(page.url).path
    if path == "/connexion/code/":
        secret = DEMO_TOTP_SECRET
    elif path == "/connexion/double-authentification/":
        secret = page.locator("#cle-secrete").inner_text()
    else:
        return
    step = int(time.time() // 30)
    last = _USED_STEPS.get((secret, account))
    if last is not None and step <= last:
        # django-otp also accepts the next step's code (the device's tolerance, 1 by default): a second
        # sign-in within the same 30 s types it at once; only a third one waits for the clock.
        if last > step:
            time.sleep(last * 30 - time.time() + 0.5)
        step = last + 1
    _USED_STEPS[(secret, account)] = step
    page.get_by_label("Code à 6 chiffres").fill(totp_code(secret, step * 30 + 1))
    page.get_by_role("button", name=re.compile("^(Valider|Activer)$")).click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text(re.compile("Code de vérification|Activer la double"))
    if path == "/connexion/double-authentification/":
        # An enrolment ends on the backup codes, shown once, with the way on to the page asked.
        expect(page.get_by_role("heading", level=1)).to_have_text("Vos codes de secours")
        page.get_by_role("link", name="J'ai mis mes codes en lieu sûr, continuer").click()


def screenshots_desktop_and_mobile(page: Page, name: str) -> None:
    """The page at desktop width, then at 375 px (the phone's width), back to the desktop size."""
    screenshot(page, name)
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, f"{name}-375px")
    if size:
        page.set_viewport_size(size)


# 200 % zoom of a 1280 px wide window: 640 CSS px with two device pixels each; then a 375 px phone.
REFLOW_VIEWPORTS = [
    ("zoom 200 %", {"width": 640, "height": 450}),
    ("375 px", {"width": 375, "height": 667}),
]
NO_HORIZONTAL_SCROLL = "() => [document.documentElement.scrollWidth, window.innerWidth]"


def assert_usable_zoomed(page: Page, primary: Callable[[Page], Locator] | None) -> None:
    """WCAG 1.4.10 (reflow) and 1.4.4 (resize text): the page the browser shows, opened again with the same
    session at 200 % zoom and at 375 px, scrolls only vertically, and its main landmark and its primary
    action (``primary`` finds it on a page) are visible, fully inside the window's width."""
    browser = page.context.browser
    assert browser is not None
    state = page.context.storage_state()
    for label, viewport in REFLOW_VIEWPORTS:
        context = browser.new_context(
            storage_state=state,
            locale="fr-FR",
            timezone_id="Europe/Paris",
            viewport=viewport,
            device_scale_factor=2,
        )
        try:
            zoomed = context.new_page()
            response = zoomed.goto(page.url)
            if page.url.startswith("http"):  # (a data: URL, in the check's own test, has no response)
                assert response is not None and response.status == 200, f"{page.url} ({label}) → {response}"
            scroll_width, inner_width = zoomed.evaluate(NO_HORIZONTAL_SCROLL)
            assert scroll_width <= inner_width, f"{page.url} ({label}): {scroll_width} px wide for {inner_width} px"
            expect(zoomed.get_by_role("main")).to_be_visible()
            if primary is None:  # a page to read, without an action
                continue
            action = primary(zoomed)
            action.scroll_into_view_if_needed()
            expect(action).to_be_visible()
            box = action.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= inner_width, (
                f"{page.url} ({label}): the primary action is outside the window ({box})"
            )
        finally:
            context.close()
    if page.url.startswith("http"):
        REFLOW_CHECKS.append(page.url)
