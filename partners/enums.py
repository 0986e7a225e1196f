from django.db import models


class OrganisationKind(models.TextChoices):
    MISSION_LOCALE = "mission_locale", "Mission Locale"
    FRANCE_TRAVAIL = "france_travail", "Agence France Travail"
    E2C_SCHOOL = "e2c_school", "École de la 2e Chance"
    E2C_SITE = "e2c_site", "Site E2C"
    ARML = "arml", "Association régionale des Missions Locales"
    E2C_REGIONAL = "e2c_regional", "Coordination régionale E2C"
    NATIONAL = "national", "Instance nationale"


class Role(models.TextChoices):
    ADVISER = "adviser", "Conseiller"
    E2C_STAFF = "e2c_staff", "Équipe E2C"
    MANAGER = "manager", "Responsable"
    REGIONAL_COORDINATOR = "regional_coordinator", "Coordination régionale"
    NATIONAL_COMMITTEE = "national_committee", "Comité national"
    ADMINISTRATOR = "administrator", "Administrateur"


# Which kinds of organisation each role can belong to (checked by the membership services).
ROLE_ORGANISATION_KINDS: dict[str, frozenset[str]] = {
    Role.ADVISER: frozenset({OrganisationKind.MISSION_LOCALE, OrganisationKind.FRANCE_TRAVAIL}),
    Role.E2C_STAFF: frozenset({OrganisationKind.E2C_SCHOOL, OrganisationKind.E2C_SITE}),
    Role.MANAGER: frozenset(
        {
            OrganisationKind.MISSION_LOCALE,
            OrganisationKind.FRANCE_TRAVAIL,
            OrganisationKind.E2C_SCHOOL,
            OrganisationKind.E2C_SITE,
        }
    ),
    Role.REGIONAL_COORDINATOR: frozenset({OrganisationKind.ARML, OrganisationKind.E2C_REGIONAL}),
    Role.NATIONAL_COMMITTEE: frozenset({OrganisationKind.NATIONAL}),
    Role.ADMINISTRATOR: frozenset({OrganisationKind.NATIONAL}),
}

# Which kind of organisation may be the parent of which (site → school, ML → ARML).
PARENT_KINDS: dict[str, frozenset[str]] = {
    OrganisationKind.E2C_SITE: frozenset({OrganisationKind.E2C_SCHOOL}),
    OrganisationKind.MISSION_LOCALE: frozenset({OrganisationKind.ARML}),
    OrganisationKind.E2C_SCHOOL: frozenset({OrganisationKind.E2C_REGIONAL}),
}


class AgreementLevel(models.TextChoices):
    NATIONAL = "national", "National"
    REGIONAL = "regional", "Régional"
    LOCAL = "local", "Local"


class AgreementFramework(models.TextChoices):
    UNML_E2C = "unml_e2c", "Accord-cadre UNML × Réseau E2C France"
    E2C_FRANCE_TRAVAIL = "e2c_france_travail", "Partenariat Réseau E2C France × France Travail (Pôle emploi)"


class CollaborationLevel(models.TextChoices):
    NONE = "none", "Aucune collaboration"
    OCCASIONAL = "occasional", "Collaboration ponctuelle"
    REGULAR = "regular", "Collaboration régulière"
    FORMALISED = "formalised", "Collaboration formalisée (déclinaison signée)"
