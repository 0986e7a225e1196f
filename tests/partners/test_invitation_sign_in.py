"""An invitation accepted by an existing account is a sign-in: the same lockout, the same records, and the
same second factor as the sign-in form (issue 19, item 7)."""

import html

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.totp import DEMO_TOTP_KEY_HEX
from partners.access import Actor
from partners.enums import Role
from partners.models import Membership
from partners.services.members import invitation_create
from partners.services.two_factor import DEVICE_NAME
from tests.partners.factories import DEFAULT_PASSWORD, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

OFFICE = "192.0.2.4"


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True


@pytest.fixture
def team():
    """A Mission Locale and its manager, who invites."""
    return MembershipFactory(role=Role.MANAGER, organisation=OrganisationFactory(name="Mission Locale de Vienne"))


def invited(team, account, role=Role.ADVISER):
    """``account`` invited to ``team``'s organisation; returns a browser that opened the link."""
    tokens = []
    invitation_create(
        actor=Actor(user=team.user, membership=team),
        organisation=team.organisation,
        email=account.email,
        first_name=account.first_name,
        last_name=account.last_name,
        role=role,
        link_for=lambda token: tokens.append(token) or token,
    )
    browser = Client()
    opened = browser.get(reverse("partners:invitation_accept", kwargs={"token": tokens[0]}), REMOTE_ADDR=OFFICE)
    assert opened.status_code == 302
    return browser


def accept(browser, password):
    return browser.post(reverse("partners:invitation_accept_form"), {"password": password}, REMOTE_ADDR=OFFICE)


def sign_in(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=OFFICE)


@pytest.fixture
def colleague():
    """An adviser of another organisation: an existing account."""
    return MembershipFactory(role=Role.ADVISER).user


def test_failures_on_the_invitation_page_lock_it_like_the_sign_in_form(axes_on, settings, team, colleague):
    browser = invited(team, colleague)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = accept(browser, "pas-le-bon")
        assert wrong.status_code == 200
        assert "Mot de passe incorrect pour ce compte." in html.unescape(wrong.content.decode())
    assert accept(browser, "pas-le-bon").status_code == 429  # the last try: the lockout page

    # Then: the right password is refused there too, and nothing is joined nor signed in
    locked = accept(browser, DEFAULT_PASSWORD)

    assert locked.status_code == 429
    assert "Connexion temporairement bloquée" in locked.content.decode()
    assert not Membership.objects.filter(user=colleague, organisation=team.organisation).exists()
    assert "_auth_user_id" not in browser.session
    # The sign-in form is locked for that address from that network as well: it is one count.
    assert sign_in(Client(), colleague.email, DEFAULT_PASSWORD).status_code == 429
    # The failures are recorded as the sign-in form's are.
    attempt = AccessAttempt.objects.get()
    assert attempt.username == colleague.email
    assert attempt.ip_address == OFFICE
    assert attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT


def test_an_account_locked_on_the_sign_in_form_cannot_join_nor_sign_in_through_an_invitation(
    axes_on, settings, team, colleague
):
    signing_in = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(signing_in, colleague.email, "pas-le-bon")
    failures_on_the_form = AccessFailureLog.objects.count()
    browser = invited(team, colleague)

    refused = accept(browser, DEFAULT_PASSWORD)

    assert refused.status_code == 429
    assert "Connexion temporairement bloquée" in refused.content.decode()
    assert not Membership.objects.filter(user=colleague, organisation=team.organisation).exists()
    assert "_auth_user_id" not in browser.session
    # Refused like a sign-in: counted against the same address and network, logged (or not) the same way.
    assert AccessAttempt.objects.get().failures_since_start == settings.AXES_FAILURE_LIMIT + 1
    assert AccessFailureLog.objects.count() in (failures_on_the_form, failures_on_the_form + 1)


def test_the_right_password_joins_and_clears_the_failures_as_a_sign_in_does(axes_on, team, colleague):
    browser = invited(team, colleague)
    accept(browser, "pas-le-bon")
    assert AccessAttempt.objects.filter(username=colleague.email).exists()

    joined = accept(browser, DEFAULT_PASSWORD)

    assert joined.status_code == 302
    assert browser.session["_auth_user_id"] == str(colleague.pk)
    assert Membership.objects.filter(user=colleague, organisation=team.organisation, is_active=True).exists()
    assert not AccessAttempt.objects.filter(username=colleague.email).exists()  # AXES_RESET_ON_SUCCESS


@pytest.mark.parametrize("invited_as", [Role.ADVISER, Role.MANAGER])
def test_a_two_factor_account_that_accepts_still_gives_its_code_before_any_page(team, invited_as):
    # Given: a manager elsewhere, with an authenticator application
    manager = MembershipFactory(role=Role.MANAGER).user
    TOTPDevice.objects.create(user=manager, name=DEVICE_NAME, key=DEMO_TOTP_KEY_HEX, confirmed=True)
    browser = invited(team, manager, role=invited_as)

    # When: they accept with their password
    joined = accept(browser, DEFAULT_PASSWORD)

    # Then: signed in, but every page asks for the code first
    assert joined.status_code == 302
    assert Membership.objects.filter(user=manager, organisation=team.organisation).exists()
    team_url = reverse("partners:team", kwargs={"public_id": team.organisation.public_id})
    for url in (joined["Location"], reverse("home"), team_url, reverse("password_change")):
        response = browser.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("two_factor_verify") + "?next="), url
