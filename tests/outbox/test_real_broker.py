"""Exactly once, with the real parts: a real Redis that stops, a real Celery worker that dies.

Each test starts its OWN redis-server (tests.private_redis) so stopping it never touches the suite's
shared Redis, and a Celery worker process reading the test's database and writing every e-mail to a
file (counted across processes by message id).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from config.celery import app
from e2c_referrals.enums import ReferralStatus
from e2c_referrals.models import Referral
from outbox.models import Message
from scheduling.beat import beat_schedule
from scheduling.models import JobRun
from tests import celery_worker
from tests.outbox.helpers import draft, sent, young_person
from tests.private_redis import (
    PrivateRedis,
    private_broker,
    sent_emails,
    short_temporary_folder,
    start_worker,
)
from tests.world import build_world

BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture
def folder() -> Iterator[Path]:
    with short_temporary_folder("e2c-outbox-") as path:
        yield path


@pytest.fixture
def redis(folder: Path) -> Iterator[PrivateRedis]:
    with private_broker(folder) as server:
        yield server


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_redis_stops_in_the_middle_of_100_submissions_and_every_notification_arrives_once(
    redis, folder, client, caplog
):
    # Given 100 drafts ready to send, and a worker consuming from the private Redis
    world = build_world()
    drafts = [draft(world, young_person(world)) for _ in range(100)]
    email_dir = folder / "emails"
    email_dir.mkdir()
    worker = start_worker(redis, email_dir)
    client.force_login(world.user("adviser_ml"))
    started = time.monotonic()
    try:
        # When the adviser sends them one after the other, and Redis stops after the 50th
        statuses = []
        for number, referral in enumerate(drafts, start=1):
            if number == 51:
                redis.stop()
                down_since = time.monotonic()
            response = client.post(
                reverse("e2c_referrals:referral_move", kwargs={"public_id": referral.public_id, "to": "sent"})
            )
            statuses.append(response.status_code)
        down_for = time.monotonic() - down_since
        submitting = time.monotonic() - started

        # Then every submission was saved and answered normally (no server error)
        assert statuses == [302] * 100
        assert Referral.objects.filter(status=ReferralStatus.SENT).count() == 100
        assert Message.objects.filter(kind="referral.sent").count() == 100
        # The 50 published while Redis was down are only logged, without a name
        not_published = [r for r in caplog.records if "delivery task not published" in r.getMessage()]
        assert len(not_published) == 50
        assert all(world.user("adviser_ml").last_name not in r.getMessage() for r in not_published)

        # When Redis comes back (empty: it keeps nothing on disk) and beat's sweep runs
        redis.start()
        back = time.monotonic()
        sweep = beat_schedule()["outbox-sweep"]  # what beat sends every minute
        last_sweep = [0.0]

        def swept() -> bool:
            # Beat sends the sweep every minute; here every 10 s (a worker still reconnecting may miss one).
            if time.monotonic() - last_sweep[0] > 10:
                app.send_task(sweep["task"], args=sweep["args"])
                last_sweep[0] = time.monotonic()
            return not Message.objects.exclude(status=Message.Status.SENT).exists()

        wait_for(swept, timeout=120)
        wait_for(lambda: sum(sent_emails(email_dir).values()) >= 100)
        back_to_all = time.monotonic() - back
        time.sleep(1)  # anything sent twice would show up now
    finally:
        celery_worker.stop_worker(worker)

    # Then all 100 notifications were e-mailed, each exactly once
    emails = sent_emails(email_dir)
    expected = {str(public_id) for public_id in Message.objects.values_list("public_id", flat=True)}
    assert set(emails) == expected and len(expected) == 100
    assert set(emails.values()) == {1}
    assert JobRun.objects.filter(job="delivery_sweep", outcome=JobRun.Outcome.SUCCEEDED).exists()
    print(
        f"\n100 submissions in {submitting:.1f} s, Redis down for the last {down_for:.1f} s; "
        f"all delivered once {back_to_all:.1f} s after Redis came back"
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_after_sending_and_before_its_ack_does_not_send_the_e_mail_again(redis, folder):
    # Given a referral sent: its notification is written, a delivery task waits in Redis
    world = build_world()
    sent(world)
    message = Message.objects.get(kind="referral.sent")
    email_dir = folder / "emails"
    email_dir.mkdir()
    marker = folder / "die-once"
    marker.touch()

    # When a worker takes the task, sends the e-mail, commits, and dies before acknowledging it
    worker = start_worker(redis, email_dir, E2C_DIE_AFTER_TASK=str(marker))
    runs = Path(f"{marker}.runs")
    try:
        wait_for(lambda: not marker.exists())  # the first run died after its commit
        # Celery sees the child lost (reject_on_worker_lost): the task is delivered again and runs
        wait_for(lambda: runs.exists() and runs.read_text().count("run") >= 2)
        time.sleep(1)
    finally:
        celery_worker.stop_worker(worker)

    # Then the second run found the row sent: one e-mail only
    assert runs.read_text().count("run") == 2
    assert sent_emails(email_dir) == Counter({str(message.public_id): 1})
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 1
