"""Rate limits per account on costly work (throttle.limits): the documented number goes through, the
next request gets the French 429 page with ``Retry-After``; another account is not affected; the
counters live in Redis, shared by every web replica (each with its own cache connection)."""

from __future__ import annotations

import html
import re
import uuid

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.partners.factories import MembershipFactory
from tests.world import build_world
from throttle.guard import account_key, seconds_to_wait
from throttle.limits import DOCUMENTS, EXPORTS, SEARCHES, Limit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock_stopped(monkeypatch):
    """django-ratelimit's windows are fixed: a slow machine must not see one end in the middle of a test."""
    import time
    import types

    now = time.time()
    monkeypatch.setattr("django_ratelimit.core.time", types.SimpleNamespace(time=lambda: now))


@pytest.fixture
def world():
    return build_world()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def another_account(world, role: str):
    """A second person with the same role in the same organisation."""
    organisation = world.memberships[role].organisation
    return MembershipFactory(organisation=organisation, role=world.memberships[role].role).user


def assert_refused(response, limit: Limit, what: str) -> None:
    assert response.status_code == 429
    seconds = int(response["Retry-After"])
    assert 0 < seconds <= limit.seconds
    page = html.unescape(response.content.decode())
    minutes = -(-seconds // 60)
    assert f"Trop de demandes {what} en peu de temps\xa0: réessayez dans {minutes}\xa0minute" in page
    assert "<title>Trop de demandes — Orientations E2C</title>" in page


def new_replica() -> None:
    """What another web process has: its own connection to the cache, nothing kept in memory."""
    del caches["default"]


def redis_counters(limit: Limit) -> list[int]:
    """The counters of ``limit`` read straight from Redis, with a client of this test's own."""
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    try:
        return [int(client.get(key)) for key in client.scan_iter("e2c:1:rl:*") if client.get(key) is not None]
    finally:
        client.close()


def test_the_eleventh_export_in_ten_minutes_is_refused_for_that_account_only(world):
    # Given a committee member who asks for the indicators file to be prepared 10 times
    member = signed_in(world.user("national_committee"))
    url = reverse("reporting:export_in_background")
    assert EXPORTS.count == 10 and EXPORTS.seconds == 600  # docs/security.md says so
    for _ in range(EXPORTS.count):
        assert member.post(url, {"semestre": "2026-S1"}).status_code == 302

    # When they ask once more, through another web replica
    new_replica()
    response = member.post(url, {"semestre": "2026-S1"})

    # Then the French 429 page, with the seconds to wait; no 11th job
    assert_refused(response, EXPORTS, "d'export")
    from exports.models import ExportJob

    assert ExportJob.objects.count() == EXPORTS.count
    # and the count is in Redis, where any replica reads it
    assert EXPORTS.count + 1 in redis_counters(EXPORTS)
    # and a colleague with the same role still exports
    assert signed_in(another_account(world, "national_committee")).post(url, {"semestre": "2026-S1"}).status_code == 302


def test_the_sixty_first_document_in_ten_minutes_is_refused_for_that_account_only(world):
    member = signed_in(world.user("national_committee"))
    url = reverse("reporting:export_csv") + "?semestre=2026-S1"
    assert DOCUMENTS.count == 60 and DOCUMENTS.seconds == 600
    for _ in range(DOCUMENTS.count):
        assert member.get(url).status_code == 200

    response = member.get(url)

    assert_refused(response, DOCUMENTS, "de documents")
    assert signed_in(another_account(world, "national_committee")).get(url).status_code == 200


def test_the_hundred_and_twenty_first_search_in_a_minute_is_refused_for_that_account_only(world):
    adviser = signed_in(world.user("adviser_ml"))
    url = reverse("partners:directory") + "?q=Lyon"
    assert SEARCHES.count == 120 and SEARCHES.seconds == 60
    for _ in range(SEARCHES.count):
        assert adviser.get(url).status_code == 200

    response = adviser.get(url)

    assert_refused(response, SEARCHES, "de recherches")
    assert signed_in(another_account(world, "adviser_ml")).get(url).status_code == 200
    # the directory without a search is not a search: still open to the same account
    assert adviser.get(reverse("partners:directory")).status_code == 200


def fill(user, limit: Limit) -> None:
    """Use up ``limit`` for ``user`` as ``limit.count`` requests would."""
    request = RequestFactory().get("/")
    request.user = user
    for _ in range(limit.count):
        assert seconds_to_wait(request, limit, key=account_key(request)) is None


ANY = uuid.uuid4()


def young_people_search(client: Client):
    return client.post(reverse("cej:young_people"), {"q": "Ndiaye"}, follow=True)


# Every costly page, with the limit it counts against: each answers 429 to an account whose limit is
# used up, before reading anything (an unknown identifier would otherwise be a 404).
LIMITED = [
    ("manager_e2c", EXPORTS, lambda c, w: c.post(reverse("exports:referral_files"), {})),
    ("national_committee", EXPORTS, lambda c, w: c.post(reverse("reporting:export_in_background"), {})),
    ("administrator", EXPORTS, lambda c, w: c.get(reverse("audit:access_log_export") + "?user_email=a@b.fr")),
    (
        "adviser_ml",
        EXPORTS,
        lambda c, w: c.get(reverse("e2c_referrals:personal_data_json", kwargs={"public_id": ANY})),
    ),
    ("adviser_ml", DOCUMENTS, lambda c, w: c.get(reverse("e2c_referrals:referral_file", kwargs={"public_id": ANY}))),
    (
        "adviser_ml",
        DOCUMENTS,
        lambda c, w: c.get(reverse("e2c_referrals:personal_data_pdf", kwargs={"public_id": ANY})),
    ),
    (
        "e2c_staff",
        DOCUMENTS,
        lambda c, w: c.get(reverse("e2c_referrals:session_attendance_sheet", kwargs={"public_id": ANY})),
    ),
    (
        "adviser_ml",
        DOCUMENTS,
        lambda c, w: c.get(reverse("cej:consent_form_download", kwargs={"public_id": ANY, "consent_id": uuid.uuid4()})),
    ),
    ("national_committee", DOCUMENTS, lambda c, w: c.get(reverse("reporting:export_pdf"))),
    ("national_committee", DOCUMENTS, lambda c, w: c.get(reverse("reporting:export_xlsx"))),
    ("national_committee", DOCUMENTS, lambda c, w: c.get(reverse("reporting:export_csv"))),
    ("adviser_ml", SEARCHES, lambda c, w: young_people_search(c)),
    ("adviser_ml", SEARCHES, lambda c, w: c.get(reverse("partners:directory") + "?q=Lyon")),
    ("administrator", SEARCHES, lambda c, w: c.get(reverse("audit:access_log") + "?user_email=a@b.fr")),
]


@pytest.mark.parametrize(
    ("role", "limit", "ask"), LIMITED, ids=[f"{role}-{limit.group}-{n}" for n, (role, limit, _) in enumerate(LIMITED)]
)
def test_every_costly_page_counts_against_its_limit(world, role, limit, ask):
    user = world.user(role)
    fill(user, limit)

    response = ask(signed_in(user), world)

    assert response.status_code == 429, response.status_code
    assert re.fullmatch(r"\d+", response["Retry-After"])


def test_the_forms_that_start_an_export_are_not_counted(world):
    """Opening the export page is not exporting: only the request that queues a job counts."""
    manager = signed_in(world.user("manager_e2c"))
    for _ in range(EXPORTS.count + 5):
        assert manager.get(reverse("exports:referral_files")).status_code == 200
