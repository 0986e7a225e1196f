"""Correspondents: an E2C site and an ML / France Travail agency name one contact each."""

import html
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from partners.access import Actor
from partners.enums import OrganisationKind, Role
from partners.models import Correspondent, Membership
from partners.selectors.correspondents import correspondents_for_site, e2c_contacts_for_partner
from partners.services.correspondents import correspondent_create, correspondent_update
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db

# Unknown identifiers, the same in every process of the run (pytest-xdist collects twice).
UNKNOWN = [uuid.uuid5(uuid.NAMESPACE_URL, f"inconnu-{n}") for n in range(8)]


@pytest.fixture
def world():
    return build_world()


def actor(world, role):
    return Actor(user=world.user(role), membership=world.memberships[role])


def page_of(client, world, role, organisation):
    client.force_login(world.user(role))
    response = client.get(reverse("partners:correspondents", kwargs={"public_id": organisation.public_id}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "%(invalid)s" not in page
    return page


def create_url(organisation, avec=None):
    url = reverse("partners:correspondent_create", kwargs={"public_id": organisation.public_id})
    return f"{url}?avec={avec}" if avec is not None else url


def pair_url(name, organisation, pair):
    return reverse(name, kwargs={"public_id": organisation.public_id, "pair_id": pair.public_id})


def site_in_lyon(world, name="E2C Lyon — site de Vaulx-en-Velin"):
    return OrganisationFactory(
        name=name,
        kind=OrganisationKind.E2C_SITE,
        departement=world.site.departement,
        region=world.site.region,
        parent=world.school,
    )


# --- Reading ---------------------------------------------------------------------------------


def test_an_e2c_site_page_lists_its_partners_with_the_people_named_on_each_side(client, world):
    page = page_of(client, world, "adviser_ft", world.site)

    assert "Mission Locale de Lyon" in page
    assert world.user("adviser_ml").get_full_name() in page
    assert world.user("e2c_staff").get_full_name() in page
    assert "Désignés le" in page


def test_a_mission_locale_page_lists_its_e2c_sites_with_their_contacts(client, world):
    page = page_of(client, world, "adviser_ml", world.ml_a)

    assert "E2C Lyon — site de Vénissieux" in page
    assert world.user("e2c_staff").get_full_name() in page
    assert "Désigner des correspondants" not in page  # an adviser reads, does not edit


def test_a_school_page_shows_its_sites_pairs_and_sends_to_the_site_to_edit_them(client, world):
    page = page_of(client, world, "manager_e2c", world.school)

    assert "E2C Lyon — site de Vénissieux" in page
    assert reverse("partners:correspondents", kwargs={"public_id": world.site.public_id}) in page
    assert pair_url("partners:correspondent_update", world.school, world.correspondent) not in page


def test_a_body_that_has_no_correspondents_says_so(client, world):
    page = page_of(client, world, "national_committee", world.national)

    assert "cette organisation n'en a pas" in page


@pytest.mark.parametrize(
    "url",
    [
        f"/annuaire/{UNKNOWN[0]}/correspondants/",
        "/annuaire/pas-un-uuid/correspondants/",
        f"/annuaire/{UNKNOWN[1]}/correspondants/ajouter/",
        "/annuaire/123/correspondants/456/modifier/",
    ],
)
def test_an_unknown_or_malformed_organisation_is_not_found(client, world, url):
    client.force_login(world.user("administrator"))

    assert client.get(url).status_code == 404


def test_a_user_without_membership_does_not_see_correspondents(client, world):
    client.force_login(world.user("no_membership"))

    response = client.get(reverse("partners:correspondents", kwargs={"public_id": world.site.public_id}))

    assert response.status_code == 404


def test_the_list_costs_the_same_number_of_queries_for_3_and_30_pairs(client, world, django_assert_num_queries):
    client.force_login(world.user("e2c_staff"))
    url = reverse("partners:correspondents", kwargs={"public_id": world.site.public_id})

    def add_pairs(count):
        for _ in range(count):
            partner = OrganisationFactory(kind=OrganisationKind.MISSION_LOCALE, region=world.site.region)
            adviser = MembershipFactory(organisation=partner).user
            Correspondent.objects.create(e2c_site=world.site, partner=partner, partner_correspondent=adviser)

    add_pairs(2)  # with the world's pair: 3
    with django_assert_num_queries(6):
        assert client.get(url).content.decode().count("Retirer<span") == 3
    add_pairs(27)
    with django_assert_num_queries(6):
        assert client.get(url).content.decode().count("Retirer<span") == 30


# --- Adding a pair ---------------------------------------------------------------------------


def test_e2c_staff_name_correspondents_with_a_france_travail_agency_in_two_steps(client, world):
    ft_adviser = world.user("adviser_ft")
    client.force_login(world.user("e2c_staff"))

    step_one = client.get(create_url(world.site)).content.decode()
    assert "France Travail Lyon Part-Dieu" in step_one
    assert "Mission Locale de Lille" not in step_one  # another région
    assert ">Mission Locale de Lyon<" not in step_one  # already paired

    step_two = client.get(create_url(world.site, world.ft.public_id)).content.decode()
    assert ft_adviser.get_full_name() in step_two
    assert "Étape 2 sur 2" in step_two

    response = client.post(
        create_url(world.site, world.ft.public_id),
        {"partner_correspondent": str(ft_adviser.public_id), "e2c_contact": str(world.user("e2c_staff").public_id)},
    )

    assert response.status_code == 302
    pair = Correspondent.objects.get(e2c_site=world.site, partner=world.ft)
    assert pair.partner_correspondent == ft_adviser
    assert pair.e2c_contact == world.user("e2c_staff")


def test_a_mission_locale_manager_names_an_adviser_for_a_site_of_their_region(client, world):
    new_site = site_in_lyon(world)
    client.force_login(world.user("manager_ml"))

    response = client.post(
        create_url(world.ml_a, new_site.public_id),
        {"partner_correspondent": str(world.user("adviser_ml").public_id), "e2c_contact": ""},
    )

    assert response.status_code == 302
    pair = Correspondent.objects.get(e2c_site=new_site, partner=world.ml_a)
    assert pair.partner_correspondent == world.user("adviser_ml")
    assert pair.e2c_contact is None


@pytest.mark.parametrize("avec", ["pas-un-uuid", str(UNKNOWN[2]), "ml_b"])
def test_a_malformed_unknown_or_unsuitable_organisation_choice_is_refused_in_french(client, world, avec):
    client.force_login(world.user("e2c_staff"))
    if avec == "ml_b":
        avec = str(world.ml_b.public_id)

    response = client.get(create_url(world.site, avec))

    assert response.status_code == 200
    assert "Choisissez une organisation dans la liste." in response.content.decode()


def test_naming_nobody_is_refused_with_a_french_message(client, world):
    client.force_login(world.user("e2c_staff"))

    response = client.post(create_url(world.site, world.ft.public_id), {})

    assert response.status_code == 200
    assert "Désignez au moins une personne" in response.content.decode()
    assert not Correspondent.objects.filter(partner=world.ft).exists()


def test_a_person_not_offered_in_the_list_is_refused(client, world):
    client.force_login(world.user("e2c_staff"))

    response = client.post(
        create_url(world.site, world.ft.public_id), {"partner_correspondent": str(world.user("adviser_ml").public_id)}
    )

    assert response.status_code == 200
    assert not Correspondent.objects.filter(partner=world.ft).exists()


@pytest.mark.parametrize(
    "role", ["adviser_ml", "adviser_ft", "manager_ml", "regional_coordinator", "national_committee"]
)
def test_roles_that_do_not_edit_the_site_pairs_are_forbidden(client, world, role):
    client.force_login(world.user(role))

    assert client.get(create_url(world.site)).status_code == 403
    assert client.post(create_url(world.site, world.ft.public_id), {}).status_code == 403
    assert client.post(pair_url("partners:correspondent_delete", world.site, world.correspondent)).status_code == 403
    assert Correspondent.objects.filter(pk=world.correspondent.pk).exists()


def test_e2c_staff_may_not_edit_the_pairs_from_the_mission_locale_page(client, world):
    client.force_login(world.user("e2c_staff"))

    response = client.get(pair_url("partners:correspondent_update", world.ml_a, world.correspondent))

    assert response.status_code == 403


# --- The service's rules ---------------------------------------------------------------------


def test_the_service_wants_an_e2c_site_and_a_mission_locale_or_france_travail(world):
    with pytest.raises(ValidationError) as error:
        correspondent_create(
            actor=actor(world, "administrator"),
            e2c_site=world.school,
            partner=world.arml,
            partner_correspondent=None,
            e2c_contact=world.user("e2c_staff"),
        )

    assert error.value.message_dict == {
        "e2c_site": ["« École de la 2e Chance Lyon Métropole » n'est pas un site E2C."],
        "partner": ["« ARML Auvergne-Rhône-Alpes » n'est ni une Mission Locale ni une agence France Travail."],
    }


def test_the_service_wants_active_members_of_the_right_organisations(world):
    with pytest.raises(ValidationError) as error:
        correspondent_create(
            actor=actor(world, "administrator"),
            e2c_site=world.site,
            partner=world.ft,
            partner_correspondent=world.user("adviser_ml"),
            e2c_contact=world.user("adviser_ft"),
        )

    assert error.value.message_dict["partner_correspondent"] == [
        f"{world.user('adviser_ml').get_full_name()} n'a pas de rattachement actif à « France Travail Lyon Part-Dieu »."
    ]
    assert "ni à son école" in error.value.message_dict["e2c_contact"][0]
    assert not Correspondent.objects.filter(partner=world.ft).exists()


def test_a_member_of_the_sites_school_may_be_the_e2c_contact(world):
    pair = correspondent_create(
        actor=actor(world, "manager_e2c"),
        e2c_site=world.site,
        partner=world.ft,
        partner_correspondent=None,
        e2c_contact=world.user("manager_e2c"),
    )

    assert pair.e2c_contact == world.user("manager_e2c")


def test_a_deactivated_membership_no_longer_qualifies(world):
    Membership.objects.filter(pk=world.memberships["adviser_ft"].pk).update(is_active=False)

    with pytest.raises(ValidationError, match="n'a pas de rattachement actif"):
        correspondent_create(
            actor=actor(world, "e2c_staff"),
            e2c_site=world.site,
            partner=world.ft,
            partner_correspondent=world.user("adviser_ft"),
            e2c_contact=None,
        )


def test_a_site_and_a_partner_have_one_pair_only(world):
    with pytest.raises(ValidationError, match="sont déjà désignés entre"):
        correspondent_create(
            actor=actor(world, "e2c_staff"),
            e2c_site=world.site,
            partner=world.ml_a,
            partner_correspondent=world.user("manager_ml"),
            e2c_contact=None,
        )
    assert Correspondent.objects.filter(e2c_site=world.site, partner=world.ml_a).count() == 1


def test_the_service_itself_refuses_an_actor_outside_both_organisations(world):
    with pytest.raises(PermissionDenied):
        correspondent_create(
            actor=actor(world, "manager_ml"),
            e2c_site=world.other_site,
            partner=world.ml_b,
            partner_correspondent=None,
            e2c_contact=None,
        )


# --- Editing and removing --------------------------------------------------------------------


def test_a_school_manager_changes_the_e2c_contact_and_the_change_is_dated(client, world):
    before = world.correspondent.updated_at
    client.force_login(world.user("manager_e2c"))
    url = pair_url("partners:correspondent_update", world.site, world.correspondent)

    form_page = client.get(url).content.decode()
    response = client.post(
        url,
        {
            "partner_correspondent": str(world.user("adviser_ml").public_id),
            "e2c_contact": str(world.user("manager_e2c").public_id),
        },
    )

    assert f'value="{world.user("adviser_ml").public_id}" selected' in form_page
    assert response.status_code == 302
    world.correspondent.refresh_from_db()
    assert world.correspondent.e2c_contact == world.user("manager_e2c")
    assert world.correspondent.updated_at > before


def test_a_person_who_left_stays_shown_and_saving_says_why(client, world):
    Membership.objects.filter(pk=world.memberships["adviser_ml"].pk).update(is_active=False)
    client.force_login(world.user("e2c_staff"))
    url = pair_url("partners:correspondent_update", world.site, world.correspondent)

    response = client.post(
        url,
        {
            "partner_correspondent": str(world.user("adviser_ml").public_id),
            "e2c_contact": str(world.user("e2c_staff").public_id),
        },
    )

    assert response.status_code == 200
    assert "n'a pas de rattachement actif à « Mission Locale de Lyon »" in html.unescape(response.content.decode())


def test_updating_to_nobody_is_refused(world):
    with pytest.raises(ValidationError, match="Désignez au moins une personne"):
        correspondent_update(
            actor=actor(world, "e2c_staff"),
            correspondent=world.correspondent,
            partner_correspondent=None,
            e2c_contact=None,
        )


def test_removing_a_pair_asks_for_confirmation_first(client, world):
    client.force_login(world.user("e2c_staff"))
    url = pair_url("partners:correspondent_delete", world.site, world.correspondent)

    confirmation = client.get(url)
    assert confirmation.status_code == 200
    assert "Retirer ces correspondants ?" in confirmation.content.decode()
    assert Correspondent.objects.filter(pk=world.correspondent.pk).exists()

    response = client.post(url)

    assert response.status_code == 302
    assert not Correspondent.objects.filter(pk=world.correspondent.pk).exists()


def test_a_pair_of_other_organisations_is_not_found_from_this_page(client, world):
    other = Correspondent.objects.create(e2c_site=world.other_site, partner=world.ml_b)
    client.force_login(world.user("administrator"))

    for name in ("partners:correspondent_update", "partners:correspondent_delete"):
        assert client.get(pair_url(name, world.site, other)).status_code == 404
    assert client.post(pair_url("partners:correspondent_delete", world.site, other)).status_code == 404
    assert Correspondent.objects.filter(pk=other.pk).exists()


# --- Routing selectors -----------------------------------------------------------------------


def test_routing_finds_the_ml_correspondents_of_a_site_and_the_e2c_contacts_of_a_partner(world):
    closed = OrganisationFactory(kind=OrganisationKind.FRANCE_TRAVAIL, is_active=False)
    Correspondent.objects.create(e2c_site=world.site, partner=closed)

    site_pairs = list(correspondents_for_site(world.site))
    partner_pairs = list(e2c_contacts_for_partner(world.ml_a))

    assert [(p.partner, p.partner_correspondent) for p in site_pairs] == [(world.ml_a, world.user("adviser_ml"))]
    assert [(p.e2c_site, p.e2c_contact) for p in partner_pairs] == [(world.site, world.user("e2c_staff"))]


def test_a_manager_of_a_mission_locale_sees_only_its_own_people_offered(client, world):
    stranger = MembershipFactory(organisation=world.ml_b, role=Role.ADVISER).user
    new_site = site_in_lyon(world)
    client.force_login(world.user("manager_ml"))

    page = client.get(create_url(world.ml_a, new_site.public_id)).content.decode()

    assert world.user("adviser_ml").get_full_name() in page
    assert stranger.get_full_name() not in page
