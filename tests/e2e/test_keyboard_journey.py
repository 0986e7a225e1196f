"""With the keyboard only (Tab, Enter, Space, arrows), an ML adviser signs in, skips to the content,
opens the sessions, registers the young person she referred, and reads the accessibility
statement; every focused control shows its focus."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from demo.services import DEMO_PASSWORD
from e2c_referrals.enums import ReferralStatus
from e2c_referrals.models import Referral
from tests.e2e.conftest import assert_no_accessibility_violations, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
MAX_TABS = 80

FOCUSED = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const label = element.labels && element.labels.length ? element.labels[0].innerText : '';
  return {
    text: (element.innerText || element.value || '').trim(),
    label: label.trim(),
    tag: element.tagName,
    visible: style.outlineStyle !== 'none' || style.boxShadow !== 'none',
  };
}"""


@pytest.fixture
def demo(db):
    call_command("load_demo", "--allow-without-debug", verbosity=0)


def tab_to(page: Page, wanted: str, *, label: bool = False) -> dict:
    """Press Tab until the focused control's text (or its label) starts with ``wanted``."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused and (focused["label"] if label else focused["text"]).startswith(wanted):
            assert focused["visible"], f"« {wanted} » has the focus but shows no focus indicator"
            return focused
    raise AssertionError(f"« {wanted} » never got the focus with Tab")


def test_an_adviser_registers_a_young_person_with_the_keyboard_only(live_server, page: Page, axe, demo):
    referral = Referral.objects.get(young_person__last_name="Girard")  # « prise en compte » in the demo
    page.goto(f"{live_server.url}/connexion/")

    tab_to(page, "Adresse e-mail", label=True)
    page.keyboard.type("amelie.lefevre@ml-lyon.exemple.fr")
    tab_to(page, "Mot de passe", label=True)
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")

    # The first Tab reaches the skip link, which moves on to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["text"] == "Aller au contenu principal"
    tab_to(page, "Séances")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Séances d'information")

    tab_to(page, "Information collective")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Information collective du")
    tab_to(page, "Jeune orienté(e) vers ce site", label=True)
    for _ in range(5):  # arrows move through the options without opening the list
        if page.get_by_label("Jeune orienté(e) vers ce site").input_value() == str(referral.public_id):
            break
        page.keyboard.press("ArrowDown")
    assert page.get_by_label("Jeune orienté(e) vers ce site").input_value() == str(referral.public_id)
    tab_to(page, "Inscrire")
    page.keyboard.press("Space")

    expect(page.get_by_role("status").first).to_contain_text("est inscrit(e) à la séance")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.INVITED
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "clavier-inscription-seance")

    tab_to(page, "Accessibilité")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Déclaration d'accessibilité")
    assert_no_accessibility_violations(axe, page)
