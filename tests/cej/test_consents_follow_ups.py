"""Consents recorded and withdrawn; follow-up reviews planned, held and listed on the adviser's home."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from cej.enums import ContractStatus, FollowUpStatus
from cej.models import CejContract, Consent, FollowUp
from cej.selectors.consents import current_consent
from tests import crafted_files
from tests.cej.factories import YoungPersonFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def world(client):
    world = build_world()
    client.force_login(world.user("adviser_ml"))
    world.young_person = YoungPersonFactory(organisation=world.ml_a, referent=world.user("adviser_ml"))
    return world


def consent_url(world):
    return reverse("cej:consent_create", kwargs={"public_id": world.young_person.public_id})


def consent_form(world, **overrides):
    return {
        "e2c_site": str(world.site.public_id),
        "shared_data": ["identity", "contact"],
        "given_on": TODAY.isoformat(),
        "method": "oral",
        "attestation": "Notice remise et expliquée ; accord donné.",
    } | overrides


def test_an_oral_consent_is_recorded_with_the_advisers_attestation(client, world):
    response = client.post(consent_url(world), consent_form(world))

    consent = Consent.objects.get()
    assert response.status_code == 302
    assert consent.shared_data == ["contact", "identity"]
    assert consent.recorded_by == world.user("adviser_ml")
    assert current_consent(young_person=world.young_person, e2c_site=world.site) == consent


def test_a_signed_form_must_be_a_pdf_and_is_downloaded_through_a_logged_view(client, world):
    not_pdf = SimpleUploadedFile("accord.pdf", b"GIF89a...", content_type="application/pdf")
    refused = client.post(consent_url(world), consent_form(world, method="signed_form", signed_form=not_pdf))
    assert "Le fichier n'est pas un PDF." in " ".join(refused.context["form"].errors["signed_form"])
    assert not Consent.objects.exists()

    signed = crafted_files.pdf()
    pdf = SimpleUploadedFile("Éloïse accord.pdf", signed, content_type="application/pdf")
    client.post(consent_url(world), consent_form(world, method="signed_form", signed_form=pdf, attestation=""))
    consent = Consent.objects.get()
    assert "loise" not in consent.signed_form.name  # the sender's file name is never kept

    download = client.get(
        reverse(
            "cej:consent_form_download",
            kwargs={"public_id": world.young_person.public_id, "consent_id": consent.public_id},
        )
    )
    assert b"".join(download.streaming_content) == signed
    assert AccessLog.objects.filter(object_id=consent.public_id, purpose="download").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"attestation": ""}, "attestation", "écrivez votre attestation"),
        ({"shared_data": []}, "shared_data", "Ce champ est obligatoire"),
        ({"given_on": (TODAY + datetime.timedelta(days=3)).isoformat()}, "given_on", "dans le futur"),
        ({"method": "signed_form", "attestation": ""}, "signed_form", "Joignez le formulaire signé"),
        ({"e2c_site": ""}, "e2c_site", "Ce champ est obligatoire"),
        ({"attestation": "NIR 2 85 05 78 006 084 36"}, "attestation", "sécurité sociale"),
    ],
)
def test_an_incomplete_consent_is_explained_and_not_recorded(client, world, overrides, field, message):
    response = client.post(consent_url(world), consent_form(world, **overrides))
    assert message in " ".join(response.context["form"].errors[field])
    assert not Consent.objects.exists()


def test_withdrawing_a_consent_blocks_sharing_and_is_confirmed_first(client, world):
    client.post(consent_url(world), consent_form(world))
    consent = Consent.objects.get()
    url = reverse(
        "cej:consent_revoke", kwargs={"public_id": world.young_person.public_id, "consent_id": consent.public_id}
    )

    confirmation = client.get(url)
    assert "plus aucune information ne pourra être envoyée" in confirmation.content.decode()
    consent.refresh_from_db()
    assert consent.revoked_at is None

    client.post(url, {"reason": "Le jeune a changé d'avis."})
    consent.refresh_from_db()
    assert consent.revoked_at is not None and consent.revoked_by == world.user("adviser_ml")
    assert current_consent(young_person=world.young_person, e2c_site=world.site) is None
    page = client.get(reverse("cej:young_person_detail", kwargs={"public_id": world.young_person.public_id}))
    assert "retiré le" in page.content.decode()


def test_another_organisation_cannot_reach_a_consent(client, world):
    client.post(consent_url(world), consent_form(world))
    consent = Consent.objects.get()
    client.force_login(world.user("adviser_ft"))
    url = reverse(
        "cej:consent_revoke", kwargs={"public_id": world.young_person.public_id, "consent_id": consent.public_id}
    )
    assert client.post(url).status_code == 404


def test_a_review_is_planned_held_and_the_next_one_planned(client, world):
    planned_on = TODAY + datetime.timedelta(days=7)
    client.post(
        reverse("cej:follow_up_create", kwargs={"public_id": world.young_person.public_id}),
        {"scheduled_on": planned_on.isoformat(), "participants": [str(world.user("adviser_ml").public_id)]},
    )
    follow_up = FollowUp.objects.get()
    assert follow_up.scheduled_on == planned_on

    response = client.post(
        reverse(
            "cej:follow_up_record",
            kwargs={"public_id": world.young_person.public_id, "follow_up_id": follow_up.public_id},
        ),
        {
            "held_on": TODAY.isoformat(),
            "notes": "Motivé pour l'E2C ; information collective le 12.",
            "next_review_on": (TODAY + datetime.timedelta(days=30)).isoformat(),
            "participants": [str(world.user("adviser_ml").public_id)],
        },
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.HELD
    assert FollowUp.objects.filter(status=FollowUpStatus.PLANNED).get().scheduled_on == TODAY + datetime.timedelta(
        days=30
    )


def test_a_held_review_cannot_be_cancelled(client, world):
    follow_up = FollowUp.objects.create(
        young_person=world.young_person, scheduled_on=TODAY, status=FollowUpStatus.HELD, held_on=TODAY
    )
    response = client.post(
        reverse(
            "cej:follow_up_cancel",
            kwargs={"public_id": world.young_person.public_id, "follow_up_id": follow_up.public_id},
        )
    )
    assert response.status_code == 200
    assert "déjà « réalisé »" in response.content.decode()


def test_the_advisers_home_lists_overdue_reviews_and_cej_ending_within_30_days(client, world):
    FollowUp.objects.create(young_person=world.young_person, scheduled_on=TODAY - datetime.timedelta(days=3))
    FollowUp.objects.create(young_person=world.young_person, scheduled_on=TODAY + datetime.timedelta(days=3))
    other = YoungPersonFactory(organisation=world.ml_a, referent=world.user("manager_ml"))
    FollowUp.objects.create(young_person=other, scheduled_on=TODAY - datetime.timedelta(days=3))
    CejContract.objects.create(
        young_person=world.young_person,
        organisation=world.ml_a,
        referent=world.user("adviser_ml"),
        signed_on=TODAY - datetime.timedelta(days=300),
        starts_on=TODAY - datetime.timedelta(days=300),
        planned_end_on=TODAY + datetime.timedelta(days=20),
        weekly_hours=15,
        allowance_category="adult_non_taxable",
        status=ContractStatus.ACTIVE,
    )

    response = client.get(reverse("home"))

    assert [line.young_person_public_id for line in response.context["overdue"]] == [world.young_person.public_id]
    assert [line.young_person_public_id for line in response.context["ending_soon"]] == [world.young_person.public_id]
    assert response.context["my_young_people_count"] == 1
    content = response.content.decode()
    assert "Points de suivi en retard" in content
    file_link = (
        f'<a href="{reverse("cej:young_person_detail", args=[world.young_person.public_id])}">{world.young_person}</a>'
    )
    late_on = (TODAY - datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    ends_on = (TODAY + datetime.timedelta(days=20)).strftime("%d/%m/%Y")
    assert f"<li>{file_link} — prévu le {late_on}</li>" in content
    assert f"<li>{file_link} — fin le {ends_on}</li>" in content


def test_the_information_notice_is_public_and_speaks_to_the_young_person(client):
    client.logout()
    page = client.get(reverse("information_notice")).content.decode()
    assert "Tu peux <strong>changer d'avis à tout moment</strong>" in page
    assert "numéro de sécurité sociale" in page
