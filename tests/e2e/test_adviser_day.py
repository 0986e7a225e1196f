"""An ML adviser's day in Chromium, in one journey: she looks for a young person who has no file yet,
opens it, records the young person's consent with the signed form (a real PDF), signs a CEJ, refers to
the E2C site of her town, registers the young person to one of the site's information sessions; the
E2C team (in its own browser) records the attendance and does not admit; the adviser reads the
referral's timeline and handles the hand-back. axe checks every page she visits; the key pages are
photographed at desktop width and at 375 px, and stay usable at 200 % zoom."""

import datetime
import io
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfWriter

from cej.models import CejContract, Consent, YoungPerson
from e2c_referrals.enums import ReferralStatus
from e2c_referrals.models import HandBack, Referral
from e2c_referrals.workflow import referral_transition
from partners.access import Actor
from tests.e2c_referrals.sessions_support import make_session
from tests.e2e.conftest import (
    assert_no_accessibility_violations,
    assert_usable_zoomed,
    screenshots_desktop_and_mobile,
)
from tests.partners.factories import DEFAULT_PASSWORD
from tests.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")


def signed_form_pdf(tmp_path: Path) -> Path:
    """A one-page PDF, as a scanner would produce it (the upload checks the PDF signature)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Accord de partage signé"})
    buffer = io.BytesIO()
    writer.write(buffer)
    path = tmp_path / "accord-signe.pdf"
    path.write_bytes(buffer.getvalue())
    return path


def test_an_advisers_day_from_a_new_file_to_the_hand_back(live_server, page: Page, browser: Browser, axe, tmp_path):
    world = build_world()
    base = live_server.url
    today = timezone.localdate()
    adviser, staff = world.user("adviser_ml"), world.user("e2c_staff")
    assert adviser is not None and staff is not None
    session = make_session(world.site, capacity=10, starts_in=datetime.timedelta(days=6), created_by=staff)

    # Morning: she looks for Maëlys, who has no file yet.
    sign_in(page, base, adviser.email)
    assert_no_accessibility_violations(axe, page)
    page.get_by_role("link", name="Jeunes", exact=True).click()
    page.get_by_label("Nom, date de naissance (jj/mm/aaaa) ou identifiant").fill("Maëlys Bénard")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("status")).to_contain_text("Aucun dossier ne correspond")
    assert_no_accessibility_violations(axe, page)
    assert_usable_zoomed(page, lambda p: p.get_by_role("button", name="Rechercher"))

    # She opens the file.
    page.get_by_role("link", name="Ouvrir un dossier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ouvrir un dossier")
    page.get_by_label("Nom(s)", exact=False).first.fill("Bénard")
    page.get_by_label("Prénom(s)").fill("Maëlys")
    page.get_by_label("Date de naissance").fill("2006-03-14")
    page.get_by_label("Commune").fill("Vénissieux")
    page.get_by_label("Département").select_option("69")
    page.get_by_label("Date de sortie du système scolaire").fill("2023-06-30")
    assert_no_accessibility_violations(axe, page)
    screenshots_desktop_and_mobile(page, "journee-conseillere-nouveau-dossier")
    assert_usable_zoomed(page, lambda p: p.get_by_role("button", name="Enregistrer"))
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status").first).to_contain_text("Le dossier de")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Maëlys")
    young_person = YoungPerson.objects.get(last_name="Bénard", first_name="Maëlys")
    assert young_person.referent == adviser
    assert_no_accessibility_violations(axe, page)

    # The consent: the form the young person signed, scanned as a PDF.
    page.get_by_role("link", name="Enregistrer un accord").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enregistrer un accord de partage")
    page.get_by_label("Site E2C concerné").select_option(label=world.site.name)
    for category in (
        "Identité et date de naissance",
        "Coordonnées (téléphone, e-mail, adresse)",
        "Situation (scolarité, qualification, QPV/ZRR)",
        "Contrats CEJ ou PACEA",
        "Diagnostic et motivation rédigés par le conseiller",
    ):
        page.get_by_label(category).check()
    page.get_by_label("Date de l'accord").fill(today.isoformat())
    page.get_by_label("Formulaire signé (scanné)").check()
    page.get_by_label("Formulaire signé (PDF, 10 Mo au plus)").set_input_files(str(signed_form_pdf(tmp_path)))
    assert_no_accessibility_violations(axe, page)
    page.get_by_role("button", name="Enregistrer l'accord").click()
    expect(page.get_by_role("status").first).to_contain_text(f"L'accord de partage avec {world.site.name}")
    consent = Consent.objects.get(young_person=young_person)
    assert consent.method == "signed_form" and consent.signed_form.read(5) == b"%PDF-"
    expect(page.get_by_role("link", name="formulaire signé")).to_be_visible()

    # A CEJ, of which the E2C will be the structuring step.
    page.get_by_role("link", name="Signer un CEJ").click()
    page.get_by_label("Signé le").fill(today.isoformat())
    page.locator("#id_starts_on").fill(today.isoformat())
    page.get_by_label("Fin prévue").fill((today + datetime.timedelta(days=270)).isoformat())
    page.get_by_label("Heures d'activité par semaine").fill("18")
    assert_no_accessibility_violations(axe, page)
    page.get_by_role("button", name="Enregistrer le CEJ").click()
    expect(page.get_by_role("status").first).to_contain_text("Le CEJ de")
    assert_no_accessibility_violations(axe, page)
    assert CejContract.objects.filter(young_person=young_person, status="active").count() == 1

    # The referral to the E2C site of her town, with the CEJ attached; then sent.
    page.goto(f"{base}/jeunes/{young_person.public_id}/")
    page.get_by_role("link", name="Orienter vers une E2C").click()
    expect(page.get_by_label("Site E2C")).to_be_visible()
    page.get_by_label("Site E2C").select_option(label=world.site.name)
    page.get_by_label("Votre diagnostic").fill(
        "Sortie de 1re en juin 2023, sans diplôme. Projet : les métiers de la logistique ; "
        "a besoin de remise à niveau en français et en mathématiques."
    )
    page.get_by_label("La motivation du jeune").fill("« Je veux apprendre en entreprise et passer le permis. »")
    expect(page.get_by_label("CEJ en cours à rattacher")).not_to_have_value("")
    assert_no_accessibility_violations(axe, page)
    screenshots_desktop_and_mobile(page, "journee-conseillere-orientation")
    assert_usable_zoomed(page, lambda p: p.get_by_role("button", name="Enregistrer le brouillon"))
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("status").first).to_contain_text("Le brouillon est enregistré")
    assert_no_accessibility_violations(axe, page)
    referral = Referral.objects.get(young_person=young_person)
    assert referral.cej_contract is not None
    page.get_by_role("link", name="Envoyer à l'E2C", exact=True).click()
    assert_no_accessibility_violations(axe, page)
    page.get_by_role("button", name="Confirmer : envoyer à l'E2C").click()
    expect(page.get_by_role("status").first).to_contain_text("L'orientation est maintenant « Envoyée ».")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT

    # The E2C team takes it into account (in its own application, the same morning).
    staff_membership = world.memberships["e2c_staff"]
    referral_transition(
        actor=Actor(user=staff, membership=staff_membership), referral=referral, to=ReferralStatus.ACKNOWLEDGED
    )

    # She registers Maëlys to the site's next information session.
    page.reload()
    page.get_by_role("link", name="Inscrire à une information collective", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscrire Maëlys Bénard à une séance")
    assert_no_accessibility_violations(axe, page)
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Inscrire", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("est inscrit(e) à la séance")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.INVITED
    assert session.registrations.filter(referral=referral).exists()
    assert_no_accessibility_violations(axe, page)
    screenshots_desktop_and_mobile(page, "journee-conseillere-inscrite-a-une-seance")

    # The session takes place; the E2C team, in its own browser, records her presence and does not admit her.
    started = timezone.now() - datetime.timedelta(hours=3)
    type(session).objects.filter(pk=session.pk).update(starts_at=started, ends_at=started + datetime.timedelta(hours=2))
    e2c_context = browser.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900}
    )
    try:
        e2c = e2c_context.new_page()
        e2c.set_default_timeout(15_000)
        sign_in(e2c, base, staff.email)
        e2c.goto(f"{base}/orientations/{referral.public_id}/")
        e2c.get_by_role("link", name="Présent(e) à l'information collective", exact=True).click()
        e2c.get_by_role("button", name="Confirmer : présent(e) à l'information collective").click()
        expect(e2c.get_by_role("status").first).to_contain_text("« Présent(e) à l'information collective »")
        e2c.get_by_role("link", name="Ne pas admettre", exact=True).click()
        e2c.get_by_label("Projet ou motivation à consolider").check()
        e2c.get_by_label("Précisions").fill("Projet logistique à confirmer par une immersion en entreprise.")
        e2c.get_by_role("button", name="Confirmer : ne pas admettre").click()
        expect(e2c.get_by_role("status").first).to_contain_text("« Non admis(e) »")
    finally:
        e2c_context.close()
    hand_back = HandBack.objects.get(referral=referral)
    assert hand_back.handled_at is None and hand_back.organisation == world.ml_a

    # Later: her home page shows that Maëlys comes back; she opens the hand-back, then the referral's timeline.
    page.get_by_role("link", name="Accueil", exact=True).click()
    returning = page.get_by_role("region", name="Jeunes qui vous reviennent")
    expect(returning).to_contain_text("Non admis(e)")
    assert_no_accessibility_violations(axe, page)
    returning.get_by_role("link", name="Maëlys Bénard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maëlys Bénard vous revient")
    assert_no_accessibility_violations(axe, page)
    screenshots_desktop_and_mobile(page, "journee-conseillere-retour")
    assert_usable_zoomed(page, lambda p: p.get_by_role("button", name="Marquer comme traité"))
    page.get_by_role("link", name="Voir l'orientation et son historique").click()
    timeline = page.get_by_role("region", name="Historique de l'orientation")
    for step in ("Brouillon → Envoyée", "Prise en compte par l'E2C → Invité(e)", "→ Non admis(e)"):
        expect(timeline).to_contain_text(step)
    expect(timeline).to_contain_text("Projet logistique à confirmer")
    assert_no_accessibility_violations(axe, page)
    screenshots_desktop_and_mobile(page, "journee-conseillere-historique")
    assert_usable_zoomed(page, lambda p: p.get_by_role("link", name="Télécharger la fiche de liaison (PDF)"))

    # She handles the hand-back: an appointment is set to work on the project.
    page.get_by_role("region", name="Retours vers le prescripteur").get_by_role("link", name="Traiter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maëlys Bénard vous revient")
    page.get_by_label("Suite donnée").fill(
        "Rendez-vous le 12/12 : immersion en entrepôt à organiser, puis nouvelle orientation."
    )
    page.get_by_role("button", name="Marquer comme traité").click()
    expect(page.get_by_role("status").first).to_contain_text("Le retour de")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")
    expect(page.get_by_role("region", name="Jeunes qui vous reviennent")).to_contain_text(
        "Aucun jeune ne vous revient d'une E2C."
    )
    assert_no_accessibility_violations(axe, page)
    hand_back.refresh_from_db()
    assert hand_back.handled_by == adviser and "immersion en entrepôt" in hand_back.follow_up_note
