"""PDF documents read back as text: the referral file and the personal-data export (PDF and JSON),
rendered from real rows, downloaded only inside the scope, logged, named without any name."""

import datetime
import io
import json
import logging

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AccessLog
from cej.enums import AllowanceCategory, ConsentMethod, SharedData
from cej.models import CejContract, Consent, FollowUp
from e2c_referrals.enums import ReferralStatus
from e2c_referrals.models import Attachment, Referral
from e2c_referrals.pdf.base import WriteDuringRendering, render_pdf
from e2c_referrals.pdf.referral_file import referral_file_pdf
from e2c_referrals.personal_data import personal_data_pdf
from e2c_referrals.services.referrals import ReferralData, referral_create
from e2c_referrals.workflow import TransitionData, referral_transition
from partners.access import Actor
from partners.models import Organisation
from tests.cej.factories import YoungPersonFactory
from tests.e2c_referrals.sessions_support import invite
from tests.world import build_world

pytestmark = pytest.mark.django_db
S = ReferralStatus
TODAY = timezone.localdate()


def actor(world, role):
    membership = world.memberships[role]
    return Actor(user=membership.user, membership=membership)


CONFIDENTIAL = "Document confidentiel — données personnelles"


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def pdf_text(content: bytes) -> tuple[str, int]:
    pages = pdf_pages(content)
    return "\n".join(pages), len(pages)


def referral_with_history(
    world,
    *,
    shared=(SharedData.IDENTITY, SharedData.DIAGNOSTIC, SharedData.CONTRACTS),
    last_name="N'Diaye-Lefèvre",
    first_name="Éloïse",
):
    """Éloïse N'Diaye-Lefèvre, with a CEJ, a consent, a CV, walked by both sides into the integration period."""
    young_person = YoungPersonFactory(
        organisation=world.ml_a,
        referent=world.user("adviser_ml"),
        last_name=last_name,
        first_name=first_name,
        phone="+33612345678",
        email="eloise.ndiaye@exemple.fr",
        commune="Vénissieux",
        postcode="69200",
        last_class="3e générale",
    )
    CejContract.objects.create(
        young_person=young_person,
        organisation=world.ml_a,
        referent=world.user("adviser_ml"),
        signed_on=TODAY - datetime.timedelta(days=60),
        starts_on=TODAY - datetime.timedelta(days=60),
        planned_end_on=TODAY + datetime.timedelta(days=300),
        weekly_hours=15,
        allowance_category=AllowanceCategory.ADULT_NON_TAXABLE,
    )
    FollowUp.objects.create(young_person=young_person, scheduled_on=TODAY, notes="Point d'étape très positif.")
    Consent.objects.create(
        young_person=young_person,
        e2c_site=world.site,
        shared_data=list(shared),
        given_on=TODAY,
        method=ConsentMethod.ORAL,
        attestation="Notice expliquée, accord donné.",
        recorded_by=world.user("adviser_ml"),
    )
    referral = referral_create(
        actor=actor(world, "adviser_ml"),
        young_person=young_person,
        data=ReferralData(
            e2c_site=world.site,
            diagnostic="Sortie de 3e sans diplôme ; intérêt marqué pour la cuisine.",
            motivation="Veut « apprendre un métier » et passer son permis.",
        ),
    )
    Attachment.objects.create(
        referral=referral,
        file=ContentFile(b"%PDF-1.4 cv", name="cv.pdf"),
        label="CV à jour",
        content_type="application/pdf",
        size=11,
        uploaded_by=world.user("adviser_ml"),
    )
    moves = [
        (S.SENT, "adviser_ml", None),
        (S.ACKNOWLEDGED, "e2c_staff", None),
        (S.INVITED, "e2c_staff", None),
        (S.ATTENDED, "e2c_staff", None),
        (S.INTERVIEW, "e2c_staff", None),
        (
            S.INTEGRATION,
            "e2c_staff",
            TransitionData(integration_starts_on=TODAY, integration_planned_end_on=TODAY + datetime.timedelta(weeks=4)),
        ),
    ]
    for to, role, data in moves:
        if to == S.INVITED:  # invitations are registrations to an information session
            invite(world, referral, role)
            continue
        referral_transition(actor=actor(world, role), referral=referral, to=to, data=data)
    return Referral.objects.get(pk=referral.pk)


@pytest.fixture
def world():
    return build_world()


def test_the_referral_file_shows_the_young_person_the_timeline_and_the_page_count(world):
    referral = referral_with_history(world)

    content = referral_file_pdf(referral, actor=actor(world, "adviser_ml"))
    text, pages = pdf_text(content)

    assert "Fiche de liaison" in text
    assert "N'Diaye-Lefèvre Éloïse" in text
    assert "Vénissieux" in text and "Mission Locale de Lyon" in text
    for state in ("Envoyée", "Prise en compte par l'E2C", "Entretien", "Période d'intégration"):
        assert state in text
    assert "apprendre un métier" in text and "CV à jour" in text
    assert "€ par mois" in text  # the CEJ allowance, the euro sign rendered
    assert "06 12 34 56 78" in text  # the referrer sees the contact details
    assert all(CONFIDENTIAL in page for page in pdf_pages(content))  # the notice of the shared base, every page
    assert "Statistiques agrégées" not in text
    assert f"page 1 / {pages}" in text and f"page {pages} / {pages}" in text
    assert f"par {world.user('adviser_ml').get_full_name()}" in text  # author of the document


def test_the_e2c_side_reads_only_what_the_consent_shares(world):
    referral = referral_with_history(world, shared=(SharedData.IDENTITY,))

    text, _ = pdf_text(referral_file_pdf(referral, actor=actor(world, "e2c_staff")))

    assert "N'Diaye-Lefèvre" in text
    assert "06 12 34 56 78" not in text and "eloise.ndiaye" not in text
    assert "cuisine" not in text and "CV à jour" not in text
    assert "n'a pas accepté de partager le diagnostic" in text


def test_rendering_refuses_database_writes(world):
    # A template calls a callable it finds in its context: here one that writes.
    def renames():
        return Organisation.objects.filter(pk=world.ml_a.pk).update(name="Renommée")

    with pytest.raises(WriteDuringRendering), transaction.atomic():
        render_pdf("pdf/base.html", {"document_title": renames})

    world.ml_a.refresh_from_db()
    assert world.ml_a.name == "Mission Locale de Lyon"


def test_rendering_fetches_nothing_from_the_network(monkeypatch, caplog):
    # Given a document whose text links an outside image (as pasted text could, were it marked safe)
    import socket

    from e2c_referrals.pdf import base

    connections = []
    monkeypatch.setattr(socket, "create_connection", lambda *args, **kwargs: connections.append(args))
    monkeypatch.setattr(
        base,
        "render_to_string",
        lambda name, context: '<p>Avant</p><img src="http://example.com/pixel.png"><p>Après</p>',
    )

    # When it is rendered
    text, _ = pdf_text(render_pdf("pdf/base.html", {}))

    # Then the PDF is made, without the image and without any connection
    assert "Avant" in text and "Après" in text
    assert connections == []
    assert "disallowed protocol" in caplog.text


def test_the_download_is_logged_named_by_public_id_and_not_cached(client, world):
    referral = referral_with_history(world)
    client.force_login(world.user("e2c_staff"))

    response = client.get(reverse("e2c_referrals:referral_file", kwargs={"public_id": referral.public_id}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and str(referral.public_id) in disposition
    assert "Diaye" not in disposition and "Eloise" not in disposition.title()
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    logged = set(AccessLog.objects.filter(purpose=AccessLog.Purpose.DOWNLOAD).values_list("object_type", "object_id"))
    assert logged == {("Referral", referral.public_id), ("YoungPerson", referral.young_person.public_id)}


@pytest.mark.parametrize("role", ["adviser_ft", "regional_coordinator", "administrator"])
def test_another_organisation_gets_404_and_nothing_is_logged(client, world, role):
    referral = referral_with_history(world)
    AccessLog.objects.all().delete()
    client.force_login(world.user(role))

    response = client.get(reverse("e2c_referrals:referral_file", kwargs={"public_id": referral.public_id}))

    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_the_detail_page_offers_the_download(client, world):
    referral = referral_with_history(world)
    client.force_login(world.user("adviser_ml"))

    page = client.get(reverse("e2c_referrals:referral_detail", kwargs={"public_id": referral.public_id}))

    assert reverse("e2c_referrals:referral_file", kwargs={"public_id": referral.public_id}) in page.content.decode()


# --- Names in every script: a glyph for each character -------------------------------------------

NAMES_IN_OTHER_SCRIPTS = [
    pytest.param("王", "小明", True, id="chinese"),
    pytest.param("Nguyễn Thị", "Ánh", False, id="vietnamese"),
]


def embedded_fonts(content: bytes) -> set[str]:
    """The base names of the fonts the PDF embeds, on every page (margin boxes included)."""
    names = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]))
            names.update(str(d.get_object()["/BaseFont"]) for d in font.get("/DescendantFonts", []))
    return names


def assert_every_glyph_drawn(content: bytes, caplog, *, names: tuple[str, str], needs_cjk_font: bool) -> None:
    text, _ = pdf_text(content)
    assert all(name in text for name in names)
    # WeasyPrint draws a missing character as the .notdef box (tofu) and says so in its log; the
    # text layer would still read right, so the log and the embedded fonts are what tell.
    assert ".notdef" not in caplog.text
    # The CJK face is the one the stylesheet names (simplified Chinese shapes), not whichever
    # fontconfig would pick; a Latin name does not load it.
    fonts = embedded_fonts(content)
    cjk_faces = {name.split("+", 1)[-1].removesuffix("-Bold") for name in fonts if "CJK" in name}
    assert cjk_faces == ({"Noto-Sans-CJK-SC"} if needs_cjk_font else set()), fonts


@pytest.mark.parametrize(("last_name", "first_name", "needs_cjk_font"), NAMES_IN_OTHER_SCRIPTS)
def test_the_referral_file_draws_chinese_and_vietnamese_names(world, caplog, last_name, first_name, needs_cjk_font):
    referral = referral_with_history(world, last_name=last_name, first_name=first_name)

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        content = referral_file_pdf(referral, actor=actor(world, "adviser_ml"))

    assert_every_glyph_drawn(content, caplog, names=(last_name, first_name), needs_cjk_font=needs_cjk_font)


@pytest.mark.parametrize(("last_name", "first_name", "needs_cjk_font"), NAMES_IN_OTHER_SCRIPTS)
def test_the_personal_data_pdf_draws_chinese_and_vietnamese_names(world, caplog, last_name, first_name, needs_cjk_font):
    referral = referral_with_history(world, last_name=last_name, first_name=first_name)

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        content = personal_data_pdf(referral.young_person, actor=actor(world, "adviser_ml"))

    assert_every_glyph_drawn(content, caplog, names=(last_name, first_name), needs_cjk_font=needs_cjk_font)


def test_a_character_no_font_draws_is_logged_without_the_character(caplog):
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render_pdf("pdf/base.html", {"document_title": "Lucas \ua500 Martin"})

    assert ".notdef glyph rendered" in caplog.text  # the warning stays, for whoever reads the logs
    assert "\ua500" not in caplog.text and "A500" not in caplog.text.upper()  # a Vai letter


# --- Personal-data export (right of access) -----------------------------------------------------------


def test_the_personal_data_pdf_holds_every_kind_of_record(world):
    referral = referral_with_history(world)
    AccessLog.objects.create(
        user=world.user("e2c_staff"),
        organisation=world.site,
        object_type="Referral",
        object_id=referral.public_id,
        purpose=AccessLog.Purpose.VIEW_FILE,
    )

    text, pages = pdf_text(personal_data_pdf(referral.young_person, actor=actor(world, "adviser_ml")))

    assert "N'Diaye-Lefèvre" in text and "Éloïse" in text
    for title in (
        "Accords de partage",
        "Contrats d'engagement jeune (CEJ)",
        "Points de suivi",
        "Orientations vers une E2C",
        "Historique des orientations",
        "Pièces jointes",
        "Journal des accès",
    ):
        assert title in text
    assert "Point d'étape très positif." in text and "CV à jour" in text
    assert "Prise en compte par l'E2C" in text and "Consultation du dossier" in text
    assert f"page 1 / {pages}" in text
    assert text.count(CONFIDENTIAL) == pages


def test_the_personal_data_json_is_downloaded_by_the_referent_and_logged_as_an_export(client, world):
    referral = referral_with_history(world)
    client.force_login(world.user("adviser_ml"))
    url = reverse("e2c_referrals:personal_data_json", kwargs={"public_id": referral.young_person.public_id})

    response = client.get(url)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "Diaye" not in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["file"][0]["last_name"] == "N'Diaye-Lefèvre"
    assert data["file"][0]["birth_date"] == referral.young_person.birth_date.isoformat()
    assert [step["to_status"] for step in data["referral_transitions"]] == [
        "sent",
        "acknowledged",
        "invited",
        "attended",
        "interview",
        "integration",
    ]
    assert data["attachments"][0]["label"] == "CV à jour"
    assert data["consents"][0]["shared_data"] == ["identity", "diagnostic", "contracts"]
    assert [item["session_site"] for item in data["session_registrations"]] == [str(world.site)]
    assert AccessLog.objects.filter(
        purpose=AccessLog.Purpose.EXPORT, object_id=referral.young_person.public_id, user=world.user("adviser_ml")
    ).exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("administrator", 200),
        ("manager_ml", 200),
        ("adviser_ft", 404),  # another organisation's file
        ("e2c_staff", 403),  # the E2C does not hold the file
        ("regional_coordinator", 403),
    ],
)
def test_who_may_export_a_young_persons_data(client, world, role, status):
    referral = referral_with_history(world)
    client.force_login(world.user(role))

    response = client.get(
        reverse("e2c_referrals:personal_data_pdf", kwargs={"public_id": referral.young_person.public_id})
    )

    assert response.status_code == status
    exported = AccessLog.objects.filter(purpose=AccessLog.Purpose.EXPORT).exists()
    assert exported is (status == 200)


def test_the_personal_data_export_lists_restrictions_and_the_lists_that_showed_the_young_person(client, world):
    # Given: the file shown in the adviser's list, restricted then lifted
    from cej.services.restrictions import restriction_lift, restriction_start

    referral = referral_with_history(world)
    young_person = referral.young_person
    client.force_login(world.user("adviser_ml"))
    client.get(reverse("cej:young_people"))
    adviser = actor(world, "adviser_ml")
    restriction_start(actor=adviser, young_person=young_person, ground="accuracy_contested", note="Adresse contestée.")
    restriction_lift(
        actor=actor(world, "manager_ml"),
        young_person=young_person,
        reason="Adresse vérifiée.",
        person_informed_on=timezone.localdate(),
    )

    # When: the right-of-access export
    url = reverse("e2c_referrals:personal_data_json", kwargs={"public_id": young_person.public_id})
    data = json.loads(client.get(url).content)

    # Then: the restriction period, and the list among the accesses
    (restriction,) = data["restrictions"]
    assert restriction["note"] == "Adresse contestée." and restriction["lift_reason"] == "Adresse vérifiée."
    assert restriction["person_informed_on"] == timezone.localdate().isoformat()
    assert "Liste des jeunes suivis" in [access["object_type"] for access in data["access_log"]]
