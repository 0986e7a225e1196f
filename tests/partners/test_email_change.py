"""Changing one's sign-in address: the password typed again first, the history keeps both addresses."""

import hashlib
import re
import time

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from common.middleware import SIGNED_IN_AT
from history.models import UserChange
from partners.enums import Role
from partners.models import EmailChangeRequest, User
from tests.partners.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_class_for(user) -> Client:
    signed_in = Client()
    signed_in.force_login(user)
    return signed_in


@pytest.fixture
def adviser(client):
    user = MembershipFactory(role=Role.ADVISER, user__email="camille.roux@ml.exemple.fr").user
    client.force_login(user)  # the sign-in stamps the session: the password was just typed
    return user


def confirmation_link(mail) -> str:
    """The path of the confirmation link e-mailed to the new address."""
    found = re.search(r"https?://[^/\s]+(/compte/adresse-e-mail/lien/[^\s]+/)", mail.body)
    assert found, mail.body
    return found.group(1)


def change_and_confirm(client, email, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("email_change"), {"email": email})
    opened = client.get(confirmation_link(mailoutbox[-1]))
    assert opened["Location"] == reverse("email_change_confirm")
    return client.post(reverse("email_change_confirm"))


def test_an_adviser_changes_her_address_once_confirmed_from_the_new_mailbox_and_signs_in_with_it(
    client, adviser, mailoutbox, django_capture_on_commit_callbacks
):
    # When: the new address is asked for
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse("email_change"), {"email": "  Camille.Roux@Nouvelle.Exemple.FR "})

    # Then: nothing changes yet; a link goes to the new address, and only a hash of it is stored
    assert asked["Location"] == reverse("home")
    assert (
        "Un lien de confirmation vient d&#x27;être envoyé à c•••@nouvelle.exemple.fr"
        in client.get(reverse("home")).content.decode()
    )
    assert User.objects.get(pk=adviser.pk).email == "camille.roux@ml.exemple.fr"
    assert [mail.to for mail in mailoutbox] == [["camille.roux@nouvelle.exemple.fr"]]
    link = confirmation_link(mailoutbox[0])
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert EmailChangeRequest.objects.get().token_hash == hashlib.sha256(token.encode()).hexdigest()

    # When: the link is opened (signed in), Then the page asks to confirm, and opening changed nothing
    confirm_page = client.get(client.get(link)["Location"])
    assert "Confirmer la nouvelle adresse" in confirm_page.content.decode()
    assert token not in confirm_page.content.decode()
    assert User.objects.get(pk=adviser.pk).email == "camille.roux@ml.exemple.fr"

    # When: confirmed, Then the address is the new one
    response = client.post(reverse("email_change_confirm"))
    assert response["Location"] == reverse("home")
    adviser.refresh_from_db()
    assert adviser.email == "camille.roux@nouvelle.exemple.fr"
    assert authenticate(username="camille.roux@nouvelle.exemple.fr", password=DEFAULT_PASSWORD) == adviser
    assert authenticate(username="camille.roux@ml.exemple.fr", password=DEFAULT_PASSWORD) is None
    # the change history keeps the old and the new address, with who changed it
    emails = list(UserChange.objects.filter(pgh_obj_id=adviser.pk).order_by("pgh_id").values_list("email", flat=True))
    assert emails[-2:] == ["camille.roux@ml.exemple.fr", "camille.roux@nouvelle.exemple.fr"]
    assert UserChange.objects.filter(pgh_obj_id=adviser.pk).latest("pgh_id").pgh_context.metadata["user"] == adviser.pk
    page = client.get(reverse("home")).content.decode()
    assert "Votre adresse de connexion est changée" in page
    # and the link serves once
    client.get(link)
    again = client.post(reverse("email_change_confirm"))
    assert again.status_code == 410 and "n&#x27;est pas valable" in again.content.decode()


def test_an_unusable_link_changes_nothing_expired_superseded_or_another_accounts(
    client, adviser, mailoutbox, django_capture_on_commit_callbacks
):
    # Given: two requests in a row (the first link superseded), then the second one expired
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("email_change"), {"email": "premiere@exemple.fr"})
        client.post(reverse("email_change"), {"email": "seconde@exemple.fr"})
    first, second = (confirmation_link(mail) for mail in mailoutbox)
    client.get(first)
    assert client.post(reverse("email_change_confirm")).status_code == 410

    # When: another account opens the second link
    other = UserFactory()
    other_client = client_class_for(other)
    other_client.get(second)
    assert other_client.post(reverse("email_change_confirm")).status_code == 410

    # When: it expires, Then its owner cannot use it either
    EmailChangeRequest.objects.update(expires_at=timezone.now())
    client.get(second)
    assert client.post(reverse("email_change_confirm")).status_code == 410
    assert User.objects.get(pk=adviser.pk).email == "camille.roux@ml.exemple.fr"
    assert other.email == User.objects.get(pk=other.pk).email


def test_an_address_taken_between_the_request_and_the_confirmation_is_refused_in_french(
    client, adviser, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("email_change"), {"email": "convoitee@exemple.fr"})
    UserFactory(email="convoitee@exemple.fr")
    client.get(confirmation_link(mailoutbox[0]))

    response = client.post(reverse("email_change_confirm"))

    assert "Cette adresse ne peut plus être celle de votre compte" in response.content.decode()
    assert User.objects.get(pk=adviser.pk).email == "camille.roux@ml.exemple.fr"
    assert EmailChangeRequest.objects.get().confirmed_at is None


def test_the_password_is_asked_again_after_five_minutes(client, adviser):
    session = client.session
    session[SIGNED_IN_AT] = time.time() - 6 * 60
    session.save()

    response = client.get(reverse("email_change"))
    assert response["Location"].startswith(reverse("reauthenticate") + "?next=")
    refused = client.post(reverse("email_change"), {"email": "ailleurs@exemple.fr"})
    assert refused.status_code == 302
    assert User.objects.get(pk=adviser.pk).email == "camille.roux@ml.exemple.fr"

    wrong = client.post(reverse("reauthenticate"), {"password": "pas le bon", "next": reverse("email_change")})
    assert "Mot de passe incorrect." in wrong.content.decode()
    right = client.post(reverse("reauthenticate"), {"password": DEFAULT_PASSWORD, "next": reverse("email_change")})
    assert right["Location"] == reverse("email_change")
    assert "Changer d'adresse e-mail" in client.get(reverse("email_change")).content.decode()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Saisissez la nouvelle adresse."),
        ("pas-une-adresse", "Saisissez une adresse e-mail valide."),
        ("CAMILLE.ROUX@ml.exemple.fr", "C&#x27;est déjà votre adresse de connexion."),
        ("Dominique.Autre@Exemple.fr", "Cette adresse ne peut pas être celle de votre compte."),
    ],
)
def test_a_wrong_address_is_refused_in_french_and_nothing_changes(client, adviser, typed, message):
    UserFactory(email="dominique.autre@exemple.fr")

    response = client.post(reverse("email_change"), {"email": typed})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.get(pk=adviser.pk).email == "camille.roux@ml.exemple.fr"


def test_signed_out_people_are_sent_to_the_sign_in_page(client):
    response = client.get(reverse("email_change"))
    assert response["Location"].startswith(reverse("login"))


def test_the_old_address_is_told_of_the_change_at_once_even_with_the_daily_digest(
    client, adviser, mailoutbox, django_capture_on_commit_callbacks
):
    # Given: the adviser chose the daily digest for her notifications
    from outbox.models import Message, Preference
    from outbox.services import deliver_pending

    Preference.objects.create(user=adviser, frequency=Preference.Frequency.DAILY_DIGEST)

    # When: the address is changed and confirmed, then the relay runs
    change_and_confirm(client, "camille.roux@nouvelle.exemple.fr", mailoutbox, django_capture_on_commit_callbacks)
    notice = Message.objects.get(recipient=adviser, kind="account.email_changed")
    assert notice.address == "camille.roux@ml.exemple.fr"
    assert deliver_pending() == 1

    # Then: one e-mail to the old address (not filed for the digest), the new one masked in it
    notice.refresh_from_db()
    assert notice.status == Message.Status.SENT and not notice.in_digest
    assert len(mailoutbox) == 2 and mailoutbox[1].to == ["camille.roux@ml.exemple.fr"]
    body = mailoutbox[1].body
    assert "c•••@nouvelle.exemple.fr" in body and "camille.roux@nouvelle" not in body
    assert "prévenez tout de suite l'administrateur" in body
    assert mailoutbox[1].subject == "Adresse de connexion changée sur Orientations E2C"
    # the bell shows it too, in the account's own notifications
    assert "Adresse de connexion changée" in client.get(reverse("outbox:notifications")).content.decode()


def test_a_refused_change_tells_nobody(client, adviser):
    from outbox.models import Message

    UserFactory(email="pris@exemple.fr")
    client.post(reverse("email_change"), {"email": "pris@exemple.fr"})
    session = client.session
    session[SIGNED_IN_AT] = time.time() - 6 * 60
    session.save()
    client.post(reverse("email_change"), {"email": "ailleurs@exemple.fr"})

    assert User.objects.get(pk=adviser.pk).email == "camille.roux@ml.exemple.fr"
    assert not Message.objects.filter(kind="account.email_changed").exists()
    assert not EmailChangeRequest.objects.exists()


def test_a_concurrent_taker_leaves_neither_the_change_nor_its_notice(adviser, monkeypatch):
    # Given: another account takes the address between the form's check and the write
    from outbox.models import Message
    from partners.services.accounts import EmailTaken, account_email_change

    UserFactory(email="convoitee@exemple.fr")

    # When / Then: the unique index refuses it: no change, no notice
    with pytest.raises(EmailTaken):
        account_email_change(user=adviser, email="convoitee@exemple.fr")
    assert not Message.objects.filter(kind="account.email_changed").exists()
