"""Information sessions in Chromium: the E2C team plans a session, an ML adviser registers the
young person she referred, the team records attendance after the session; axe checks each page,
at desktop width and at 375 px."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from demo.services import DEMO_PASSWORD
from e2c_referrals.enums import ReferralStatus
from e2c_referrals.models import InformationSession, Referral
from tests.e2e.conftest import assert_no_accessibility_violations, screenshot, type_two_factor_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    call_command("load_demo", "--allow-without-debug", verbosity=0)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    type_two_factor_code(page, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()


def test_a_session_is_planned_filled_by_an_adviser_and_its_attendance_recorded(live_server, page: Page, axe, demo):
    day = timezone.localdate() + datetime.timedelta(days=9)
    young_person = Referral.objects.get(young_person__last_name="Girard").young_person  # « prise en compte »

    # The E2C team plans a session.
    sign_in(page, live_server.url, "chloe.ndiaye@e2c-lyon.exemple.fr")
    page.get_by_role("link", name="Séances", exact=True).click()
    assert_no_accessibility_violations(axe, page)
    page.get_by_role("link", name="Programmer une séance").click()
    page.get_by_label("Information collective", exact=True).check()
    page.locator("#id_day").fill(day.isoformat())
    page.get_by_label("Heure de début").fill("09:30")
    page.get_by_label("Heure de fin").fill("11:30")
    page.get_by_label("Dans les locaux de l'E2C").check()
    page.get_by_label("Adresse").fill("18 avenue Jean Jaurès, 69200 Vénissieux")
    page.get_by_label("Nombre de places").fill("8")
    page.get_by_label("Date limite d'inscription").fill((day - datetime.timedelta(days=1)).isoformat())
    assert_no_accessibility_violations(axe, page)
    page.get_by_role("button", name="Programmer la séance").click()
    expect(page.get_by_role("status").first).to_contain_text("La séance est programmée")
    assert_no_accessibility_violations(axe, page)
    session = InformationSession.objects.get(starts_at__date=day)
    sign_out(page)

    # The ML adviser finds it in her list and registers the young person she referred.
    sign_in(page, live_server.url, "amelie.lefevre@ml-lyon.exemple.fr")
    page.get_by_role("link", name="Séances", exact=True).click()
    expect(page.get_by_role("row").filter(has_text=f"{day.day} ")).not_to_have_count(0)
    page.goto(f"{live_server.url}/seances/{session.public_id}/")
    page.get_by_label("Jeune orienté(e) vers ce site").select_option(
        label=f"{young_person} — prise en compte par l'E2C"
    )
    page.get_by_role("button", name="Inscrire", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("est inscrit(e) à la séance")
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "seance-vue-du-conseiller")
    page.set_viewport_size({"width": 375, "height": 800})
    assert_no_accessibility_violations(axe, page)
    screenshot(page, "seance-vue-du-conseiller-375px")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert Referral.objects.get(young_person=young_person).status == ReferralStatus.INVITED
    sign_out(page)

    # The session took place: the team records attendance.
    started = timezone.now() - datetime.timedelta(hours=2)
    InformationSession.objects.filter(pk=session.pk).update(
        starts_at=started, ends_at=started + datetime.timedelta(hours=1)
    )
    sign_in(page, live_server.url, "chloe.ndiaye@e2c-lyon.exemple.fr")
    page.goto(f"{live_server.url}/seances/{session.public_id}/")
    page.get_by_role("link", name="Saisir les présences").click()
    assert_no_accessibility_violations(axe, page)
    page.get_by_role("group", name=str(young_person)).get_by_label("Présent(e)", exact=True).check()
    page.get_by_role("button", name="Enregistrer les présences").click()
    expect(page.get_by_role("status").first).to_contain_text("Les présences sont enregistrées")
    screenshot(page, "seance-presences-enregistrees")
    assert Referral.objects.get(young_person=young_person).status == ReferralStatus.ATTENDED
