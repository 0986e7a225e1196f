"""The directory: geography, organisations, SIRET, names in force, scoping, pagination."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from partners.access import Actor
from partners.enums import OrganisationKind, Role
from partners.models import Departement, Organisation, Region
from partners.services.organisations import OrganisationData, organisation_create, organisation_update
from partners.validators import validate_siret
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db

VALID_SIRET = "73282932000074"  # a real, Luhn-valid SIRET


def test_the_cog_geography_is_loaded_with_string_codes():
    assert Region.objects.count() == 18
    assert Departement.objects.count() == 101
    assert Departement.objects.get(code="2A").region.name == "Corse"
    assert Departement.objects.get(code="2B").region_id == "94"
    assert Departement.objects.get(code="976").region_id == "06"
    assert Departement.objects.get(code="01").name == "Ain"
    assert set(Departement.objects.filter(code__startswith="97").values_list("code", flat=True)) == {
        "971",
        "972",
        "973",
        "974",
        "976",
    }


@pytest.mark.parametrize("siret", ["73282932000074", "732 829 320 00074", "35600000000048", "35600000012341"])
def test_valid_sirets_pass(siret):
    validate_siret(siret)


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("7328293200007", "exactement 14 chiffres"),
        ("7328293200007A", "exactement 14 chiffres"),
        ("73282932000075", "clé de contrôle est fausse"),
    ],
)
def test_a_bad_siret_gets_a_clear_french_message(siret, message):
    with pytest.raises(ValidationError, match=message):
        validate_siret(siret)


def administrator() -> Actor:
    membership = MembershipFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.NATIONAL), role=Role.ADMINISTRATOR
    )
    return Actor(user=membership.user, membership=membership)


def test_the_region_is_derived_from_the_departement_and_the_phone_stored_in_e164():
    organisation = organisation_create(
        actor=administrator(),
        data=OrganisationData(
            name="Mission Locale d'Ajaccio",
            kind=OrganisationKind.MISSION_LOCALE,
            siret=VALID_SIRET,
            departement_code="2a",
            postcode="20000",
            commune="Ajaccio",
            phone="04 95 00 00 00",
        ),
    )
    organisation.refresh_from_db()
    assert organisation.departement_id == "2A"
    assert organisation.region.name == "Corse"
    assert organisation.phone == "+33495000000"
    assert organisation.sort_name == "mission locale d'ajaccio"


def test_a_bad_siret_or_an_unknown_departement_writes_nothing():
    actor = administrator()
    before = Organisation.objects.count()
    with pytest.raises(ValidationError) as error:
        organisation_create(
            actor=actor,
            data=OrganisationData(
                name="Mission Locale X",
                kind=OrganisationKind.MISSION_LOCALE,
                siret="12345678901234",
                departement_code="99",
            ),
        )
    assert "clé de contrôle est fausse" in str(error.value.message_dict["siret"])
    assert "Département inconnu : « 99 »" in str(error.value.message_dict["departement"])
    assert Organisation.objects.count() == before


def test_a_siret_is_unique_in_the_directory():
    actor = administrator()
    data = OrganisationData(name="ML", kind=OrganisationKind.MISSION_LOCALE, siret=VALID_SIRET)
    organisation_create(actor=actor, data=data)
    with pytest.raises(ValidationError, match="Une organisation avec ce SIRET existe déjà"):
        organisation_create(actor=actor, data=data)


def test_a_site_hangs_under_a_school_only():
    actor = administrator()
    ml = OrganisationFactory(kind=OrganisationKind.MISSION_LOCALE)
    with pytest.raises(ValidationError, match="ne peut pas être rattachée"):
        organisation_create(actor=actor, data=OrganisationData(name="Site", kind=OrganisationKind.E2C_SITE, parent=ml))


def test_an_update_changes_only_what_changed_and_returns_it():
    actor = administrator()
    organisation = organisation_create(
        actor=actor, data=OrganisationData(name="ML de Lyon", kind=OrganisationKind.MISSION_LOCALE)
    )
    changed = organisation_update(
        actor=actor,
        organisation=organisation,
        data=OrganisationData(name="ML de Lyon", kind=OrganisationKind.MISSION_LOCALE, commune="Lyon"),
    )
    assert changed == ["commune"]


def test_france_travail_is_named_pole_emploi_before_2024():
    agency = OrganisationFactory(name="France Travail Lyon Part-Dieu", kind=OrganisationKind.FRANCE_TRAVAIL)
    assert agency.display_name(datetime.date(2023, 12, 31)) == "Pôle emploi Lyon Part-Dieu"
    assert agency.display_name(datetime.date(2024, 1, 1)) == "France Travail Lyon Part-Dieu"
    ml = OrganisationFactory(name="Mission Locale de Lyon", kind=OrganisationKind.MISSION_LOCALE)
    assert ml.display_name(datetime.date(2020, 1, 1)) == "Mission Locale de Lyon"


def test_an_adviser_asking_for_unknown_uuids_gets_404_and_never_a_server_error(client):
    world = build_world()
    client.force_login(world.user("adviser_ml"))
    statuses = {
        client.get(reverse("partners:organisation_detail", kwargs={"public_id": uuid.uuid4()})).status_code
        for _ in range(1000)
    }
    assert statuses == {404}


def test_a_user_without_organisation_sees_no_organisation_page(client):
    world = build_world()
    client.force_login(world.user("no_membership"))
    url = reverse("partners:organisation_detail", kwargs={"public_id": world.ml_a.public_id})
    assert client.get(url).status_code == 404


def test_the_directory_renders_600_organisations_with_a_constant_number_of_queries(client, django_assert_num_queries):
    world = build_world()
    client.force_login(world.user("adviser_ml"))
    url = reverse("partners:directory")
    # session, user, organisations, régions, départements (memberships and the bell: cached at sign-in)
    with django_assert_num_queries(5):
        first = client.get(url)
    departement = Departement.objects.select_related("region").get(code="69")
    Organisation.objects.bulk_create(
        Organisation(
            name=f"Mission Locale n°{i:03d}",
            sort_name=f"mission locale n°{i:03d}",
            kind=OrganisationKind.MISSION_LOCALE,
            departement=departement,
            region=departement.region,
        )
        for i in range(600)
    )
    with django_assert_num_queries(7):  # the organisations written in bulk: memberships and bell read again
        page = client.get(url)
    assert first.status_code == page.status_code == 200
    assert len(page.context["page"].items) == 50
    assert page.context["page"].next_cursor


def test_the_directory_walks_every_page_forward_and_back_without_gaps_or_repeats(client):
    world = build_world()
    client.force_login(world.user("adviser_ml"))
    OrganisationFactory.create_batch(120, name="Mission Locale de Bourg-en-Bresse")  # ties on the name
    url = reverse("partners:directory")
    seen, pages, response = [], 0, client.get(url)
    while True:
        pages += 1
        seen.extend(o.pk for o in response.context["page"].items)
        cursor = response.context["page"].next_cursor
        if not cursor:
            break
        response = client.get(url, {"apres": cursor})
    assert len(seen) == len(set(seen)) == Organisation.objects.filter(is_active=True).count()
    assert pages == 3
    back = client.get(url, {"avant": response.context["page"].previous_cursor})
    assert [o.pk for o in back.context["page"].items] == seen[50:100]


def test_the_directory_filters_by_kind_region_departement_and_name(client):
    world = build_world()
    client.force_login(world.user("adviser_ml"))
    url = reverse("partners:directory")

    def names(**params):
        return {str(o) for o in client.get(url, params).context["page"].items}

    assert names(type="e2c_site") == {"E2C Lyon — site de Vénissieux", "E2C Grand Lille — site de Lille"}
    assert names(region="32") == {"Mission Locale de Lille", "E2C Grand Lille — site de Lille"}
    assert names(departement="59", type="mission_locale") == {"Mission Locale de Lille"}
    assert names(q="ecole de la 2E") == {"École de la 2e Chance Lyon Métropole"}
    assert names(apres="not-a-signed-cursor", type="arml") == {"ARML Auvergne-Rhône-Alpes"}


def test_an_administrator_adds_an_organisation_and_a_bad_siret_is_explained(client):
    world = build_world()
    client.force_login(world.user("administrator"))
    form = {
        "name": "Mission Locale de Bastia",
        "kind": "mission_locale",
        "siret": "12345678901234",
        "departement": "2B",
        "is_active": "on",
    }

    refused = client.post(reverse("partners:organisation_create"), form)
    assert refused.status_code == 200
    assert "clé de contrôle est fausse" in refused.content.decode()
    assert not Organisation.objects.filter(name="Mission Locale de Bastia").exists()

    created = client.post(reverse("partners:organisation_create"), form | {"siret": VALID_SIRET})
    organisation = Organisation.objects.get(name="Mission Locale de Bastia")
    assert created.status_code == 302
    assert organisation.region_id == "94"


def test_a_manager_cannot_edit_the_directory(client):
    world = build_world()
    client.force_login(world.user("manager_ml"))
    response = client.post(
        reverse("partners:organisation_update", kwargs={"public_id": world.ml_a.public_id}),
        {"name": "Renommée", "kind": "mission_locale"},
    )
    assert response.status_code == 403
    world.ml_a.refresh_from_db()
    assert world.ml_a.name == "Mission Locale de Lyon"


def test_a_school_with_sites_and_staff_cannot_become_a_mission_locale():
    world = build_world()
    actor = Actor(user=world.user("administrator"), membership=world.memberships["administrator"])

    with pytest.raises(ValidationError) as error:
        organisation_update(
            actor=actor,
            organisation=world.school,
            data=OrganisationData(name=world.school.name, kind=OrganisationKind.MISSION_LOCALE),
        )

    message = error.value.message_dict["kind"][0]
    assert "E2C Lyon — site de Vénissieux" in message
    assert "Responsable" not in message  # a manager fits a Mission Locale too
    world.school.refresh_from_db()
    assert world.school.kind == OrganisationKind.E2C_SCHOOL


def test_a_site_with_e2c_staff_cannot_become_a_france_travail_agency():
    world = build_world()
    actor = Actor(user=world.user("administrator"), membership=world.memberships["administrator"])
    with pytest.raises(ValidationError, match="Équipe E2C"):
        organisation_update(
            actor=actor,
            organisation=world.site,
            data=OrganisationData(name=world.site.name, kind=OrganisationKind.FRANCE_TRAVAIL),
        )
