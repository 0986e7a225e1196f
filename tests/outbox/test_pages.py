"""The bell and its pages, and the administrators' monitoring page."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outbox.models import Message, Preference
from outbox.services import enqueue
from scheduling.models import JobRun
from scheduling.runs import run_job
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def notify(user, count: int, kind: str = "referral.sent") -> None:
    with transaction.atomic():
        for number in range(count):
            enqueue(kind=kind, recipients=[user], key=f"test:{kind}:{number}", context={"to": "sent"})


def signed_in(client, world, role):
    client.force_login(world.user(role))
    return client


def test_the_bell_shows_the_unread_count_and_the_list_pages_newest_first(client, world):
    staff = world.user("e2c_staff")
    notify(staff, 35)
    notify(world.user("adviser_ml"), 3)  # someone else's: never shown
    signed_in(client, world, "e2c_staff")

    home = client.get(reverse("home")).content.decode()
    assert '35<span class="visually-hidden"> non lues</span>' in home

    page = client.get(reverse("outbox:notifications"))
    assert page.status_code == 200
    rows = page.context["rows"]
    assert len(rows) == 30 and rows[0].message.pk > rows[-1].message.pk  # newest first
    assert all(row.message.recipient_id == staff.pk for row in rows)
    assert rows[0].subject == "Orientation : envoyée"
    second = client.get(reverse("outbox:notifications"), {"apres": page.context["page"].next_cursor})
    assert len(second.context["rows"]) == 5


def test_the_notification_list_costs_the_same_number_of_queries_for_5_or_30_rows(client, world):
    staff = world.user("e2c_staff")
    signed_in(client, world, "e2c_staff")
    notify(staff, 5)
    client.get(reverse("outbox:notifications"))  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("outbox:notifications"))
    Message.objects.all().delete()
    notify(staff, 30)
    client.get(reverse("outbox:notifications"))  # the new rows changed the bell: its count is read again once
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("outbox:notifications"))
    assert len(few) == len(many) == 3  # session, user, page (memberships and bell count: cached since sign-in)


def test_opening_a_notification_marks_it_read_and_another_persons_is_not_found(client, world):
    notify(world.user("e2c_staff"), 1)
    mine = Message.objects.get()
    signed_in(client, world, "e2c_staff")

    response = client.post(reverse("outbox:notification_read", kwargs={"public_id": mine.public_id}))
    assert response.status_code == 302 and response.url == reverse("outbox:notifications")
    mine.refresh_from_db()
    assert mine.read_at is not None

    notify(world.user("adviser_ml"), 1, kind="referral.acknowledged")
    theirs = Message.objects.get(recipient=world.user("adviser_ml"))
    response = client.post(reverse("outbox:notification_read", kwargs={"public_id": theirs.public_id}))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_as_read_needs_a_csrf_token_and_clears_the_bell(world):
    from django.test import Client

    notify(world.user("e2c_staff"), 4)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.user("e2c_staff"))
    assert strict.post(reverse("outbox:notifications_read_all")).status_code == 403
    assert Message.objects.filter(read_at__isnull=True).count() == 4

    page = strict.get(reverse("outbox:notifications"))
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else strict.cookies["csrftoken"].value
    response = strict.post(reverse("outbox:notifications_read_all"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Message.objects.filter(read_at__isnull=True).count() == 0
    assert "non lue" not in strict.get(reverse("home")).content.decode()


def test_a_person_chooses_the_daily_digest(client, world):
    signed_in(client, world, "adviser_ml")
    page = client.get(reverse("outbox:preferences")).content.decode()
    assert 'value="immediate" checked' in page
    response = client.post(reverse("outbox:preferences"), {"frequency": "daily_digest"})
    assert response.status_code == 302
    assert Preference.objects.get(user=world.user("adviser_ml")).frequency == "daily_digest"
    assert client.post(reverse("outbox:preferences"), {"frequency": "hourly"}).status_code == 200


def test_the_administrator_sees_states_job_runs_and_sends_a_failed_message_again(client, world):
    notify(world.user("e2c_staff"), 3)
    Message.objects.filter(pk=Message.objects.order_by("pk").first().pk).update(
        status=Message.Status.FAILED, attempts=6, last_error="SMTPServerDisconnected"
    )
    run_job("follow_up_due")
    signed_in(client, world, "administrator")

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("outbox:monitoring"))
    assert page.status_code == 200 and len(queries) == 5
    assert page.context["counts"] == {"pending": 2, "sent": 0, "failed": 1}
    lines = {line.name: line for line in page.context["jobs"]}
    assert lines["follow_up_due"].last_run == JobRun.objects.get()
    assert lines["cej_ending"].last_run is None
    html = page.content.decode()
    assert "SMTPServerDisconnected" in html and "Jamais exécutée" in html

    failed = Message.objects.get(status=Message.Status.FAILED)
    response = client.post(reverse("outbox:message_retry", kwargs={"public_id": failed.public_id}))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Message.Status.PENDING, 0)


@pytest.mark.parametrize("role", ["manager_e2c", "adviser_ml", "national_committee"])
def test_other_roles_may_not_send_a_failed_message_again(client, world, role):
    notify(world.user("e2c_staff"), 1)
    Message.objects.update(status=Message.Status.FAILED)
    failed = Message.objects.get()
    signed_in(client, world, role)
    assert client.post(reverse("outbox:message_retry", kwargs={"public_id": failed.public_id})).status_code == 403
    failed.refresh_from_db()
    assert failed.status == Message.Status.FAILED
