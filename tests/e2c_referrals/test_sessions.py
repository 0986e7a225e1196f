"""Information sessions through the days of the E2C team and the ML advisers: plan and publish,
register (never beyond capacity, waiting list in order), cancel, record attendance and send the
results back, subscribe to the calendar, record adviser immersions; bad input writes nothing."""

import datetime
import io
import threading

import icalendar
import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from e2c_referrals.enums import Attendance, ReferralStatus, RegistrationStatus, SessionStatus
from e2c_referrals.models import AdviserImmersion, InformationSession, Referral, SessionRegistration
from e2c_referrals.services.sessions import (
    SessionData,
    registration_create,
    registration_withdraw,
    session_cancel,
    session_create,
    session_update,
)
from e2c_referrals.workflow import TransitionData, referral_transition
from outbox.models import Message
from partners.access import Actor
from partners.enums import OrganisationKind, Role
from tests.cej.factories import YoungPersonFactory
from tests.e2c_referrals.sessions_support import make_session
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.world import build_world

S = ReferralStatus
R = RegistrationStatus
DAY = datetime.timedelta(days=1)


def actor(world, role):
    membership = world.memberships[role]
    return Actor(user=membership.user, membership=membership)


def acknowledged(world, *, organisation=None, adviser=None, site=None, status=S.ACKNOWLEDGED):
    organisation = organisation or world.ml_a
    return Referral.objects.create(
        young_person=YoungPersonFactory(organisation=organisation),
        referring_organisation=organisation,
        referring_adviser=adviser or world.user("adviser_ml"),
        e2c_site=site or world.site,
        diagnostic="Sans diplôme.",
        motivation="Motivé.",
        status=status,
        sent_at=timezone.now(),
    )


def session(world, **fields):
    return make_session(world.site, created_by=world.user("e2c_staff"), **fields)


def data(**overrides):
    starts_at = (timezone.localtime() + 10 * DAY).replace(hour=14, minute=0, second=0, microsecond=0)
    values = {
        "kind": "information",
        "starts_at": starts_at,
        "ends_at": starts_at + datetime.timedelta(hours=2),
        "venue": "e2c_site",
        "address": "18 avenue Jean Jaurès, 69200 Vénissieux",
        "capacity": 10,
        "registration_deadline": starts_at.date() - DAY,
    }
    values.update(overrides)
    return SessionData(**values)


def login(client, world, role):
    client.force_login(world.user(role))


def page(response):
    return response.content.decode()


@pytest.fixture
def world():
    return build_world()


pytestmark = pytest.mark.django_db


# --- Planning and publication -------------------------------------------------------------------


def test_a_planned_session_is_announced_to_the_partner_correspondents_and_each_change_again(world):
    created = session_create(actor=actor(world, "e2c_staff"), site=world.site, data=data())

    published = Message.objects.get(kind="session.published")
    assert published.recipient == world.user("adviser_ml")  # the ML Lyon's correspondent for the site
    assert published.context["session"] == str(created.public_id)
    assert "Dupont" not in str(published.context)

    session_update(actor=actor(world, "e2c_staff"), session=created, data=data(capacity=14))
    session_update(actor=actor(world, "e2c_staff"), session=created, data=data(capacity=16))
    created.refresh_from_db()
    assert (created.capacity, created.sequence) == (16, 2)
    assert Message.objects.filter(kind="session.changed").count() == 2

    registration_create(actor=actor(world, "e2c_staff"), session=created, referral=acknowledged(world))
    session_update(actor=actor(world, "e2c_staff"), session=created, data=data(capacity=16, address="Salle B"))
    told = Message.objects.get(kind="session.changed_for_adviser")
    assert told.recipient == world.user("adviser_ml") and len(told.context["referrals"]) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"starts_at": timezone.now() - DAY}, "starts_at", "La séance ne peut pas commencer dans le passé."),
        ({"capacity": 0}, "capacity", "Indiquez un nombre de places entre 1 et 500."),
        ({"registration_deadline": timezone.localdate() + 30 * DAY}, "registration_deadline", "au plus tard le jour"),
        ({"venue": "partner"}, "venue_organisation", "Choisissez le partenaire qui accueille la séance."),
        ({"address": "   "}, "address", "Indiquez l'adresse de la séance."),
    ],
    ids=["past", "no-seat", "deadline-after", "partner-missing", "no-address"],
)
def test_bad_session_data_get_a_french_message_and_write_nothing(world, overrides, field, message):
    with pytest.raises(ValidationError) as refused:
        session_create(actor=actor(world, "e2c_staff"), site=world.site, data=data(**overrides))

    assert any(message in text for text in refused.value.message_dict[field])
    assert not InformationSession.objects.exists()
    assert not Message.objects.exists()


def test_the_form_refuses_an_end_before_the_start_and_keeps_what_was_typed(client, world):
    login(client, world, "e2c_staff")
    day = timezone.localdate() + 10 * DAY

    response = client.post(
        reverse("e2c_referrals:session_create"),
        {
            "kind": "information",
            "day": day.isoformat(),
            "starts": "14:00",
            "ends": "13:00",
            "venue": "e2c_site",
            "address": "18 avenue Jean Jaurès",
            "capacity": "12",
            "registration_deadline": day.isoformat(),
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["ends"] == ["L'heure de fin doit être après l'heure de début."]
    assert not InformationSession.objects.exists()


def test_the_e2c_team_plans_a_joint_session_at_the_ml_with_an_ml_co_host_through_the_page(client, world):
    login(client, world, "e2c_staff")
    day = timezone.localdate() + 10 * DAY

    response = client.post(
        reverse("e2c_referrals:session_create"),
        {
            "kind": "joint",
            "day": day.isoformat(),
            "starts": "09:30",
            "ends": "12:00",
            "venue": "partner",
            "venue_organisation": str(world.ml_a.public_id),
            "address": "3 rue de la République, 69002 Lyon",
            "capacity": "15",
            "registration_deadline": (day - DAY).isoformat(),
            "co_hosts": [str(world.user("adviser_ml").public_id), str(world.user("e2c_staff").public_id)],
        },
        follow=True,
    )

    created = InformationSession.objects.get()
    assert response.redirect_chain[-1][0] == reverse("e2c_referrals:session_detail", args=[created.public_id])
    assert (created.venue_organisation, created.kind) == (world.ml_a, "joint")
    assert timezone.localtime(created.starts_at).strftime("%H:%M") == "09:30"  # Paris time
    assert set(created.co_hosts.all()) == {world.user("adviser_ml"), world.user("e2c_staff")}
    assert "Séance conjointe « à quatre mains »" in page(response)


# --- Registration, capacity, waiting list --------------------------------------------------------


def test_the_referring_adviser_registers_a_young_person_and_the_referral_becomes_invited(world):
    referral = acknowledged(world)
    found = session(world, capacity=3)

    registration = registration_create(actor=actor(world, "adviser_ml"), session=found, referral=referral)

    referral.refresh_from_db()
    assert (registration.status, referral.status) == (R.REGISTERED, S.INVITED)
    transition = referral.transitions.get()
    assert (transition.actor, transition.to_status) == (world.user("adviser_ml"), S.INVITED)
    assert Message.objects.filter(kind="referral.invited", recipient=world.user("e2c_staff")).exists()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda w: acknowledged(w, site=w.other_site), "n'a pas d'orientation vers"),
        (lambda w: acknowledged(w, status=S.SENT), "seule une orientation prise en compte"),
    ],
    ids=["no-referral-to-this-site", "not-yet-acknowledged"],
)
def test_registering_a_young_person_without_a_referral_ready_for_this_site_is_refused(world, make, message):
    referral = make(world)
    found = session(world)

    with pytest.raises(ValidationError) as refused:
        registration_create(actor=actor(world, "e2c_staff"), session=found, referral=referral)

    assert message in " ".join(refused.value.messages)
    assert not SessionRegistration.objects.exists()
    assert not referral.transitions.exists()


def test_an_adviser_of_another_structure_cannot_register_someone_elses_young_person(world):
    referral = acknowledged(world)
    with pytest.raises(PermissionDenied):
        registration_create(actor=actor(world, "adviser_ft"), session=session(world), referral=referral)
    assert not SessionRegistration.objects.exists()


def test_closed_registrations_and_sessions_already_started_are_refused(world):
    referral = acknowledged(world)
    closed = session(world, registration_deadline=timezone.localdate() - DAY)
    started = session(world, starts_in=-datetime.timedelta(minutes=5))

    for found, message in ((closed, "Les inscriptions sont closes"), (started, "déjà commencé")):
        with pytest.raises(ValidationError) as refused:
            registration_create(actor=actor(world, "adviser_ml"), session=found, referral=referral)
        assert message in " ".join(refused.value.messages)
    assert not SessionRegistration.objects.exists()


def test_a_full_session_puts_young_people_on_a_waiting_list_and_a_freed_seat_goes_to_the_first(world):
    found = session(world, capacity=1)
    first, second, third = (acknowledged(world) for _ in range(3))
    staff = actor(world, "e2c_staff")
    seated = registration_create(actor=staff, session=found, referral=first)
    waiting = [registration_create(actor=staff, session=found, referral=r) for r in (second, third)]
    assert [entry.status for entry in waiting] == [R.WAITING, R.WAITING]
    second.refresh_from_db()
    assert second.status == S.ACKNOWLEDGED  # waiting is not yet invited

    registration_withdraw(actor=actor(world, "adviser_ml"), registration=seated, reason="Rendez-vous médical")

    first.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    assert (first.status, second.status, third.status) == (S.ACKNOWLEDGED, S.INVITED, S.ACKNOWLEDGED)
    promoted = second.transitions.get()
    assert promoted.actor == world.user("adviser_ml")  # whose action freed the seat
    assert "liste d'attente" in promoted.reason
    assert SessionRegistration.objects.get(pk=waiting[0].pk).status == R.REGISTERED
    assert SessionRegistration.objects.get(pk=waiting[1].pk).status == R.WAITING


def test_a_referral_withdrawn_from_its_page_frees_its_seat_for_the_waiting_list(world):
    found = session(world, capacity=1)
    seated_referral, waiting_referral = acknowledged(world), acknowledged(world)
    registration_create(actor=actor(world, "e2c_staff"), session=found, referral=seated_referral)
    registration_create(actor=actor(world, "e2c_staff"), session=found, referral=waiting_referral)

    referral_transition(
        actor=actor(world, "adviser_ml"),
        referral=seated_referral,
        to=S.WITHDRAWN,
        data=TransitionData(reason="A trouvé un emploi."),
    )

    waiting_referral.refresh_from_db()
    assert waiting_referral.status == S.INVITED
    assert list(found.registrations.filter(status=R.REGISTERED).values_list("referral", flat=True)) == [
        waiting_referral.pk
    ]


def test_a_capacity_below_the_registered_count_is_refused(world):
    found = session_create(actor=actor(world, "e2c_staff"), site=world.site, data=data(capacity=2))
    for _ in range(2):
        registration_create(actor=actor(world, "e2c_staff"), session=found, referral=acknowledged(world))

    with pytest.raises(ValidationError) as refused:
        session_update(actor=actor(world, "e2c_staff"), session=found, data=data(capacity=1))

    assert "2 jeunes sont déjà inscrits" in refused.value.message_dict["capacity"][0]
    found.refresh_from_db()
    assert (found.capacity, found.sequence) == (2, 0)


def test_raising_the_capacity_seats_the_waiting_list_in_order(world):
    found = session_create(actor=actor(world, "e2c_staff"), site=world.site, data=data(capacity=1))
    referrals = [acknowledged(world) for _ in range(3)]
    for referral in referrals:
        registration_create(actor=actor(world, "e2c_staff"), session=found, referral=referral)

    session_update(actor=actor(world, "e2c_staff"), session=found, data=data(capacity=2))

    statuses = [Referral.objects.get(pk=r.pk).status for r in referrals]
    assert statuses == [S.INVITED, S.INVITED, S.ACKNOWLEDGED]


@pytest.mark.django_db(transaction=True)
def test_thirty_people_registering_for_the_last_five_seats_at_once_fill_exactly_five():
    world = build_world()
    found = session(world, capacity=10)
    for _ in range(5):
        SessionRegistration.objects.create(
            session=found,
            referral=acknowledged(world, status=S.INVITED),
            status=R.REGISTERED,
            registered_by=world.user("e2c_staff"),
        )
    candidates = [acknowledged(world) for _ in range(30)]
    roles = ["adviser_ml", "e2c_staff", "manager_ml", "manager_e2c"]
    barrier = threading.Barrier(30)
    outcomes: list[str] = []

    def register(index: int) -> None:
        try:
            barrier.wait()
            registration = registration_create(
                actor=actor(world, roles[index % 4]), session=found, referral=candidates[index]
            )
            outcomes.append(registration.status)
        except ValidationError:
            outcomes.append("refused")
        except Exception as error:
            outcomes.append(f"error: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(index,)) for index in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    print(
        f"\n30 inscriptions simultanées : {outcomes.count(R.REGISTERED)} inscrites, "
        f"{outcomes.count(R.WAITING)} en liste d'attente, {outcomes.count('refused')} refusées"
    )
    assert sorted(outcomes) == sorted([R.REGISTERED] * 5 + [R.WAITING] * 25)
    assert found.registrations.filter(status=R.REGISTERED).count() == 10
    assert Referral.objects.filter(pk__in=[c.pk for c in candidates], status=S.INVITED).count() == 5
    waiting = list(found.registrations.filter(status=R.WAITING).order_by("created_at", "id"))
    assert len(waiting) == 25 and len({entry.referral_id for entry in waiting}) == 25


# --- Cancellation ----------------------------------------------------------------------------------


def test_a_cancelled_session_tells_each_adviser_once_and_frees_the_referrals_to_be_invited_again(world):
    found = session_create(actor=actor(world, "e2c_staff"), site=world.site, data=data(capacity=3))
    colleague = MembershipFactory(organisation=world.ml_a, role=Role.ADVISER).user
    mine = [acknowledged(world) for _ in range(2)]
    theirs = acknowledged(world, adviser=colleague)
    for referral in [*mine, theirs]:
        registration_create(actor=actor(world, "e2c_staff"), session=found, referral=referral)
    on_the_list = acknowledged(world)
    registration_create(actor=actor(world, "e2c_staff"), session=found, referral=on_the_list)

    session_cancel(actor=actor(world, "e2c_staff"), session=found, reason="Formateur absent")

    found.refresh_from_db()
    assert (found.status, found.cancellation_reason) == (SessionStatus.CANCELLED, "Formateur absent")
    assert set(Referral.objects.filter(pk__in=[r.pk for r in [*mine, theirs]]).values_list("status", flat=True)) == {
        S.ACKNOWLEDGED
    }
    assert not found.registrations.filter(status__in=[R.REGISTERED, R.WAITING]).exists()
    to_me = Message.objects.get(kind="session.cancelled_for_adviser", recipient=world.user("adviser_ml"))
    assert {item["referral"] for item in to_me.context["referrals"]} == {str(r.public_id) for r in mine}
    assert Message.objects.filter(kind="session.cancelled_for_adviser", recipient=colleague).count() == 1
    assert Message.objects.filter(kind="session.cancelled", recipient=world.user("adviser_ml")).count() == 1
    # Free to be invited again, to another session.
    other = session(world)
    again = registration_create(actor=actor(world, "adviser_ml"), session=other, referral=mine[0])
    assert again.status == R.REGISTERED


def test_cancelling_needs_a_reason_and_a_confirmation_on_the_page(client, world):
    found = session(world)
    login(client, world, "e2c_staff")
    url = reverse("e2c_referrals:session_cancel", args=[found.public_id])

    response = client.post(url, {"reason": "Salle indisponible"})

    assert "confirm" in response.context["form"].errors
    found.refresh_from_db()
    assert found.status == SessionStatus.PLANNED
    with pytest.raises(ValidationError):
        session_cancel(actor=actor(world, "e2c_staff"), session=found, reason="  ")


# --- Attendance and results -----------------------------------------------------------------------


def test_attendance_moves_each_referral_and_sends_each_adviser_one_message_with_their_results(client, world):
    found = session(world, capacity=5)
    colleague = MembershipFactory(organisation=world.ml_a, role=Role.ADVISER).user
    present, absent = acknowledged(world), acknowledged(world)
    excused = acknowledged(world, adviser=colleague)
    for referral in (present, absent, excused):
        registration_create(actor=actor(world, "e2c_staff"), session=found, referral=referral)
    InformationSession.objects.filter(pk=found.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3), ends_at=timezone.now() - datetime.timedelta(hours=1)
    )
    seats = {r.referral_id: r for r in found.registrations.all()}
    Message.objects.all().delete()
    login(client, world, "e2c_staff")

    response = client.post(
        reverse("e2c_referrals:session_attendance", args=[found.public_id]),
        {
            f"seat-{seats[present.pk].public_id}": Attendance.PRESENT,
            f"seat-{seats[absent.pk].public_id}": Attendance.ABSENT,
            f"seat-{seats[excused.pk].public_id}": Attendance.EXCUSED,
        },
        follow=True,
    )

    assert "Les présences sont enregistrées" in page(response)
    statuses = {r.pk: r.status for r in Referral.objects.filter(pk__in=[present.pk, absent.pk, excused.pk])}
    assert statuses == {present.pk: S.ATTENDED, absent.pk: S.NO_SHOW, excused.pk: S.NO_SHOW}
    assert Referral.objects.get(pk=excused.pk).transitions.last().reason == "Absence excusée"
    found.refresh_from_db()
    assert found.status == SessionStatus.HELD
    mine = Message.objects.get(kind="session.results_for_adviser", recipient=world.user("adviser_ml"))
    assert sorted(item["attendance"] for item in mine.context["referrals"]) == ["absent", "present"]
    theirs = Message.objects.get(kind="session.results_for_adviser", recipient=colleague)
    assert [item["attendance"] for item in theirs.context["referrals"]] == ["excused"]
    # One grouped message per adviser: no per-referral message on top.
    assert not Message.objects.filter(kind__in=["referral.attended", "referral.no_show"]).exists()

    again = client.post(reverse("e2c_referrals:session_attendance", args=[found.public_id]), {}, follow=True)
    assert "déjà enregistrées" in page(again)


def test_attendance_needs_an_answer_for_everyone_and_waits_for_the_session(client, world):
    upcoming_session = session(world)
    registration_create(actor=actor(world, "e2c_staff"), session=upcoming_session, referral=acknowledged(world))
    login(client, world, "e2c_staff")
    early = client.get(reverse("e2c_referrals:session_attendance", args=[upcoming_session.public_id]), follow=True)
    assert "une fois la séance commencée" in page(early)

    InformationSession.objects.filter(pk=upcoming_session.pk).update(
        starts_at=timezone.now() - DAY, ends_at=timezone.now() - DAY + datetime.timedelta(hours=2)
    )
    response = client.post(reverse("e2c_referrals:session_attendance", args=[upcoming_session.public_id]), {})

    assert response.status_code == 200
    assert "Indiquez la présence de" in page(response)
    assert Referral.objects.filter(status=S.INVITED).count() == 1


# --- Pages: lists, scope, query budget ---------------------------------------------------------------


def test_the_adviser_sees_the_sessions_of_the_sites_they_work_with_and_only_their_young_people(client, world):
    found = session(world, capacity=4)
    mine = acknowledged(world)
    other_ml = OrganisationFactory(kind=OrganisationKind.MISSION_LOCALE)
    other_adviser = MembershipFactory(organisation=other_ml, role=Role.ADVISER).user
    theirs = acknowledged(world, organisation=other_ml, adviser=other_adviser)
    for referral in (mine, theirs):
        registration_create(actor=actor(world, "e2c_staff"), session=found, referral=referral)
    make_session(world.other_site, created_by=world.user("e2c_staff"))
    login(client, world, "adviser_ml")

    listing = client.get(reverse("e2c_referrals:sessions"))
    detail = client.get(reverse("e2c_referrals:session_detail", args=[found.public_id]))

    assert [s.pk for s in listing.context["page"].items] == [found.pk]
    assert "2 inscrits" in page(listing)
    assert mine.young_person.last_name in page(detail)
    assert theirs.young_person.last_name not in page(detail)


@pytest.mark.parametrize("count", [2, 20])
def test_the_session_list_costs_the_same_queries_for_2_or_20_sessions(client, world, count):
    for index in range(count):
        found = session(world, starts_in=datetime.timedelta(days=index + 1))
        registration_create(actor=actor(world, "e2c_staff"), session=found, referral=acknowledged(world))
    login(client, world, "e2c_staff")

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("e2c_referrals:sessions"))

    assert response.status_code == 200 and len(response.context["page"].items) == count
    assert len(queries) <= 8, [q["sql"] for q in queries.captured_queries]


def test_the_referral_page_offers_the_sessions_of_its_site_and_registers_from_there(client, world):
    referral = acknowledged(world)
    found = session(world, capacity=1)
    login(client, world, "adviser_ml")

    detail = client.get(reverse("e2c_referrals:referral_detail", args=[referral.public_id]))
    assert reverse("e2c_referrals:referral_register", args=[referral.public_id]) in page(detail)
    move = client.get(reverse("e2c_referrals:referral_move", args=[referral.public_id, S.INVITED]))
    assert move.status_code == 302  # the plain move page sends to the session choice

    response = client.post(
        reverse("e2c_referrals:referral_register", args=[referral.public_id]),
        {"session": str(found.public_id)},
        follow=True,
    )

    referral.refresh_from_db()
    assert referral.status == S.INVITED
    assert "est inscrit(e) à la séance" in page(response)
    assert str(found) in page(response)  # the referral page lists its session


def test_a_full_session_says_so_and_lists_the_young_person_as_waiting(client, world):
    found = session(world, capacity=1)
    registration_create(actor=actor(world, "e2c_staff"), session=found, referral=acknowledged(world))
    referral = acknowledged(world)
    login(client, world, "adviser_ml")

    response = client.post(
        reverse("e2c_referrals:session_register", args=[found.public_id]),
        {"referral": str(referral.public_id)},
        follow=True,
    )

    assert "La séance est complète" in page(response)
    assert found.registrations.get(referral=referral).status == R.WAITING


# --- iCalendar feed ------------------------------------------------------------------------------------


def test_the_calendar_feed_parses_and_holds_the_partner_sites_sessions_in_paris_time(client, world):
    planned = session(world, starts_in=datetime.timedelta(days=3))
    cancelled = session(world, starts_in=datetime.timedelta(days=4))
    session_cancel(actor=actor(world, "e2c_staff"), session=cancelled, reason="Grève des transports")
    elsewhere = make_session(world.other_site, created_by=world.user("e2c_staff"))
    login(client, world, "adviser_ml")
    address = client.get(reverse("e2c_referrals:calendar")).context["address"]
    client.logout()

    response = client.get(address.replace("http://testserver", ""))

    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(event["uid"]).split("@")[0]: event for event in calendar.walk("VEVENT")}
    assert set(events) == {str(planned.public_id), str(cancelled.public_id)}
    assert str(elsewhere.public_id) not in events
    start = events[str(planned.public_id)].decoded("dtstart")
    assert str(start.tzinfo) == "Europe/Paris" and start == planned.starts_at.replace(microsecond=0)
    assert events[str(planned.public_id)]["dtstart"].params["TZID"] == "Europe/Paris"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert str(events[str(cancelled.public_id)]["status"]) == "CANCELLED"
    assert events[str(cancelled.public_id)]["sequence"] == 1


def test_a_regenerated_calendar_address_makes_the_old_one_not_found(client, world):
    login(client, world, "manager_ml")
    old = client.get(reverse("e2c_referrals:calendar")).context["address"].replace("http://testserver", "")

    client.post(reverse("e2c_referrals:calendar_regenerate"))
    new = client.get(reverse("e2c_referrals:calendar")).context["address"].replace("http://testserver", "")
    client.logout()

    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert client.get("/calendrier/devine-moi.ics").status_code == 404


# --- Adviser immersions ---------------------------------------------------------------------------------


def test_an_adviser_records_an_immersion_at_the_e2c_and_both_structures_see_it(client, world):
    login(client, world, "adviser_ml")
    today = timezone.localdate()

    client.post(
        reverse("e2c_referrals:immersion_create"),
        {
            "host_organisation": str(world.site.public_id),
            "starts_on": (today - 3 * DAY).isoformat(),
            "ends_on": (today - 2 * DAY).isoformat(),
            "participants": [str(world.user("adviser_ml").public_id)],
            "notes": "Information collective et entretiens.",
        },
    )

    immersion = AdviserImmersion.objects.get()
    assert (immersion.direction, immersion.visiting_organisation, immersion.host_organisation) == (
        "ml_in_e2c",
        world.ml_a,
        world.site,
    )
    login(client, world, "e2c_staff")
    assert [i.pk for i in client.get(reverse("e2c_referrals:immersions")).context["page"].items] == [immersion.pk]


def test_an_immersion_in_the_same_network_or_with_dates_reversed_is_refused(client, world):
    login(client, world, "adviser_ml")
    today = timezone.localdate()

    response = client.post(
        reverse("e2c_referrals:immersion_create"),
        {
            "host_organisation": str(world.site.public_id),
            "starts_on": today.isoformat(),
            "ends_on": (today - 2 * DAY).isoformat(),
            "participants": [str(world.user("adviser_ml").public_id)],
        },
    )

    assert response.context["form"].errors["ends_on"] == ["La fin ne peut pas précéder le début."]
    assert not AdviserImmersion.objects.exists()


# --- Attendance sheet ---------------------------------------------------------------------------------


def test_the_attendance_sheet_lists_the_registered_young_people_with_room_to_sign_and_is_logged(client, world):
    found = session(world, capacity=8)
    people = []
    for last_name in ("Éléonore-Dubœuf", "N'Diaye"):
        referral = Referral.objects.create(
            young_person=YoungPersonFactory(organisation=world.ml_a, last_name=last_name, first_name="Zoé"),
            referring_organisation=world.ml_a,
            referring_adviser=world.user("adviser_ml"),
            e2c_site=world.site,
            diagnostic="Sans diplôme.",
            motivation="Motivée.",
            status=S.ACKNOWLEDGED,
            sent_at=timezone.now(),
        )
        registration_create(actor=actor(world, "e2c_staff"), session=found, referral=referral)
        people.append(referral)
    login(client, world, "e2c_staff")

    response = client.get(reverse("e2c_referrals:session_attendance_sheet", args=[found.public_id]))

    assert response["Content-Type"] == "application/pdf"
    assert str(found.public_id) in response["Content-Disposition"] and "Zo" not in response["Content-Disposition"]
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(page_.extract_text() for page_ in reader.pages)
    assert "Feuille d'émargement" in text
    assert "Éléonore-Dubœuf Zoé" in text and "N'Diaye Zoé" in text
    assert "Signature" in text and "Arrivées non inscrites" in text
    assert "Document confidentiel" in text
    assert AccessLog.objects.filter(object_id=found.public_id, purpose=AccessLog.Purpose.EXPORT).count() == 1
    login(client, world, "adviser_ml")  # the ML sees the session, not the whole list of names
    assert client.get(reverse("e2c_referrals:session_attendance_sheet", args=[found.public_id])).status_code == 403
