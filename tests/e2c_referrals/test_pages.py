"""The referral pages through the day of an ML adviser and of the E2C staff: refer from the file,
send, attach, read (logged), move with the right fields, the inbox and the referrer's list in
their order and query budget, young people coming back, news after the exit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from cej.enums import ConsentMethod, ContractStatus, SharedData
from cej.models import CejContract, Consent, YoungPersonEvent
from e2c_referrals.calendar import working_days_between
from e2c_referrals.enums import ExitOutcome, HandBackReason, NotAdmittedReason, ReferralStatus
from e2c_referrals.models import Attachment, HandBack, PostExitNews, Referral, ReferralTransition
from e2c_referrals.selectors.inbox import InboxFilters, inbox, inbox_summary
from e2c_referrals.services.hand_backs import hand_back_handle
from partners.access import Actor
from partners.enums import OrganisationKind, Role
from tests import crafted_files
from tests.cej.factories import YoungPersonFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db
S = ReferralStatus
D = datetime.date
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def world(client):
    world = build_world()
    world.young_person = YoungPersonFactory(
        organisation=world.ml_a,
        referent=world.user("adviser_ml"),
        last_name="Ndiaye",
        first_name="Éloïse",
        phone="+33612345678",
        has_rqth=True,
    )
    client.force_login(world.user("adviser_ml"))
    return world


def actor(world, role):
    membership = world.memberships[role]
    return Actor(user=membership.user, membership=membership)


def login(client, world, role):
    client.logout()
    client.force_login(world.user(role))


def consent(world, shared=(SharedData.IDENTITY, SharedData.CONTACT, SharedData.DIAGNOSTIC), young_person=None):
    return Consent.objects.create(
        young_person=young_person or world.young_person,
        e2c_site=world.site,
        shared_data=list(shared),
        given_on=TODAY,
        method=ConsentMethod.ORAL,
        attestation="Notice expliquée, accord donné.",
        recorded_by=world.user("adviser_ml"),
    )


def referral(world, status=S.SENT, young_person=None, site=None, sent_at=None, changed_at=None, **fields):
    now = timezone.now()
    person = young_person or world.young_person
    return Referral.objects.create(
        young_person=person,
        referring_organisation=person.organisation,
        referring_adviser=world.user("adviser_ml"),
        e2c_site=site or world.site,
        diagnostic="Sans diplôme, a quitté le lycée il y a deux ans.",
        motivation="Veut découvrir les métiers de la logistique.",
        status=status,
        sent_at=None if status == S.DRAFT else (sent_at or now),
        status_changed_at=changed_at or sent_at or now,
        consent=None if status == S.DRAFT else Consent.objects.filter(young_person=person).first(),
        **fields,
    )


def detail_url(found):
    return reverse("e2c_referrals:referral_detail", kwargs={"public_id": found.public_id})


def move_url(found, to):
    return reverse("e2c_referrals:referral_move", kwargs={"public_id": found.public_id, "to": to})


def page(response):
    content = response.content.decode()
    assert "%(invalid)s" not in content  # no unknown template variable
    return content


# --- Refer from the file --------------------------------------------------------------------------


def create_url(world):
    return reverse("e2c_referrals:referral_create", kwargs={"public_id": world.young_person.public_id})


def referral_form(world, **overrides):
    return {
        "e2c_site": str(world.site.public_id),
        "diagnostic": "Sans diplôme, prête à reprendre un rythme.",
        "motivation": "Travailler dans la petite enfance.",
    } | overrides


def test_the_nearby_sites_come_first_then_the_others_by_region(client, world):
    world.young_person.departement_id = "69"
    world.young_person.save()

    form = client.get(create_url(world)).context["form"]

    groups = form.fields["e2c_site"].choices[1:]
    assert groups[0] == ("Sites proches", [(str(world.site.public_id), world.site.name)])
    assert ("Hauts-de-France", [(str(world.other_site.public_id), world.other_site.name)]) in groups[1:]


def test_an_adviser_refers_from_the_file_and_lands_on_the_draft_with_its_active_cej(client, world):
    cej = CejContract.objects.create(
        young_person=world.young_person,
        organisation=world.ml_a,
        referent=world.user("adviser_ml"),
        signed_on=TODAY - 30 * DAY,
        starts_on=TODAY - 30 * DAY,
        planned_end_on=TODAY + 200 * DAY,
        weekly_hours=15,
        allowance_category="adult_non_taxable",
        status=ContractStatus.ACTIVE,
    )

    response = client.post(create_url(world), referral_form(world, cej_contract=str(cej.public_id)))

    created = Referral.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(created)
    assert (created.status, created.e2c_site, created.cej_contract) == (S.DRAFT, world.site, cej)
    assert created.referring_adviser == world.user("adviser_ml")
    draft_page = page(client.get(response.url))
    assert "Envoyer à l&#x27;E2C" in draft_page
    assert "Ajouter une pièce jointe" in draft_page


def test_a_referral_with_empty_texts_or_an_unknown_site_is_refused_in_french(client, world):
    response = client.post(create_url(world), referral_form(world, e2c_site="nimporte", diagnostic="  "))

    errors = response.context["form"].errors
    assert "Sélectionnez un choix valide" in errors["e2c_site"][0]
    assert errors["diagnostic"] == ["Ce champ est obligatoire."]
    assert not Referral.objects.exists()


def test_a_second_open_referral_to_the_same_site_is_refused(client, world):
    referral(world, status=S.SENT)

    response = client.post(create_url(world), referral_form(world))

    assert response.context["form"].errors["e2c_site"] == ["Ce jeune a déjà une orientation en cours vers ce site."]
    assert Referral.objects.count() == 1


def test_the_same_person_referred_by_france_travail_must_be_acknowledged_before_the_draft(client, world):
    twin = YoungPersonFactory(
        organisation=world.ft, last_name="NDIAYE", first_name="Eloise", birth_date=world.young_person.birth_date
    )
    referral(world, young_person=twin, status=S.ACKNOWLEDGED)

    warned = page(client.get(create_url(world)))
    assert "Ce jeune est déjà orienté par une autre structure" in warned
    assert "France Travail Lyon Part-Dieu" in warned

    refused = client.post(create_url(world), referral_form(world))
    assert "prenez connaissance" in refused.context["form"].errors["aware_of_other_network"][0]
    assert Referral.objects.count() == 1

    confirmed = client.post(create_url(world), referral_form(world, aware_of_other_network="on"))
    assert confirmed.status_code == 302
    assert Referral.objects.filter(referring_organisation=world.ml_a, status=S.DRAFT).count() == 1


def test_an_e2c_staff_member_cannot_refer_nor_open_the_file(client, world):
    login(client, world, "e2c_staff")
    assert client.get(create_url(world)).status_code == 404


def test_the_file_section_lists_the_referrals_with_a_button_to_refer(world):
    referral(world, status=S.SENT)

    html = render_to_string("e2c_referrals/_file_section.html", {"young_person": world.young_person, "can_edit": True})

    assert "Orienter vers une E2C" in html
    assert world.site.name in html
    assert "Envoyée" in html


# --- Send: the consent is required ----------------------------------------------------------------


def test_sending_without_consent_gives_the_workflow_message_and_a_link_to_record_it(client, world):
    draft = referral(world, status=S.DRAFT)

    response = client.post(move_url(draft, S.SENT))

    content = page(response)
    assert "Aucun accord de partage valable avec" in content
    assert reverse("cej:consent_create", kwargs={"public_id": world.young_person.public_id}) in content
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
    assert not ReferralTransition.objects.exists()


def test_with_the_consent_recorded_the_draft_is_sent_to_the_e2c(client, world):
    recorded = consent(world)
    draft = referral(world, status=S.DRAFT)
    confirm = client.get(move_url(draft, S.SENT))
    assert "passera de « Brouillon » à « Envoyée »" in page(confirm)

    response = client.post(move_url(draft, S.SENT))

    draft.refresh_from_db()
    assert response.status_code == 302
    assert (draft.status, draft.consent) == (S.SENT, recorded)
    assert draft.transitions.get().actor == world.user("adviser_ml")


# --- The referral page ----------------------------------------------------------------------------


def test_the_e2c_reads_only_what_the_young_person_agreed_to_share_and_the_read_is_logged(client, world):
    consent(world, shared=(SharedData.IDENTITY, SharedData.CONTACT, SharedData.DIAGNOSTIC))
    sent = referral(world)
    login(client, world, "e2c_staff")

    content = page(client.get(detail_url(sent)))

    assert "06 12 34 56 78" in content  # contact: shared
    assert "Veut découvrir les métiers de la logistique" in content  # diagnostic and motivation: shared
    assert "RQTH" not in content  # not shared
    assert "Sortie de l'école" not in content  # situation: not shared
    assert "Coordonnées (téléphone, e-mail, adresse)" in content  # the categories the consent covers
    log = AccessLog.objects.get(object_id=sent.public_id)
    assert (log.purpose, log.user, log.object_type) == ("view_file", world.user("e2c_staff"), "Referral")


def test_the_rqth_is_shown_to_the_e2c_only_when_the_consent_covers_it(client, world):
    consent(world, shared=(SharedData.IDENTITY, SharedData.RQTH))
    sent = referral(world)
    login(client, world, "e2c_staff")

    content = page(client.get(detail_url(sent)))

    assert "RQTH" in content
    assert "06 12 34 56 78" not in content


def test_the_referrer_sees_everything_marked_shared_or_not(client, world):
    consent(world, shared=(SharedData.IDENTITY,))
    sent = referral(world)

    content = page(client.get(detail_url(sent)))

    assert "06 12 34 56 78" in content
    assert "non partagé" in content


def test_the_referrer_sees_the_other_network_warning_and_the_e2c_does_not(client, world):
    twin = YoungPersonFactory(
        organisation=world.ft, last_name="Ndiaye", first_name="Eloïse", birth_date=world.young_person.birth_date
    )
    referral(world, young_person=twin, status=S.SENT, site=world.other_site)
    sent = referral(world)
    login(client, world, "adviser_ml")
    assert "déjà orienté par une autre structure" in page(client.get(detail_url(sent)))
    # Another organisation's referral (site, referrer, adviser) is none of the E2C's business.
    login(client, world, "e2c_staff")
    assert "déjà orienté par une autre structure" not in page(client.get(detail_url(sent)))


def test_the_timeline_shows_each_change_with_who_their_organisation_and_the_reason(client, world):
    consent(world)
    draft = referral(world, status=S.DRAFT)
    client.post(move_url(draft, S.SENT))
    login(client, world, "e2c_staff")
    client.post(move_url(draft, S.ACKNOWLEDGED))
    client.post(move_url(draft, S.WITHDRAWN), {"reason": "A trouvé un emploi saisonnier."})

    content = page(client.get(detail_url(draft)))

    staff = world.user("e2c_staff").get_full_name()
    assert "Brouillon → Envoyée" in content
    assert f"Prise en compte par l&#x27;E2C → Désistement ou abandon du jeune, par {staff} ({world.site.name})" in (
        content
    )
    assert "Motif : A trouvé un emploi saisonnier." in content


def test_a_draft_is_invisible_to_the_e2c(client, world):
    draft = referral(world, status=S.DRAFT)
    login(client, world, "e2c_staff")
    assert client.get(detail_url(draft)).status_code == 404


def test_another_organisations_referral_is_not_found_on_either_side(client, world):
    lille_file = YoungPersonFactory(organisation=world.ml_b)
    elsewhere = referral(world, young_person=lille_file, site=world.other_site)
    for role in ("adviser_ml", "manager_ml", "e2c_staff", "manager_e2c"):
        login(client, world, role)
        assert client.get(detail_url(elsewhere)).status_code == 404
        assert client.get(move_url(elsewhere, S.ACKNOWLEDGED)).status_code == 404
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/orientations/123/",
        "/orientations/00000000-0000-0000-0000-000000000000/",
        "/orientations/00000000-0000-0000-0000-000000000000/etat/sent/",
        "/orientations/retours/pas-un-uuid/traiter/",
        "/jeunes/pas-un-uuid/orienter/",
    ],
)
def test_malformed_or_unknown_identifiers_are_not_found(client, world, path):
    assert client.get(path).status_code == 404


def test_an_unknown_state_in_the_move_url_is_not_found(client, world):
    sent = referral(world)
    login(client, world, "e2c_staff")
    assert client.get(move_url(sent, "admis")).status_code == 404


# --- Moves: one form per required-field kind ------------------------------------------------------


def test_a_move_of_the_other_side_is_forbidden(client, world):
    sent = referral(world)
    assert client.get(move_url(sent, S.ACKNOWLEDGED)).status_code == 403
    assert client.post(move_url(sent, S.ACKNOWLEDGED)).status_code == 403
    login(client, world, "e2c_staff")
    assert client.post(move_url(sent, S.CANCELLED), {"reason": "Erreur"}).status_code == 403
    sent.refresh_from_db()
    assert sent.status == S.SENT


def test_a_move_no_longer_possible_sends_back_to_the_page_with_a_message(client, world):
    acknowledged = referral(world, status=S.ACKNOWLEDGED)
    login(client, world, "e2c_staff")

    response = client.post(move_url(acknowledged, S.ACKNOWLEDGED), follow=True)

    assert "Ce changement n&#x27;est plus possible" in page(response)
    assert not ReferralTransition.objects.exists()


def test_taking_into_account_is_a_plain_confirmation_empty_post_included(client, world):
    sent = referral(world)
    login(client, world, "e2c_staff")
    form = client.get(move_url(sent, S.ACKNOWLEDGED)).context["form"]
    assert list(form.fields) == []

    client.post(move_url(sent, S.ACKNOWLEDGED))

    sent.refresh_from_db()
    assert sent.status == S.ACKNOWLEDGED


def test_a_withdrawal_needs_its_reason(client, world):
    sent = referral(world)

    response = client.post(move_url(sent, S.WITHDRAWN), {"reason": "   "})

    assert response.context["form"].errors["reason"] == ["Ce champ est obligatoire."]
    sent.refresh_from_db()
    assert sent.status == S.SENT


def test_not_admitted_for_another_reason_needs_its_details_then_hands_back(client, world):
    interview = referral(world, status=S.INTERVIEW)
    login(client, world, "e2c_staff")
    page = client.get(move_url(interview, S.NOT_ADMITTED))
    form = page.context["form"]
    # The reason is chosen first, then the details that refine it: in the form and on the page.
    assert list(form.fields) == ["not_admitted_reason", "reason"]
    html = page.content.decode()
    assert html.index('name="not_admitted_reason"') < html.index('name="reason"')

    refused = client.post(move_url(interview, S.NOT_ADMITTED), {"not_admitted_reason": NotAdmittedReason.OTHER})
    assert refused.context["form"].errors["reason"] == ["Précisez le motif."]
    assert not HandBack.objects.exists()

    client.post(
        move_url(interview, S.NOT_ADMITTED),
        {"not_admitted_reason": NotAdmittedReason.OTHER, "reason": "Déménage dans un mois."},
    )
    interview.refresh_from_db()
    assert (interview.status, interview.not_admitted_reason) == (S.NOT_ADMITTED, NotAdmittedReason.OTHER)
    assert HandBack.objects.get().reason == HandBackReason.NOT_ADMITTED


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"integration_starts_on": TODAY.isoformat(), "integration_planned_end_on": (TODAY + 14 * DAY).isoformat()},
            "integration_planned_end_on",
            "La période d'intégration dure de 3 à 6 semaines",
        ),
        (
            {"integration_starts_on": "31/02/2026", "integration_planned_end_on": TODAY.isoformat()},
            "integration_starts_on",
            "Saisissez une date valide.",
        ),
        ({"integration_planned_end_on": TODAY.isoformat()}, "integration_starts_on", "Ce champ est obligatoire."),
    ],
)
def test_the_integration_period_is_refused_with_a_french_message_and_nothing_written(
    client, world, data, field, message
):
    interview = referral(world, status=S.INTERVIEW)
    login(client, world, "e2c_staff")

    response = client.post(move_url(interview, S.INTEGRATION), data)

    assert message in " ".join(response.context["form"].errors[field])
    interview.refresh_from_db()
    assert (interview.status, interview.integration_starts_on) == (S.INTERVIEW, None)
    assert not ReferralTransition.objects.exists()


def test_an_integration_of_four_weeks_starts(client, world):
    interview = referral(world, status=S.INTERVIEW)
    login(client, world, "e2c_staff")

    client.post(
        move_url(interview, S.INTEGRATION),
        {"integration_starts_on": TODAY.isoformat(), "integration_planned_end_on": (TODAY + 28 * DAY).isoformat()},
    )

    interview.refresh_from_db()
    assert (interview.status, interview.integration_planned_end_on) == (S.INTEGRATION, TODAY + 28 * DAY)


def test_an_enrolment_in_the_future_is_refused(client, world):
    integration = referral(world, status=S.INTEGRATION, integration_starts_on=TODAY - 20 * DAY)
    login(client, world, "e2c_staff")

    response = client.post(move_url(integration, S.ENROLLED), {"enrolled_on": (TODAY + DAY).isoformat()})

    assert "dans le futur" in response.context["form"].errors["enrolled_on"][0]
    integration.refresh_from_db()
    assert integration.status == S.INTEGRATION


def test_an_exit_needs_its_date_and_outcome_and_a_non_positive_one_hands_back(client, world):
    enrolled = referral(world, status=S.ENROLLED, enrolled_on=TODAY - 180 * DAY)
    login(client, world, "e2c_staff")

    refused = client.post(move_url(enrolled, S.EXITED), {"exited_on": (TODAY + DAY).isoformat()})
    errors = refused.context["form"].errors
    assert errors["exit_outcome"] == ["Ce champ est obligatoire."]
    enrolled.refresh_from_db()
    assert enrolled.status == S.ENROLLED

    client.post(
        move_url(enrolled, S.EXITED),
        {"exited_on": TODAY.isoformat(), "exit_outcome": ExitOutcome.NO_SOLUTION, "skills_certificate_issued": "on"},
    )
    enrolled.refresh_from_db()
    assert (enrolled.status, enrolled.skills_certificate_issued) == (S.EXITED, True)
    assert HandBack.objects.get(referral=enrolled).reason == HandBackReason.NON_POSITIVE_EXIT


# --- Attachments ----------------------------------------------------------------------------------


def attach_url(found):
    return reverse("e2c_referrals:attachment_add", kwargs={"public_id": found.public_id})


def test_a_pdf_is_attached_then_downloaded_by_the_e2c_under_a_clean_name_and_logged(client, world):
    consent(world)  # its categories include the diagnostic, which the documents go with
    sent = referral(world)
    cv = crafted_files.pdf()
    pdf = SimpleUploadedFile("CV Éloïse Ndiaye.pdf", cv, content_type="application/pdf")

    response = client.post(attach_url(sent), {"label": "CV", "file": pdf})

    attachment = Attachment.objects.get()
    assert response.status_code == 302
    assert (attachment.content_type, attachment.label) == ("application/pdf", "CV")
    assert "Ndiaye" not in attachment.file.name and attachment.file.name.endswith(".pdf")
    login(client, world, "e2c_staff")
    download = client.get(
        reverse(
            "e2c_referrals:attachment_download",
            kwargs={"public_id": sent.public_id, "attachment_id": attachment.public_id},
        )
    )
    assert b"".join(download.streaming_content) == cv
    assert download["Content-Disposition"] == 'attachment; filename="cv.pdf"'
    log = AccessLog.objects.get(purpose="download")
    assert (log.object_id, log.user) == (attachment.public_id, world.user("e2c_staff"))


def test_a_png_sent_as_a_pdf_is_stored_as_png_and_one_named_pdf_is_refused(client, world):
    # The browser's content type is ignored; a name that disguises the content is refused
    # (tests/partners/test_uploads.py has every disguise).
    sent = referral(world)
    named_pdf = SimpleUploadedFile("cv.pdf", crafted_files.png(), content_type="application/pdf")
    refused = client.post(attach_url(sent), {"label": "CV scanné", "file": named_pdf})
    assert "son contenu est une image PNG" in refused.context["form"].errors["file"][0]
    png = SimpleUploadedFile("cv scanné.png", crafted_files.png(), content_type="application/pdf")

    client.post(attach_url(sent), {"label": "CV scanné", "file": png})

    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png"
    assert attachment.file.name.endswith(".png")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF89a....", "Le fichier doit être un PDF, un JPEG ou un PNG."),
        (b"%PDF-1.4" + b"0" * (6 * 1024 * 1024), "Le fichier dépasse 5 Mo."),
    ],
)
def test_a_gif_or_a_file_over_5_mb_is_refused(client, world, content, message):
    sent = referral(world)

    response = client.post(
        attach_url(sent), {"label": "CV", "file": SimpleUploadedFile("cv.pdf", content, content_type="application/pdf")}
    )

    assert response.context["form"].errors["file"] == [message]
    assert not Attachment.objects.exists()


def test_the_e2c_cannot_attach_and_attachments_stop_at_the_information_session(client, world):
    sent = referral(world)
    login(client, world, "e2c_staff")
    pdf = SimpleUploadedFile("cv.pdf", crafted_files.pdf(), content_type="application/pdf")
    assert client.post(attach_url(sent), {"label": "CV", "file": pdf}).status_code == 403

    invited = referral(world, status=S.INVITED, site=OrganisationFactory(kind=OrganisationKind.E2C_SITE))
    login(client, world, "adviser_ml")
    response = client.post(attach_url(invited), {"label": "CV", "file": pdf}, follow=True)
    assert "s&#x27;ajoutent avant l&#x27;information collective" in page(response)
    assert not Attachment.objects.exists()


def test_an_attachment_of_another_referral_is_not_found(client, world):
    mine = referral(world)
    other = referral(world, young_person=YoungPersonFactory(organisation=world.ml_a))
    attachment = Attachment.objects.create(
        referral=other,
        file=ContentFile(b"%PDF-1.4", name="piece.pdf"),
        label="CV",
        content_type="application/pdf",
        size=8,
        uploaded_by=world.user("adviser_ml"),
    )
    url = reverse(
        "e2c_referrals:attachment_download", kwargs={"public_id": mine.public_id, "attachment_id": attachment.public_id}
    )
    assert client.get(url).status_code == 404
    assert not AccessLog.objects.exists()


# --- The E2C inbox --------------------------------------------------------------------------------

INBOX = reverse("e2c_referrals:inbox")


def at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_the_inbox_counts_working_days_so_holidays_do_not_make_a_referral_late(world):
    # Friday 15 May 2026: 8 May and Ascension Thursday were holidays.
    today = D(2026, 5, 15)
    on_time = referral(world, sent_at=at(D(2026, 5, 7)))  # 4 working days: on time
    late = referral(world, sent_at=at(D(2026, 5, 5)), young_person=YoungPersonFactory(organisation=world.ml_a))
    e2c = actor(world, "e2c_staff")

    items = inbox(actor=e2c, filters=InboxFilters(), today=today).items

    assert [item.pk for item in items] == [late.pk, on_time.pk]
    assert [item.overdue for item in items] == [True, False]
    assert inbox_summary(actor=e2c, today=today).overdue == 1


def test_the_inbox_pages_through_late_and_on_time_referrals_without_loss_nor_repeat(world):
    today = D(2026, 5, 15)
    for sent_on in (D(2026, 5, 4), D(2026, 5, 12), D(2026, 4, 28), D(2026, 5, 13), D(2026, 5, 5)):
        referral(world, sent_at=at(sent_on), young_person=YoungPersonFactory(organisation=world.ml_a))
    e2c = actor(world, "e2c_staff")
    everything = inbox(actor=e2c, filters=InboxFilters(), today=today, size=10).items

    pages, cursor = [], None
    while True:
        found = inbox(actor=e2c, filters=InboxFilters(), today=today, size=2, after=cursor)
        pages.extend(found.items)
        cursor = found.next_cursor
        if cursor is None:
            break
    # Back from the last page (its first row is the 5th): the 3rd and 4th rows.
    back = inbox(actor=e2c, filters=InboxFilters(), today=today, size=2, before=found.previous_cursor)

    assert pages == everything
    assert [timezone.localdate(r.sent_at) for r in everything] == [
        D(2026, 4, 28),
        D(2026, 5, 4),
        D(2026, 5, 5),
        D(2026, 5, 12),
        D(2026, 5, 13),
    ]
    assert [r.overdue for r in everything] == [True, True, True, False, False]
    assert back.items == everything[2:4]


def test_a_consent_given_again_after_a_withdrawal_is_what_the_e2c_sees(client, world):
    first = consent(world, shared=(SharedData.IDENTITY, SharedData.CONTACT))
    sent = referral(world)
    first.revoked_at = timezone.now()
    first.save()
    login(client, world, "e2c_staff")
    assert "06 12 34 56 78" not in page(client.get(detail_url(sent)))

    consent(world, shared=(SharedData.IDENTITY, SharedData.CONTACT))
    assert "06 12 34 56 78" in page(client.get(detail_url(sent)))


def test_late_referrals_come_first_then_the_oldest_change(client, world):
    def new(status, changed_days_ago, **fields):
        return referral(
            world,
            status=status,
            young_person=YoungPersonFactory(organisation=world.ml_a),
            sent_at=timezone.now() - 40 * DAY,
            changed_at=timezone.now() - changed_days_ago * DAY,
            **fields,
        )

    acknowledged_long_ago = new(S.ACKNOWLEDGED, 30)
    integration_over = new(S.INTEGRATION, 20, integration_planned_end_on=TODAY - DAY)
    sent_recently = referral(world, young_person=YoungPersonFactory(organisation=world.ml_a))
    integration_running = new(S.INTEGRATION, 25, integration_planned_end_on=TODAY + 10 * DAY)
    sent_long_ago = new(S.SENT, 40)
    new(S.EXITED, 50)  # closed: not listed by default
    referral(world, young_person=YoungPersonFactory(organisation=world.ml_b), site=world.other_site)  # elsewhere
    login(client, world, "e2c_staff")

    response = client.get(INBOX)

    rows = response.context["rows"]
    assert [row.pk for row in rows] == [
        sent_long_ago.pk,
        integration_over.pk,
        acknowledged_long_ago.pk,
        integration_running.pk,
        sent_recently.pk,
    ]
    assert [row.overdue for row in rows] == [True, True, False, False, False]
    content = page(response)
    assert "à prendre en compte" in content
    assert "fin d'intégration dépassée" in content
    sent_on = timezone.localdate(sent_long_ago.sent_at)
    assert f"{working_days_between(sent_on, TODAY)} jours ouvrés" in content


def test_the_inbox_filters_by_state_and_site(client, world):
    second_site = OrganisationFactory(kind=OrganisationKind.E2C_SITE, parent=world.school, name="E2C Lyon — Vaulx")
    at_venissieux = referral(world)
    at_vaulx = referral(world, site=second_site)
    acknowledged = referral(world, status=S.ACKNOWLEDGED, young_person=YoungPersonFactory(organisation=world.ml_a))
    login(client, world, "manager_e2c")

    everything = [row.pk for row in client.get(INBOX).context["rows"]]
    by_site = [row.pk for row in client.get(INBOX, {"site": str(second_site.public_id)}).context["rows"]]
    by_state = [row.pk for row in client.get(INBOX, {"etat": S.ACKNOWLEDGED}).context["rows"]]
    bogus = client.get(INBOX, {"etat": "n'importe", "site": "pas-un-site"})

    assert set(everything) == {at_venissieux.pk, at_vaulx.pk, acknowledged.pk}
    assert by_site == [at_vaulx.pk]
    assert by_state == [acknowledged.pk]
    assert bogus.status_code == 200 and len(bogus.context["rows"]) == 3


def test_the_staff_of_one_site_does_not_see_the_schools_other_sites(client, world):
    second_site = OrganisationFactory(kind=OrganisationKind.E2C_SITE, parent=world.school)
    referral(world, site=second_site)
    login(client, world, "e2c_staff")
    assert client.get(INBOX).context["rows"] == []


def many_referrals(world, count, site=None):
    for _ in range(count):
        referral(world, young_person=YoungPersonFactory(organisation=world.ml_a), site=site)


def query_count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_inbox_costs_the_same_queries_for_5_or_50_rows(client, world, django_assert_num_queries):
    login(client, world, "e2c_staff")
    many_referrals(world, 5)
    budget = query_count(client, INBOX)
    many_referrals(world, 45)

    with django_assert_num_queries(budget):
        response = client.get(INBOX)
    assert len(response.context["rows"]) == 50


def test_the_inbox_pages_with_a_keyset_cursor(client, world):
    many_referrals(world, 53)
    login(client, world, "e2c_staff")

    first = client.get(INBOX).context
    second = client.get(INBOX, {"apres": first["page"].next_cursor}).context

    shown = [row.pk for row in first["rows"] + second["rows"]]
    assert len(shown) == len(set(shown)) == 53


# --- The referrer's list --------------------------------------------------------------------------

SENT = reverse("e2c_referrals:sent_referrals")


def test_the_referrer_lists_the_organisations_referrals_and_filters_its_own(client, world):
    colleague = MembershipFactory(organisation=world.ml_a, role=Role.ADVISER).user
    mine = referral(world, status=S.DRAFT)
    theirs = referral(world, young_person=YoungPersonFactory(organisation=world.ml_a))
    theirs.referring_adviser = colleague
    theirs.save()
    referral(world, young_person=YoungPersonFactory(organisation=world.ml_b), site=world.other_site)  # another ML

    everyone_s = [row.pk for row in client.get(SENT).context["rows"]]
    only_mine = [row.pk for row in client.get(SENT, {"mes-orientations": "1"}).context["rows"]]

    assert set(everyone_s) == {mine.pk, theirs.pk}
    assert only_mine == [mine.pk]


def test_the_referrers_list_costs_the_same_queries_for_5_or_50_rows(client, world, django_assert_num_queries):
    many_referrals(world, 5)
    budget = query_count(client, SENT)
    many_referrals(world, 45)

    with django_assert_num_queries(budget):
        response = client.get(SENT)
    assert len(response.context["rows"]) == 50
    page(response)


def test_e2c_staff_and_coordinators_have_no_referrers_list(client, world):
    for role in ("e2c_staff", "regional_coordinator"):
        login(client, world, role)
        assert client.get(SENT).status_code == 403


# --- Hand-backs -----------------------------------------------------------------------------------


def test_a_young_person_not_admitted_comes_back_on_the_advisers_home_until_handled(client, world):
    consent(world)
    interview = referral(world, status=S.INTERVIEW)
    login(client, world, "e2c_staff")
    client.post(move_url(interview, S.NOT_ADMITTED), {"not_admitted_reason": NotAdmittedReason.PROJECT})
    hand_back = HandBack.objects.get()
    login(client, world, "adviser_ml")

    home = page(client.get(reverse("home")))
    assert "Jeunes qui vous reviennent" in home
    assert "Non admis(e) à l&#x27;E2C" in home
    handle_url = reverse("e2c_referrals:hand_back_handle", kwargs={"public_id": hand_back.public_id})
    assert handle_url in home

    empty = client.post(handle_url, {"follow_up_note": "  "})
    assert empty.context["form"].errors["follow_up_note"] == ["Ce champ est obligatoire."]

    client.post(handle_url, {"follow_up_note": "Rendez-vous le 12 pour un nouveau projet."})
    hand_back.refresh_from_db()
    assert hand_back.handled_by == world.user("adviser_ml") and hand_back.handled_at is not None
    assert YoungPersonEvent.objects.filter(young_person=world.young_person, action__contains="traité").exists()
    assert handle_url not in page(client.get(reverse("home")))

    again = client.post(handle_url, {"follow_up_note": "Encore"})
    assert "Ce retour est traité depuis le" in page(again)
    hand_back.refresh_from_db()
    assert hand_back.follow_up_note == "Rendez-vous le 12 pour un nouveau projet."


def test_the_nearest_ml_registers_a_france_travail_trainee_without_seeing_the_referral(client, world):
    ft_file = YoungPersonFactory(organisation=world.ft)
    exited = referral(world, young_person=ft_file, status=S.EXITED, exited_on=TODAY, exit_outcome=ExitOutcome.CDI)
    hand_back = HandBack.objects.create(referral=exited, organisation=world.ml_a, reason=HandBackReason.REGISTRATION)
    url = reverse("e2c_referrals:hand_back_handle", kwargs={"public_id": hand_back.public_id})

    content = page(client.get(url))

    assert str(ft_file.first_name) in content
    assert detail_url(exited) not in content
    assert client.get(detail_url(exited)).status_code == 404
    client.post(url, {"follow_up_note": "Inscrit à la Mission Locale."})
    hand_back.refresh_from_db()
    assert hand_back.handled_at is not None


def test_two_advisers_handling_the_same_hand_back_the_second_is_refused(world):
    not_admitted = referral(world, status=S.NOT_ADMITTED)
    hand_back = HandBack.objects.create(
        referral=not_admitted, organisation=world.ml_a, reason=HandBackReason.NOT_ADMITTED
    )
    stale = HandBack.objects.get(pk=hand_back.pk)
    hand_back_handle(actor=actor(world, "adviser_ml"), hand_back=hand_back, note="Rendez-vous pris.")

    with pytest.raises(ValidationError, match="déjà traité"):
        hand_back_handle(actor=actor(world, "manager_ml"), hand_back=stale, note="Moi aussi.")
    with pytest.raises(PermissionDenied):
        hand_back_handle(actor=actor(world, "e2c_staff"), hand_back=stale, note="Vu.")
    stale.refresh_from_db()
    assert (stale.handled_by, stale.follow_up_note) == (world.user("adviser_ml"), "Rendez-vous pris.")


def test_the_e2c_and_other_organisations_cannot_handle_a_hand_back(client, world):
    not_admitted = referral(world, status=S.NOT_ADMITTED)
    hand_back = HandBack.objects.create(
        referral=not_admitted, organisation=world.ml_a, reason=HandBackReason.NOT_ADMITTED
    )
    url = reverse("e2c_referrals:hand_back_handle", kwargs={"public_id": hand_back.public_id})
    for role in ("e2c_staff", "adviser_ft"):
        login(client, world, role)
        assert client.post(url, {"follow_up_note": "Vu."}).status_code == 404
    hand_back.refresh_from_db()
    assert hand_back.handled_at is None


# --- News after the exit --------------------------------------------------------------------------


def news_url(found):
    return reverse("e2c_referrals:post_exit_news_add", kwargs={"public_id": found.public_id})


@pytest.fixture
def exited(world):
    return referral(
        world,
        status=S.EXITED,
        enrolled_on=TODAY - 500 * DAY,
        exited_on=TODAY - 400 * DAY,
        exit_outcome=ExitOutcome.QUALIFYING_TRAINING,
    )


@pytest.mark.parametrize(
    ("days_after_exit", "message"),
    [
        (-1, "précède la sortie"),
        (370, "Le suivi après la sortie dure 12 mois"),
        (401, "dans le futur"),
    ],
)
def test_news_are_dated_within_12_months_after_the_exit(client, world, exited, days_after_exit, message):
    news_on = exited.exited_on + days_after_exit * DAY

    response = client.post(news_url(exited), {"news_on": news_on.isoformat(), "situation": ExitOutcome.CDI})

    assert message in response.context["form"].errors["news_on"][0]
    assert not PostExitNews.objects.exists()


def test_the_e2c_notes_news_within_the_year_and_both_sides_read_them(client, world, exited):
    login(client, world, "e2c_staff")

    client.post(
        news_url(exited),
        {"news_on": (exited.exited_on + 180 * DAY).isoformat(), "situation": ExitOutcome.CDI, "note": "Embauché."},
    )

    news = PostExitNews.objects.get()
    assert (news.situation, news.recorded_by) == (ExitOutcome.CDI, world.user("e2c_staff"))
    login(client, world, "adviser_ml")
    assert "Emploi : CDI : Embauché." in page(client.get(detail_url(exited)))


def test_no_news_before_the_exit(client, world):
    enrolled = referral(world, status=S.ENROLLED)

    response = client.post(news_url(enrolled), {"news_on": TODAY.isoformat(), "situation": ExitOutcome.CDI})

    assert response.status_code == 302
    assert not PostExitNews.objects.exists()


# --- Home -----------------------------------------------------------------------------------------


def test_the_e2c_home_summarises_the_inbox_by_state_with_the_late_ones(client, world):
    referral(world, sent_at=timezone.now() - 30 * DAY)
    referral(world, young_person=YoungPersonFactory(organisation=world.ml_a))
    referral(world, status=S.INVITED, young_person=YoungPersonFactory(organisation=world.ml_a))
    login(client, world, "e2c_staff")

    response = client.get(reverse("home"))

    summary = response.context["inbox_summary"]
    assert summary.by_status == [("Envoyée", 2), ("Invité(e) en information collective", 1)]
    assert summary.overdue == 1
    assert "1 orientation en retard" in page(response)
    assert "hand_backs" not in response.context
