"""« Rester connecté » before the idle timeout (WCAG 2.2.1): the endpoint the page's warning posts to."""

import re
import time

import pytest
from django.urls import reverse

from common.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from tests.partners.factories import UserFactory

pytestmark = pytest.mark.django_db


def age_session(client, key, seconds):
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def test_staying_signed_in_moves_the_idle_deadline_to_now(client):
    client.force_login(UserFactory())
    assert client.get(reverse("home")).status_code == 200
    # 40 seconds: an ordinary request would leave the marker (written at most once a minute).
    age_session(client, LAST_SEEN_AT, 40)
    before = client.session[LAST_SEEN_AT]

    response = client.post(reverse("session_extend"))

    assert response.status_code == 204
    assert response.content == b""
    assert client.session[LAST_SEEN_AT] >= before + 40 - 1
    assert client.session[LAST_SEEN_AT] == pytest.approx(time.time(), abs=5)
    assert int(response["X-Session-Expires-In"]) == pytest.approx(30 * 60, abs=2)


def test_staying_signed_in_29_minutes_after_the_last_request_gives_30_more(client):
    client.force_login(UserFactory())
    client.get(reverse("home"))
    age_session(client, LAST_SEEN_AT, 29 * 60)
    assert client.post(reverse("session_extend")).status_code == 204
    age_session(client, LAST_SEEN_AT, 29 * 60)  # 58 minutes after the page's request

    assert client.get(reverse("password_change")).status_code == 200


def test_the_twelve_hour_limit_is_not_pushed_back(client):
    client.force_login(UserFactory())
    client.get(reverse("home"))
    age_session(client, SIGNED_IN_AT, 12 * 3600 - 5 * 60)

    response = client.post(reverse("session_extend"))

    assert response.status_code == 204
    assert int(response["X-Session-Expires-In"]) == pytest.approx(5 * 60, abs=2)


def test_signed_out_or_expired_the_endpoint_sends_to_the_sign_in_page(client):
    response = client.post(reverse("session_extend"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

    client.force_login(UserFactory())
    client.get(reverse("home"))
    age_session(client, LAST_SEEN_AT, 31 * 60)
    response = client.post(reverse("session_extend"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_only_post(client):
    client.force_login(UserFactory())
    assert client.get(reverse("session_extend")).status_code == 405


def test_each_signed_in_page_says_how_long_is_left_and_signed_out_pages_do_not_load_the_warning(client):
    assert "session-timeout.js" not in client.get(reverse("login")).content.decode()

    client.force_login(UserFactory())
    client.get(reverse("home"))
    # 50 seconds: the page's request leaves the marker (written at most once a minute), so 29 min 10 s are left.
    age_session(client, LAST_SEEN_AT, 50)
    page = client.get(reverse("password_change")).content.decode()

    script = re.search(r'<script src="[^"]*session-timeout\.js" defer ([^>]*)>', page)
    assert script is not None
    attributes = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', script.group(1)))
    assert int(attributes["expires-in"]) == pytest.approx(30 * 60 - 50, abs=2)
    assert attributes["warns-before"] == "120"
    assert attributes["extend-url"] == reverse("session_extend")
