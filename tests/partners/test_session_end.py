"""A session ended elsewhere (new password, closed account, two-factor reset) lands on the login page with
the reason, in French, never without a word."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from partners.access import Actor
from partners.enums import Role
from partners.models import User
from partners.services.members import end_sessions_of, membership_deactivate
from partners.sessions import SessionEnd
from tests.partners.factories import DEFAULT_PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Une-phrase-de-passe-solide-2026"
PASSWORD_CHANGED = "Votre mot de passe a été modifié depuis une autre session : reconnectez-vous"
ACCOUNT_CLOSED = "Votre compte a été désactivé : votre session a pris fin."


def landing(client):
    """The next page the other browser asks for, and the login page it is sent to."""
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    page = client.get(response["Location"])
    assert page.status_code == 200
    return html.unescape(page.content.decode())


@pytest.fixture
def adviser():
    return MembershipFactory(role=Role.ADVISER).user


def test_a_password_changed_in_another_browser_says_so_on_the_login_page(adviser):
    office, laptop = Client(), Client()
    office.force_login(adviser)
    laptop.force_login(adviser)

    changed = laptop.post(
        reverse("password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed["Location"] == reverse("password_change_done")

    page = landing(office)
    assert PASSWORD_CHANGED in page
    assert ACCOUNT_CLOSED not in page
    assert "_auth_user_id" not in office.session
    # Said once: the next visit to the login page is a plain one.
    assert PASSWORD_CHANGED not in office.get(reverse("login")).content.decode()
    # The browser where the password was changed stays signed in, without the message.
    home = laptop.get(reverse("home"))
    assert home.status_code == 200
    assert PASSWORD_CHANGED not in html.unescape(home.content.decode())


def test_a_closed_account_is_told_its_account_was_closed_not_that_its_password_changed(
    adviser, django_capture_on_commit_callbacks
):
    office = Client()
    office.force_login(adviser)
    manager = MembershipFactory(role=Role.MANAGER, organisation=adviser.memberships.get().organisation)

    with django_capture_on_commit_callbacks(execute=True):
        membership_deactivate(actor=Actor(user=manager.user, membership=manager), membership=adviser.memberships.get())

    page = landing(office)
    assert ACCOUNT_CLOSED in page
    assert PASSWORD_CHANGED not in page


def test_an_account_closed_without_its_sessions_ended_is_told_the_same(adviser):
    office = Client()
    office.force_login(adviser)
    User.objects.filter(pk=adviser.pk).update(is_active=False)  # e.g. in the admin: sessions left in place

    page = landing(office)

    assert ACCOUNT_CLOSED in page
    assert "_auth_user_id" not in office.session


def test_a_two_factor_reset_says_why_the_session_ended(adviser):
    office = Client()
    office.force_login(adviser)

    assert end_sessions_of(adviser.pk, reason=SessionEnd.TWO_FACTOR_RESET) == 1

    page = landing(office)
    assert "Un administrateur a réinitialisé votre double authentification" in page
