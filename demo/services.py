"""Demonstration data: a few organisations of both networks and one account per role."""

from dataclasses import dataclass

from django.db import transaction

from partners.enums import OrganisationKind, Role
from partners.models import Membership, Organisation, User

# Shown in the README and printed by ``make run``: local demonstration only.
DEMO_PASSWORD = "Demo-E2C-2026!"  # noqa: S105 (public demo password)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: Role
    organisation: str


DEMO_ORGANISATIONS: tuple[tuple[str, OrganisationKind], ...] = (
    ("Mission Locale de Lyon", OrganisationKind.MISSION_LOCALE),
    ("Agence France Travail Lyon Part-Dieu", OrganisationKind.FRANCE_TRAVAIL),
    ("École de la 2e Chance Lyon Métropole", OrganisationKind.E2C_SCHOOL),
    ("E2C Lyon Métropole — site de Vénissieux", OrganisationKind.E2C_SITE),
    ("ARML Auvergne-Rhône-Alpes", OrganisationKind.ARML),
    ("Union nationale des Missions Locales", OrganisationKind.NATIONAL),
)

DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("amelie.lefevre@ml-lyon.exemple.fr", "Amélie", "Lefèvre", Role.ADVISER, "Mission Locale de Lyon"),
    DemoAccount(
        "francois.dubois-martin@francetravail.exemple.fr",
        "François",
        "Dubois-Martin",
        Role.ADVISER,
        "Agence France Travail Lyon Part-Dieu",
    ),
    DemoAccount(
        "chloe.ndiaye@e2c-lyon.exemple.fr",
        "Chloé",
        "N'Diaye",
        Role.E2C_STAFF,
        "E2C Lyon Métropole — site de Vénissieux",
    ),
    DemoAccount(
        "helene.garcon@e2c-lyon.exemple.fr",
        "Hélène",
        "Garçon",
        Role.MANAGER,
        "École de la 2e Chance Lyon Métropole",
    ),
    DemoAccount(
        "noel.berard@arml-aura.exemple.fr", "Noël", "Bérard", Role.REGIONAL_COORDINATOR, "ARML Auvergne-Rhône-Alpes"
    ),
    DemoAccount(
        "zoe.lambert-dupre@unml.exemple.fr",
        "Zoé",
        "Lambert-Dupré",
        Role.NATIONAL_COMMITTEE,
        "Union nationale des Missions Locales",
    ),
    DemoAccount(
        "jerome.paris@orientations-e2c.exemple.fr",
        "Jérôme",
        "Pâris",
        Role.ADMINISTRATOR,
        "Union nationale des Missions Locales",
    ),
)


def database_is_empty() -> bool:
    return not User.objects.exists() and not Organisation.objects.exists()


@transaction.atomic
def load_demo_data() -> list[DemoAccount]:
    """Create the demo organisations and accounts in one transaction; returns the accounts."""
    organisations = {name: Organisation.objects.create(name=name, kind=kind) for name, kind in DEMO_ORGANISATIONS}
    for account in DEMO_ACCOUNTS:
        user = User.objects.create_user(
            account.email,
            DEMO_PASSWORD,
            first_name=account.first_name,
            last_name=account.last_name,
            is_staff=account.role == Role.ADMINISTRATOR,
            is_superuser=account.role == Role.ADMINISTRATOR,
        )
        Membership.objects.create(user=user, organisation=organisations[account.organisation], role=account.role)
    return list(DEMO_ACCOUNTS)
