"""The relay: a row written with its cause is e-mailed once, retried with backoff, failed visibly;
the daily digest groups the rows of people who chose it."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from outbox import services
from outbox.models import Message, Preference
from outbox.services import MAX_ATTEMPTS, deliver_pending, enqueue, message_retry, send_digests
from tests.outbox.helpers import actor, sent
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


class BrokenSmtp:
    """An e-mail backend whose server refuses everything (as an SMTP relay that is down)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")


def test_a_referral_sent_is_e_mailed_once_in_french_with_the_site_as_sender(world, settings):
    # Given the site has a contact address, and the adviser sends a referral
    world.ml_a.email = "contact@ml-lyon.example"
    world.ml_a.save()
    referral = sent(world)
    message = Message.objects.get(kind="referral.sent")
    assert message.status == Message.Status.PENDING and message.recipient == world.user("e2c_staff")

    # When the relay runs twice
    assert deliver_pending() == 1
    assert deliver_pending() == 0

    # Then one e-mail, in French, plain text and HTML, names read from the database
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.subject == "Orientation : envoyée"
    assert email.to == [world.user("e2c_staff").email]
    assert email.from_email == "Mission Locale de Lyon via Orientations E2C <ne-pas-repondre@orientations-e2c.fr>"
    assert email.reply_to == ["contact@ml-lyon.example"]
    assert "Camille " in email.body and referral.young_person.last_name not in email.body
    assert str(world.site) in email.body
    assert f"/orientations/{referral.public_id}/" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and "<a href=" in html and "Vénissieux" in html
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 1 and message.sent_at is not None


def test_enqueue_asks_for_one_delivery_per_transaction_after_the_commit(world, django_capture_on_commit_callbacks):
    users = [world.user("adviser_ml"), world.user("manager_ml")]
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        enqueue(kind="referral.sent", recipients=users, key="k1", context={})
        enqueue(kind="referral.sent", recipients=users, key="k2", context={})
        enqueue(kind="referral.sent", recipients=users, key="k1", context={})  # already written: nothing new
    assert [callback.__name__ for callback in callbacks if hasattr(callback, "__name__")] == ["_publish_delivery"]
    assert Message.objects.count() == 4


def test_a_failing_server_is_retried_with_growing_delays_then_the_row_is_failed_and_can_be_sent_again(world, settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_delivery.BrokenSmtp"
    sent(world)
    message = Message.objects.get(kind="referral.sent")
    start = timezone.now()
    delays = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        moment = start + datetime.timedelta(hours=attempt)
        assert services.deliver_next(now=moment) is not None
        message.refresh_from_db()
        assert message.attempts == attempt and message.last_error == "ConnectionRefusedError"
        delays.append(round((message.next_attempt_at - moment).total_seconds() / 60))
        # Not due again before its next attempt
        assert services.deliver_next(now=moment) is None
    assert delays[:-1] == [1, 2, 4, 8, 16]
    assert message.status == Message.Status.FAILED

    # The administrator sends it again once the server is back
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message_retry(actor=actor(world, "administrator"), message=message)
    assert deliver_pending() == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and len(mail.outbox) == 1


def test_a_person_who_chose_the_digest_gets_one_e_mail_a_day_listing_their_notifications(world):
    Preference.objects.create(user=world.user("e2c_staff"), frequency=Preference.Frequency.DAILY_DIGEST)
    sent(world)
    sent(world)
    assert deliver_pending() == 2
    assert mail.outbox == []  # filed for the digest, visible under the bell meanwhile
    assert Message.objects.filter(status=Message.Status.SENT, in_digest=True).count() == 2

    assert send_digests() == (1, 1)
    assert send_digests() == (0, 0)  # twice the same morning: nothing twice
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Orientations E2C : 2 notifications depuis hier"
    assert mail.outbox[0].body.count("Orientation : envoyée") == 2


def test_a_deactivated_recipient_gets_nothing_and_the_row_says_why(world):
    sent(world)
    staff = world.user("e2c_staff")
    staff.is_active = False
    staff.save()
    deliver_pending()
    message = Message.objects.get()
    assert message.status == Message.Status.FAILED and message.last_error == "Destinataire désactivé"
    assert mail.outbox == []


def test_failures_are_logged_with_identifiers_only(world, settings, caplog):
    settings.EMAIL_BACKEND = "tests.outbox.test_delivery.BrokenSmtp"
    referral = sent(world)
    deliver_pending()
    staff = world.user("e2c_staff")
    logged = caplog.text
    assert "attempt 1 failed (ConnectionRefusedError)" in logged
    for personal in (staff.email, staff.last_name, referral.young_person.last_name, referral.young_person.first_name):
        assert personal not in logged


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_never_take_the_same_row():
    import threading

    from django.db import connection

    world = build_world()
    for _ in range(12):
        sent(world)
    barrier = threading.Barrier(2)
    handled = []

    def worker():
        barrier.wait()
        try:
            handled.append(deliver_pending())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(handled) == 12
    ids = [email.extra_headers["X-E2C-Message"] for email in mail.outbox]
    assert len(ids) == len(set(ids)) == 12
