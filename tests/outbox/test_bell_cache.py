"""The bell's unread count comes from the cache between pages (issue 21); every change shows on the next page."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outbox.models import Message
from outbox.purges import messages_purge
from outbox.services import enqueue
from tests.world import build_world

pytestmark = pytest.mark.django_db

BELL_QUERY = "FROM outbox_message WHERE recipient_id"


@pytest.fixture
def world():
    return build_world()


def notify(user, count: int, key: str = "test") -> None:
    with transaction.atomic():
        for number in range(count):
            enqueue(kind="referral.sent", recipients=[user], key=f"{key}:{number}", context={"to": "sent"})


def bell(client: Client) -> int:
    """The number the bell of a page shows (the site map: no query of its own)."""
    response = client.get(reverse("site_map"))
    assert response.status_code == 200
    shown = re.search(r'(\d+)<span class="visually-hidden"> non lues?</span>', response.content.decode())
    return int(shown.group(1)) if shown else 0


def signed_in(world, role: str) -> Client:
    client = Client()
    client.force_login(world.user(role))
    return client


def test_the_count_is_read_once_then_served_from_the_cache(world):
    notify(world.user("e2c_staff"), 2)
    client = signed_in(world, "e2c_staff")  # the sign-in reads it

    with CaptureQueriesContext(connection) as queries:
        assert bell(client) == 2
    assert not [query for query in queries.captured_queries if BELL_QUERY in query["sql"]]


def test_a_new_notification_shows_on_the_next_page(world):
    client = signed_in(world, "e2c_staff")
    assert bell(client) == 0

    notify(world.user("e2c_staff"), 3)

    assert bell(client) == 3


def test_a_notification_to_someone_else_changes_nothing_and_no_one_sees_anothers_count(world):
    staff, adviser = signed_in(world, "e2c_staff"), signed_in(world, "adviser_ml")
    notify(world.user("adviser_ml"), 4)

    assert bell(staff) == 0
    assert bell(adviser) == 4
    assert bell(staff) == 0


def test_reading_one_notification_shows_on_the_next_page(world):
    notify(world.user("e2c_staff"), 2)
    client = signed_in(world, "e2c_staff")
    assert bell(client) == 2

    first = Message.objects.filter(recipient=world.user("e2c_staff")).order_by("pk").first()
    client.post(reverse("outbox:notification_read", kwargs={"public_id": first.public_id}))

    assert bell(client) == 1


def test_marking_all_read_shows_on_the_next_page(world):
    notify(world.user("e2c_staff"), 5)
    client = signed_in(world, "e2c_staff")
    assert bell(client) == 5

    assert client.post(reverse("outbox:notifications_read_all")).status_code == 302

    assert bell(client) == 0


def test_the_purge_of_old_notifications_shows_on_the_next_page(world):
    notify(world.user("e2c_staff"), 2)
    client = signed_in(world, "e2c_staff")
    assert bell(client) == 2

    long_ago = timezone.now() - datetime.timedelta(days=800)
    Message.objects.update(status=Message.Status.SENT, created_at=long_ago)
    assert messages_purge() == 2

    assert bell(client) == 0


def test_a_cache_that_fails_counts_in_the_database(world, monkeypatch):
    notify(world.user("e2c_staff"), 2)
    client = signed_in(world, "e2c_staff")

    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    for method in ("get_many", "set", "set_many", "add", "delete"):
        monkeypatch.setattr(cache, method, down)

    assert bell(client) == 2
    notify(world.user("e2c_staff"), 1, key="later")  # the bump fails too: logged, the page still counts
    assert bell(client) == 3
