"""An administrator resets the two-factor authentication of a person who lost their phone: the person's
application and backup codes stop working, their sessions end, they enrol again at the next sign-in,
they are told, and the organisation's account history keeps who did it."""

import html
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from outbox.models import Message
from outbox.rendering import render_message
from partners.enums import Role
from partners.models import AccountEvent, BackupCode
from partners.services.members import TWO_FACTOR_RESET_MESSAGE_KIND
from partners.services.two_factor import backup_codes_generate
from tests.partners.factories import MembershipFactory
from tests.partners.test_two_factor import device_for, sign_in_with_password
from tests.world import build_world

pytestmark = pytest.mark.django_db


def text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def administrator_client(client, world):
    client.force_login(world.user("administrator"))
    return client


def reset_url(membership):
    return reverse("partners:two_factor_reset", kwargs={"public_id": membership.public_id})


def with_two_factor(membership):
    device_for(membership.user)
    backup_codes_generate(user=membership.user)
    return membership


def test_an_administrator_resets_a_managers_two_factor(administrator_client, world, django_capture_on_commit_callbacks):
    # Given ML A's manager, with an application, backup codes and a session open elsewhere
    membership = with_two_factor(world.memberships["manager_ml"])
    person = membership.user
    elsewhere = Client()
    elsewhere.force_login(person)
    assert elsewhere.get(reverse("home")).status_code == 200

    # When an administrator opens the confirmation page, then confirms with a reason
    page = text(administrator_client.get(reset_url(membership)))
    assert f"Réinitialiser la double authentification d'{person.get_full_name()}" in page
    assert "toutes ses sessions ouvertes sont fermées" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = administrator_client.post(
            reset_url(membership), {"reason": "Téléphone perdu, identité vérifiée par appel"}
        )

    # Then the team page says so, and the application and codes are gone
    assert response["Location"] == reverse("partners:team", kwargs={"public_id": world.ml_a.public_id})
    assert "est réinitialisée" in text(administrator_client.get(response["Location"]))
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not BackupCode.objects.filter(user=person).exists()
    # And the session opened elsewhere is over
    assert elsewhere.get(reverse("home"))["Location"].startswith(reverse("login"))
    # And the account history records who did it, when and why
    [event] = AccountEvent.objects.filter(action=AccountEvent.Action.TWO_FACTOR_RESET)
    assert (event.actor, event.actor_organisation, event.user, event.organisation) == (
        world.user("administrator"),
        world.national,
        person,
        world.ml_a,
    )
    assert event.reason == "Téléphone perdu, identité vérifiée par appel"
    history = text(
        administrator_client.get(reverse("partners:team_history", kwargs={"public_id": world.ml_a.public_id}))
    )
    assert "Double authentification réinitialisée" in history
    # And the person is told, in the bell and by e-mail, in French
    [message] = Message.objects.filter(kind=TWO_FACTOR_RESET_MESSAGE_KIND)
    assert message.recipient == person and message.organisation == world.ml_a
    rendered = render_message(message)
    assert rendered.subject == "Votre double authentification a été réinitialisée"
    assert "Un administrateur d'Orientations E2C a réinitialisé votre double authentification" in rendered.text
    assert world.ml_a.name in rendered.text
    assert person.email not in repr(message.context)
    assert message.address == person.email  # a security notice: sent at once, never in a daily digest

    # When the person signs in again with their password
    fresh = Client()
    sign_in_with_password(fresh, person)

    # Then they must enrol a new application before any page
    assert fresh.get(reverse("home"))["Location"].startswith(reverse("two_factor_setup"))


def test_the_team_page_offers_the_reset_to_administrators_only(client, world):
    team = reverse("partners:team", kwargs={"public_id": world.ml_a.public_id})
    link = reset_url(world.memberships["adviser_ml"])

    client.force_login(world.user("administrator"))
    assert link in text(client.get(team))
    client.force_login(world.user("manager_ml"))
    assert link not in text(client.get(team))


@pytest.mark.parametrize("role", ["manager_ml", "adviser_ml", "national_committee", "regional_coordinator"])
def test_no_other_role_may_reset_even_in_its_own_team(client, world, role):
    # Given ML A's adviser with two-factor in place
    membership = with_two_factor(world.memberships["adviser_ml"])
    client.force_login(world.user(role))

    # When another role than administrator opens or posts the reset
    opened = client.get(reset_url(membership))
    posted = client.post(reset_url(membership), {"reason": ""})

    # Then both are refused and nothing changed
    assert opened.status_code == posted.status_code == 403
    assert TOTPDevice.objects.filter(user=membership.user).exists()
    assert BackupCode.objects.filter(user=membership.user).count() == 10
    assert not AccountEvent.objects.filter(action=AccountEvent.Action.TWO_FACTOR_RESET).exists()


def test_a_membership_unknown_to_the_administrator_answers_404(administrator_client):
    # Administrators manage every organisation (partners.access.can_manage_members_of): what they cannot
    # reach is what does not exist.
    missing = reverse("partners:two_factor_reset", kwargs={"public_id": uuid.uuid4()})

    assert administrator_client.get(missing).status_code == 404
    assert administrator_client.post(missing, {}).status_code == 404


def test_an_administrator_cannot_reset_their_own_two_factor(administrator_client, world):
    membership = with_two_factor(world.memberships["administrator"])

    page = text(administrator_client.get(reset_url(membership)))
    refused = administrator_client.post(reset_url(membership), {"reason": ""})

    assert "Vous ne pouvez pas réinitialiser votre propre double authentification" in page
    assert "Vous ne pouvez pas réinitialiser votre propre double authentification" in text(refused)
    assert TOTPDevice.objects.filter(user=membership.user).exists()


def test_nothing_to_reset_is_said_and_nothing_is_written(administrator_client, world):
    membership = world.memberships["adviser_ml"]  # advisers sign in with their password only

    page = text(administrator_client.get(reset_url(membership)))
    refused = administrator_client.post(reset_url(membership), {"reason": ""})

    assert "rien à réinitialiser" in page
    assert refused.status_code == 200 and "rien à réinitialiser" in text(refused)
    assert not AccountEvent.objects.filter(action=AccountEvent.Action.TWO_FACTOR_RESET).exists()
    assert not Message.objects.filter(kind=TWO_FACTOR_RESET_MESSAGE_KIND).exists()


def test_an_administrator_resets_a_member_of_any_organisation(administrator_client, world):
    # A member of ML B (Lille), far from the administrator's national organisation
    membership = with_two_factor(MembershipFactory(organisation=world.ml_b, role=Role.MANAGER))

    response = administrator_client.post(reset_url(membership), {"reason": ""})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=membership.user).exists()
    assert AccountEvent.objects.get(action=AccountEvent.Action.TWO_FACTOR_RESET).organisation == world.ml_b
