"""A new password, from the account page or the « mot de passe oublié » link, is told to the account's
address at once: a change its owner did not make does not go unseen."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from outbox.models import Message, Preference
from outbox.services import deliver_pending
from partners.enums import Role
from tests.partners.factories import DEFAULT_PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Une-phrase-de-passe-solide-2026"


@pytest.fixture
def adviser():
    user = MembershipFactory(role=Role.ADVISER, user__email="camille.roux@ml.exemple.fr").user
    Preference.objects.create(user=user, frequency=Preference.Frequency.DAILY_DIGEST)  # not for this notice
    return user


def test_a_change_from_the_account_page_is_told_at_once_and_keeps_the_session(client, adviser, mailoutbox):
    client.force_login(adviser)

    response = client.post(
        reverse("password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response["Location"] == reverse("password_change_done")
    assert authenticate(username=adviser.email, password=NEW_PASSWORD) == adviser
    assert client.get(reverse("home")).status_code == 200  # still signed in
    notice = Message.objects.get(recipient=adviser, kind="account.password_changed")
    assert notice.address == "camille.roux@ml.exemple.fr"
    assert deliver_pending() == 1
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["camille.roux@ml.exemple.fr"]
    assert mailoutbox[0].subject == "Mot de passe changé sur Orientations E2C"
    assert "depuis la page « Mot de passe » de votre compte" in mailoutbox[0].body
    assert NEW_PASSWORD not in mailoutbox[0].body


def test_a_new_password_by_the_forgotten_password_link_is_told_too(client, adviser, mailoutbox):
    uid = urlsafe_base64_encode(force_bytes(adviser.pk))
    token = default_token_generator.make_token(adviser)
    form_url = client.get(reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token}))["Location"]

    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response["Location"] == reverse("password_reset_complete")
    assert authenticate(username=adviser.email, password=NEW_PASSWORD) == adviser
    deliver_pending()
    assert [mail.to for mail in mailoutbox] == [["camille.roux@ml.exemple.fr"]]
    assert "par le lien « Mot de passe oublié »" in mailoutbox[0].body


def test_a_refused_change_tells_nobody(client, adviser):
    client.force_login(adviser)

    wrong_old = client.post(
        reverse("password_change"),
        {"old_password": "pas le bon", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert wrong_old.status_code == 200
    assert authenticate(username=adviser.email, password=DEFAULT_PASSWORD) == adviser
    assert not Message.objects.filter(kind="account.password_changed").exists()
