"""Review fixes: attachments follow the consent, the E2C never sees another structure's referrals,
reads of the young person are logged, no server error on far dates or long names, and nobody
who left is told (or handed) anything."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from cej.enums import ConsentMethod, SharedData
from cej.models import Consent, YoungPerson, YoungPersonEvent
from e2c_referrals.enums import HandBackReason, ReferralStatus
from e2c_referrals.models import Attachment, HandBack, Referral
from e2c_referrals.recipients import e2c_recipients
from e2c_referrals.selectors.inbox import open_hand_backs
from e2c_referrals.selectors.referrals import other_network_referrals
from e2c_referrals.services.referrals import ReferralData, referral_create
from e2c_referrals.workflow import TransitionData, referral_transition
from outbox.models import Message
from partners.access import Actor
from partners.enums import Role
from tests.cej.factories import YoungPersonFactory
from tests.e2c_referrals.sessions_support import invite
from tests.partners.factories import MembershipFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db
S = ReferralStatus
TODAY = timezone.localdate()


@pytest.fixture
def world():
    world = build_world()
    world.young_person = YoungPersonFactory(
        organisation=world.ml_a, referent=world.user("adviser_ml"), last_name="Ndiaye", first_name="Éloïse"
    )
    return world


def actor(world, role):
    membership = world.memberships[role]
    return Actor(user=membership.user, membership=membership)


def consent(world, shared, young_person=None):
    return Consent.objects.create(
        young_person=young_person or world.young_person,
        e2c_site=world.site,
        shared_data=list(shared),
        given_on=TODAY,
        method=ConsentMethod.ORAL,
        attestation="Notice expliquée, accord donné.",
        recorded_by=world.user("adviser_ml"),
    )


def referral(world, status=S.SENT, young_person=None, site=None, adviser=None):
    person = young_person or world.young_person
    return Referral.objects.create(
        young_person=person,
        referring_organisation=person.organisation,
        referring_adviser=adviser or world.user("adviser_ml"),
        e2c_site=site or world.site,
        diagnostic="Sans diplôme.",
        motivation="Veut un métier.",
        status=status,
        sent_at=None if status == S.DRAFT else timezone.now(),
        consent=None if status == S.DRAFT else Consent.objects.filter(young_person=person).first(),
    )


def with_attachment(world, found):
    return Attachment.objects.create(
        referral=found,
        file=ContentFile(b"%PDF-1.4 cv", name="piece.pdf"),
        label="CV confidentiel",
        content_type="application/pdf",
        size=11,
        uploaded_by=world.user("adviser_ml"),
    )


def detail_url(found):
    return reverse("e2c_referrals:referral_detail", kwargs={"public_id": found.public_id})


def download_url(found, attachment):
    kwargs = {"public_id": found.public_id, "attachment_id": attachment.public_id}
    return reverse("e2c_referrals:attachment_download", kwargs=kwargs)


# --- 1. Attachments go with the diagnostic's consent ------------------------------------------------


def test_the_e2c_neither_lists_nor_downloads_documents_the_young_person_did_not_share(client, world):
    consent(world, [SharedData.IDENTITY, SharedData.CONTACT])
    sent = referral(world)
    attachment = with_attachment(world, sent)
    client.force_login(world.user("e2c_staff"))

    page = client.get(detail_url(sent)).content.decode()
    download = client.get(download_url(sent, attachment))

    assert "CV confidentiel" not in page
    assert "les pièces jointes ne sont pas visibles" in page
    assert download.status_code == 404
    assert not AccessLog.objects.filter(purpose="download").exists()


def test_the_e2c_downloads_documents_while_the_diagnostic_is_shared_and_no_longer_once_withdrawn(client, world):
    given = consent(world, [SharedData.IDENTITY, SharedData.DIAGNOSTIC])
    sent = referral(world)
    attachment = with_attachment(world, sent)
    client.force_login(world.user("e2c_staff"))
    assert "CV confidentiel" in client.get(detail_url(sent)).content.decode()
    assert client.get(download_url(sent, attachment)).status_code == 200

    given.revoked_at = timezone.now()
    given.save(update_fields=["revoked_at"])

    assert client.get(download_url(sent, attachment)).status_code == 404


def test_the_referrer_still_lists_and_downloads_documents_without_any_consent(client, world):
    sent = referral(world)
    attachment = with_attachment(world, sent)
    client.force_login(world.user("adviser_ml"))

    assert "CV confidentiel" in client.get(detail_url(sent)).content.decode()
    assert client.get(download_url(sent, attachment)).status_code == 200


# --- 2. Another structure's referrals are the referrer's business -----------------------------------


def twin_referred_by_france_travail(world, status=S.SENT):
    twin = YoungPersonFactory(
        organisation=world.ft, last_name="Ndiaye", first_name="Eloïse", birth_date=world.young_person.birth_date
    )
    return referral(world, status=status, young_person=twin, site=world.other_site, adviser=world.user("adviser_ft"))


def test_the_e2c_staff_do_not_see_the_other_structures_referral_but_the_referrer_does(client, world):
    twin_referred_by_france_travail(world)
    sent = referral(world)

    client.force_login(world.user("e2c_staff"))
    seen_by_e2c = client.get(detail_url(sent)).content.decode()
    client.force_login(world.user("adviser_ml"))
    seen_by_referrer = client.get(detail_url(sent)).content.decode()

    assert "France Travail Lyon Part-Dieu" not in seen_by_e2c
    assert "déjà orienté par une autre structure" not in seen_by_e2c
    assert "déjà orienté par une autre structure" in seen_by_referrer


def test_another_structures_draft_is_not_shown_but_still_guards_a_new_referral(world):
    twin_referred_by_france_travail(world, status=S.DRAFT)

    assert other_network_referrals(young_person=world.young_person) == []
    assert len(other_network_referrals(young_person=world.young_person, include_drafts=True)) == 1


# --- 3. Reads of the young person are logged on the young person ------------------------------------


def test_reading_a_referral_logs_a_read_of_the_young_person(client, world):
    consent(world, [SharedData.IDENTITY])
    sent = referral(world)
    client.force_login(world.user("e2c_staff"))

    client.get(detail_url(sent))

    assert AccessLog.objects.filter(
        object_type="YoungPerson", object_id=world.young_person.public_id, user=world.user("e2c_staff")
    ).exists()


def test_opening_a_hand_back_logs_a_read_of_the_young_person(client, world):
    found = referral(world, status=S.NOT_ADMITTED)
    hand_back = HandBack.objects.create(
        referral=found, organisation=world.ml_a, reason=HandBackReason.NOT_ADMITTED, assignee=world.user("adviser_ml")
    )
    client.force_login(world.user("adviser_ml"))

    response = client.get(reverse("e2c_referrals:hand_back_handle", kwargs={"public_id": hand_back.public_id}))

    assert response.status_code == 200
    assert AccessLog.objects.filter(
        object_type="YoungPerson", object_id=world.young_person.public_id, purpose="view_file"
    ).exists()


# --- 4. No OverflowError on a start near year 9999 --------------------------------------------------


def at_interview(world):
    return referral(world, status=S.INTERVIEW)


@pytest.mark.parametrize(
    "start,end",
    [(datetime.date(9999, 12, 20), datetime.date(9999, 12, 31)), (datetime.date(9999, 12, 31), datetime.date(1, 1, 1))],
)
def test_an_integration_starting_in_year_9999_is_refused_with_a_message(world, start, end):
    found = at_interview(world)

    with pytest.raises(ValidationError) as refused:
        referral_transition(
            actor=actor(world, "e2c_staff"),
            referral=found,
            to=S.INTEGRATION,
            data=TransitionData(integration_starts_on=start, integration_planned_end_on=end),
        )

    assert "plus d'un an" in str(refused.value)


def test_the_integration_form_answers_a_far_date_with_a_message_not_a_server_error(client, world):
    found = at_interview(world)
    client.force_login(world.user("e2c_staff"))

    response = client.post(
        reverse("e2c_referrals:referral_move", kwargs={"public_id": found.public_id, "to": S.INTEGRATION}),
        {"integration_starts_on": "9999-12-31", "integration_planned_end_on": "9999-12-31"},
    )

    assert response.status_code == 200
    assert "plus d&#x27;un an" in response.content.decode() or "plus d'un an" in response.content.decode()


# --- 5. Long site names, and who moved the referral -------------------------------------------------


def test_a_move_to_a_site_with_a_very_long_name_is_recorded_shortened_with_its_actor(world):
    world.site.name = "E2C " + "très long nom de site " * 8
    world.site.save(update_fields=["name"])
    consent(world, [SharedData.IDENTITY])
    found = referral(world, status=S.SENT)

    referral_transition(actor=actor(world, "e2c_staff"), referral=found, to=S.ACKNOWLEDGED)

    event = YoungPersonEvent.objects.filter(young_person=world.young_person).latest("id")
    assert len(event.action) == 200 and event.action.endswith("…")
    assert (event.actor, event.actor_organisation) == (world.user("e2c_staff"), world.site)


# --- 6. Nobody who left is told or handed anything --------------------------------------------------


def test_a_named_e2c_contact_who_left_the_site_is_replaced_by_the_sites_active_staff(world):
    colleague = MembershipFactory(organisation=world.site, role=Role.E2C_STAFF).user
    world.memberships["e2c_staff"].is_active = False
    world.memberships["e2c_staff"].save(update_fields=["is_active"])
    found = referral(world)

    assert e2c_recipients(found) == [colleague]


def test_a_named_e2c_contact_whose_account_is_closed_is_not_told(world):
    contact = world.user("e2c_staff")
    contact.is_active = False
    contact.save(update_fields=["is_active"])

    assert contact not in e2c_recipients(referral(world))


def test_a_move_by_the_e2c_reaches_the_referring_team_when_the_adviser_has_left(world):
    consent(world, [SharedData.IDENTITY])
    found = referral(world, status=S.SENT)
    adviser = world.user("adviser_ml")
    adviser.is_active = False
    adviser.save(update_fields=["is_active"])

    referral_transition(actor=actor(world, "e2c_staff"), referral=found, to=S.ACKNOWLEDGED)

    told = set(Message.objects.filter(kind="referral.acknowledged").values_list("recipient", flat=True))
    assert told == {world.user("manager_ml").pk}


def test_a_hand_back_assigned_to_an_adviser_who_left_shows_unassigned_to_a_colleague(world):
    found = referral(world, status=S.NOT_ADMITTED)
    HandBack.objects.create(
        referral=found, organisation=world.ml_a, reason=HandBackReason.NOT_ADMITTED, assignee=world.user("adviser_ml")
    )
    world.memberships["adviser_ml"].is_active = False
    world.memberships["adviser_ml"].save(update_fields=["is_active"])
    colleague = MembershipFactory(organisation=world.ml_a, role=Role.ADVISER)

    tasks = open_hand_backs(actor=Actor(user=colleague.user, membership=colleague))

    assert [task.public_id for task in tasks] == [found.hand_backs.get().public_id]


def test_the_home_names_a_hand_back_by_its_young_person_reason_and_site_and_links_to_its_task(world):
    found = referral(world, status=S.NOT_ADMITTED)
    hand_back = HandBack.objects.create(
        referral=found, organisation=world.ml_a, reason=HandBackReason.NOT_ADMITTED, assignee=world.user("adviser_ml")
    )
    manager = world.memberships["manager_ml"]

    (row,) = open_hand_backs(actor=Actor(user=manager.user, membership=manager))

    assert (row.public_id, row.young_person_public_id) == (hand_back.public_id, found.young_person.public_id)
    assert row.young_person_name == str(found.young_person)
    assert row.reason_label == hand_back.get_reason_display()
    assert row.e2c_site == str(found.e2c_site)
    assert row.created_at == hand_back.created_at
    assert row.url == reverse("e2c_referrals:hand_back_handle", kwargs={"public_id": hand_back.public_id})


def test_a_registration_with_the_nearest_ml_is_announced_to_its_advisers_and_managers(world):
    young_person = YoungPersonFactory(organisation=world.ft, departement_id="69", referent=world.user("adviser_ft"))
    consent(world, [SharedData.IDENTITY], young_person=young_person)
    found = referral_create(
        actor=actor(world, "adviser_ft"),
        young_person=young_person,
        data=ReferralData(e2c_site=world.site, diagnostic="Diagnostic FT.", motivation="Motivé."),
    )
    moves = [
        (S.SENT, "adviser_ft", None),
        (S.ACKNOWLEDGED, "e2c_staff", None),
        (S.INVITED, "e2c_staff", None),
        (S.ATTENDED, "e2c_staff", None),
        (S.INTERVIEW, "e2c_staff", None),
        (
            S.INTEGRATION,
            "e2c_staff",
            TransitionData(integration_starts_on=TODAY, integration_planned_end_on=TODAY + datetime.timedelta(weeks=4)),
        ),
        (S.ENROLLED, "e2c_staff", TransitionData(enrolled_on=TODAY)),
        (S.EXITED, "e2c_staff", TransitionData(exited_on=TODAY, exit_outcome="cdi")),
    ]
    for to, role, data in moves:
        if to == S.INVITED:
            invite(world, found)
            continue
        referral_transition(actor=actor(world, role), referral=found, to=to, data=data)

    told = set(Message.objects.filter(kind="referral.registration").values_list("recipient", flat=True))
    assert told == {world.user("adviser_ml").pk, world.user("manager_ml").pk}


# --- 7. The file's section needs nothing per row but the site ---------------------------------------


@pytest.mark.parametrize("count", [1, 2])
def test_the_files_referral_section_makes_no_query_per_row_once_prefetched(world, count):
    for site in [world.site, world.other_site][:count]:
        referral(world, site=site)
    young_person = YoungPerson.objects.prefetch_related(
        Prefetch("referrals", Referral.objects.select_related("e2c_site"))
    ).get(pk=world.young_person.pk)

    with CaptureQueriesContext(connection) as queries:
        html = render_to_string("e2c_referrals/_file_section.html", {"young_person": young_person})

    assert html.count("Ouvrir") == count
    assert len(queries) == 0
