"""Every upload (attachments of a referral, signed consent forms, signed agreements and amendments)
goes through one check: a PDF must parse, whole and passive; an image must decode, and is stored
without its metadata; the name must not disguise the content. Real crafted files, French messages."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cej.models import Consent
from cej.services.consents import consent_record
from e2c_referrals.enums import ReferralStatus
from e2c_referrals.models import Attachment, Referral
from e2c_referrals.pdf.base import render_pdf
from e2c_referrals.services.referrals import ATTACHMENT_KINDS, ATTACHMENT_MAX_BYTES, attachment_add
from partners.access import Actor
from partners.enums import AgreementFramework, AgreementLevel
from partners.models import Agreement, Amendment
from partners.services.agreements import AgreementData, agreement_create, amendment_create
from partners.uploads import check_upload, validate_pdf
from tests import crafted_files
from tests.cej.factories import YoungPersonFactory
from tests.partners.test_agreements import form_data, make_agreement
from tests.world import build_world

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
# The messages as the user reads them.
ACTIVE_CONTENT = (
    "Ce PDF contient du contenu actif (JavaScript, pièce jointe intégrée…) : "
    "enregistrez-le de nouveau en PDF « imprimé » avant de le déposer."
)
NOT_A_VALID_PDF = (
    "Ce fichier n'est pas un PDF valide (incomplet, endommagé ou déguisé) : "
    "enregistrez-le de nouveau en PDF avant de le déposer."
)
ENCRYPTED_PDF = (
    "Ce PDF est protégé par un mot de passe ou chiffré : "
    "enregistrez-le de nouveau en PDF sans protection avant de le déposer."
)
UNREADABLE_IMAGE = (
    "Cette image est illisible ou incomplète : enregistrez-la de nouveau (ou en PDF) avant de la déposer."
)
TOO_MANY_PIXELS = "Cette image est trop grande (50 millions de pixels au plus) : réduisez-la avant de la déposer."


PDF_NAMED_PNG = (
    "Le nom du fichier se termine par « .png » mais son contenu est un PDF : renommez-le ou choisissez le bon fichier."
)


# Each hostile file, the name it is sent under, and the French message that refuses it.
REFUSED = [
    pytest.param("cv.pdf", crafted_files.pdf_with_javascript_open_action, ACTIVE_CONTENT, id="javascript-open-action"),
    pytest.param("cv.pdf", crafted_files.pdf_with_javascript_in_names_tree, ACTIVE_CONTENT, id="javascript-names-tree"),
    pytest.param("cv.pdf", crafted_files.pdf_with_launch_action, ACTIVE_CONTENT, id="launch-action"),
    pytest.param("cv.pdf", crafted_files.pdf_with_embedded_file, ACTIVE_CONTENT, id="embedded-file"),
    pytest.param("cv.pdf", crafted_files.pdf_with_xfa_form, ACTIVE_CONTENT, id="xfa-form"),
    pytest.param("cv.pdf", crafted_files.encrypted_pdf, ENCRYPTED_PDF, id="encrypted"),
    pytest.param("cv.pdf", crafted_files.pdf_html_polyglot, NOT_A_VALID_PDF, id="pdf-html-polyglot"),
    pytest.param("cv.pdf", crafted_files.truncated_pdf, NOT_A_VALID_PDF, id="truncated-pdf"),
    pytest.param(
        "cv.pdf",
        lambda: crafted_files.pdf(pages=301),
        "Ce PDF a 301 pages : 300 au plus. Déposez les pages utiles seulement.",
        id="too-many-pages",
    ),
    pytest.param(
        "cv.pdf",
        crafted_files.png,
        "Le nom du fichier se termine par « .pdf » mais son contenu est une image PNG : "
        "renommez-le ou choisissez le bon fichier.",
        id="png-named-pdf",
    ),
    pytest.param("scan.png", crafted_files.pdf, PDF_NAMED_PNG, id="pdf-named-png"),
    pytest.param("photo.png", crafted_files.png_pixel_bomb, TOO_MANY_PIXELS, id="pixel-bomb"),
    pytest.param("photo.png", crafted_files.truncated_png, UNREADABLE_IMAGE, id="truncated-png"),
]


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- The check itself ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "build", "message"), REFUSED)
def test_a_hostile_or_broken_file_is_refused_with_its_french_message(name, build, message):
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, build()), kinds=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES)

    assert error.value.messages == [message]


@pytest.mark.parametrize(
    ("name", "build", "content_type"),
    [
        pytest.param("CV.PDF", crafted_files.pdf, "application/pdf", id="pdf"),
        pytest.param("CV.pdf", crafted_files.pdf_with_web_link, "application/pdf", id="pdf-with-a-web-link"),
        pytest.param(
            "fiche.pdf",
            lambda: render_pdf("pdf/base.html", {"document_title": "CV"}),
            "application/pdf",
            id="weasyprint",
        ),
        pytest.param("photo.jpeg", crafted_files.jpeg, "image/jpeg", id="jpeg"),
        pytest.param("scan.png", crafted_files.png, "image/png", id="png"),
        pytest.param("scan", crafted_files.png, "image/png", id="no-extension"),
    ],
)
def test_a_sound_pdf_jpeg_or_png_is_accepted(name, build, content_type):
    checked = check_upload(upload(name, build()), kinds=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES)

    assert checked.kind.content_type == content_type


def test_a_pdf_is_stored_as_sent_and_left_ready_to_be_read():
    content = crafted_files.pdf()
    sent = upload("accord.pdf", content)

    checked = check_upload(sent, kinds=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES)

    assert checked.file is sent and checked.size == len(content)
    assert sent.read() == content


def test_a_photo_is_stored_upright_without_its_gps_position_nor_comment():
    # Given a phone photo taken sideways (EXIF orientation 6), with its GPS position and a comment
    content = crafted_files.jpeg(size=(40, 30), with_location=True, orientation=6)
    assert b"Photo de Lucas Martin" in content and Image.open(io.BytesIO(content)).getexif().get_ifd(0x8825)

    # When it is checked
    checked = check_upload(upload("photo.jpg", content), kinds=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES)

    # Then what is stored is the picture as seen, and nothing else
    stored = checked.file.read()
    image = Image.open(io.BytesIO(stored))
    assert image.size == (30, 40)  # turned upright
    assert not image.getexif() and b"Exif" not in stored and b"Lucas Martin" not in stored
    assert checked.size == len(stored)


def test_a_check_without_a_file_name_still_checks_the_content():
    with pytest.raises(ValidationError) as error:
        validate_pdf(ContentFile(crafted_files.pdf_with_launch_action()))

    assert error.value.messages == [ACTIVE_CONTENT]


# --- Every door: the pages and the services they call ------------------------------------------------


@pytest.fixture
def world():
    world = build_world()
    world.young_person = YoungPersonFactory(organisation=world.ml_a, referent=world.user("adviser_ml"))
    return world


def actor(world, role):
    membership = world.memberships[role]
    return Actor(user=membership.user, membership=membership)


def sent_referral(world):
    now = timezone.now()
    return Referral.objects.create(
        young_person=world.young_person,
        referring_organisation=world.ml_a,
        referring_adviser=world.user("adviser_ml"),
        e2c_site=world.site,
        diagnostic="Sans diplôme.",
        motivation="Veut apprendre un métier.",
        status=ReferralStatus.SENT,
        sent_at=now,
        status_changed_at=now,
    )


def post_attachment(client, world, file):
    client.force_login(world.user("adviser_ml"))
    url = reverse("e2c_referrals:attachment_add", kwargs={"public_id": sent_referral(world).public_id})
    return client.post(url, {"label": "CV", "file": file}), "file", Attachment


def post_consent(client, world, file):
    client.force_login(world.user("adviser_ml"))
    url = reverse("cej:consent_create", kwargs={"public_id": world.young_person.public_id})
    data = {
        "e2c_site": str(world.site.public_id),
        "shared_data": ["identity"],
        "given_on": TODAY.isoformat(),
        "method": "signed_form",
        "signed_form": file,
    }
    return client.post(url, data), "signed_form", Consent


def post_agreement(client, world, file):
    client.force_login(world.user("regional_coordinator"))
    return (
        client.post(reverse("partners:agreement_create"), form_data(world, signed_document=file)),
        "signed_document",
        Agreement,
    )


def post_amendment(client, world, file):
    agreement = make_agreement(world)
    client.force_login(world.user("manager_e2c"))
    url = reverse("partners:amendment_create", kwargs={"public_id": agreement.public_id})
    data = {"summary": "Prolongation", "signed_on": "2024-06-01", "signed_document": file}
    return client.post(url, data), "signed_document", Amendment


PAGES = [
    pytest.param(post_attachment, id="referral-attachment"),
    pytest.param(post_consent, id="consent-signed-form"),
    pytest.param(post_agreement, id="agreement-signed-document"),
    pytest.param(post_amendment, id="amendment-signed-document"),
]
HOSTILE_PDFS = [
    pytest.param(crafted_files.pdf_with_javascript_open_action, ACTIVE_CONTENT, id="javascript"),
    pytest.param(crafted_files.pdf_with_launch_action, ACTIVE_CONTENT, id="launch"),
    pytest.param(crafted_files.pdf_with_embedded_file, ACTIVE_CONTENT, id="embedded-file"),
    pytest.param(crafted_files.pdf_html_polyglot, NOT_A_VALID_PDF, id="polyglot"),
    pytest.param(crafted_files.truncated_pdf, NOT_A_VALID_PDF, id="truncated"),
]


@pytest.mark.parametrize("post", PAGES)
@pytest.mark.parametrize(("build", "message"), HOSTILE_PDFS)
def test_every_upload_page_refuses_a_hostile_pdf_in_french_and_stores_nothing(
    client, world, settings, post, build, message
):
    response, field, model = post(client, world, upload("document.pdf", build()))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not model.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize("post", PAGES)
def test_every_upload_page_refuses_a_pdf_named_as_an_image(client, world, settings, post):
    response, field, model = post(client, world, upload("scan.png", crafted_files.pdf()))

    assert response.context["form"].errors[field] == [PDF_NAMED_PNG]
    assert not model.objects.exists()


@pytest.mark.parametrize("post", PAGES)
def test_every_upload_page_accepts_a_sound_pdf(client, world, settings, post):
    content = crafted_files.pdf()

    response, _, model = post(client, world, upload("document.pdf", content))

    assert response.status_code == 302
    assert model.objects.count() == 1
    assert [path.read_bytes() for path in stored_files(settings)] == [content]


def test_an_attached_photo_is_stored_re_encoded_without_its_location(client, world, settings):
    response, _, _ = post_attachment(client, world, upload("photo.jpg", crafted_files.jpeg(with_location=True)))

    attachment = Attachment.objects.get()
    assert response.status_code == 302
    stored = attachment.file.read()
    assert attachment.content_type == "image/jpeg" and attachment.size == len(stored)
    assert not Image.open(io.BytesIO(stored)).getexif()


@pytest.mark.parametrize(
    ("name", "build", "message"),
    [
        pytest.param("photo.png", crafted_files.png_pixel_bomb, TOO_MANY_PIXELS, id="pixel-bomb"),
        pytest.param("photo.png", crafted_files.truncated_png, UNREADABLE_IMAGE, id="truncated-png"),
        pytest.param(
            "cv.pdf",
            crafted_files.png,
            "Le nom du fichier se termine par « .pdf » mais son contenu est une image PNG : "
            "renommez-le ou choisissez le bon fichier.",
            id="png-named-pdf",
        ),
    ],
)
def test_the_attachment_page_refuses_a_broken_or_disguised_image(client, world, settings, name, build, message):
    response, field, model = post_attachment(client, world, upload(name, build()))

    assert response.context["form"].errors[field] == [message]
    assert not model.objects.exists()
    assert stored_files(settings) == []


def call_attachment_add(world, file):
    attachment_add(actor=actor(world, "adviser_ml"), referral=sent_referral(world), uploaded=file, label="CV")


def call_consent_record(world, file):
    consent_record(
        actor=actor(world, "adviser_ml"),
        young_person=world.young_person,
        e2c_site=world.site,
        shared_data=["identity"],
        given_on=TODAY,
        method="signed_form",
        signed_form=file,
    )


def call_agreement_create(world, file):
    agreement_create(
        actor=actor(world, "national_committee"),
        data=AgreementData(
            title="Accord-cadre",
            framework=AgreementFramework.UNML_E2C,
            level=AgreementLevel.NATIONAL,
            signed_on=datetime.date(2024, 1, 10),
            starts_on=datetime.date(2024, 1, 15),
            signed_document=file,
        ),
    )


def call_amendment_create(world, file):
    amendment_create(
        actor=actor(world, "administrator"),
        agreement=make_agreement(world),
        signed_on=datetime.date(2024, 6, 1),
        summary="Avenant",
        signed_document=file,
    )


@pytest.mark.parametrize(
    ("call", "field"),
    [
        pytest.param(call_attachment_add, "file", id="attachment_add"),
        pytest.param(call_consent_record, "signed_form", id="consent_record"),
        pytest.param(call_agreement_create, "signed_document", id="agreement_create"),
        pytest.param(call_amendment_create, "signed_document", id="amendment_create"),
    ],
)
@pytest.mark.parametrize(("build", "message"), HOSTILE_PDFS)
def test_a_direct_service_call_is_checked_too(world, settings, call, field, build, message):
    with pytest.raises(ValidationError) as error:
        call(world, upload("document.pdf", build()))

    assert error.value.message_dict[field] == [message]
    assert stored_files(settings) == []
