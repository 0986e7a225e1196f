"""Signing in with an e-mail address, the header, signing out, resetting a forgotten password."""

import re

import pytest
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse

from outbox.services import deliver_pending
from partners.enums import OrganisationKind, Role
from partners.models import User
from tests.partners.factories import DEFAULT_PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_an_adviser_signs_in_with_their_e_mail_in_any_case_and_sees_who_they_act_for(client):
    organisation = OrganisationFactory(name="Mission Locale de Saint-Étienne", kind=OrganisationKind.MISSION_LOCALE)
    MembershipFactory(
        user=UserFactory(email="lea.benoit@ml.exemple.fr", first_name="Léa", last_name="Benoît"),
        organisation=organisation,
        role=Role.ADVISER,
    )

    response = client.post(
        reverse("login"), {"username": "Lea.Benoit@ML.exemple.fr", "password": DEFAULT_PASSWORD}, follow=True
    )

    assert response.redirect_chain == [(reverse("home"), 302)]
    page = response.content.decode()
    assert "Bonjour Léa" in page
    header = page.split("<header", 1)[1].split("</header>", 1)[0]
    assert "Léa Benoît" in header
    assert "Conseiller — Mission Locale de Saint-Étienne" in header


def test_a_wrong_password_is_refused_with_a_french_message(client):
    UserFactory(email="lea.benoit@ml.exemple.fr")

    response = client.post(reverse("login"), {"username": "lea.benoit@ml.exemple.fr", "password": "mauvais"})

    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_deactivated_account_cannot_sign_in(client):
    UserFactory(email="ancien@ml.exemple.fr", is_active=False)

    client.post(reverse("login"), {"username": "ancien@ml.exemple.fr", "password": DEFAULT_PASSWORD})

    assert "_auth_user_id" not in client.session


def test_a_user_without_organisation_is_told_what_to_do(client):
    client.force_login(UserFactory())

    page = client.get(reverse("home")).content.decode()

    assert "n'est rattaché à aucune organisation active" in page


def test_signing_out_ends_the_session(client):
    client.force_login(MembershipFactory().user)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_the_sign_out_address_opened_directly_offers_the_button_and_keeps_the_session(client):
    client.force_login(MembershipFactory().user)

    page = client.get(reverse("logout"))

    assert page.status_code == 200
    assert '<h1 class="h2 mb-3">Se déconnecter</h1>' in page.content.decode()
    assert client.get(reverse("home")).status_code == 200  # still signed in: only the POST signs out
    client.logout()
    assert client.get(reverse("logout"))["Location"] == reverse("login")


def test_two_accounts_cannot_share_an_e_mail_address_whatever_its_case():
    UserFactory(email="meme@ml.exemple.fr")
    with pytest.raises(IntegrityError, match=r"user_email_unique_ci"):
        User.objects.create(email="MEME@ml.exemple.fr", first_name="A", last_name="B")


def test_a_forgotten_password_is_reset_through_a_single_use_link_sent_in_french(client):
    user = UserFactory(email="lea.benoit@ml.exemple.fr", first_name="Léa")

    response = client.post(reverse("password_reset"), {"email": "lea.benoit@ml.exemple.fr"})

    assert response.status_code == 302
    assert mail.outbox == []  # written to the outbox, sent by the worker
    deliver_pending()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lea.benoit@ml.exemple.fr"]
    assert message.subject == "Orientations E2C : réinitialisation de votre mot de passe"
    assert message.body.startswith("Bonjour Léa,")
    link = re.search(r"http://testserver(/mot-de-passe/nouveau/\S+/)", message.body).group(1)

    form_url = client.get(link).url  # Django swaps the token for a session marker
    response = client.post(form_url, {"new_password1": "Nouveau-mot-2passe", "new_password2": "Nouveau-mot-2passe"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Nouveau-mot-2passe")

    reused = client.get(link, follow=True).content.decode()
    assert "Ce lien n'est plus valable" in reused


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    response = client.post(reverse("password_reset"), {"email": "inconnu@ml.exemple.fr"})

    assert response.status_code == 302
    assert mail.outbox == []


def test_the_login_page_asks_for_an_e_mail_with_one_input_type(client):
    """A duplicated ``type`` attribute is ignored after the first one: the field was a plain text box
    (no e-mail keyboard on phones, no address check by the browser)."""
    page = client.get(reverse("login")).content.decode()

    username = re.search(r"<input[^>]*name=\"username\"[^>]*>", page)
    assert username is not None
    assert re.findall(r"\stype=\"([^\"]*)\"", username.group(0)) == ["email"]
