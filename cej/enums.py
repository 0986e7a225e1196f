from django.db import models


class QualificationLevel(models.TextChoices):
    """The current scale (décret 2019-14) with the old names still used by advisers and schools."""

    INFRA_3 = "infra_3", "Infra 3 — sans diplôme (anciens niveaux VI et V bis)"
    LEVEL_3 = "3", "3 — CAP, BEP (ancien niveau V)"
    LEVEL_4 = "4", "4 — Baccalauréat (ancien niveau IV)"
    LEVEL_5_PLUS = "5_plus", "5 et plus — Bac+2 et au-delà (anciens niveaux III et plus)"


class SharedData(models.TextChoices):
    """What a young person may agree to share with an E2C site."""

    IDENTITY = "identity", "Identité et date de naissance"
    CONTACT = "contact", "Coordonnées (téléphone, e-mail, adresse)"
    SITUATION = "situation", "Situation (scolarité, qualification, QPV/ZRR)"
    RQTH = "rqth", "Reconnaissance de la qualité de travailleur handicapé (RQTH)"
    CONTRACTS = "contracts", "Contrats CEJ ou PACEA"
    DIAGNOSTIC = "diagnostic", "Diagnostic et motivation rédigés par le conseiller"


class ConsentMethod(models.TextChoices):
    SIGNED_FORM = "signed_form", "Formulaire signé (scanné)"
    ORAL = "oral", "Accord oral, attesté par le conseiller"


class ContractStatus(models.TextChoices):
    ACTIVE = "active", "En cours"
    SUSPENDED = "suspended", "Suspendu"
    ENDED = "ended", "Terminé"


class ContractEndReason(models.TextChoices):
    POSITIVE_EXIT = "positive_exit", "Sortie positive (emploi, formation, alternance)"
    TERM = "term", "Arrivée à échéance"
    AGE_LIMIT = "age_limit", "Limite d'âge atteinte"
    YOUNG_PERSON_REQUEST = "request", "À la demande du jeune"
    BREACH = "breach", "Manquements répétés"
    TRANSFER = "transfer", "Transfert vers une autre structure"


class AllowanceCategory(models.TextChoices):
    ADULT_NON_TAXABLE = "adult_non_taxable", "Majeur, foyer non imposable"
    ADULT_FIRST_BRACKET = "adult_first_bracket", "Majeur, foyer imposable dans la 1re tranche"
    MINOR = "minor", "Mineur"


class FollowUpStatus(models.TextChoices):
    PLANNED = "planned", "Prévu"
    HELD = "held", "Réalisé"
    CANCELLED = "cancelled", "Annulé"
