"""The nightly purges: expired sessions, old failed sign-ins, old notifications (never one still to send,
never one whose reminder would fire again) and change contexts no change points to; by batches."""

from __future__ import annotations

import datetime
import logging

import pghistory
import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from celery.schedules import crontab
from dateutil.relativedelta import relativedelta
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pghistory.models import Context

from e2c_referrals.enums import HandBackReason, ReferralStatus
from e2c_referrals.models import HandBack, Referral
from history.models import YoungPersonChange
from history.purges import context_references, orphan_contexts_purge
from outbox import purges
from outbox.models import Message
from outbox.purges import messages_purge
from partners.purges import expired_sessions_purge, sign_in_attempts_purge
from retention.services import young_person_anonymise
from scheduling.beat import beat_schedule
from scheduling.registry import JOBS
from scheduling.runs import run_job
from tests.cej.factories import YoungPersonFactory
from tests.outbox.helpers import in_integration, sent
from tests.world import build_world

pytestmark = pytest.mark.django_db

PURGE_JOBS = {
    "session_purge": ("session-purge", "partners.purges.sessions", 0),
    "sign_in_attempt_purge": ("sign-in-attempt-purge", "partners.purges.sign_in_attempts", 10),
    "message_purge": ("message-purge", "outbox.purges.messages", 20),
    "history_context_purge": ("history-context-purge", "history.purges.contexts", 30),
}
PLANTED_EMAIL = "plante.temoin@exemple.fr"
PLANTED_AGENT = "Navigateur-Plantetémoin/1.0"


@pytest.fixture
def world():
    return build_world()


def ago(**delta):
    return timezone.now() - relativedelta(**delta)


def message(world, *, status=Message.Status.SENT, created_at, kind="referral-transition", **fields):
    row = Message.objects.create(
        kind=kind,
        recipient=world.user("adviser_ml"),
        delivery_key=f"test:{Message.objects.count()}:{kind}:{created_at.isoformat()}",
        status=status,
        **fields,
    )
    Message.objects.filter(pk=row.pk).update(created_at=created_at)
    return row


def remaining(*rows):
    return set(Message.objects.filter(pk__in=[row.pk for row in rows]).values_list("pk", flat=True))


def age_every_message(created_at):
    Message.objects.update(status=Message.Status.SENT, created_at=created_at, sent_at=created_at)


def axes_row(model, *, attempt_time, **fields):
    defaults = {
        "user_agent": PLANTED_AGENT,
        "username": PLANTED_EMAIL,
        "http_accept": "text/html",
        "path_info": "/connexion/",
    }
    row = model.objects.create(**{"ip_address": "203.0.113.7", **defaults, **fields})
    model.objects.filter(pk=row.pk).update(attempt_time=attempt_time)
    return row


def attempt(attempt_time, ip_address="203.0.113.7"):
    # One row per (address typed, IP address, user agent): django-axes counts the failures in it.
    return axes_row(
        AccessAttempt,
        attempt_time=attempt_time,
        ip_address=ip_address,
        get_data="",
        post_data="",
        failures_since_start=3,
    )


def session(expire_date):
    store = SessionStore()
    store["_auth_user_id"] = "1"
    store.create()
    Session.objects.filter(pk=store.session_key).update(expire_date=expire_date)
    return store.session_key


# --- Notifications -------------------------------------------------------------------------------


def test_delivered_messages_past_13_months_go_and_pending_ones_stay_whatever_their_age(world):
    # Given messages on either side of 13 months, read or not, and messages still to send
    old_sent = message(world, created_at=ago(months=13, days=1))
    old_read = message(world, created_at=ago(months=13, days=1), read_at=ago(months=13))
    old_failed = message(world, status=Message.Status.FAILED, created_at=ago(years=2))
    just_younger = message(world, created_at=ago(months=13) + datetime.timedelta(hours=1))
    old_pending = message(world, status=Message.Status.PENDING, created_at=ago(years=5))
    old_retrying = message(world, status=Message.Status.PENDING, created_at=ago(months=14), attempts=3)
    owed_to_a_digest = message(world, created_at=ago(months=14), in_digest=True)

    # When the purge runs
    deleted = messages_purge()

    # Then only the delivered ones past 13 months are gone
    assert deleted == 3
    assert not remaining(old_sent, old_read, old_failed)
    assert remaining(just_younger, old_pending, old_retrying, owed_to_a_digest) == {
        just_younger.pk,
        old_pending.pk,
        old_retrying.pk,
        owed_to_a_digest.pk,
    }


def test_a_referral_still_waiting_keeps_its_old_reminders_so_they_are_not_sent_again(world):
    # Given a referral sent 14 months ago and never taken into account, reminded back then
    referral = sent(world)
    Message.objects.all().delete()
    Referral.objects.filter(pk=referral.pk).update(status_changed_at=ago(months=14))
    assert run_job("referral_not_acknowledged").enqueued == 2
    age_every_message(ago(months=14))

    # When the purge runs, then the reminders' messages stay and the reminder writes nothing new
    assert messages_purge() == 0
    assert run_job("referral_not_acknowledged").enqueued == 0

    # Once the referral is taken into account, the old messages can go
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.ACKNOWLEDGED)
    assert messages_purge() == 2
    assert not Message.objects.exists()


def test_an_open_hand_back_and_an_unconfirmed_integration_keep_their_old_reminders(world):
    # Given a hand-back open for 14 months and an integration period that ended 14 months ago, reminded
    referral = sent(world)
    hand_back = HandBack.objects.create(
        referral=referral,
        organisation=world.ml_a,
        reason=HandBackReason.NOT_ADMITTED,
        assignee=world.user("adviser_ml"),
    )
    HandBack.objects.filter(pk=hand_back.pk).update(created_at=ago(months=14))
    integration = in_integration(world, planned_end_on=timezone.localdate() - relativedelta(months=14))
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.NOT_ADMITTED)
    Message.objects.all().delete()
    assert run_job("hand_back_not_handled").enqueued == 1
    assert run_job("integration_period_ending").enqueued == 1
    age_every_message(ago(months=14))

    # When the purge runs, then both stay and neither reminder is sent again
    assert messages_purge() == 0
    assert run_job("hand_back_not_handled").enqueued == 0
    assert run_job("integration_period_ending").enqueued == 0

    # Once the hand-back is handled and the enrolment confirmed, they go
    HandBack.objects.filter(pk=hand_back.pk).update(handled_at=timezone.now())
    Referral.objects.filter(pk=integration.pk).update(status=ReferralStatus.ENROLLED)
    assert messages_purge() == 2


# --- Sessions and sign-in attempts ---------------------------------------------------------------


def test_expired_sessions_go_and_open_ones_stay():
    # Given a session expired a second ago and one expiring in a minute
    session(timezone.now() - datetime.timedelta(seconds=1))
    open_ = session(timezone.now() + datetime.timedelta(minutes=1))

    # When the purge runs, then only the expired one is gone
    assert expired_sessions_purge() == 1
    assert list(Session.objects.values_list("pk", flat=True)) == [open_]


def test_address_change_links_never_confirmed_go_once_expired_pending_and_confirmed_ones_stay(world):
    from partners.models import EmailChangeRequest
    from partners.purges import email_change_requests_purge

    user, now = world.user("adviser_ml"), timezone.now()

    def request(token, *, expires_in, confirmed=False):
        return EmailChangeRequest.objects.create(
            user=user,
            new_email=f"{token}@exemple.fr",
            token_hash=token * 16,
            expires_at=now + expires_in,
            confirmed_at=now if confirmed else None,
        )

    request("aaaa", expires_in=-datetime.timedelta(seconds=1))
    pending = request("bbbb", expires_in=datetime.timedelta(hours=1))
    confirmed = request("cccc", expires_in=-datetime.timedelta(days=2), confirmed=True)

    assert email_change_requests_purge() == 1
    assert set(EmailChangeRequest.objects.values_list("pk", flat=True)) == {pending.pk, confirmed.pk}


def test_failed_sign_ins_older_than_30_days_go_in_every_axes_table():
    # Given attempts, failure logs and access logs on either side of 30 days
    old = [
        attempt(ago(days=30, minutes=1)),
        axes_row(AccessFailureLog, attempt_time=ago(days=31), locked_out=True),
        axes_row(AccessLog, attempt_time=ago(days=45)),
    ]
    young = [
        attempt(ago(days=29), ip_address="203.0.113.8"),
        axes_row(AccessFailureLog, attempt_time=ago(days=30) + datetime.timedelta(minutes=1), locked_out=False),
        axes_row(AccessLog, attempt_time=ago(days=1)),
    ]

    # When the purge runs, then only the old rows are gone
    assert sign_in_attempts_purge() == 3
    for row in old:
        assert not type(row).objects.filter(pk=row.pk).exists()
    for row in young:
        assert type(row).objects.filter(pk=row.pk).exists()


# --- Change contexts -----------------------------------------------------------------------------


def test_contexts_left_without_changes_by_an_anonymisation_go_referenced_and_recent_ones_stay(world):
    # Given a file created by a job (its context holds its events), then anonymised (its events deleted)
    with pghistory.context(job="import"):
        anonymised = YoungPersonFactory(organisation=world.ml_a)
    with pghistory.context(job="saisie"):
        kept = YoungPersonFactory(organisation=world.ml_a)
    assert young_person_anonymise(young_person_id=anonymised.pk) is True
    referenced = YoungPersonChange.objects.get(pgh_obj=kept).pgh_context_id
    assert not YoungPersonChange.objects.filter(pgh_obj_id=anonymised.pk).exists()
    orphans = set(Context.objects.exclude(pk=referenced).values_list("pk", flat=True))
    assert orphans  # the import's context, and the anonymisation's own
    Context.objects.update(updated_at=ago(days=1, minutes=1))
    recent_orphan = Context.objects.create(metadata={"job": "en cours"})

    # When the purge runs
    deleted = orphan_contexts_purge()

    # Then the old orphans are gone; the referenced context and the recent orphan stay
    assert deleted == len(orphans)
    assert set(Context.objects.values_list("pk", flat=True)) == {referenced, recent_orphan.pk}


def test_every_event_table_is_looked_at():
    tables = {model._meta.db_table for model, _ in context_references()}
    assert {"history_youngpersonchange", "history_userchange", "history_referralchange"} <= tables
    assert all(field == "pgh_context" for _, field in context_references())


# --- Batches, the jobs and their logs ------------------------------------------------------------


def test_rows_are_deleted_in_batches_smaller_than_the_table(world, monkeypatch):
    # Given 5 old messages, a kept one among them, and batches of 2
    monkeypatch.setattr(purges, "PURGE_BATCH", 2)
    rows = [message(world, created_at=ago(months=20)) for _ in range(5)]
    kept = message(world, status=Message.Status.PENDING, created_at=ago(months=20))

    # When the purge runs
    with CaptureQueriesContext(connection) as queries:
        deleted = messages_purge()

    # Then every old one is gone, in 3 DELETE statements, and the pending one stays
    assert deleted == 5
    assert not remaining(*rows)
    assert remaining(kept) == {kept.pk}
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('DELETE FROM "outbox_message"')]
    assert len(deletes) == 3


def test_the_purges_are_registered_and_scheduled_every_night(settings):
    for name, (entry_name, function, minute) in PURGE_JOBS.items():
        job = JOBS[name]
        assert job.function == function
        assert job.atomic is False  # each batch commits on its own
        entry = beat_schedule()[entry_name]
        assert entry["task"] == "outbox.run_job"
        assert entry["args"] == [name]
        assert entry["schedule"] == crontab(minute=minute, hour=4)


def test_each_purge_job_deletes_once_then_nothing_and_logs_no_personal_data(world, caplog):
    # Given something to purge for each job, naming a person
    caplog.set_level(logging.DEBUG)
    session(timezone.now() - datetime.timedelta(days=1))
    attempt(ago(days=40))
    message(world, created_at=ago(months=14), context={"email": PLANTED_EMAIL})
    Context.objects.create(metadata={"user": world.user("adviser_ml").pk, "url": "/jeunes/"})
    Context.objects.update(updated_at=ago(days=2))

    # When each job runs twice
    first = {name: run_job(name) for name in PURGE_JOBS}
    second = {name: run_job(name) for name in PURGE_JOBS}

    # Then the first run deletes one row each, the second nothing
    assert {name: run.examined for name, run in first.items()} == dict.fromkeys(PURGE_JOBS, 1)
    assert {name: run.examined for name, run in second.items()} == dict.fromkeys(PURGE_JOBS, 0)
    # And the log lines count rows, naming nobody
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged.count("purge: ") == 10  # 5 purges (sessions and address-change links in one job), twice
    user = world.user("adviser_ml")
    for personal in (PLANTED_EMAIL, PLANTED_AGENT, "203.0.113.7", user.email, user.last_name):
        assert personal not in logged
