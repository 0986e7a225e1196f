from django.db import models


class RetentionCategory(models.TextChoices):
    """What a retention duration applies to (one policy row each)."""

    YOUNG_PERSON_AGE = "young_person_age", "Dossier d'un jeune, après ses 25 ans"
    YOUNG_PERSON_CEJ = "young_person_cej", "Dossier d'un jeune, après la fin de son dernier CEJ"
    ACCOUNT = "account", "Compte d'utilisateur, après sa désactivation"


class DurationUnit(models.TextChoices):
    MONTHS = "months", "mois"
    YEARS = "years", "ans"
