"""Every fact of a PDF is also on the HTML page the same person sees (RGAA 13.3): the organisations'
postal address, phone and e-mail of the referral file's letterheads, the contracts, how the consent
was given and who created the referral; the attendance sheet's letterheads on the session page."""

import html
import re

import pytest
from django.urls import reverse

from cej.enums import SharedData
from e2c_referrals.pdf.referral_file import referral_file_pdf
from partners.models import Organisation
from tests.e2c_referrals.sessions_support import make_session
from tests.e2c_referrals.test_documents import actor, pdf_text, referral_with_history
from tests.world import build_world

pytestmark = pytest.mark.django_db

CONTACTS = {
    "ml_a": {"address": "4 rue Sala", "postcode": "69002", "commune": "Lyon", "phone": "+33478123456"},
    "site": {"address": "18 avenue Jean Jaurès", "postcode": "69200", "commune": "Vénissieux", "phone": "+33472000111"},
}
SHOWN = {
    "ml_a": ["4 rue Sala", "69002 Lyon", "04 78 12 34 56", "accueil@ml-lyon.exemple.fr"],
    "site": ["18 avenue Jean Jaurès", "69200 Vénissieux", "04 72 00 01 11", "contact@e2c-venissieux.exemple.fr"],
}


@pytest.fixture
def world():
    world = build_world()
    Organisation.objects.filter(pk=world.ml_a.pk).update(email="accueil@ml-lyon.exemple.fr", **CONTACTS["ml_a"])
    Organisation.objects.filter(pk=world.site.pk).update(email="contact@e2c-venissieux.exemple.fr", **CONTACTS["site"])
    world.ml_a.refresh_from_db()
    world.site.refresh_from_db()
    return world


def referral_file_pdf_of(referral, world, role):
    return referral_file_pdf(referral, actor=actor(world, role))


def page_text(response) -> str:
    """The page's text as a person reads it: tags dropped, entities decoded, spaces collapsed."""
    assert response.status_code == 200
    text = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return " ".join(text.split())


@pytest.mark.parametrize("role", ["adviser_ml", "e2c_staff"])
def test_the_referral_page_shows_the_organisations_address_and_phone_that_the_file_shows(client, world, role):
    # Given a referral from the Mission Locale to the site, both with their postal address and phone
    referral = referral_with_history(world)
    client.force_login(world.user(role))

    # When the person downloads the referral file and opens the referral page
    file_text = " ".join(pdf_text(referral_file_pdf_of(referral, world, role))[0].split())
    page = page_text(client.get(reverse("e2c_referrals:referral_detail", kwargs={"public_id": referral.public_id})))

    # Then each contact detail the file shows is on the page too
    for fact in SHOWN["ml_a"] + SHOWN["site"]:
        assert fact in file_text, fact
        assert fact in page, fact


def test_the_e2c_page_shows_the_shared_contracts_the_consent_method_and_the_creation(client, world):
    # Given a referral whose consent shares the contracts with the site
    referral = referral_with_history(world)
    client.force_login(world.user("e2c_staff"))

    page = page_text(client.get(reverse("e2c_referrals:referral_detail", kwargs={"public_id": referral.public_id})))

    # Then the contract lines of the file: hours, allowance category and amount; the consent's method
    file_text = " ".join(pdf_text(referral_file_pdf_of(referral, world, "e2c_staff"))[0].split())
    for fact in ("15 h d'activité par semaine", "€ par mois", str(referral.public_id)):
        assert fact in file_text and fact in page, fact
    recorded = f"accord oral, attesté par le conseiller, enregistré par {world.user('adviser_ml').get_full_name()}"
    assert recorded in file_text and recorded in page
    creator = world.user("adviser_ml").get_full_name()
    assert f"brouillon créé par {creator}" in page


def test_contracts_stay_hidden_from_the_site_when_the_consent_does_not_share_them(client, world):
    referral = referral_with_history(world, shared=(SharedData.IDENTITY,))
    client.force_login(world.user("e2c_staff"))

    page = page_text(client.get(reverse("e2c_referrals:referral_detail", kwargs={"public_id": referral.public_id})))

    assert "d'activité par semaine" not in page and "Accompagnement : CEJ et PACEA" not in page
    assert "04 78 12 34 56" in page  # the organisations' contact is not the young person's data


def test_the_session_page_shows_the_letterheads_of_the_attendance_sheet(client, world):
    session = make_session(world.site, created_by=world.user("e2c_staff"), venue_organisation=world.ml_a)
    client.force_login(world.user("e2c_staff"))

    sheet = client.get(reverse("e2c_referrals:session_attendance_sheet", args=[session.public_id]))
    page = page_text(client.get(reverse("e2c_referrals:session_detail", args=[session.public_id])))

    sheet_text = " ".join(pdf_text(sheet.content)[0].split())
    for fact in SHOWN["ml_a"] + SHOWN["site"]:
        assert fact in sheet_text, fact
        assert fact in page, fact
