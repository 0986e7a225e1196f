"""Two-factor authentication: mandatory for managers, regional and national roles and administrators;
enrolment with a QR code or the secret typed by hand; a code on each sign-in; nothing reachable before."""

import re
import time

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from common.middleware import SIGNED_IN_AT
from demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD
from demo.totp import DEMO_TOTP_KEY_HEX, DEMO_TOTP_SECRET, totp_code
from partners.enums import Role
from partners.services.two_factor import DEVICE_NAME, TWO_FACTOR_ROLES
from tests.partners.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def member(role):
    return MembershipFactory(role=role).user


def sign_in_with_password(client, user, password=DEFAULT_PASSWORD):
    """The login form, as a person uses it (no code typed: unlike client.force_login in the other tests)."""
    response = client.post(reverse("login"), {"username": user.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def device_for(user, key=DEMO_TOTP_KEY_HEX):
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=key, confirmed=True)


def code(at_offset=0):
    return totp_code(DEMO_TOTP_SECRET, time.time() + at_offset)


@pytest.mark.parametrize("role", sorted(TWO_FACTOR_ROLES))
def test_a_role_that_requires_a_code_reaches_no_page_before_enrolling(client, role):
    user = member(role)
    sign_in_with_password(client, user)

    for url in (reverse("home"), reverse("password_change"), reverse("e2c_referrals:inbox")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("two_factor_setup") + "?next=")


@pytest.mark.parametrize("role", [Role.ADVISER, Role.E2C_STAFF])
def test_advisers_and_e2c_staff_sign_in_with_their_password_only(client, role):
    sign_in_with_password(client, member(role))

    assert client.get(reverse("home")).status_code == 200


def test_a_manager_enrols_with_the_secret_typed_by_hand_then_reaches_the_page_asked(client):
    user = member(Role.MANAGER)
    sign_in_with_password(client, user)
    asked = reverse("password_change")
    setup = client.get(asked, follow=True)

    page = setup.content.decode()
    assert setup.redirect_chain[-1][0] == f"{reverse('two_factor_setup')}?next={asked}"
    assert "Activer la double authentification" in page
    assert '<svg role="img"' in page and "<title>Code QR à scanner" in page
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    assert re.search(r'<label\s+for="id_token"[^>]*>\s*Code à 6 chiffres', page)
    secret = page.split('id="cle-secrete">', 1)[1].split("<", 1)[0]
    assert len(secret.replace(" ", "")) == 32

    wrong = client.post(reverse("two_factor_setup"), {"token": "000000", "next": asked})
    assert "Code refusé" in wrong.content.decode()
    TOTPDevice.objects.filter(user=user).update(throttling_failure_count=0)  # django-otp: 1 s after a failure
    done = client.post(reverse("two_factor_setup"), {"token": totp_code(secret), "next": asked})

    # The answer lists the backup codes once (tests/partners/test_backup_codes.py), then leads to the page asked.
    assert done.status_code == 200
    assert f'href="{asked}"' in done.content.decode()
    assert client.get(asked).status_code == 200
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_with_a_device_the_next_sign_in_asks_for_the_current_code_once(client):
    user = member(Role.REGIONAL_COORDINATOR)
    device_for(user)
    sign_in_with_password(client, user)

    assert client.get(reverse("home"))["Location"] == f"{reverse('two_factor_verify')}?next=/"
    page = client.get(reverse("two_factor_verify")).content.decode()
    assert "Code de vérification" in page and 'autocomplete="one-time-code"' in page
    # Enrolling another application is no way round the code.
    assert client.get(reverse("two_factor_setup"))["Location"].startswith(reverse("two_factor_verify"))

    refused = client.post(reverse("two_factor_verify"), {"token": code(at_offset=-300), "next": "/"})
    assert refused.status_code == 200
    assert "Code refusé" in refused.content.decode()
    TOTPDevice.objects.filter(pk=user.totpdevice_set.get().pk).update(throttling_failure_count=0)

    accepted = client.post(reverse("two_factor_verify"), {"token": code(), "next": "/"})
    assert accepted["Location"] == "/"
    assert client.get(reverse("home")).status_code == 200


def test_a_code_serves_once(client):
    user = member(Role.NATIONAL_COMMITTEE)
    device_for(user)
    used = code()
    sign_in_with_password(client, user)
    assert client.post(reverse("two_factor_verify"), {"token": used})["Location"] == reverse("home")
    client.post(reverse("logout"))

    sign_in_with_password(client, user)
    again = client.post(reverse("two_factor_verify"), {"token": used})

    assert again.status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_a_badly_typed_code_gets_a_french_message(client):
    user = member(Role.ADMINISTRATOR)
    device_for(user)
    sign_in_with_password(client, user)

    response = client.post(reverse("two_factor_verify"), {"token": "12a456"})

    assert "Saisissez les 6 chiffres affichés par votre application, ou un code de secours" in response.content.decode()


def test_signing_out_stays_possible_before_the_code(client):
    user = member(Role.MANAGER)
    device_for(user)
    sign_in_with_password(client, user)

    client.post(reverse("logout"))

    assert "_auth_user_id" not in client.session


def test_replacing_the_application_asks_for_the_password_again_after_5_minutes(client):
    user = member(Role.MANAGER)
    old = device_for(user)
    client.force_login(user)  # signed in with password and code
    session = client.session
    session[SIGNED_IN_AT] = time.time() - 6 * 60
    session.save()

    response = client.get(reverse("two_factor_setup"))
    assert response["Location"].startswith(reverse("reauthenticate") + "?next=")
    wrong = client.post(reverse("reauthenticate"), {"password": "pas le bon", "next": reverse("two_factor_setup")})
    assert "Mot de passe incorrect." in wrong.content.decode()
    right = client.post(reverse("reauthenticate"), {"password": DEFAULT_PASSWORD, "next": reverse("two_factor_setup")})
    assert right["Location"] == reverse("two_factor_setup")

    page = client.get(reverse("two_factor_setup")).content.decode()
    assert "Changer d'application d'authentification" in page
    secret = page.split('id="cle-secrete">', 1)[1].split("<", 1)[0]
    assert (
        "Vos codes de secours"
        in client.post(reverse("two_factor_setup"), {"token": totp_code(secret)}).content.decode()
    )
    assert list(TOTPDevice.objects.filter(user=user)) != [old]
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1


def test_every_demo_account_of_those_roles_has_the_documented_demo_secret():
    call_command("load_demo", "--allow-without-debug", verbosity=0)

    with_device = set(
        TOTPDevice.objects.filter(key=DEMO_TOTP_KEY_HEX, confirmed=True).values_list("user__email", flat=True)
    )

    assert with_device == {account.email for account in DEMO_ACCOUNTS if account.role in TWO_FACTOR_ROLES}
    assert len(with_device) >= 4


def test_a_demo_manager_signs_in_with_the_demo_password_and_code(client):
    call_command("load_demo", "--allow-without-debug", verbosity=0)
    manager = next(account for account in DEMO_ACCOUNTS if account.role == Role.MANAGER)
    response = client.post(reverse("login"), {"username": manager.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302

    client.post(reverse("two_factor_verify"), {"token": code()})

    assert client.get(reverse("home")).status_code == 200


def test_the_unit_tests_sign_in_stands_for_password_and_code(client):
    client.force_login(UserFactory())

    assert client.session[DEVICE_ID_SESSION_KEY]
