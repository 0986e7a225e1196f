"""A small network of both sides, with one account per role, for access tests.

Region 84 (Auvergne-Rhône-Alpes): ML Lyon (A) under its ARML, FT Lyon, E2C school Lyon with its
site Vénissieux, a regional coordination. Region 32 (Hauts-de-France): ML Lille (B) and an E2C
site in Lille, so every role has a record outside its scope to be refused.
"""

from __future__ import annotations

import dataclasses

from partners.enums import OrganisationKind, Role
from partners.models import Correspondent, Departement, Membership, Organisation, User
from tests.partners.factories import MembershipFactory, OrganisationFactory, UserFactory

ROLES = (
    "anonymous",
    "no_membership",
    "adviser_ml",
    "adviser_ft",
    "e2c_staff",
    "manager_ml",
    "manager_e2c",
    "regional_coordinator",
    "national_committee",
    "administrator",
)


@dataclasses.dataclass
class World:
    arml: Organisation
    ml_a: Organisation
    ml_b: Organisation
    ft: Organisation
    school: Organisation
    site: Organisation
    other_site: Organisation
    regional: Organisation
    national: Organisation
    users: dict[str, User | None]
    memberships: dict[str, Membership]
    correspondent: Correspondent

    def user(self, role: str) -> User | None:
        return self.users[role]


def _organisation(name: str, kind: str, departement: str, parent: Organisation | None = None) -> Organisation:
    dep = Departement.objects.select_related("region").get(code=departement)
    return OrganisationFactory(name=name, kind=kind, departement=dep, region=dep.region, parent=parent)


def build_world() -> World:
    arml = _organisation("ARML Auvergne-Rhône-Alpes", OrganisationKind.ARML, "69")
    regional = _organisation("Coordination E2C Auvergne-Rhône-Alpes", OrganisationKind.E2C_REGIONAL, "69")
    ml_a = _organisation("Mission Locale de Lyon", OrganisationKind.MISSION_LOCALE, "69", parent=arml)
    ml_b = _organisation("Mission Locale de Lille", OrganisationKind.MISSION_LOCALE, "59")
    ft = _organisation("France Travail Lyon Part-Dieu", OrganisationKind.FRANCE_TRAVAIL, "69")
    school = _organisation("École de la 2e Chance Lyon Métropole", OrganisationKind.E2C_SCHOOL, "69", parent=regional)
    site = _organisation("E2C Lyon — site de Vénissieux", OrganisationKind.E2C_SITE, "69", parent=school)
    other_site = _organisation("E2C Grand Lille — site de Lille", OrganisationKind.E2C_SITE, "59")
    national = _organisation("Union nationale des Missions Locales", OrganisationKind.NATIONAL, "75")

    placements = {
        "adviser_ml": (ml_a, Role.ADVISER),
        "adviser_ft": (ft, Role.ADVISER),
        "e2c_staff": (site, Role.E2C_STAFF),
        "manager_ml": (ml_a, Role.MANAGER),
        "manager_e2c": (school, Role.MANAGER),
        "regional_coordinator": (arml, Role.REGIONAL_COORDINATOR),
        "national_committee": (national, Role.NATIONAL_COMMITTEE),
        "administrator": (national, Role.ADMINISTRATOR),
    }
    users: dict[str, User | None] = {"anonymous": None, "no_membership": UserFactory()}
    memberships = {}
    for role, (organisation, role_value) in placements.items():
        membership = MembershipFactory(organisation=organisation, role=role_value)
        memberships[role] = membership
        users[role] = membership.user
    correspondent = Correspondent.objects.create(
        e2c_site=site, partner=ml_a, partner_correspondent=users["adviser_ml"], e2c_contact=users["e2c_staff"]
    )
    return World(
        arml=arml,
        ml_a=ml_a,
        ml_b=ml_b,
        ft=ft,
        school=school,
        site=site,
        other_site=other_site,
        regional=regional,
        national=national,
        users=users,
        memberships=memberships,
        correspondent=correspondent,
    )
