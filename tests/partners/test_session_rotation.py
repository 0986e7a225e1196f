"""A new session identifier when the second factor completes (the application's code, a backup code, the
enrolment of an application) and when the password is typed again to change sign-in settings: the
identifier seen before is void, a refused attempt keeps it (ASVS 5.0 7.2.4)."""

import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from common.middleware import SIGNED_IN_AT
from demo.totp import totp_code
from partners.enums import Role
from tests.partners.factories import DEFAULT_PASSWORD
from tests.partners.test_backup_codes import unthrottle, with_codes
from tests.partners.test_two_factor import code, device_for, member, sign_in_with_password

pytestmark = pytest.mark.django_db


def session_id(client):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def holder_of(session_key):
    """A second browser presenting ``session_key`` (the identifier read or planted before)."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return other


def assert_rotated(client, before):
    after = session_id(client)
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    # The former identifier opens nothing: the sign-in page, not the home page nor the code page.
    answer = holder_of(before).get(reverse("home"))
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))
    # The new one carries the whole session: signed in and verified.
    assert client.session[DEVICE_ID_SESSION_KEY]
    assert client.get(reverse("home")).status_code == 200


def test_the_application_code_gives_a_new_session_id_and_a_refused_code_keeps_it(client):
    # Given a coordinator with an application, signed in with the password only
    user = member(Role.REGIONAL_COORDINATOR)
    device_for(user)
    sign_in_with_password(client, user)
    before = session_id(client)

    # When a wrong code is typed: the identifier stays, unverified
    refused = client.post(reverse("two_factor_verify"), {"token": code(at_offset=-300)})
    assert refused.status_code == 200
    assert session_id(client) == before
    assert DEVICE_ID_SESSION_KEY not in client.session
    unthrottle(user)

    # When the right code is typed
    accepted = client.post(reverse("two_factor_verify"), {"token": code()})

    # Then the session goes on under a new identifier, the former one is void
    assert accepted.status_code == 302
    assert_rotated(client, before)


def test_a_backup_code_gives_a_new_session_id_and_a_refused_one_keeps_it(client):
    user, codes = with_codes(Role.MANAGER)
    sign_in_with_password(client, user)
    before = session_id(client)

    assert client.post(reverse("two_factor_verify"), {"token": "ABCD-EFGH-JK"}).status_code == 200
    assert session_id(client) == before
    unthrottle(user)

    accepted = client.post(reverse("two_factor_verify"), {"token": codes[0]})

    assert accepted.status_code == 302
    assert_rotated(client, before)


def test_enrolling_an_application_at_sign_in_gives_a_new_session_id(client):
    user = member(Role.MANAGER)
    sign_in_with_password(client, user)
    page = client.get(reverse("two_factor_setup")).content.decode()
    secret = page.split('id="cle-secrete">', 1)[1].split("<", 1)[0]
    before = session_id(client)

    assert client.post(reverse("two_factor_setup"), {"token": "000000"}).status_code == 200
    assert session_id(client) == before
    unthrottle(user)
    done = client.post(reverse("two_factor_setup"), {"token": totp_code(secret)})

    assert done.status_code == 200  # the page of backup codes
    assert_rotated(client, before)


def test_typing_the_password_again_gives_a_new_session_id_and_a_wrong_one_keeps_it(client):
    # Given a manager signed in with password and code 6 minutes ago
    user = member(Role.MANAGER)
    device_for(user)
    client.force_login(user)
    session = client.session
    session[SIGNED_IN_AT] = time.time() - 6 * 60
    session.save()
    client.get(reverse("home"))
    before = session_id(client)

    wrong = client.post(reverse("reauthenticate"), {"password": "pas le bon"})
    assert wrong.status_code == 200
    assert session_id(client) == before

    right = client.post(reverse("reauthenticate"), {"password": DEFAULT_PASSWORD, "next": reverse("email_change")})

    # Then the page that needs a fresh password opens, under the new identifier only
    assert right["Location"] == reverse("email_change")
    assert_rotated(client, before)
    assert client.get(reverse("email_change")).status_code == 200
    assert holder_of(before).get(reverse("email_change")).status_code == 302
