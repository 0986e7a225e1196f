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
