"""The access module: who acts for which organisation, and what each role reaches."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from partners.access import (
    ROLE_CAPABILITIES,
    Actor,
    Capability,
    can_export_referral_files,
    editable_levels,
    records_own_region_only,
    scope_personal_records,
    signs_for_own_organisation,
)
from partners.enums import AgreementLevel, Role
from partners.models import Membership
from tests.partners.factories import MembershipFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db


def actor_of(world, role):
    membership = world.memberships[role]
    return Actor(user=membership.user, membership=membership)


def test_every_role_has_a_declared_set_of_capabilities():
    assert set(ROLE_CAPABILITIES) == set(Role.values)
    assert Capability.VIEW_PERSONAL_DATA not in ROLE_CAPABILITIES[Role.NATIONAL_COMMITTEE]
    assert Capability.VIEW_PERSONAL_DATA not in ROLE_CAPABILITIES[Role.REGIONAL_COORDINATOR]
    assert Capability.VIEW_PERSONAL_DATA not in ROLE_CAPABILITIES[Role.ADMINISTRATOR]


def test_a_forbidden_action_raises_permission_denied():
    world = build_world()
    with pytest.raises(PermissionDenied):
        actor_of(world, "adviser_ml").require(Capability.MANAGE_DIRECTORY)
    actor_of(world, "administrator").require(Capability.MANAGE_DIRECTORY)


def test_personal_records_are_scoped_to_the_organisation_and_a_managers_sites():
    world = build_world()
    records = Membership.objects.all()  # any model owned by an organisation behaves the same

    def organisations_seen(role):
        scoped = scope_personal_records(actor_of(world, role), records, organisation_field="organisation")
        return set(scoped.values_list("organisation__name", flat=True))

    assert organisations_seen("adviser_ml") == {"Mission Locale de Lyon"}
    assert organisations_seen("e2c_staff") == {"E2C Lyon — site de Vénissieux"}
    assert organisations_seen("manager_e2c") == {
        "École de la 2e Chance Lyon Métropole",
        "E2C Lyon — site de Vénissieux",
    }
    assert organisations_seen("regional_coordinator") == set()
    assert organisations_seen("national_committee") == set()
    assert organisations_seen("administrator") == set()


def test_a_user_with_two_memberships_picks_the_organisation_shown_in_the_header(client):
    world = build_world()
    helene = world.user("manager_e2c")
    second = MembershipFactory(user=helene, organisation=world.site, role=Role.E2C_STAFF)
    client.force_login(helene)

    page = client.get(reverse("home")).content.decode()
    assert "Responsable — École de la 2e Chance Lyon Métropole" in page
    assert 'id="organisation-active"' in page

    response = client.post(reverse("switch_organisation"), {"membership": str(second.public_id), "next": "/annuaire/"})
    assert response.status_code == 302
    assert response["Location"] == "/annuaire/"
    page = client.get(reverse("home")).content.decode()
    assert "Équipe E2C — E2C Lyon — site de Vénissieux" in page


def test_nobody_can_act_for_an_organisation_they_do_not_belong_to(client):
    world = build_world()
    client.force_login(world.user("adviser_ml"))

    response = client.post(
        reverse("switch_organisation"),
        {"membership": str(world.memberships["manager_e2c"].public_id), "next": "https://ailleurs.exemple.fr/"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Vous n&#x27;êtes pas rattaché à cette organisation." in response.content.decode()
    assert "Conseiller — Mission Locale de Lyon" in response.content.decode()


def test_a_deactivated_membership_no_longer_gives_access(client):
    world = build_world()
    membership = world.memberships["adviser_ml"]
    client.force_login(membership.user)
    assert client.get(reverse("partners:directory")).status_code == 200

    Membership.objects.filter(pk=membership.pk).update(is_active=False)

    assert client.get(reverse("partners:directory")).status_code == 403


def test_refusals_are_explained_in_french(client):
    world = build_world()
    client.force_login(world.user("adviser_ml"))

    forbidden = client.get(reverse("partners:organisation_create"))
    missing = client.get("/annuaire/00000000-0000-0000-0000-000000000000/")

    assert forbidden.status_code == 403
    assert "Accès refusé" in forbidden.content.decode()
    assert missing.status_code == 404
    assert "Page introuvable" in missing.content.decode()


def test_the_agreement_form_choices_follow_the_role():
    world = build_world()
    roles = list(world.memberships)
    assert {r for r in roles if records_own_region_only(actor_of(world, r))} == {
        "manager_ml",
        "manager_e2c",
        "regional_coordinator",
    }
    assert {r for r in roles if signs_for_own_organisation(actor_of(world, r))} == {"manager_ml", "manager_e2c"}
    assert editable_levels(actor_of(world, "national_committee")) == list(AgreementLevel.values)
    assert editable_levels(actor_of(world, "regional_coordinator")) == [AgreementLevel.REGIONAL, AgreementLevel.LOCAL]
    assert editable_levels(actor_of(world, "manager_ml")) == [AgreementLevel.LOCAL]
    assert editable_levels(actor_of(world, "adviser_ml")) == []


def test_only_managers_export_referral_files():
    world = build_world()
    exporters = {role for role in world.memberships if can_export_referral_files(actor_of(world, role))}
    assert exporters == {"manager_ml", "manager_e2c"}
