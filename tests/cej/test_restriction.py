"""« Traitement limité » (RGPD article 18): who restricts and lifts, what a restricted file refuses,
what stays possible, the reminders and the retention job that pass it over, the pages."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cej.enums import ConsentMethod, FollowUpStatus, SharedData
from cej.models import CejContract, Consent, FollowUp, Restriction, YoungPersonEvent
from cej.reminders import follow_ups_due
from cej.services.cej_contracts import CejData, cej_create, cej_suspend
from cej.services.consents import consent_record, consent_revoke
from cej.services.follow_ups import follow_up_cancel, follow_up_record, follow_up_schedule
from cej.services.restrictions import restriction_lift, restriction_start
from cej.services.young_people import YoungPersonData, young_person_update
from e2c_referrals.enums import Attendance, HandBackReason, ReferralStatus, RegistrationStatus
from e2c_referrals.models import HandBack, InformationSession, Referral, SessionRegistration
from e2c_referrals.reminders import hand_backs_not_handled
from e2c_referrals.services.hand_backs import hand_back_handle
from e2c_referrals.services.referrals import ReferralData, attachment_add, referral_create
from e2c_referrals.services.sessions import (
    attendance_record,
    registration_create,
    registration_withdraw,
    session_cancel,
)
from e2c_referrals.workflow import TransitionData, referral_transition
from history.models import RestrictionChange
from outbox.models import Message
from partners.access import Actor
from retention.models import AnonymisedFile, RetentionNotice
from retention.services import young_person_anonymise
from tests import crafted_files
from tests.cej.factories import YoungPersonFactory
from tests.e2c_referrals.sessions_support import make_session
from tests.locks import wait_for_lock_waits
from tests.world import build_world

pytestmark = pytest.mark.django_db
S = ReferralStatus
TODAY = timezone.localdate()
GROUND = Restriction.Ground.ACCURACY_CONTESTED


def actor(world, role):
    membership = world.memberships[role]
    return Actor(user=membership.user, membership=membership)


@pytest.fixture
def world():
    world = build_world()
    world.young_person = YoungPersonFactory(organisation=world.ml_a, referent=world.user("adviser_ml"))
    return world


def restrict(world, role="adviser_ml", person=None):
    return restriction_start(
        actor=actor(world, role), young_person=person or world.young_person, ground=GROUND, note="Demande du 28/11."
    )


def lift(world, role="manager_ml", informed_on=TODAY):
    return restriction_lift(
        actor=actor(world, role),
        young_person=world.young_person,
        reason="Exactitude vérifiée avec le jeune.",
        person_informed_on=informed_on,
    )


def consent(world):
    return Consent.objects.create(
        young_person=world.young_person,
        e2c_site=world.site,
        shared_data=[SharedData.IDENTITY],
        given_on=TODAY,
        method=ConsentMethod.ORAL,
        attestation="Notice expliquée, accord donné.",
        recorded_by=world.user("adviser_ml"),
    )


def draft(world):
    return referral_create(
        actor=actor(world, "adviser_ml"),
        young_person=world.young_person,
        data=ReferralData(e2c_site=world.site, diagnostic="Sans diplôme, motivé.", motivation="Veut un métier."),
    )


def acknowledged(world):
    consent(world)
    referral = draft(world)
    referral_transition(actor=actor(world, "adviser_ml"), referral=referral, to=S.SENT)
    referral_transition(actor=actor(world, "e2c_staff"), referral=referral, to=S.ACKNOWLEDGED)
    referral.refresh_from_db()
    return referral


def cej_data():
    return CejData(
        signed_on=TODAY,
        starts_on=TODAY,
        planned_end_on=TODAY + datetime.timedelta(days=200),
        weekly_hours=15,
        allowance_category="adult_non_taxable",
    )


# --- Starting and lifting --------------------------------------------------------------------------


def test_a_restriction_is_started_lifted_and_its_history_kept(world):
    # Given a restricted file
    first = restrict(world)
    assert first.is_open and first.started_by == world.user("adviser_ml")

    # When the manager lifts it, the person informed today, then restricts it again
    lifted = lift(world)
    again = restrict(world, role="manager_ml")

    # Then both periods are kept, the first closed with who, why and when the person was told
    lifted.refresh_from_db()
    assert (lifted.lifted_by, lifted.person_informed_on) == (world.user("manager_ml"), TODAY)
    assert list(world.young_person.restrictions.all()) == [again, lifted]
    actions = list(YoungPersonEvent.objects.filter(young_person=world.young_person).values_list("action", flat=True))
    assert "Limitation du traitement levée" in actions
    assert sum(action.startswith("Traitement limité (RGPD, article 18)") for action in actions) == 2
    # and the change history (history app) holds the first period's opening and its lift
    labels = list(RestrictionChange.objects.filter(pgh_obj_id=lifted.pk).values_list("pgh_label", flat=True))
    assert sorted(labels) == ["insert", "update"]


@pytest.mark.parametrize("role", ["adviser_ml", "manager_ml", "administrator"])
def test_the_files_advisers_and_managers_and_the_administrator_may_restrict(world, role):
    restriction = restrict(world, role=role)
    assert restriction.started_by == world.user(role)
    lift(world, role="manager_ml" if role == "adviser_ml" else role)
    assert not world.young_person.restrictions.filter(lifted_at__isnull=True).exists()


def test_an_adviser_may_restrict_but_only_a_manager_or_the_administrator_lifts(client, world):
    # the adviser's own entries may be what the person contests: the lift is the structure's decision
    restrict(world)
    with pytest.raises(PermissionDenied, match="Seuls les responsables"):
        lift(world, role="adviser_ml")
    client.force_login(world.user("adviser_ml"))
    page = client.get(reverse("cej:young_person_detail", kwargs={"public_id": world.young_person.public_id}))
    assert (
        reverse("cej:restriction_lift", kwargs={"public_id": world.young_person.public_id}) not in page.content.decode()
    )
    assert world.young_person.restrictions.get().is_open


@pytest.mark.parametrize(
    "role", ["adviser_ft", "e2c_staff", "manager_e2c", "regional_coordinator", "national_committee"]
)
def test_other_roles_may_not_restrict_nor_lift(world, role):
    with pytest.raises(PermissionDenied):
        restrict(world, role=role)
    restrict(world)
    with pytest.raises(PermissionDenied):
        lift(world, role=role)
    assert world.young_person.restrictions.get().is_open


def test_a_file_cannot_be_restricted_twice_nor_an_unrestricted_file_lifted(world):
    with pytest.raises(ValidationError, match="n'est pas en traitement limité"):
        lift(world)
    restrict(world)
    with pytest.raises(ValidationError, match="déjà en traitement limité"):
        restrict(world, role="manager_ml")
    assert Restriction.objects.count() == 1


@pytest.mark.parametrize(
    ("informed_on", "message"),
    [
        (None, "Indiquez la date à laquelle la personne a été informée"),
        (TODAY + datetime.timedelta(days=1), "dans le futur"),
        (TODAY - datetime.timedelta(days=3), "précède le début de la limitation"),
    ],
)
def test_the_lift_needs_the_date_the_person_was_informed_not_in_the_future(world, informed_on, message):
    restrict(world)
    with pytest.raises(ValidationError) as refused:
        lift(world, informed_on=informed_on)
    assert message in " ".join(refused.value.message_dict["person_informed_on"])
    assert world.young_person.restrictions.get().is_open


def test_the_ground_is_required_and_a_note_with_a_nir_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        restriction_start(
            actor=actor(world, "adviser_ml"),
            young_person=world.young_person,
            ground="mood",
            note="NIR 1 85 05 78 006 084 36",
        )
    assert set(refused.value.message_dict) == {"ground", "note"}
    assert not Restriction.objects.exists()


# --- While restricted: every write refused, through its service ---------------------------------------


def _update(world):
    person = world.young_person
    return lambda: young_person_update(
        actor=actor(world, "adviser_ml"),
        young_person=person,
        data=YoungPersonData(last_name="Autre", first_name=person.first_name, birth_date=person.birth_date),
    )


def _consent(world):
    return lambda: consent_record(
        actor=actor(world, "adviser_ml"),
        young_person=world.young_person,
        e2c_site=world.site,
        shared_data=[SharedData.IDENTITY],
        given_on=TODAY,
        method=ConsentMethod.ORAL,
        attestation="Accord donné.",
    )


def _follow_up_schedule(world):
    return lambda: follow_up_schedule(
        actor=actor(world, "adviser_ml"), young_person=world.young_person, scheduled_on=TODAY
    )


def _follow_up_record(world):
    follow_up = follow_up_schedule(
        actor=actor(world, "adviser_ml"), young_person=world.young_person, scheduled_on=TODAY
    )
    return lambda: follow_up_record(
        actor=actor(world, "adviser_ml"), follow_up=follow_up, held_on=TODAY, notes="Point tenu.", participants=[]
    )


def _cej_create(world):
    return lambda: cej_create(actor=actor(world, "adviser_ml"), young_person=world.young_person, data=cej_data())


def _cej_suspend(world):
    contract = cej_create(actor=actor(world, "adviser_ml"), young_person=world.young_person, data=cej_data())
    return lambda: cej_suspend(
        actor=actor(world, "adviser_ml"), contract=contract, occurred_on=TODAY, reason="Déménagement"
    )


def _referral_create(world):
    return lambda: draft(world)


def _referral_send(world):
    consent(world)
    referral = draft(world)
    return lambda: referral_transition(actor=actor(world, "adviser_ml"), referral=referral, to=S.SENT)


def _referral_acknowledge(world):
    consent(world)
    referral = draft(world)
    referral_transition(actor=actor(world, "adviser_ml"), referral=referral, to=S.SENT)
    return lambda: referral_transition(actor=actor(world, "e2c_staff"), referral=referral, to=S.ACKNOWLEDGED)


def _attachment(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    referral = draft(world)
    upload = SimpleUploadedFile("cv.pdf", crafted_files.pdf(), content_type="application/pdf")
    return lambda: attachment_add(actor=actor(world, "adviser_ml"), referral=referral, uploaded=upload, label="CV")


def _registration(world):
    referral = acknowledged(world)
    session = make_session(world.site, created_by=world.user("e2c_staff"))
    return lambda: registration_create(actor=actor(world, "e2c_staff"), session=session, referral=referral)


def _hand_back(world):
    referral = draft(world)
    hand_back = HandBack.objects.create(
        referral=referral, organisation=world.ml_a, reason=HandBackReason.WITHDRAWN, assignee=world.user("adviser_ml")
    )
    return lambda: hand_back_handle(actor=actor(world, "adviser_ml"), hand_back=hand_back, note="Rendez-vous proposé.")


def _post_exit_news(world):
    from e2c_referrals.enums import ExitOutcome
    from e2c_referrals.services.post_exit import post_exit_news_add

    referral = acknowledged(world)
    Referral.objects.filter(pk=referral.pk).update(status=S.EXITED, exited_on=TODAY, exit_outcome=ExitOutcome.CDI)
    referral.refresh_from_db()
    return lambda: post_exit_news_add(
        actor=actor(world, "adviser_ml"), referral=referral, news_on=TODAY, situation=ExitOutcome.CDI
    )


GUARDED = {
    "young_person_update": _update,
    "consent_record": _consent,
    "follow_up_schedule": _follow_up_schedule,
    "follow_up_record": _follow_up_record,
    "cej_create": _cej_create,
    "cej_suspend": _cej_suspend,
    "referral_create": _referral_create,
    "referral_send": _referral_send,
    "referral_acknowledge": _referral_acknowledge,
    "attachment_add": _attachment,
    "registration_create": _registration,
    "hand_back_handle": _hand_back,
    "post_exit_news_add": _post_exit_news,
}


@pytest.mark.parametrize("prepare", GUARDED.values(), ids=GUARDED.keys())
def test_every_write_to_a_restricted_file_is_refused_with_one_french_message(world, prepare):
    # Given a write ready to be made, then the file restricted
    write = prepare(world)
    restrict(world)
    events = YoungPersonEvent.objects.count()

    # When it is attempted, Then it is refused, with the date, and writes nothing
    with pytest.raises(ValidationError) as refused:
        write()
    assert refused.value.code == "restricted"
    assert refused.value.messages == [
        f"Ce dossier est en traitement limité (RGPD, article 18) depuis le {TODAY:%d/%m/%Y} : "
        "il ne peut pas être modifié."
    ]
    assert YoungPersonEvent.objects.count() == events

    # and once lifted, the same write goes through
    lift(world)
    write()


def test_stopping_processing_stays_possible_while_restricted(world):
    # Given a file with an acknowledged referral registered to a session, a draft, a consent and a planned review
    registered = acknowledged(world)
    session = make_session(world.site, created_by=world.user("e2c_staff"))
    seat = registration_create(actor=actor(world, "e2c_staff"), session=session, referral=registered)
    given = Consent.objects.get()
    follow_up = follow_up_schedule(
        actor=actor(world, "adviser_ml"), young_person=world.young_person, scheduled_on=TODAY
    )
    restrict(world)

    # When the seat is given up, the referral withdrawn, the consent withdrawn and the review cancelled
    registration_withdraw(actor=actor(world, "adviser_ml"), registration=seat, reason="Traitement limité")
    referral_transition(
        actor=actor(world, "adviser_ml"),
        referral=registered,
        to=S.WITHDRAWN,
        data=TransitionData(reason="Le jeune s'oppose au traitement."),
    )
    consent_revoke(actor=actor(world, "adviser_ml"), consent=given, reason="Opposition")
    follow_up_cancel(actor=actor(world, "adviser_ml"), follow_up=follow_up)

    # Then each went through
    registered.refresh_from_db()
    assert registered.status == S.WITHDRAWN
    assert SessionRegistration.objects.get(pk=seat.pk).status == "withdrawn"
    assert Consent.objects.get().revoked_at is not None
    assert FollowUp.objects.get().status == FollowUpStatus.CANCELLED


def test_a_draft_referral_can_still_be_abandoned(world):
    referral = draft(world)
    restrict(world)
    referral_transition(
        actor=actor(world, "adviser_ml"), referral=referral, to=S.CANCELLED, data=TransitionData(reason="Opposition")
    )
    assert Referral.objects.get().status == S.CANCELLED


def _acknowledged_referral_of(world, person):
    Consent.objects.create(
        young_person=person,
        e2c_site=world.site,
        shared_data=[SharedData.IDENTITY],
        given_on=TODAY,
        method=ConsentMethod.ORAL,
        attestation="Accord donné.",
        recorded_by=world.user("adviser_ml"),
    )
    referral = referral_create(
        actor=actor(world, "adviser_ml"),
        young_person=person,
        data=ReferralData(e2c_site=world.site, diagnostic="Sans diplôme.", motivation="Motivé."),
    )
    referral_transition(actor=actor(world, "adviser_ml"), referral=referral, to=S.SENT)
    referral_transition(actor=actor(world, "e2c_staff"), referral=referral, to=S.ACKNOWLEDGED)
    return referral


def test_a_restricted_seat_does_not_block_the_sessions_attendance_nor_its_cancellation(world):
    # Given a session with two seats, one young person's file restricted
    other = YoungPersonFactory(organisation=world.ml_a, referent=world.user("adviser_ml"))
    held = make_session(world.site, created_by=world.user("e2c_staff"))
    for person in (world.young_person, other):
        registration_create(
            actor=actor(world, "e2c_staff"), session=held, referral=_acknowledged_referral_of(world, person)
        )
    restrict(world)
    InformationSession.objects.filter(pk=held.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=2), ends_at=timezone.now() - datetime.timedelta(hours=1)
    )

    # When the site records attendance for everyone
    marks = {str(seat.public_id): Attendance.PRESENT for seat in held.registrations.all()}
    attendance_record(actor=actor(world, "e2c_staff"), session=held, marks=marks)

    # Then the other young person is present, the restricted one's seat is left as it was
    assert Referral.objects.get(young_person=other).status == S.ATTENDED
    assert Referral.objects.get(young_person=world.young_person).status == S.INVITED
    assert held.registrations.get(referral__young_person=world.young_person).attendance == ""


def test_the_waiting_list_passes_over_a_restricted_file_and_a_cancelled_session_frees_its_seat(world):
    # Given a one-seat session: another young person seated, the restricted one first on the waiting list
    other = YoungPersonFactory(organisation=world.ml_a, referent=world.user("adviser_ml"))
    third = YoungPersonFactory(organisation=world.ml_a, referent=world.user("adviser_ml"))
    session = make_session(world.site, capacity=1, created_by=world.user("e2c_staff"))
    seated, waiting, next_in_line = (
        _acknowledged_referral_of(world, person) for person in (other, world.young_person, third)
    )
    seat = registration_create(actor=actor(world, "e2c_staff"), session=session, referral=seated)
    for referral in (waiting, next_in_line):
        registration_create(actor=actor(world, "e2c_staff"), session=session, referral=referral)
    restrict(world)

    # When the seated young person leaves
    registration_withdraw(actor=actor(world, "e2c_staff"), registration=seat)

    # Then the seat goes to the next file that is not restricted; the restricted one keeps its place
    assert Referral.objects.get(pk=next_in_line.pk).status == S.INVITED
    assert session.registrations.get(referral=waiting).status == RegistrationStatus.WAITING

    # When the session is cancelled, Then it goes through, waiting entries lapse
    session_cancel(actor=actor(world, "e2c_staff"), session=session, reason="Salle indisponible")
    assert Referral.objects.get(pk=next_in_line.pk).status == S.ACKNOWLEDGED
    assert session.registrations.get(referral=waiting).status == RegistrationStatus.WITHDRAWN


# --- Reminders and retention pass a restricted file over ----------------------------------------------


def test_reminders_skip_restricted_files(world):
    # Given two reviews due tomorrow and two hand-backs left unhandled for weeks, one of each restricted
    other = YoungPersonFactory(organisation=world.ml_a, referent=world.user("adviser_ml"))
    tomorrow = TODAY + datetime.timedelta(days=1)
    old = timezone.now() - datetime.timedelta(days=30)
    for person in (world.young_person, other):
        FollowUp.objects.create(young_person=person, scheduled_on=tomorrow)
        referral = Referral.objects.create(
            young_person=person,
            referring_organisation=world.ml_a,
            referring_adviser=world.user("adviser_ml"),
            e2c_site=world.site,
            diagnostic="d",
            motivation="m",
            status=S.WITHDRAWN,
        )
        HandBack.objects.create(referral=referral, organisation=world.ml_a, reason=HandBackReason.WITHDRAWN)
    HandBack.objects.update(created_at=old)
    restrict(world)

    # When the reminders run
    follow_ups_due(TODAY)
    hand_backs_not_handled(TODAY)

    # Then only the other file's are sent
    reminded = Message.objects.filter(kind="reminder.follow_up_tomorrow")
    assert [message.context["young_person"] for message in reminded] == [str(other.public_id)]
    late = Message.objects.filter(kind="reminder.hand_back_late")
    assert {message.context["hand_back"] for message in late} == {
        str(HandBack.objects.get(referral__young_person=other).public_id)
    }


def test_retention_keeps_a_restricted_file_that_is_due_and_anonymises_it_after_the_lift(world):
    # Given a file due for anonymisation, notified long ago, then restricted
    person = world.young_person
    person.birth_date = datetime.date(1990, 3, 1)
    person.save(update_fields=["birth_date"])
    RetentionNotice.objects.create(
        young_person=person,
        due_on=datetime.date(2017, 3, 1),
        notified_at=timezone.now() - datetime.timedelta(days=60),
    )
    restrict(world)

    # the administrators' dry run counts it apart
    from retention.selectors import report

    assert (report(TODAY).files_to_anonymise, report(TODAY).files_restricted) == (0, 1)

    # When the retention job reaches it, Then it is kept
    assert young_person_anonymise(young_person_id=person.pk, due_by=TODAY) is False
    person.refresh_from_db()
    assert not AnonymisedFile.objects.exists() and person.first_name == "Zoé"

    # When the restriction is lifted, Then the next run anonymises it, the restriction's notes erased
    lift(world)
    assert (report(TODAY).files_to_anonymise, report(TODAY).files_restricted) == (1, 0)
    assert young_person_anonymise(young_person_id=person.pk, due_by=TODAY) is True
    restriction = Restriction.objects.get()
    assert (restriction.note, restriction.lift_reason) == ("", "")
    assert not RestrictionChange.objects.filter(pgh_obj_id=restriction.pk).exists()


# --- Pages -------------------------------------------------------------------------------------------


def test_the_file_page_shows_the_banner_and_hides_the_action_buttons(client, world):
    client.force_login(world.user("adviser_ml"))
    CejContract.objects.create(
        young_person=world.young_person,
        organisation=world.ml_a,
        signed_on=TODAY,
        starts_on=TODAY,
        planned_end_on=TODAY + datetime.timedelta(days=200),
        weekly_hours=15,
        allowance_category="adult_non_taxable",
    )
    url = reverse("cej:young_person_detail", kwargs={"public_id": world.young_person.public_id})
    before = client.get(url).content.decode()
    assert "Limiter le traitement" in before and "Prévoir un point" in before

    restrict(world)
    page = client.get(url).content.decode()

    assert 'role="status" id="traitement-limite"' in page
    assert f"Traitement limité (RGPD, article 18) depuis le {TODAY:%d/%m/%Y}" in page
    assert "exactitude des données contestée" in page
    assert world.user("adviser_ml").get_full_name() in page
    assert reverse("cej:young_person_update", kwargs={"public_id": world.young_person.public_id}) not in page
    for refused in ("Enregistrer un accord", "Prévoir un point", "Orienter vers une E2C", "Signer un PACEA"):
        assert refused not in page
    assert "Données personnelles" in page and "Lever la limitation" not in page  # the adviser may not lift
    client.force_login(world.user("manager_ml"))
    assert "Lever la limitation" in client.get(url).content.decode()
    contract = CejContract.objects.get()
    cej_url = reverse(
        "cej:cej_detail", kwargs={"public_id": world.young_person.public_id, "contract_id": contract.public_id}
    )
    assert "Suspendre" not in client.get(cej_url).content.decode()
    lift(world)
    assert "Suspendre" in client.get(cej_url).content.decode()


def test_the_edit_page_refuses_a_restricted_file_in_french(client, world):
    client.force_login(world.user("adviser_ml"))
    url = reverse("cej:young_person_update", kwargs={"public_id": world.young_person.public_id})
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["last_name"] = "Autre"
    restrict(world)

    # Opening the form sends back to the file with the message
    opened = client.get(url, follow=True)
    assert "il ne peut pas être modifié" in opened.content.decode()

    # A form posted meanwhile is refused on the form, nothing written
    posted = client.post(url, data)
    assert posted.status_code == 200
    assert "Ce dossier est en traitement limité (RGPD, article 18)" in posted.content.decode()
    world.young_person.refresh_from_db()
    assert world.young_person.last_name != "Autre"


def test_the_pages_restrict_and_lift_with_the_informed_date_required(client, world):
    client.force_login(world.user("manager_ml"))
    ids = {"public_id": world.young_person.public_id}

    start_page = client.get(reverse("cej:restriction_start", kwargs=ids)).content.decode()
    assert "ne peut <strong>plus être modifié</strong>" in start_page
    started = client.post(reverse("cej:restriction_start", kwargs=ids), {"ground": "legal_claim", "note": ""})
    assert started.status_code == 302
    assert Restriction.objects.get().ground == "legal_claim"

    lift_url = reverse("cej:restriction_lift", kwargs=ids)
    refused = client.post(lift_url, {"lift_reason": "Procédure terminée.", "person_informed_on": ""})
    assert refused.status_code == 200
    assert "data-error-summary" in refused.content.decode()
    assert Restriction.objects.get().is_open

    future = (TODAY + datetime.timedelta(days=2)).isoformat()
    refused = client.post(lift_url, {"lift_reason": "Procédure terminée.", "person_informed_on": future})
    assert "dans le futur" in refused.content.decode()

    lifted = client.post(lift_url, {"lift_reason": "Procédure terminée.", "person_informed_on": TODAY.isoformat()})
    assert lifted.status_code == 302
    assert not Restriction.objects.get().is_open
    history = client.get(lift_url).content.decode()
    assert "Procédure terminée." in history and "n'est pas en traitement limité" in history


def test_the_administrator_restricts_any_file_and_another_organisation_gets_404(client, world):
    ids = {"public_id": world.young_person.public_id}
    client.force_login(world.user("adviser_ft"))
    assert client.get(reverse("cej:restriction_start", kwargs=ids)).status_code == 404
    assert client.post(reverse("cej:restriction_start", kwargs=ids), {"ground": GROUND}).status_code == 404

    client.force_login(world.user("administrator"))
    response = client.post(reverse("cej:restriction_start", kwargs=ids), {"ground": GROUND})
    assert response.status_code == 302 and response["Location"].endswith("/lever-la-limitation/")
    assert Restriction.objects.get().started_by == world.user("administrator")


@pytest.mark.django_db(transaction=True)
def test_a_restriction_waits_for_a_write_in_progress_on_the_same_file_then_goes_through(world):
    # Given: a write to the file in progress, past its guard (a referral transition takes no lock on the
    # young person's row of its own: the guard's share lock is what holds the file)
    import threading

    from django.db import OperationalError, connection, transaction

    from cej.services.restrictions import require_not_restricted

    guard_passed, release = threading.Event(), threading.Event()

    def write_in_progress():
        try:
            with transaction.atomic():
                require_not_restricted(world.young_person.pk)
                guard_passed.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    writer = threading.Thread(target=write_in_progress)
    writer.start()
    try:
        assert guard_passed.wait(timeout=10)

        # When: a restriction is asked meanwhile, Then it waits for the write (here: gives up after 300 ms)
        with pytest.raises(OperationalError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('lock_timeout', '300ms', true)")
            restrict(world)
    finally:
        release.set()
        writer.join(timeout=10)

    # Then: once the write has committed, the restriction goes through
    assert restrict(world).lifted_at is None


def test_the_referral_page_of_a_restricted_file_offers_only_the_moves_that_stop_processing(client, world):
    # Given: a referral sent to the E2C, then the file restricted
    consent(world)
    referral = draft(world)
    referral_transition(actor=actor(world, "adviser_ml"), referral=referral, to=S.SENT)
    url = reverse("e2c_referrals:referral_detail", kwargs={"public_id": referral.public_id})
    client.force_login(world.user("e2c_staff"))
    before = {to for to, _move, _setback in client.get(url).context["moves"]}
    restrict(world)

    # When: the E2C staff open it
    response = client.get(url)

    # Then: a notice, and only the moves that stop processing (no « prise en compte » any more)
    after = {to for to, _move, _setback in response.context["moves"]}
    assert S.ACKNOWLEDGED in before and S.ACKNOWLEDGED not in after
    assert after and after <= {S.CANCELLED, S.WITHDRAWN}
    assert "en traitement limité (RGPD, article 18)" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_transition_waits_on_the_file_before_locking_its_referral_so_an_erasure_cannot_deadlock_with_it(world):
    # Given: a sent referral, and an erasure-like transaction holding the young person's row (it will then
    # update the file's referrals, as the anonymisation does)
    import threading

    from django.db import connection, transaction

    from cej.models import YoungPerson

    consent(world)
    referral = draft(world)
    referral_transition(actor=actor(world, "adviser_ml"), referral=referral, to=S.SENT)
    outcome = []

    def acknowledge():
        try:
            referral_transition(actor=actor(world, "e2c_staff"), referral=referral, to=S.ACKNOWLEDGED)
            outcome.append("done")
        except Exception as error:
            outcome.append(type(error).__name__)
        finally:
            connection.close()

    with transaction.atomic():
        YoungPerson.objects.select_for_update().get(pk=world.young_person.pk)
        writer = threading.Thread(target=acknowledge)
        writer.start()
        wait_for_lock_waits()  # the transition is now waiting for the file

        # When: the erasure-like transaction goes on to the referral (giving up after 1 s rather than hanging)
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', '1s', true)")
        locked = Referral.objects.select_for_update().get(pk=referral.pk)  # Then: not held by the transition

    writer.join(timeout=10)
    # and once it committed, the transition went through
    assert locked.status == S.SENT and outcome == ["done"]
    referral.refresh_from_db()
    assert referral.status == S.ACKNOWLEDGED
