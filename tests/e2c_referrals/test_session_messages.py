"""Session messages as the people receive them: the co-hosts' reminder 2 days before (once a day,
whatever the number of runs), the advisers' cancellation and attendance results, in French, with
first names and initials only."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from e2c_referrals.enums import Attendance, ReferralStatus
from e2c_referrals.models import InformationSession, Referral
from e2c_referrals.services.sessions import attendance_record, registration_create, session_cancel
from outbox.models import Message
from outbox.services import deliver_pending
from partners.access import Actor
from scheduling.runs import run_job
from tests.cej.factories import YoungPersonFactory
from tests.e2c_referrals.sessions_support import make_session
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def actor(world, role):
    membership = world.memberships[role]
    return Actor(user=membership.user, membership=membership)


def referral(world, last_name):
    return Referral.objects.create(
        young_person=YoungPersonFactory(organisation=world.ml_a, first_name="Inès", last_name=last_name),
        referring_organisation=world.ml_a,
        referring_adviser=world.user("adviser_ml"),
        e2c_site=world.site,
        diagnostic="Sans diplôme.",
        motivation="Motivée.",
        status=ReferralStatus.ACKNOWLEDGED,
        sent_at=timezone.now(),
    )


def in_two_days_at(hour):
    day = timezone.localdate() + datetime.timedelta(days=2)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return start - timezone.now()


def test_the_co_hosts_get_the_registration_list_two_days_before_once_a_day(world):
    session = make_session(world.site, created_by=world.user("e2c_staff"), starts_in=in_two_days_at(9))
    session.co_hosts.set([world.user("e2c_staff"), world.user("adviser_ml")])
    registration_create(actor=actor(world, "e2c_staff"), session=session, referral=referral(world, "Benali"))
    make_session(
        world.site, created_by=world.user("e2c_staff"), starts_in=in_two_days_at(9) + datetime.timedelta(days=1)
    )
    Message.objects.all().delete()

    first, second = run_job("session_in_two_days"), run_job("session_in_two_days")

    assert (first.enqueued, second.enqueued) == (2, 0)
    reminders = Message.objects.filter(kind="reminder.session_in_two_days")
    assert {m.recipient for m in reminders} == {world.user("e2c_staff"), world.user("adviser_ml")}
    deliver_pending()
    [email, *_] = [e for e in mail.outbox if "deux jours" in e.subject]
    assert "- Inès B." in email.body and "Benali" not in email.body


def test_the_adviser_reads_the_results_and_the_cancellation_of_her_young_peoples_sessions(world):
    held = make_session(world.site, created_by=world.user("e2c_staff"))
    for name in ("Benali", "Moreau"):
        registration_create(actor=actor(world, "e2c_staff"), session=held, referral=referral(world, name))
    InformationSession.objects.filter(pk=held.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=2), ends_at=timezone.now() - datetime.timedelta(hours=1)
    )
    marks = {str(seat.public_id): Attendance.PRESENT for seat in held.registrations.all()}
    marks[str(held.registrations.get(referral__young_person__last_name="Moreau").public_id)] = Attendance.ABSENT
    attendance_record(actor=actor(world, "e2c_staff"), session=held, marks=marks)
    cancelled = make_session(world.site, created_by=world.user("e2c_staff"))
    registration_create(actor=actor(world, "e2c_staff"), session=cancelled, referral=referral(world, "Lopez"))
    session_cancel(actor=actor(world, "e2c_staff"), session=cancelled, reason="Salle indisponible")
    Message.objects.exclude(kind__startswith="session.").delete()

    deliver_pending()

    to_adviser = {e.subject: e.body for e in mail.outbox if e.to == [world.user("adviser_ml").email]}
    results = to_adviser["Résultats de la séance d'information pour vos jeunes"]
    assert "- Inès B. : présent(e)" in results and "- Inès M. : absent(e)" in results
    assert "Benali" not in results
    cancellation = to_adviser["Séance annulée : vos jeunes sont à réinscrire"]
    assert "Salle indisponible" in cancellation and "- Inès L." in cancellation
