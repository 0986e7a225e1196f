"""Role labels agree with how the person asked to be addressed (« Conseillère »), set on their own account."""

import html
import re

import pytest
from django.core import mail
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from history.models import UserChange
from partners.enums import FormOfAddress, Role, role_label
from partners.models import User
from tests.partners.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Une-phrase-de-passe-solide-42"


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def header(page: str) -> str:
    """What the header says of the signed-in person's role (« <rôle> — <organisation> »)."""
    found = re.search(r"(\S+) — Mission Locale de Lyon", page)
    assert found, page[:2000]
    return found.group(1)


@pytest.mark.parametrize(
    ("form_of_address", "expected"),
    [("madame", "Conseillère"), ("monsieur", "Conseiller"), ("", "Conseiller")],
)
def test_an_advisers_role_agrees_with_how_she_asked_to_be_addressed_in_the_header_and_on_the_team_page(
    form_of_address, expected
):
    world = build_world()
    adviser = world.user("adviser_ml")
    User.objects.filter(pk=adviser.pk).update(form_of_address=form_of_address)

    home = text(signed_in(adviser).get(reverse("home")))
    team = text(
        signed_in(world.user("manager_ml")).get(reverse("partners:team", kwargs={"public_id": world.ml_a.public_id}))
    )

    assert header(home) == expected
    assert f"Votre rôle : {expected}." in home
    row = re.search(rf"{re.escape(adviser.last_name)} {re.escape(adviser.first_name)}.*?</tr>", team)
    assert row, team
    assert f"<td>{expected}</td>" in row.group(0)


def test_an_administrator_addressed_as_madame_is_shown_as_administratrice():
    world = build_world()
    administrator = world.user("administrator")
    User.objects.filter(pk=administrator.pk).update(form_of_address=FormOfAddress.MADAME)

    page = text(signed_in(administrator).get(reverse("home")))

    assert "Administratrice — Union nationale des Missions Locales" in page
    assert "Administrateur" not in page


def test_the_label_changes_only_the_roles_that_are_not_epicene_and_keeps_the_old_label_by_default():
    assert role_label(Role.ADVISER, "madame") == "Conseillère"
    assert role_label(Role.ADMINISTRATOR, "madame") == "Administratrice"
    assert role_label(Role.ADMINISTRATOR, "monsieur") == "Administrateur"
    assert role_label(Role.MANAGER, "madame") == "Responsable"
    for role in Role:
        assert role_label(role, "") == role.label


def test_a_person_sets_how_to_address_them_on_their_account_page_and_the_history_keeps_it():
    membership = MembershipFactory(role=Role.ADVISER, organisation=OrganisationFactory(name="Mission Locale de Lyon"))
    client = signed_in(membership.user)
    page = text(client.get(reverse("email_change")))
    assert "Comment s'adresser à vous" in page

    saved = client.post(reverse("email_change"), {"form_of_address": "madame"})

    assert saved.status_code == 302
    membership.user.refresh_from_db()
    assert membership.user.form_of_address == "madame"
    assert header(text(client.get(reverse("home")))) == "Conseillère"
    assert not mail.outbox  # no address change asked for
    change = UserChange.objects.filter(pgh_obj_id=membership.user.pk).latest("pgh_id")
    assert change.form_of_address == "madame"
    assert change.pgh_context.metadata["user"] == membership.user.pk

    refused = client.post(reverse("email_change"), {"form_of_address": "mademoiselle"})
    assert refused.status_code == 200
    assert "Choisissez « Madame », « Monsieur » ou « Non précisé »." in text(refused)
    membership.user.refresh_from_db()
    assert membership.user.form_of_address == "madame"


def test_a_new_account_chooses_how_to_address_it_when_accepting_an_invitation(django_capture_on_commit_callbacks):
    world = build_world()
    manager = signed_in(world.user("manager_ml"))
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(
            reverse("partners:invitation_create", kwargs={"public_id": world.ml_a.public_id}),
            {"email": "ines.moreau@ml-lyon.exemple.fr", "first_name": "Inès", "last_name": "Moreau", "role": "adviser"},
        )
    link = re.search(r"http://testserver(/invitation/[\w-]+/)", mail.outbox[-1].body).group(1)
    newcomer = Client()
    form_url = newcomer.get(link)["Location"]
    assert "Comment s'adresser à vous" in text(newcomer.get(form_url))

    newcomer.post(
        form_url, {"form_of_address": "madame", "password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}
    )

    assert User.objects.get(email="ines.moreau@ml-lyon.exemple.fr").form_of_address == "madame"
    assert "avec le rôle « Conseillère »" in text(newcomer.get(reverse("home")))


def test_the_database_refuses_an_unknown_form_of_address():
    with pytest.raises(IntegrityError):
        UserFactory(form_of_address="mlle")
