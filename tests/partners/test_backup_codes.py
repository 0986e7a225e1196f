"""Backup codes (« codes de secours »): ten single-use codes given when an authenticator application is
confirmed, shown once, stored as keyed hashes only, accepted instead of the application's code, and
replaced as a whole after the password is typed again."""

import html
import re
import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from common.middleware import SIGNED_IN_AT
from demo.totp import totp_code
from partners.enums import Role
from partners.models import BackupCode
from partners.services.two_factor import (
    BACKUP_CODE_ALPHABET,
    backup_code_verify,
    backup_codes_generate,
    normalise_backup_code,
)
from tests.partners.test_two_factor import code, device_for, member, sign_in_with_password

pytestmark = pytest.mark.django_db

SHOWN_CODE = re.compile(r"<li[^>]*><code>([A-Z0-9-]+)</code></li>")
GROUPED = re.compile(rf"[{BACKUP_CODE_ALPHABET}]{{4}}-[{BACKUP_CODE_ALPHABET}]{{4}}-[{BACKUP_CODE_ALPHABET}]{{2}}")


def text(response):
    return html.unescape(response.content.decode())


def unthrottle(user):
    """django-otp makes the next attempt wait after a failure (1 s, 2 s, 4 s…): tests do not wait."""
    TOTPDevice.objects.filter(user=user).update(throttling_failure_count=0, throttling_failure_timestamp=None)


def with_codes(role=Role.MANAGER):
    user = member(role)
    device_for(user)
    return user, backup_codes_generate(user=user)


def everything_stored(user):
    """Every column of the person's backup codes and every session's data, as text."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM partners_backupcode WHERE user_id = %s", [user.pk])
        rows = repr(cursor.fetchall())
    sessions = " ".join(repr(session.get_decoded()) + session.session_data for session in Session.objects.all())
    return (rows + sessions).upper()


# --- Given once, stored hashed ------------------------------------------------------------------


def test_confirming_the_application_shows_ten_codes_once_and_stores_only_their_hashes(client):
    # Given a manager enrolling an authenticator application
    user = member(Role.MANAGER)
    sign_in_with_password(client, user)
    page = text(client.get(reverse("two_factor_setup"), {"next": reverse("password_change")}))
    secret = page.split('id="cle-secrete">', 1)[1].split("<", 1)[0]

    # When the application's code confirms it
    done = client.post(reverse("two_factor_setup"), {"token": totp_code(secret), "next": reverse("password_change")})

    # Then the answer itself lists ten distinct codes, grouped, with the French explanation and the way on
    shown = text(done)
    assert done.status_code == 200
    assert "Vos codes de secours" in shown and "Ces codes ne seront plus jamais affichés" in shown
    assert "La double authentification est activée sur votre compte." in shown
    codes = SHOWN_CODE.findall(shown)
    assert len(codes) == len(set(codes)) == 10
    assert all(GROUPED.fullmatch(shown_code) for shown_code in codes)
    assert re.search(r'<ul[^>]*aria-labelledby="titre-codes"', shown)
    assert f'href="{reverse("password_change")}"' in shown
    # And the database holds ten salted keyed hashes: no code, with or without its dashes, anywhere
    rows = list(BackupCode.objects.filter(user=user))
    assert len(rows) == 10 and all(row.used_at is None and len(row.code_hash) == 64 for row in rows)
    assert len({row.salt for row in rows}) == 10
    stored = everything_stored(user)
    for shown_code in codes:
        assert shown_code not in stored and shown_code.replace("-", "") not in stored
    # And no later page shows them again
    for url in (reverse("two_factor_setup"), reverse("home"), reverse("backup_codes_regenerate")):
        later = text(client.get(url))
        assert not any(shown_code in later for shown_code in codes), url


# --- Signing in with a backup code ------------------------------------------------------------------


def test_a_backup_code_replaces_the_application_code_once(client):
    # Given a coordinator with an application and ten codes, signed in with the password only
    user, codes = with_codes(Role.REGIONAL_COORDINATOR)
    sign_in_with_password(client, user)
    page = text(client.get(reverse("two_factor_verify")))
    assert "codes de secours" in page and 'autocomplete="one-time-code"' in page

    # When one code is typed on the code page
    accepted = client.post(reverse("two_factor_verify"), {"token": codes[0], "next": reverse("password_change")})

    # Then the session is verified, the code is dated as used, and the next page says how many remain
    assert accepted["Location"] == reverse("password_change")
    following = text(client.get(reverse("password_change")))
    assert "Code de secours accepté. Il vous reste 9 codes de secours." in following
    assert BackupCode.objects.filter(user=user, used_at__isnull=False).count() == 1

    # When the same code is typed again at the next sign-in
    client.post(reverse("logout"))
    sign_in_with_password(client, user)
    again = client.post(reverse("two_factor_verify"), {"token": codes[0]})

    # Then it is refused in French, and the session stays unverified
    assert again.status_code == 200
    assert "Ce code de secours a déjà servi : chaque code ne fonctionne qu'une fois." in text(again)
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor_verify"))
    assert BackupCode.objects.filter(user=user, used_at__isnull=False).count() == 1


@pytest.mark.parametrize("typed", ["{lower}", "{plain}", "  {spaced}  ", "{lower_spaced_dashed}"])
def test_a_backup_code_is_accepted_whatever_its_case_dashes_and_spaces(client, typed):
    user, codes = with_codes()
    plain = codes[3].replace("-", "")
    variants = {
        "lower": codes[3].lower(),
        "plain": plain,
        "spaced": f"{plain[:4]} {plain[4:8]} {plain[8:]}",
        "lower_spaced_dashed": f"{plain[:5].lower()} - {plain[5:]}",
    }
    sign_in_with_password(client, user)

    response = client.post(reverse("two_factor_verify"), {"token": typed.format(**variants), "next": "/"})

    assert response["Location"] == "/"
    assert normalise_backup_code(typed.format(**variants)) == plain


def test_three_codes_left_or_fewer_are_announced_as_a_warning(client):
    # Given six codes already used
    user, codes = with_codes()
    for used in codes[:6]:
        check = backup_code_verify(request=fake_request(user), user=user, code=used)
        assert check.accepted
    sign_in_with_password(client, user)

    # When the seventh serves
    client.post(reverse("two_factor_verify"), {"token": codes[6], "next": "/"})

    # Then the page warns, as an alert, that three remain
    page = text(client.get("/"))
    assert re.search(r'role="alert">\s*Code de secours accepté, mais il ne vous reste que 3 codes de secours', page)


def test_a_wrong_backup_code_counts_like_a_wrong_application_code(client):
    # Given a manager with codes, signed in with the password
    user, codes = with_codes()
    sign_in_with_password(client, user)

    # When a wrong backup code is typed
    wrong = client.post(reverse("two_factor_verify"), {"token": "ABCD-EFGH-JK", "next": "/"})

    # Then it is refused in French and the application's failure count goes up (django-otp's brake)
    assert "Code de secours refusé" in text(wrong)
    assert TOTPDevice.objects.get(user=user).throttling_failure_count == 1
    # And while the brake holds (here after ten failures: 512 s), even a good code is refused and stays unused
    TOTPDevice.objects.filter(user=user).update(
        throttling_failure_count=10, throttling_failure_timestamp=timezone.now()
    )
    refused = client.post(reverse("two_factor_verify"), {"token": codes[0], "next": "/"})
    assert "Code de secours refusé" in text(refused)
    assert not BackupCode.objects.filter(user=user, used_at__isnull=False).exists()
    # And once the wait is over, the good code serves and resets the count
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=timezone.now() - timedelta(hours=1))
    assert client.post(reverse("two_factor_verify"), {"token": codes[0], "next": "/"})["Location"] == "/"
    assert TOTPDevice.objects.get(user=user).throttling_failure_count == 0


def test_the_application_code_still_works_on_the_same_field(client):
    user, _codes = with_codes()
    sign_in_with_password(client, user)

    response = client.post(reverse("two_factor_verify"), {"token": f"{code()[:3]} {code()[3:]}", "next": "/"})

    assert response["Location"] == "/"
    assert not BackupCode.objects.filter(user=user, used_at__isnull=False).exists()


def test_something_neither_code_nor_backup_code_is_explained(client):
    user, _codes = with_codes()
    sign_in_with_password(client, user)

    response = client.post(reverse("two_factor_verify"), {"token": "12345", "next": "/"})

    page = text(response)
    assert "ou un code de secours de 10 caractères" in page
    assert "data-error-summary" in page  # the error is announced
    assert TOTPDevice.objects.get(user=user).throttling_failure_count == 0  # nothing was checked


def test_codes_survive_a_rotation_of_the_secret_key(settings):
    user, codes = with_codes()
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "une-nouvelle-cle-secrete-de-plus-de-cinquante-caracteres-pour-les-tests"

    assert backup_code_verify(request=fake_request(user), user=user, code=codes[0]).accepted


# --- A new set --------------------------------------------------------------------------------------


def test_new_codes_need_the_password_typed_again(client):
    # Given a manager signed in with a code more than 5 minutes ago
    user, _codes = with_codes()
    client.force_login(user)
    session = client.session
    session[SIGNED_IN_AT] = time.time() - 6 * 60
    session.save()

    # When they open the page of new codes, or post to it
    opened = client.get(reverse("backup_codes_regenerate"))
    posted = client.post(reverse("backup_codes_regenerate"), {"confirm": "on"})

    # Then both send them to type their password first, and nothing changed
    expected = f"{reverse('reauthenticate')}?next=%2Fcompte%2Fcodes-de-secours%2F"
    assert opened["Location"] == expected and posted["Location"] == expected
    assert BackupCode.objects.filter(user=user).count() == 10


def test_a_new_set_replaces_the_old_one_after_confirmation(client):
    # Given a manager who used one code, signed in a minute ago
    user, old_codes = with_codes()
    assert backup_code_verify(request=fake_request(user), user=user, code=old_codes[0]).accepted
    client.force_login(user)
    page = text(client.get(reverse("backup_codes_regenerate")))
    assert "Il vous reste 9 codes de secours non utilisés sur 10." in page

    # When they post without ticking the confirmation
    unconfirmed = client.post(reverse("backup_codes_regenerate"), {})

    # Then nothing changes and the error is announced
    assert "Cochez la case pour confirmer" in text(unconfirmed)
    assert "data-error-summary" in text(unconfirmed)
    assert BackupCode.objects.filter(user=user).count() == 10

    # When they confirm
    done = client.post(reverse("backup_codes_regenerate"), {"confirm": "on"})

    # Then ten new codes are shown once; the old ones, used or not, are gone and refused
    new_codes = SHOWN_CODE.findall(text(done))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert "Vos anciens codes de secours ne fonctionnent plus." in text(done)
    assert BackupCode.objects.filter(user=user, used_at__isnull=True).count() == 10
    assert not backup_code_verify(request=fake_request(user), user=user, code=old_codes[1]).accepted
    unthrottle(user)
    assert backup_code_verify(request=fake_request(user), user=user, code=new_codes[1]).accepted


def test_the_two_factor_page_links_to_a_new_set_and_says_how_many_remain(client):
    user, _codes = with_codes()
    client.force_login(user)

    page = text(client.get(reverse("two_factor_setup")))

    assert "Il vous reste 10 codes de secours non utilisés." in page
    assert f'href="{reverse("backup_codes_regenerate")}"' in page


def test_without_an_application_there_are_no_codes_to_renew(client):
    user = member(Role.MANAGER)
    client.force_login(user)

    response = client.get(reverse("backup_codes_regenerate"))

    assert response["Location"].startswith(reverse("two_factor_setup"))


# --- Two requests with one code ------------------------------------------------------------------


def fake_request(user):
    request = RequestFactory().post(reverse("two_factor_verify"))
    request.user = user if user is not None else AnonymousUser()
    request.session = SessionStore()
    return request


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_uses_of_one_code_let_exactly_one_in():
    # Given a manager with codes, and two sign-ins typing the same code at the same moment
    user, codes = with_codes()
    barrier = threading.Barrier(2)
    outcomes = []

    def use():
        try:
            request = fake_request(user)
            barrier.wait(timeout=10)
            check = backup_code_verify(request=request, user=user, code=codes[0])
            outcomes.append(("accepted" if check.accepted else "used" if check.used else "refused", request))
        finally:
            connection.close()

    # When both run, each on its own database connection
    threads = [threading.Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then one is let in, the other is told the code has served; the code is used once
    assert sorted(outcome for outcome, _ in outcomes) == ["accepted", "used"]
    [winner] = [request for outcome, request in outcomes if outcome == "accepted"]
    assert winner.session[DEVICE_ID_SESSION_KEY] == TOTPDevice.objects.get(user=user).persistent_id
    assert BackupCode.objects.filter(user=user, used_at__isnull=False).count() == 1
