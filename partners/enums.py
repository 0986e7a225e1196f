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


class FormOfAddress(models.TextChoices):
    """How a person asks to be addressed (« Comment s'adresser à vous »): the role labels agree with it."""

    UNSPECIFIED = "", "Non précisé"
    MADAME = "madame", "Madame"
    MONSIEUR = "monsieur", "Monsieur"


# The roles whose label changes with the person (the others are epicene: « Responsable », « Équipe E2C »).
FEMININE_ROLE_LABELS: dict[str, str] = {
    Role.ADVISER: "Conseillère",
    Role.ADMINISTRATOR: "Administratrice",
}


def role_label(role: str, form_of_address: str = "") -> str:
    """The label of ``role`` for a person addressed as ``form_of_address``: « Conseillère » for « madame »,
    « Conseiller » for « monsieur » and for a person who said nothing (the label everyone saw so far).
    An invitation (the person's preference unknown) shows the plain label: ``Role(role).label``."""
    if form_of_address == FormOfAddress.MADAME and role in FEMININE_ROLE_LABELS:
        return FEMININE_ROLE_LABELS[role]
    return str(Role(role).label)


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
