"""A manager's day with their team: invite a colleague, change a role, deactivate and reactivate, read the history."""

import datetime
import hashlib
import html
import re
import threading

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partners.access import Actor
from partners.enums import OrganisationKind, Role
from partners.models import AccountEvent, Invitation, Membership, User
from partners.selectors import members as members_selectors
from partners.selectors.members import hash_token
from partners.services.members import (
    ACCOUNT_CLOSED_BY_ADMINISTRATOR,
    INVITATION_EXPIRED,
    INVITATION_NOT_FOUND,
    INVITATION_USED,
    InvitationUnavailable,
    invitation_accept,
    invitation_create,
    membership_change_role,
    membership_deactivate,
    membership_reactivate,
)
from partners.views.members import INVITATION_SESSION_KEY
from tests.partners.factories import DEFAULT_PASSWORD, MembershipFactory, OrganisationFactory, UserFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Une-phrase-de-passe-solide-42"


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def manager_client(client, world):
    client.force_login(world.user("manager_ml"))
    return client


def text(response):
    return html.unescape(response.content.decode())


def team_url(organisation):
    return reverse("partners:team", kwargs={"public_id": organisation.public_id})


def invite(client, organisation, capture, **overrides):
    data = {
        "email": "Ines.Moreau@ML-Lyon.exemple.fr",
        "first_name": "Inès",
        "last_name": "Moreau",
        "role": Role.ADVISER,
        **overrides,
    }
    with capture(execute=True):
        return client.post(reverse("partners:invitation_create", kwargs={"public_id": organisation.public_id}), data)


def link_in(message):
    return re.search(r"http://testserver(/invitation/[\w-]+/)", message.body).group(1)


def open_link(client, link):
    """The invited person clicks the link of the e-mail: the token is swapped for a token-free page."""
    response = client.get(link)
    assert response.status_code == 302, response.status_code
    return response["Location"]


def accept_form_url():
    return reverse("partners:invitation_accept_form")


def actor(membership):
    return Actor(user=membership.user, membership=membership)


def events(organisation, action):
    return list(AccountEvent.objects.filter(organisation=organisation, action=action))


# --- The team page ----------------------------------------------------------------------------


def test_a_manager_sees_active_and_deactivated_colleagues_and_pending_invitations(
    manager_client, world, django_capture_on_commit_callbacks
):
    MembershipFactory(organisation=world.ml_a, user=UserFactory(first_name="Paul", last_name="Ancien"), is_active=False)
    invite(manager_client, world.ml_a, django_capture_on_commit_callbacks)

    page = text(manager_client.get(team_url(world.ml_a)))

    assert "Équipe de Mission Locale de Lyon" in page
    assert "Ancien Paul" in page
    assert "Désactivé" in page
    assert world.user("adviser_ml").email in page
    assert "Invitations en attente" in page
    assert "ines.moreau@ml-lyon.exemple.fr" in page
    # The manager's own row offers no action on themselves.
    assert "Aucune action sur votre propre rattachement" in page


def test_the_team_page_costs_the_same_number_of_queries_with_3_or_30_members(
    manager_client, world, django_assert_num_queries
):
    url = team_url(world.ml_a)

    def queries_for_the_page():
        manager_client.get(url)  # warm the session
        with django_assert_num_queries(5) as captured:
            response = manager_client.get(url)
        assert response.status_code == 200
        return len(captured)

    MembershipFactory(organisation=world.ml_a)  # adviser_ml, manager_ml and this one: 3 members
    with_three = queries_for_the_page()
    MembershipFactory.create_batch(27, organisation=world.ml_a)
    with_thirty = queries_for_the_page()

    assert with_three == with_thirty


def test_the_team_is_shown_page_by_page_in_alphabetical_order(manager_client, world, monkeypatch):
    monkeypatch.setattr(members_selectors, "TEAM_PAGE_SIZE", 2)
    for name in ("Bernard", "dupont", "Zola"):
        MembershipFactory(organisation=world.ml_a, user=UserFactory(last_name=name))

    pages, cursor = [], None
    while True:
        page = manager_client.get(team_url(world.ml_a), {"apres": cursor} if cursor else {}).context["page"]
        pages.append([m.user.last_name for m in page.items])
        cursor = page.next_cursor
        if cursor is None:
            break

    assert pages[0] == ["Bernard", "dupont"]  # case ignored
    assert pages[-1] == ["Zola"]
    seen = [name for names in pages for name in names]
    assert len(seen) == len(set(seen)) == 5


def test_an_adviser_cannot_reach_the_team_page(client, world):
    client.force_login(world.user("adviser_ml"))

    assert client.get(team_url(world.ml_a)).status_code == 403


def test_a_manager_of_ml_a_cannot_see_nor_invite_into_the_team_of_ml_b(manager_client, world):
    invite_b = reverse("partners:invitation_create", kwargs={"public_id": world.ml_b.public_id})

    assert manager_client.get(team_url(world.ml_b)).status_code == 403
    response = manager_client.post(
        invite_b, {"email": "x@ml-lille.exemple.fr", "first_name": "X", "last_name": "Y", "role": Role.ADVISER}
    )

    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_the_service_refuses_a_manager_inviting_into_another_organisation(world):
    with pytest.raises(PermissionDenied):
        invitation_create(
            actor=actor(world.memberships["manager_ml"]),
            organisation=world.ml_b,
            email="x@ml-lille.exemple.fr",
            first_name="X",
            last_name="Y",
            role=Role.ADVISER,
            link_for=lambda token: token,
        )


def test_an_e2c_school_manager_manages_the_team_of_its_site(client, world):
    client.force_login(world.user("manager_e2c"))

    assert client.get(team_url(world.site)).status_code == 200


def test_a_membership_of_an_organisation_the_manager_does_not_manage_is_not_found(manager_client, world):
    other = MembershipFactory(organisation=world.ml_b)

    response = manager_client.get(reverse("partners:membership_role", kwargs={"public_id": other.public_id}))

    assert response.status_code == 404


def test_a_malformed_or_unknown_identifier_answers_404(manager_client, world):
    assert manager_client.get("/annuaire/pas-un-uuid/equipe/").status_code == 404
    assert manager_client.get("/rattachements/00000000-0000-0000-0000-000000000000/role/").status_code == 404
    assert manager_client.get("/invitations/00000000-0000-0000-0000-000000000000/annuler/").status_code == 404


# --- Inviting ------------------------------------------------------------------------------------


def test_a_manager_invites_a_colleague_who_activates_their_account_with_the_link_once(
    manager_client, world, django_capture_on_commit_callbacks
):
    response = invite(manager_client, world.ml_a, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ines.moreau@ml-lyon.exemple.fr"]
    assert message.subject == "Orientations E2C : invitation à rejoindre Mission Locale de Lyon"
    assert message.body.startswith("Bonjour Inès,")
    assert "avec le rôle « Conseiller »." in message.body
    assert "choisissez votre mot de passe" in message.body
    invitation = Invitation.objects.get()
    assert invitation.invited_by == world.user("manager_ml")
    assert invitation.expires_at - invitation.created_at == Invitation.VALIDITY
    [invited] = events(world.ml_a, AccountEvent.Action.INVITED)
    assert invited.actor == world.user("manager_ml")

    link = link_in(message)
    newcomer = Client()
    opened = newcomer.get(link, follow=True)
    assert opened.request["PATH_INFO"] == accept_form_url()
    page = text(opened)
    assert "vous invite à rejoindre <strong>Mission Locale de Lyon</strong>" in page
    assert "avec le rôle <strong>« Conseiller »</strong>" in page

    response = newcomer.post(accept_form_url(), {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = User.objects.get(email="ines.moreau@ml-lyon.exemple.fr")
    assert user.check_password(NEW_PASSWORD)
    assert (user.first_name, user.last_name) == ("Inès", "Moreau")
    assert Membership.objects.get(user=user).organisation == world.ml_a
    assert newcomer.session["_auth_user_id"] == str(user.pk)
    assert "avec le rôle « Conseiller »." in text(newcomer.get(reverse("home")))
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    [activated] = events(world.ml_a, AccountEvent.Action.ACTIVATED)
    assert activated.user == activated.actor == user

    again = Client().get(link)
    assert again.status_code == 410
    assert INVITATION_USED in text(again)
    assert User.objects.filter(email="ines.moreau@ml-lyon.exemple.fr").count() == 1
    assert len(mail.outbox) == 1


def test_the_role_keeps_its_label_in_the_invitation_email_and_pages(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.user("manager_e2c"))
    invite(client, world.site, django_capture_on_commit_callbacks, role=Role.E2C_STAFF)
    body = mail.outbox[0].body
    invitation = Invitation.objects.get()
    revoke_page = text(client.get(reverse("partners:invitation_revoke", kwargs={"public_id": invitation.public_id})))
    staff = world.memberships["e2c_staff"]
    deactivate_page = text(client.get(reverse("partners:membership_deactivate", kwargs={"public_id": staff.public_id})))
    newcomer = Client()
    accept_page = text(newcomer.get(link_in(mail.outbox[0]), follow=True))
    welcome = newcomer.post(
        accept_form_url(), {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}, follow=True
    )

    assert "avec le rôle « Équipe E2C »." in body
    assert "avec le rôle <strong>« Équipe E2C »</strong>" in accept_page
    assert "rôle « Équipe E2C »" in revoke_page
    assert "rôle « Équipe E2C »" in deactivate_page
    assert "avec le rôle « Équipe E2C »." in text(welcome)
    for shown in (body, accept_page, revoke_page, deactivate_page, text(welcome)):
        assert "en tant que" not in shown
        assert "équipe e2c" not in shown


def test_only_a_sha256_of_the_token_is_stored(manager_client, world, django_capture_on_commit_callbacks):
    invite(manager_client, world.ml_a, django_capture_on_commit_callbacks)

    token = link_in(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()

    assert len(token) >= 43
    assert token not in invitation.token_hash
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()


def test_an_expired_link_gives_the_french_message_and_writes_nothing(
    manager_client, world, django_capture_on_commit_callbacks
):
    invite(manager_client, world.ml_a, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    before = AccountEvent.objects.count()

    shown = Client().get(link)
    # The link only opens the form (GET): a password posted to it is refused for its method.
    posted = Client().post(link, {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD})

    assert shown.status_code == 410
    assert INVITATION_EXPIRED in text(shown)
    assert posted.status_code == 405
    assert not User.objects.filter(email="ines.moreau@ml-lyon.exemple.fr").exists()
    assert AccountEvent.objects.count() == before
    assert Invitation.objects.get().accepted_at is None


def test_opening_the_link_swaps_the_token_for_a_token_free_page_that_sends_no_referrer(
    manager_client, world, django_capture_on_commit_callbacks
):
    invite(manager_client, world.ml_a, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    token = link.rstrip("/").rsplit("/", 1)[1]
    visitor = Client()

    opened = visitor.get(link)

    assert opened.status_code == 302
    assert opened["Location"] == accept_form_url() == "/invitation/accepter/"
    assert opened["Referrer-Policy"] == "no-referrer"
    # The session keeps the token's hash, never the token itself.
    assert visitor.session[INVITATION_SESSION_KEY] == hash_token(token)
    assert token not in str(dict(visitor.session))
    page = visitor.get(opened["Location"])
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "no-referrer"
    assert token not in page.content.decode()
    assert "Rejoindre l'équipe de Mission Locale de Lyon" in text(page)


def test_after_acceptance_the_browser_keeps_no_trace_of_the_invitation(
    manager_client, world, django_capture_on_commit_callbacks
):
    invite(manager_client, world.ml_a, django_capture_on_commit_callbacks)
    newcomer = Client()
    form_url = open_link(newcomer, link_in(mail.outbox[0]))

    response = newcomer.post(form_url, {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD})

    assert response.status_code == 302
    assert INVITATION_SESSION_KEY not in newcomer.session
    assert newcomer.session["_auth_user_id"] == str(User.objects.get(email="ines.moreau@ml-lyon.exemple.fr").pk)
    # Coming back to the page finds nothing to accept any more.
    again = newcomer.get(form_url)
    assert again.status_code == 404
    assert "Aucune invitation n'est ouverte dans ce navigateur" in text(again)


def test_a_person_signed_in_as_someone_else_who_accepts_is_signed_in_as_themselves(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.user("manager_ml"))
    invite(client, world.ml_a, django_capture_on_commit_callbacks)
    form_url = open_link(client, link_in(mail.outbox[0]))

    response = client.post(form_url, {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(email="ines.moreau@ml-lyon.exemple.fr").pk)
    assert INVITATION_SESSION_KEY not in client.session


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_token_free_page_without_an_opened_link_explains_in_french(client, method):
    response = getattr(client, method)(accept_form_url(), {"password": "a", "password_confirmation": "a"})

    assert response.status_code == 404
    assert "Aucune invitation n'est ouverte dans ce navigateur" in text(response)
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_link_revoked_after_it_was_opened_is_refused_on_the_token_free_page(
    manager_client, world, django_capture_on_commit_callbacks
):
    invite(manager_client, world.ml_a, django_capture_on_commit_callbacks)
    visitor = Client()
    form_url = open_link(visitor, link_in(mail.outbox[0]))
    Invitation.objects.update(revoked_at=timezone.now())

    response = visitor.post(form_url, {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD})

    assert response.status_code == 404
    assert INVITATION_NOT_FOUND in text(response)
    assert INVITATION_SESSION_KEY not in visitor.session
    assert not User.objects.filter(email="ines.moreau@ml-lyon.exemple.fr").exists()


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"revoked_at": timezone.now()}, 404),
        ({"expires_at": timezone.now() - datetime.timedelta(minutes=1)}, 410),
        ({"accepted_at": timezone.now()}, 410),
    ],
    ids=["revoked", "expired", "used"],
)
def test_an_unusable_link_keeps_its_french_page_and_is_not_redirected(
    manager_client, world, django_capture_on_commit_callbacks, change, status
):
    invite(manager_client, world.ml_a, django_capture_on_commit_callbacks)
    Invitation.objects.update(**change)
    visitor = Client()

    response = visitor.get(link_in(mail.outbox[0]))

    assert response.status_code == status
    assert "Invitation non valable" in text(response)
    assert response["Referrer-Policy"] == "no-referrer"
    assert INVITATION_SESSION_KEY not in visitor.session


@pytest.mark.parametrize("token", ["inconnu", "x" * 300, "%C3%A9t%C3%A9", "0"])
def test_an_unknown_link_answers_a_french_not_found_page_never_a_server_error(client, token):
    response = client.get(f"/invitation/{token}/")
    posted = client.post(f"/invitation/{token}/", {"password": "a"})

    assert response.status_code == 404
    assert posted.status_code == 405  # the link only opens the form
    assert "Ce lien d'invitation n'est pas valable" in text(response)


def test_a_manager_revokes_an_invitation_after_confirming_and_its_link_stops_working(
    manager_client, world, django_capture_on_commit_callbacks
):
    invite(manager_client, world.ml_a, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    invitation = Invitation.objects.get()
    url = reverse("partners:invitation_revoke", kwargs={"public_id": invitation.public_id})

    confirmation = manager_client.get(url)
    assert "Confirmer l'annulation" in text(confirmation)
    invitation.refresh_from_db()
    assert invitation.revoked_at is None  # GET changes nothing

    response = manager_client.post(url, {"reason": "Erreur d'adresse"})

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    [revoked] = events(world.ml_a, AccountEvent.Action.INVITATION_REVOKED)
    assert (revoked.actor, revoked.reason) == (world.user("manager_ml"), "Erreur d'adresse")
    assert Client().get(link).status_code == 404
    assert manager_client.get(team_url(world.ml_a)).context["invitations"] == []


def test_a_manager_cannot_invite_an_administrator_nor_a_role_foreign_to_the_organisation(
    manager_client, world, django_capture_on_commit_callbacks
):
    for role in (Role.ADMINISTRATOR, Role.E2C_STAFF, "chef"):
        response = invite(manager_client, world.ml_a, django_capture_on_commit_callbacks, role=role)
        assert response.status_code == 200
        assert "Sélectionnez un choix valide" in text(response)

    with pytest.raises(ValidationError, match="Seul un administrateur"):
        invitation_create(
            actor=actor(world.memberships["manager_ml"]),
            organisation=world.ml_a,
            email="a@ml.exemple.fr",
            first_name="A",
            last_name="B",
            role=Role.ADMINISTRATOR,
            link_for=lambda token: token,
        )
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_the_invitation_form_offers_only_the_roles_of_the_organisation_kind(manager_client, world):
    response = manager_client.get(reverse("partners:invitation_create", kwargs={"public_id": world.ml_a.public_id}))

    assert [value for value, _ in response.context["form"].fields["role"].choices] == [Role.ADVISER, Role.MANAGER]


def test_an_administrator_may_invite_an_administrator(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.user("administrator"))

    response = invite(client, world.national, django_capture_on_commit_callbacks, role=Role.ADMINISTRATOR)

    assert response.status_code == 302
    assert Invitation.objects.get().role == Role.ADMINISTRATOR


def test_an_empty_invitation_form_gets_french_errors(manager_client, world):
    response = manager_client.post(
        reverse("partners:invitation_create", kwargs={"public_id": world.ml_a.public_id}), {}
    )

    assert response.status_code == 200
    assert "Ce champ est obligatoire." in text(response)


def test_a_colleague_already_in_the_team_or_already_invited_is_not_invited_twice(
    manager_client, world, django_capture_on_commit_callbacks
):
    member = invite(
        manager_client, world.ml_a, django_capture_on_commit_callbacks, email=world.user("adviser_ml").email
    )
    assert "fait déjà partie de l'équipe" in text(member)

    invite(manager_client, world.ml_a, django_capture_on_commit_callbacks)
    twice = invite(
        manager_client, world.ml_a, django_capture_on_commit_callbacks, email="INES.moreau@ml-lyon.exemple.fr"
    )

    assert "Une invitation est déjà en attente pour cette adresse" in text(twice)
    assert Invitation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_person_with_an_account_joins_a_second_organisation_with_their_own_password(
    client, world, django_capture_on_commit_callbacks
):
    colleague = world.user("adviser_ft")
    client.force_login(world.user("manager_ml"))
    invite(client, world.ml_a, django_capture_on_commit_callbacks, email=colleague.email)
    assert "saisissez le mot de passe de votre compte" in mail.outbox[0].body
    visitor = Client()
    form_url = open_link(visitor, link_in(mail.outbox[0]))

    wrong = visitor.post(form_url, {"password": "pas-le-bon"})
    assert "Mot de passe incorrect pour ce compte." in text(wrong)
    assert not Membership.objects.filter(user=colleague, organisation=world.ml_a).exists()

    response = visitor.post(form_url, {"password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert Membership.objects.get(user=colleague, organisation=world.ml_a).role == Role.ADVISER
    assert visitor.session["_auth_user_id"] == str(colleague.pk)
    [added] = events(world.ml_a, AccountEvent.Action.MEMBERSHIP_ADDED)
    assert added.user == colleague
    # The session acts for the organisation just joined.
    assert "Conseiller — Mission Locale de Lyon" in text(visitor.get(reverse("home")))


def test_a_weak_or_mismatched_password_is_refused_in_french_and_nothing_is_created(
    manager_client, world, django_capture_on_commit_callbacks
):
    invite(manager_client, world.ml_a, django_capture_on_commit_callbacks)
    visitor = Client()
    form_url = open_link(visitor, link_in(mail.outbox[0]))

    weak = visitor.post(form_url, {"password": "12345678", "password_confirmation": "12345678"})
    mismatched = visitor.post(form_url, {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD + "x"})
    empty = visitor.post(form_url, {})

    assert "Ce mot de passe est trop court" in text(weak)
    assert "Les deux mots de passe ne sont pas identiques." in text(mismatched)
    assert "Ce champ est obligatoire." in text(empty)
    assert not User.objects.filter(email="ines.moreau@ml-lyon.exemple.fr").exists()
    assert Invitation.objects.get().accepted_at is None


def test_accepting_again_after_the_first_acceptance_says_the_link_was_used(world):
    tokens = []
    invitation_create(
        actor=actor(world.memberships["manager_ml"]),
        organisation=world.ml_a,
        email="ines.moreau@ml-lyon.exemple.fr",
        first_name="Inès",
        last_name="Moreau",
        role=Role.ADVISER,
        link_for=lambda token: tokens.append(token) or token,
    )
    invitation_accept(token_hash=hash_token(tokens[0]), password=NEW_PASSWORD)

    with pytest.raises(InvitationUnavailable) as refused:
        invitation_accept(token_hash=hash_token(tokens[0]), password=NEW_PASSWORD)

    assert refused.value.code == "used"
    assert refused.value.message == INVITATION_USED


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_acceptances_of_one_link_create_one_account():
    organisation = OrganisationFactory(kind=OrganisationKind.MISSION_LOCALE)
    manager = MembershipFactory(organisation=organisation, role=Role.MANAGER)
    tokens = []
    invitation_create(
        actor=actor(manager),
        organisation=organisation,
        email="ines.moreau@ml-lyon.exemple.fr",
        first_name="Inès",
        last_name="Moreau",
        role=Role.ADVISER,
        link_for=lambda token: tokens.append(token) or token,
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def accept():
        try:
            barrier.wait(timeout=10)
            invitation_accept(token_hash=hash_token(tokens[0]), password=NEW_PASSWORD)
            outcomes.append("accepted")
        except InvitationUnavailable as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["accepted", "used"]
    assert User.objects.filter(email="ines.moreau@ml-lyon.exemple.fr").count() == 1
    assert AccountEvent.objects.filter(action=AccountEvent.Action.ACTIVATED).count() == 1


# --- Roles ---------------------------------------------------------------------------------------


def test_a_manager_promotes_an_adviser_and_the_change_is_logged_with_its_author(manager_client, world):
    membership = world.memberships["adviser_ml"]
    url = reverse("partners:membership_role", kwargs={"public_id": membership.public_id})

    response = manager_client.post(url, {"role": Role.MANAGER, "reason": "Nouvelle responsable de secteur"})

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.MANAGER
    [changed] = events(world.ml_a, AccountEvent.Action.ROLE_CHANGED)
    assert changed.actor == world.user("manager_ml")
    assert changed.actor_organisation == world.ml_a
    assert changed.user == membership.user
    assert changed.detail == "Conseiller → Responsable"
    assert changed.reason == "Nouvelle responsable de secteur"


def test_a_manager_cannot_change_their_own_role_nor_make_an_administrator(manager_client, world):
    mine = world.memberships["manager_ml"]
    own_page = manager_client.get(reverse("partners:membership_role", kwargs={"public_id": mine.public_id}))
    assert "Vous ne pouvez pas modifier votre propre rôle" in text(own_page)
    own_post = manager_client.post(
        reverse("partners:membership_role", kwargs={"public_id": mine.public_id}), {"role": Role.ADVISER}
    )
    assert "Vous ne pouvez pas modifier votre propre rôle" in text(own_post)

    adviser = world.memberships["adviser_ml"]
    with pytest.raises(ValidationError, match="Seul un administrateur"):
        membership_change_role(actor=actor(mine), membership=adviser, role=Role.ADMINISTRATOR)
    with pytest.raises(ValidationError, match="n'existe pas dans une organisation"):
        membership_change_role(actor=actor(mine), membership=adviser, role=Role.E2C_STAFF)

    mine.refresh_from_db()
    adviser.refresh_from_db()
    assert (mine.role, adviser.role) == (Role.MANAGER, Role.ADVISER)
    assert not events(world.ml_a, AccountEvent.Action.ROLE_CHANGED)


def test_an_adviser_cannot_change_a_role(client, world):
    client.force_login(world.user("adviser_ml"))
    membership = world.memberships["manager_ml"]

    response = client.post(
        reverse("partners:membership_role", kwargs={"public_id": membership.public_id}), {"role": Role.ADVISER}
    )

    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.MANAGER


# --- Deactivation and reactivation ---------------------------------------------------------------


def test_deactivating_the_last_membership_closes_the_account_and_ends_its_session_at_once(
    manager_client, world, django_capture_on_commit_callbacks
):
    membership = world.memberships["adviser_ml"]
    colleague = Client()
    colleague.force_login(membership.user)
    assert colleague.get(reverse("home")).status_code == 200
    url = reverse("partners:membership_deactivate", kwargs={"public_id": membership.public_id})

    confirmation = manager_client.get(url)
    assert "Confirmer la désactivation" in text(confirmation)
    membership.refresh_from_db()
    assert membership.is_active  # GET changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url, {"reason": "Départ de la structure"})

    assert response.status_code == 302
    membership.refresh_from_db()
    user = membership.user
    user.refresh_from_db()
    assert not membership.is_active
    assert not user.is_active
    assert user.deactivated_at is not None
    next_request = colleague.get(reverse("home"))
    assert next_request.status_code == 302
    assert next_request["Location"].startswith(reverse("login"))
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)]
    actions = {e.action: e for e in AccountEvent.objects.filter(user=user)}
    assert actions[AccountEvent.Action.MEMBERSHIP_DEACTIVATED].reason == "Départ de la structure"
    assert actions[AccountEvent.Action.ACCOUNT_DEACTIVATED].actor == world.user("manager_ml")
    # The manager's own session is untouched.
    assert manager_client.get(team_url(world.ml_a)).status_code == 200


def test_sessions_are_ended_only_once_the_deactivation_is_committed(world, django_capture_on_commit_callbacks):
    membership = world.memberships["adviser_ml"]
    colleague = Client()
    colleague.force_login(membership.user)
    user_key = str(membership.user.pk)

    def sessions_of_colleague():
        return [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == user_key]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        membership_deactivate(actor=actor(world.memberships["manager_ml"]), membership=membership)
        # Inside the transaction that holds the locks, the session table is not scanned yet.
        assert len(sessions_of_colleague()) == 1

    assert len(callbacks) == 1
    callbacks[0]()
    assert sessions_of_colleague() == []


def test_an_inactive_account_is_refused_by_django_even_if_its_session_survived(world):
    user = world.user("adviser_ml")
    colleague = Client()
    colleague.force_login(user)
    User.objects.filter(pk=user.pk).update(is_active=False)  # no session cleanup on purpose

    assert colleague.get(reverse("home")).status_code == 302


def test_a_deactivated_account_cannot_sign_in(manager_client, world):
    membership = world.memberships["adviser_ml"]
    manager_client.post(reverse("partners:membership_deactivate", kwargs={"public_id": membership.public_id}))

    response = Client().post(reverse("login"), {"username": membership.user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session


def test_a_person_with_another_active_membership_keeps_their_account(world):
    person = world.user("adviser_ml")
    MembershipFactory(user=person, organisation=world.ml_b, role=Role.ADVISER)
    session = Client()
    session.force_login(person)

    membership_deactivate(actor=actor(world.memberships["manager_ml"]), membership=world.memberships["adviser_ml"])

    person.refresh_from_db()
    assert person.is_active
    assert session.get(reverse("home")).status_code == 200
    assert not AccountEvent.objects.filter(user=person, action=AccountEvent.Action.ACCOUNT_DEACTIVATED).exists()


def test_a_manager_cannot_deactivate_themselves(manager_client, world):
    mine = world.memberships["manager_ml"]
    url = reverse("partners:membership_deactivate", kwargs={"public_id": mine.public_id})

    assert "Vous ne pouvez pas désactiver votre propre rattachement" in text(manager_client.get(url))
    response = manager_client.post(url)

    assert "Vous ne pouvez pas désactiver votre propre rattachement" in text(response)
    mine.refresh_from_db()
    assert mine.is_active


def test_a_manager_of_another_organisation_cannot_deactivate_a_colleague(client, world):
    client.force_login(world.user("manager_e2c"))
    membership = world.memberships["adviser_ml"]

    response = client.post(reverse("partners:membership_deactivate", kwargs={"public_id": membership.public_id}))

    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.is_active


def test_reactivation_reopens_the_membership_and_the_account(manager_client, world):
    membership = world.memberships["adviser_ml"]
    manager_client.post(reverse("partners:membership_deactivate", kwargs={"public_id": membership.public_id}))
    url = reverse("partners:membership_reactivate", kwargs={"public_id": membership.public_id})

    assert "Confirmer la réactivation" in text(manager_client.get(url))
    response = manager_client.post(url, {"reason": "Retour de congé"})

    assert response.status_code == 302
    membership.refresh_from_db()
    membership.user.refresh_from_db()
    assert membership.is_active
    assert membership.user.is_active
    assert membership.user.deactivated_at is None
    signed_in = Client()
    assert signed_in.login(username=membership.user.email, password=DEFAULT_PASSWORD)
    assert {e.action for e in AccountEvent.objects.filter(user=membership.user, reason="Retour de congé")} == {
        AccountEvent.Action.MEMBERSHIP_REACTIVATED,
        AccountEvent.Action.ACCOUNT_REACTIVATED,
    }


def close_account_as_an_administrator_would_in_the_admin(user):
    """The Django admin unticks « actif »: no membership ends, no AccountEvent is written."""
    User.objects.filter(pk=user.pk).update(is_active=False, deactivated_at=timezone.now())


def test_the_account_closed_with_its_last_membership_is_marked_so_in_the_history(world):
    membership = world.memberships["adviser_ml"]

    membership_deactivate(actor=actor(world.memberships["manager_ml"]), membership=membership)

    closed = AccountEvent.objects.get(user=membership.user, action=AccountEvent.Action.ACCOUNT_DEACTIVATED)
    assert closed.detail == "dernier rattachement désactivé"


def test_a_manager_cannot_reopen_an_account_an_administrator_closed(manager_client, world):
    membership = world.memberships["adviser_ml"]
    close_account_as_an_administrator_would_in_the_admin(membership.user)
    manager = actor(world.memberships["manager_ml"])
    membership_deactivate(actor=manager, membership=membership)
    url = reverse("partners:membership_reactivate", kwargs={"public_id": membership.public_id})
    before = AccountEvent.objects.count()

    confirmation = text(manager_client.get(url))
    response = manager_client.post(url, {"reason": "Retour"})
    with pytest.raises(ValidationError) as refused:
        membership_reactivate(actor=manager, membership=membership)

    assert ACCOUNT_CLOSED_BY_ADMINISTRATOR in confirmation
    assert "Confirmer la réactivation" not in confirmation
    assert response.status_code == 200
    assert ACCOUNT_CLOSED_BY_ADMINISTRATOR in text(response)
    assert refused.value.messages == [ACCOUNT_CLOSED_BY_ADMINISTRATOR]
    membership.refresh_from_db()
    membership.user.refresh_from_db()
    assert not membership.is_active
    assert not membership.user.is_active
    assert AccountEvent.objects.count() == before


def test_a_manager_cannot_reopen_an_account_an_administrator_closed_again_after_a_reopening(world):
    membership = world.memberships["adviser_ml"]
    manager = actor(world.memberships["manager_ml"])
    membership_deactivate(actor=manager, membership=membership)
    membership_reactivate(actor=manager, membership=membership)
    close_account_as_an_administrator_would_in_the_admin(membership.user)
    membership_deactivate(actor=manager, membership=membership)

    with pytest.raises(ValidationError, match="fermé par un administrateur"):
        membership_reactivate(actor=manager, membership=membership)

    membership.user.refresh_from_db()
    assert not membership.user.is_active


def test_a_manager_cannot_reopen_an_account_whose_closing_was_logged_by_an_administrator(world):
    membership = world.memberships["adviser_ml"]
    manager = actor(world.memberships["manager_ml"])
    membership_deactivate(actor=manager, membership=membership)
    # A later closing for another reason, logged by an administrator, without the membership marker.
    AccountEvent.objects.create(
        actor=world.user("administrator"),
        actor_organisation=world.national,
        user=membership.user,
        organisation=world.ml_a,
        action=AccountEvent.Action.ACCOUNT_DEACTIVATED,
        reason="Usage frauduleux",
    )

    with pytest.raises(ValidationError, match="fermé par un administrateur"):
        membership_reactivate(actor=manager, membership=membership)


def test_an_administrator_reopens_an_account_an_administrator_closed(client, world):
    membership = world.memberships["adviser_ml"]
    close_account_as_an_administrator_would_in_the_admin(membership.user)
    membership_deactivate(actor=actor(world.memberships["manager_ml"]), membership=membership)
    client.force_login(world.user("administrator"))
    url = reverse("partners:membership_reactivate", kwargs={"public_id": membership.public_id})

    assert "Confirmer la réactivation" in text(client.get(url))
    response = client.post(url, {"reason": "Vérification faite"})

    assert response.status_code == 302
    membership.refresh_from_db()
    membership.user.refresh_from_db()
    assert membership.is_active
    assert membership.user.is_active
    reopened = AccountEvent.objects.get(user=membership.user, action=AccountEvent.Action.ACCOUNT_REACTIVATED)
    assert reopened.actor == world.user("administrator")


def test_deactivating_twice_is_refused_in_french(manager_client, world):
    membership = world.memberships["adviser_ml"]
    url = reverse("partners:membership_deactivate", kwargs={"public_id": membership.public_id})
    manager_client.post(url)

    with pytest.raises(ValidationError, match="déjà désactivé"):
        membership_deactivate(actor=actor(world.memberships["manager_ml"]), membership=membership)
    assert "Ce rattachement est déjà désactivé." in text(manager_client.get(url))


# --- History -------------------------------------------------------------------------------------


def test_the_history_tells_who_did_what_when_and_why_newest_first(manager_client, world, django_assert_num_queries):
    membership = world.memberships["adviser_ml"]
    manager = actor(world.memberships["manager_ml"])
    membership_change_role(actor=manager, membership=membership, role=Role.MANAGER, reason="Promotion")
    membership_deactivate(actor=manager, membership=membership, reason="Départ")
    url = reverse("partners:team_history", kwargs={"public_id": world.ml_a.public_id})

    response = manager_client.get(url)

    events_shown = response.context["page"].items
    assert [e.action for e in events_shown] == [
        AccountEvent.Action.ACCOUNT_DEACTIVATED,
        AccountEvent.Action.MEMBERSHIP_DEACTIVATED,
        AccountEvent.Action.ROLE_CHANGED,
    ]
    page = text(response)
    assert "Rôle modifié" in page
    assert "Conseiller → Responsable" in page
    assert "Promotion" in page
    assert world.user("manager_ml").get_full_name() in page


def test_the_history_costs_the_same_number_of_queries_with_3_or_30_events(
    manager_client, world, django_assert_num_queries
):
    url = reverse("partners:team_history", kwargs={"public_id": world.ml_a.public_id})
    manager = actor(world.memberships["manager_ml"])

    def add_events(count):
        for _ in range(count):
            AccountEvent.objects.create(
                actor=manager.user,
                actor_organisation=world.ml_a,
                user=UserFactory(),
                organisation=world.ml_a,
                action=AccountEvent.Action.ROLE_CHANGED,
            )

    add_events(3)
    manager_client.get(url)
    with django_assert_num_queries(4):
        manager_client.get(url)
    add_events(27)
    with django_assert_num_queries(4):
        response = manager_client.get(url)
    assert len(response.context["page"].items) == 30


def test_the_history_is_paginated_without_repeating_an_event(manager_client, world, monkeypatch):
    monkeypatch.setattr(members_selectors, "HISTORY_PAGE_SIZE", 2)
    for reason in ("un", "deux", "trois"):
        AccountEvent.objects.create(organisation=world.ml_a, action=AccountEvent.Action.ROLE_CHANGED, reason=reason)
    url = reverse("partners:team_history", kwargs={"public_id": world.ml_a.public_id})

    first = manager_client.get(url).context["page"]
    second = manager_client.get(url, {"apres": first.next_cursor}).context["page"]
    back = manager_client.get(url, {"avant": second.previous_cursor}).context["page"]

    assert [e.reason for e in first.items] == ["trois", "deux"]
    assert [e.reason for e in second.items] == ["un"]
    assert [e.reason for e in back.items] == ["trois", "deux"]


def test_an_adviser_cannot_read_the_history(client, world):
    client.force_login(world.user("adviser_ml"))

    assert client.get(reverse("partners:team_history", kwargs={"public_id": world.ml_a.public_id})).status_code == 403
