"""The 20 key pages, as Chromium renders them under the real Content-Security-Policy, inspected once for four
checks: focus visibility (RGAA 10.7, WCAG 2.4.7 and 1.4.11), field borders (RGAA 3.3, WCAG 1.4.11), WCAG 1.4.12's
text spacing at 1280 and 375 px, and free texts keeping their line breaks with no CSP violation on any page.

Focus: for each page, the keyboard's Tab walks through every control; a ``focusin`` listener reads, at the
moment each control receives the focus (``:focus-visible`` applies, as for a keyboard user), its outline, its
box-shadow rings and its background, and those of what surrounds it. Controls the Tab key does not stop on
(the other radio buttons of a group) are then focused by script, which keeps the keyboard's
``:focus-visible``. The focus indicator is the set of solid bands drawn around the control's border box
(the outline, the blur-free box-shadow rings, each composited over what lies below it); it must hold a band
at least 2 px thick reaching 3:1 against the surrounding background, and one reaching 3:1 against the
control's own background while focused (a dark button: the white ring between it and the dark outline), and
no ancestor that scrolls or hides its overflow may cut it.
"""

import functools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from cej.models import YoungPerson
from demo.services import DEMO_PASSWORD
from e2c_referrals.models import InformationSession, Referral
from partners.models import Organisation
from tests.conftest import load_reference_data
from tests.e2e.conftest import type_two_factor_code

pytestmark = pytest.mark.e2e

ADVISER = "amelie.lefevre@ml-lyon.exemple.fr"
E2C_STAFF = "chloe.ndiaye@e2c-lyon.exemple.fr"
E2C_MANAGER = "helene.garcon@e2c-lyon.exemple.fr"  # two-factor authentication
REGIONAL_COORDINATOR = "noel.berard@arml-aura.exemple.fr"  # two-factor authentication
ADMINISTRATOR = "jerome.paris@orientations-e2c.exemple.fr"  # two-factor authentication
TWO_FACTOR_CODE_PAGE = "/connexion/code/"


@dataclass(frozen=True)
class KeyPage:
    name: str
    account: str | None  # None: signed out
    path: Callable[[], str]  # called once the demo is loaded


def young_person_id() -> str:
    return str(YoungPerson.objects.get(last_name="Girard").public_id)


def referral_id() -> str:
    return str(Referral.objects.get(young_person__last_name="Girard").public_id)  # « prise en compte »


def organisation_id(name: str) -> str:
    return str(Organisation.objects.get(name=name).public_id)


def next_session_id() -> str:
    return str(InformationSession.objects.filter(starts_at__gt=timezone.now()).order_by("starts_at")[0].public_id)


VENISSIEUX = "E2C Lyon Métropole — site de Vénissieux"
E2C_LYON = "École de la 2e Chance Lyon Métropole"

# The 20 key pages: the five pages of the RGAA audit (sign-in, the adviser's home, a young person's file, the
# « orienter » form, the E2C inbox and a referral with its state-change form), then the other pages each role
# crosses most, across the demo roles. Grouped by account: one browser context (one sign-in) per account.
KEY_PAGES = [
    KeyPage("connexion", None, lambda: "/connexion/"),
    KeyPage("accueil du conseiller", ADVISER, lambda: "/"),
    KeyPage("liste des jeunes", ADVISER, lambda: "/jeunes/"),
    KeyPage("dossier d'un jeune", ADVISER, lambda: f"/jeunes/{young_person_id()}/"),
    KeyPage("formulaire « orienter »", ADVISER, lambda: f"/jeunes/{young_person_id()}/orienter/"),
    KeyPage("orientations envoyées", ADVISER, lambda: "/orientations/envoyees/?mes-orientations=1"),
    KeyPage("page d'une séance", ADVISER, lambda: f"/seances/{next_session_id()}/"),
    KeyPage("adresse e-mail du compte", ADVISER, lambda: "/compte/adresse-e-mail/"),
    KeyPage("orientations reçues (E2C)", E2C_STAFF, lambda: "/orientations/recues/"),
    KeyPage("page d'une orientation", E2C_STAFF, lambda: f"/orientations/{referral_id()}/"),
    KeyPage("changement d'état", E2C_STAFF, lambda: f"/orientations/{referral_id()}/etat/not_admitted/"),
    KeyPage("liste des séances", E2C_STAFF, lambda: "/seances/"),
    KeyPage("code de double authentification", E2C_MANAGER, lambda: TWO_FACTOR_CODE_PAGE),
    KeyPage("annuaire", E2C_MANAGER, lambda: "/annuaire/"),
    KeyPage("page d'une organisation", E2C_MANAGER, lambda: f"/annuaire/{organisation_id(VENISSIEUX)}/"),
    KeyPage("équipe", E2C_MANAGER, lambda: f"/annuaire/{organisation_id(E2C_LYON)}/equipe/"),
    KeyPage("invitation", E2C_MANAGER, lambda: f"/annuaire/{organisation_id(E2C_LYON)}/equipe/inviter/"),
    KeyPage("exports", E2C_MANAGER, lambda: "/exports/fiches-de-liaison/"),
    KeyPage("indicateurs", REGIONAL_COORDINATOR, lambda: "/indicateurs/"),
    KeyPage("journal des accès", ADMINISTRATOR, lambda: "/journal-des-acces/"),
]
assert len(KEY_PAGES) == 20

MIN_CONTRAST = 3.0
MIN_RING_PX = 2.0

# Shared by both checks: colours, WCAG contrast, the background actually painted behind an element.
COLOUR_JS = r"""
const parseColour = (text) => {
  const m = /rgba?\(([^)]+)\)/.exec(text || '');
  if (!m) return [0, 0, 0, 0];
  const parts = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
  return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
};
const over = (top, below) => {  // top composited over an opaque colour
  const a = top[3];
  return [0, 1, 2].map(i => top[i] * a + below[i] * (1 - a)).concat([1]);
};
const luminance = (c) => {
  const [r, g, b] = c.slice(0, 3).map(v => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const contrast = (a, b) => {
  const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (l1 + 0.05) / (l2 + 0.05);
};
const hex = (c) => '#' + c.slice(0, 3).map(v => Math.round(v).toString(16).padStart(2, '0')).join('');
// The opaque colour painted behind an element (itself included or not): its and its ancestors' background
// colours composited down to the white canvas.
const backgroundOf = (element, includeSelf) => {
  const layers = [];
  for (let node = includeSelf ? element : element.parentElement; node; node = node.parentElement) {
    const colour = parseColour(getComputedStyle(node).backgroundColor);
    if (colour[3] > 0) layers.push(colour);
    if (colour[3] >= 1) break;
  }
  return layers.reverse().reduce((below, top) => over(top, below), [255, 255, 255, 1]);
};
const describe = (element) => {
  const squash = (text) => (text || '').trim().replace(/\s+/g, ' ');
  const text = squash(element.innerText || element.value || element.getAttribute('aria-label'));
  const label = element.labels && element.labels.length ? squash(element.labels[0].innerText) : '';
  const classes = [...element.classList].slice(0, 3).map(c => '.' + c).join('');
  const type = element.type && element.tagName !== 'A' ? `[type=${element.type}]` : '';
  const id = element.id ? '#' + element.id : '';
  return `<${element.tagName.toLowerCase()}${id}${classes}${type}> « ${(label || text).slice(0, 50)} »`;
};
"""

FOCUS_JS = (
    "() => {"
    + COLOUR_JS
    + r"""
const px = (text) => parseFloat(text) || 0;
// Blur-free, unshifted box-shadow rings drawn outside the border box: [colour, spread], topmost first.
const rings = (text) => {
  if (!text || text === 'none') return [];
  return text.split(/,(?![^(]*\))/).map(part => {
    const colour = parseColour(part);
    const lengths = part.replace(/rgba?\([^)]*\)/, '').trim().split(/\s+/).filter(t => /px$/.test(t)).map(px);
    const [x = 0, y = 0, blur = 0, spread = 0] = lengths;
    return { colour, x, y, blur, spread, inset: /\binset\b/.test(part) };
  }).filter(r => !r.inset && r.x === 0 && r.y === 0 && r.blur === 0 && r.spread > 0);
};
const measure = (element, via) => {
  const style = getComputedStyle(element);
  element.getAnimations().forEach(animation => animation.finish());  // transitions: their end state
  const outer = backgroundOf(element, false);
  const own = backgroundOf(element, true);
  const shadowRings = rings(style.boxShadow);
  const outline = style.outlineStyle !== 'none' && style.outlineStyle !== 'hidden' && px(style.outlineWidth) > 0
    ? {
      colour: parseColour(style.outlineColor),
      from: px(style.outlineOffset),
      to: px(style.outlineOffset) + px(style.outlineWidth),
    }
    : null;
  // The colour seen at distance d (px) outside the border box, in half-pixel steps, grouped into bands.
  const colourAt = (d) => {
    let colour = outer;
    for (const ring of [...shadowRings].reverse()) if (d < ring.spread) colour = over(ring.colour, colour);
    if (outline && d >= outline.from && d < outline.to) colour = over(outline.colour, colour);
    return colour;
  };
  const reach = Math.max(outline ? outline.to : 0, ...shadowRings.map(r => r.spread), 0);
  const start = Math.min(outline ? outline.from : 0, 0);
  const bands = [];
  for (let d = start; d < reach; d += 0.5) {
    const colour = colourAt(d).map(Math.round);
    const last = bands[bands.length - 1];
    if (last && hex(last.colour) === hex(colour)) last.width += 0.5;
    else bands.push({ colour, width: 0.5 });
  }
  const thick = bands.filter(b => b.width >= MIN_RING_PX);
  const best = (against) => Math.max(0, ...thick.map(b => contrast(b.colour, against)));
  // An ancestor that scrolls or hides its overflow cuts what lies outside its padding box.
  const box = element.getBoundingClientRect();
  let clippedBy = null;
  for (let node = element.parentElement; node && node !== document.body; node = node.parentElement) {
    const s = getComputedStyle(node);
    if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
    const r = node.getBoundingClientRect();
    const inner = { left: r.left + node.clientLeft, top: r.top + node.clientTop };
    inner.right = inner.left + node.clientWidth;
    inner.bottom = inner.top + node.clientHeight;
    const cutX = box.left - reach < inner.left - 0.5 || box.right + reach > inner.right + 0.5;
    const cutY = box.top - reach < inner.top - 0.5 || box.bottom + reach > inner.bottom + 0.5;
    const cut = (s.overflowX !== 'visible' && cutX) || (s.overflowY !== 'visible' && cutY);
    if (cut) { clippedBy = describe(node); break; }
  }
  return {
    element: describe(element),
    via,
    focusVisible: element.matches(':focus-visible'),
    outline: outline
      ? `${style.outlineWidth} ${style.outlineStyle} ${style.outlineColor} offset ${style.outlineOffset}`
      : 'none',
    boxShadow: style.boxShadow,
    bands: bands.map(b => `${hex(b.colour)} ${b.width}px`).join(', ') || 'aucune',
    surrounding: hex(outer),
    own: hex(own),
    againstSurrounding: best(outer),
    againstOwn: best(own),
    clippedBy,
  };
};
"""
)

# Installed on each page before the Tab walk: one record per control, at the moment it gets the focus.
INSTALL_JS = (
    FOCUS_JS.replace("MIN_RING_PX", str(MIN_RING_PX))
    + r"""
window.__focusRecords = new Map();
document.addEventListener('focusin', (event) => {
  if (!window.__focusRecords.has(event.target)) window.__focusRecords.set(event.target, measure(event.target, 'Tab'));
}, true);
window.__measure = measure;
return document.querySelectorAll(FOCUSABLE).length;
}"""
)

# What the keyboard can reach: rendered, enabled, not taken out of the tab order.
FOCUSABLE = (
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1']),"
    " [contenteditable='true']"
)

COLLECT_JS = r"""(focusable) => {
  const reachable = [...document.querySelectorAll(focusable)].filter(element =>
    !element.disabled && !element.closest('[inert]') && element.tabIndex >= 0
    && element.getClientRects().length > 0 && getComputedStyle(element).visibility === 'visible');
  // The controls Tab did not stop on (the other radios of a group): focused by script, after the keyboard.
  for (const element of reachable) {
    if (!window.__focusRecords.has(element)) {
      element.focus();
      window.__focusRecords.set(element, window.__measure(element, 'focus()'));
    }
  }
  return { reachable: reachable.length, records: [...window.__focusRecords.values()] };
}"""

FIELDS_JS = (
    "() => {"
    + COLOUR_JS
    + r"""
const buttons = ['hidden', 'submit', 'button', 'reset', 'image'].map(type => `:not([type=${type}])`).join('');
const fields = [...document.querySelectorAll(`input${buttons}, select, textarea`)].filter(field =>
  !field.disabled && field.getClientRects().length > 0 && getComputedStyle(field).visibility === 'visible');
if (document.activeElement) document.activeElement.blur();
return fields.map(field => {
  const style = getComputedStyle(field);
  const outer = backgroundOf(field, false);
  const sides = ['Top', 'Right', 'Bottom', 'Left'].map(side => {
    const width = parseFloat(style[`border${side}Width`]) || 0;
    const colour = over(parseColour(style[`border${side}Color`]), outer);
    return style[`border${side}Style`] === 'none' || width === 0 ? 0 : contrast(colour, outer);
  });
  return {
    element: describe(field),
    border: `${style.borderTopWidth} ${style.borderTopStyle} ${style.borderTopColor}`,
    surrounding: hex(outer),
    contrast: Math.min(...sides),
  };
});
}"""
)


# WCAG 1.4.12's values (the text-spacing bookmarklet), added as a constructed stylesheet: the page keeps its
# real Content-Security-Policy, which refuses <style> elements but not the CSSOM.
TEXT_SPACING_JS = r"""() => {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync('* { line-height: 1.5 !important; letter-spacing: 0.12em !important; }'
    + ' * { word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }');
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}"""

# What the text spacing pushes out of the window or cuts. Tables in .table-responsive scroll sideways by design
# (WCAG 1.4.10 allows it for data tables), form fields scroll their own value, and a chart (an SVG image whose
# values are in the table that follows it) is left out.
OVERFLOW_JS = r"""() => {
  const found = [];
  if (document.documentElement.scrollWidth > innerWidth) {
    found.push(`la page défile en largeur : ${document.documentElement.scrollWidth} px pour ${innerWidth} px`);
  }
  for (const element of document.body.querySelectorAll('*')) {
    if (element.closest(`.table-responsive, .visually-hidden, .visually-hidden-focusable:not(:focus), svg,
                         input, select, textarea, script`)) continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0 || element.getClientRects().length === 0) continue;
    const style = getComputedStyle(element);
    const name = `<${element.tagName.toLowerCase()}${[...element.classList].slice(0, 4).map(c => '.' + c).join('')}>`;
    if (box.right > innerWidth + 1 || box.left < -1) {
      found.push(`${name} sort de la fenêtre (de ${Math.round(box.left)} à ${Math.round(box.right)} px)`);
    }
    const wider = element.clientWidth > 0 ? element.scrollWidth - element.clientWidth : 0;
    const taller = element.clientHeight > 0 ? element.scrollHeight - element.clientHeight : 0;
    if (style.overflowX !== 'visible' && wider > 1) found.push(`${name} coupe ${wider} px en largeur`);
    if (style.overflowY !== 'visible' && taller > 1) found.push(`${name} coupe ${taller} px en hauteur`);
  }
  return found;
}"""

# A multi-line text as it is rendered: its lines as the browser lays them out (innerText keeps a rendered
# line break, collapses one that white-space: normal discards), and its <br> elements: the lines are in the
# markup itself, so they survive with style sheets off (RGAA 10.3), not only through CSS.
LINE_BREAKS_JS = r"""(heading) => {
  const title = [...document.querySelectorAll('h3')].find(h => h.innerText.trim() === heading);
  const paragraph = title && title.nextElementSibling;
  if (!paragraph) return null;
  const styleAttribute = paragraph.getAttribute('style');
  return { rendered: paragraph.innerText, breaks: paragraph.querySelectorAll('br').length, styleAttribute };
}"""

# Registered before any page script: the Content-Security-Policy violations each page reports.
CSP_LISTENER_JS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI || ''} ${event.sample || ''}`.trim());
});
"""

DIAGNOSTIC = "Première ligne du diagnostic.\nDeuxième ligne : le projet.\nTroisième ligne : les freins."
MOTIVATION = "Veut apprendre un métier.\nA visité l'E2C avec sa sœur."


@dataclass
class Report:
    """What one key page showed."""

    key_page: KeyPage
    url: str
    reachable: int  # controls the keyboard can reach
    focus: list[dict]  # one record per control focused
    fields: list[dict]
    overflow: dict[str, list[str]]  # by window width, with the text spacing
    csp_violations: list[str]
    line_breaks: dict[str, dict | None]  # the referral page's free texts


def new_context(browser: Browser) -> BrowserContext:
    # Reduced motion: Bootstrap's transitions are off, the styles read are the final ones.
    context = browser.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900}, reduced_motion="reduce"
    )
    context.add_init_script(CSP_LISTENER_JS)
    return context


def sign_in(page: Page, base: str, email: str, *, on_code_page: Callable[[], None] | None = None) -> None:
    page.goto(f"{base}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    if on_code_page:
        expect(page).to_have_url(re.compile(re.escape(TWO_FACTOR_CODE_PAGE)))
        on_code_page()
    type_two_factor_code(page, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")


def walk_with_tab(page: Page) -> dict:
    """Every control of the page focused in turn, Tab first; the records of what each showed."""
    count = page.evaluate(INSTALL_JS.replace("FOCUSABLE", repr(FOCUSABLE)))
    for _ in range(count + 2):
        page.keyboard.press("Tab")
    return page.evaluate(COLLECT_JS, FOCUSABLE)


def overflow_with_text_spacing(page: Page) -> dict[str, list[str]]:
    """At 1280 px, then at 375 px with the menu open (on a signed-in page), with WCAG 1.4.12's spacing."""
    page.evaluate(TEXT_SPACING_JS)
    found = {"1280 px": page.evaluate(OVERFLOW_JS)}
    page.set_viewport_size({"width": 375, "height": 800})
    menu = page.get_by_role("button", name="Ouvrir le menu")
    if menu.count():
        menu.click()
        expect(page.locator("#menu-principal")).to_be_visible()
    found["375 px"] = page.evaluate(OVERFLOW_JS)
    page.set_viewport_size({"width": 1280, "height": 900})
    return found


def inspect(page: Page, key_page: KeyPage) -> Report:
    focus = walk_with_tab(page)
    fields = page.evaluate(FIELDS_JS)
    line_breaks = {heading: page.evaluate(LINE_BREAKS_JS, heading) for heading in LINE_BREAK_HEADINGS}
    csp_violations = page.evaluate("() => window.__cspViolations")
    return Report(
        key_page=key_page,
        url=page.url,
        reachable=focus["reachable"],
        focus=focus["records"],
        fields=fields,
        overflow=overflow_with_text_spacing(page),
        csp_violations=csp_violations,
        line_breaks=line_breaks,
    )


LINE_BREAK_HEADINGS = ("Diagnostic du conseiller", "Motivation du jeune")


def inspect_into(reports: list[Report], page: Page, key_page: KeyPage) -> None:
    reports.append(inspect(page, key_page))


def inspect_key_pages(browser: Browser, base: str) -> list[Report]:
    """Each key page opened once, one browser context (one sign-in) per account."""
    reports: list[Report] = []
    for account in dict.fromkeys(key_page.account for key_page in KEY_PAGES):
        context = new_context(browser)
        try:
            page = context.new_page()
            page.set_default_timeout(15_000)
            pages = [key_page for key_page in KEY_PAGES if key_page.account == account]
            code_page = next((key_page for key_page in pages if key_page.path() == TWO_FACTOR_CODE_PAGE), None)
            if account:
                on_code_page = code_page and functools.partial(inspect_into, reports, page, code_page)
                sign_in(page, base, account, on_code_page=on_code_page)
            for key_page in pages:
                if key_page is code_page:
                    continue
                response = page.goto(base + key_page.path())
                assert response is not None and response.status == 200, f"{key_page.name} → {response}"
                reports.append(inspect(page, key_page))
        finally:
            context.close()
    return reports


@pytest.fixture(scope="module")
def reports(django_db_setup, django_db_blocker, live_server, browser: Browser):
    """The 20 key pages inspected once for the four checks below: the demo is loaded and committed for the
    live server, then flushed, as a transactional test does."""
    with django_db_blocker.unblock():
        try:
            load_reference_data()  # a transactional test run before on this worker flushed them
            call_command("load_demo", "--allow-without-debug", verbosity=0)
            Referral.objects.filter(young_person__last_name="Girard").update(
                diagnostic=DIAGNOSTIC, motivation=MOTIVATION
            )
            started = time.monotonic()
            inspected = inspect_key_pages(browser, live_server.url)
            print(f"\nkey pages: {len(inspected)} inspected in {time.monotonic() - started:.0f} s")
        except BaseException:
            call_command("flush", interactive=False, verbosity=0)
            raise
    assert len(inspected) == len(KEY_PAGES)
    yield inspected
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        connections.close_all()


def where(report: Report) -> str:
    return f"{report.key_page.name} ({report.url})"


def test_every_control_of_the_key_pages_shows_a_focus_indicator_of_3_to_1(reports: list[Report]):
    failures = []
    for report in reports:
        assert len(report.focus) >= report.reachable > 0, f"{where(report)}: {report.reachable}, {report.focus}"
        for record in report.focus:
            problems = []
            if not record["focusVisible"]:
                problems.append("pas de :focus-visible")
            if record["againstSurrounding"] < MIN_CONTRAST:
                problems.append(f"{record['againstSurrounding']:.2f}:1 contre le fond {record['surrounding']}")
            if record["againstOwn"] < MIN_CONTRAST:
                problems.append(f"{record['againstOwn']:.2f}:1 contre son propre fond {record['own']}")
            if record["clippedBy"]:
                problems.append(f"coupé par {record['clippedBy']}")
            if problems:
                failures.append(
                    f"{where(report)} — {record['element']} ({record['via']}): {' ; '.join(problems)}"
                    f" [outline {record['outline']} ; box-shadow {record['boxShadow']} ; bandes {record['bands']}]"
                )

    measured = sum(len(report.focus) for report in reports)
    assert failures == [], f"{len(failures)} of {measured} focus indicators below 3:1:\n" + "\n".join(failures)
    print(f"\nfocus: {measured} controls on {len(reports)} key pages, every indicator at 3:1 or more")


def test_every_form_field_of_the_key_pages_has_a_border_of_3_to_1(reports: list[Report]):
    fields = [(report, field) for report in reports for field in report.fields]
    failures = [
        f"{where(report)} — {field['element']}: bordure {field['border']},"
        f" {field['contrast']:.2f}:1 contre le fond {field['surrounding']}"
        for report, field in fields
        if field["contrast"] < MIN_CONTRAST
    ]

    assert len(fields) >= 20  # the check does find the fields
    assert failures == [], f"{len(failures)} of {len(fields)} field borders below 3:1:\n" + "\n".join(failures)
    print(f"\nfield borders: {len(fields)} fields on {len(reports)} key pages, every border at 3:1 or more")


def test_with_wcag_text_spacing_nothing_overflows_or_is_cut_at_1280_and_375_px(reports: list[Report]):
    failures = [
        f"{where(report)} à {width} : {problem}"
        for report in reports
        for width, problems in report.overflow.items()
        for problem in problems
    ]

    assert failures == [], "\n".join(failures)


def test_free_texts_keep_their_line_breaks_under_the_content_security_policy(reports: list[Report]):
    referral_page = next(report for report in reports if report.key_page.name == "page d'une orientation")
    for heading, text in zip(LINE_BREAK_HEADINGS, (DIAGNOSTIC, MOTIVATION), strict=True):
        shown = referral_page.line_breaks[heading]
        assert shown is not None, f"« {heading} » is not on {referral_page.url}"
        assert shown["breaks"] == text.count("\n"), f"« {heading} »: {shown['breaks']} <br>"
        assert shown["rendered"].strip() == text, f"« {heading} » lost its line breaks: {shown['rendered']!r}"
        # Not through a style="..." attribute: the policy would have to allow it by hash ('unsafe-hashes'),
        # which not every browser honours.
        assert shown["styleAttribute"] is None, f'« {heading} »: style="{shown["styleAttribute"]}"'

    violations = [f"{where(report)}: {violation}" for report in reports for violation in report.csp_violations]
    assert violations == [], "\n".join(violations)
