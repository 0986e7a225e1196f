from django.db import models


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SENT = "sent", "Envoyée"
    ACKNOWLEDGED = "acknowledged", "Prise en compte par l'E2C"
    INVITED = "invited", "Invité(e) en information collective"
    ATTENDED = "attended", "Présent(e) à l'information collective"
    INTERVIEW = "interview", "Entretien"
    INTEGRATION = "integration", "Période d'intégration"
    ENROLLED = "enrolled", "Entré(e) en parcours"
    EXITED = "exited", "Sorti(e) du parcours"
    NOT_ADMITTED = "not_admitted", "Non admis(e)"
    NO_SHOW = "no_show", "Absent(e) à l'information collective"
    WITHDRAWN = "withdrawn", "Désistement ou abandon du jeune"
    CANCELLED = "cancelled", "Annulée par le prescripteur"


# Referrals still in progress: one at most per young person and E2C site.
OPEN_STATUSES = frozenset(
    {
        ReferralStatus.DRAFT,
        ReferralStatus.SENT,
        ReferralStatus.ACKNOWLEDGED,
        ReferralStatus.INVITED,
        ReferralStatus.ATTENDED,
        ReferralStatus.INTERVIEW,
        ReferralStatus.INTEGRATION,
        ReferralStatus.ENROLLED,
        ReferralStatus.NO_SHOW,
    }
)

# Referrals that can be registered to an information session (taken into account, or absent before).
INVITABLE_STATUSES = (ReferralStatus.ACKNOWLEDGED, ReferralStatus.NO_SHOW)


class NotAdmittedReason(models.TextChoices):
    PUBLIC = "public", "Ne relève pas du public E2C (âge, diplôme, scolarité récente)"
    PROJECT = "project", "Projet ou motivation à consolider"
    INTEGRATION_NOT_VALIDATED = "integration", "Période d'intégration non validée"
    NO_PLACE = "no_place", "Pas de place dans un délai raisonnable"
    OTHER = "other", "Autre motif (précisé)"


class ExitOutcome(models.TextChoices):
    CDI = "cdi", "Emploi : CDI"
    CDD_LONG = "cdd_long", "Emploi : CDD de 6 mois ou plus"
    CDD_SHORT = "cdd_short", "Emploi : CDD de moins de 6 mois"
    TEMPORARY = "temporary", "Emploi : intérim"
    APPRENTICESHIP = "apprenticeship", "Alternance : contrat d'apprentissage"
    PROFESSIONALISATION = "professionalisation", "Alternance : contrat de professionnalisation"
    QUALIFYING_TRAINING = "qualifying_training", "Formation qualifiante"
    OTHER_TRAINING = "other_training", "Autre formation"
    BUSINESS_CREATION = "business_creation", "Création d'entreprise"
    NO_SOLUTION = "no_solution", "Sans solution"
    DROP_OUT = "drop_out", "Abandon"
    EXCLUSION = "exclusion", "Exclusion"
    MOVED = "moved", "Déménagement"
    HEALTH = "health", "Raison de santé"


# Positive exits (job, alternance, qualifying training): the E2C network's definition.
POSITIVE_OUTCOMES = frozenset(
    {
        ExitOutcome.CDI,
        ExitOutcome.CDD_LONG,
        ExitOutcome.CDD_SHORT,
        ExitOutcome.TEMPORARY,
        ExitOutcome.APPRENTICESHIP,
        ExitOutcome.PROFESSIONALISATION,
        ExitOutcome.QUALIFYING_TRAINING,
        ExitOutcome.BUSINESS_CREATION,
    }
)

# The states a move hands the young person back from (``services.hand_backs.hand_backs_after_move``):
# final states, so a referral in any other state has no hand-back (its page skips the query).
HANDING_BACK_STATUSES = frozenset({ReferralStatus.NOT_ADMITTED, ReferralStatus.WITHDRAWN, ReferralStatus.EXITED})


class HandBackReason(models.TextChoices):
    NOT_ADMITTED = "not_admitted", "Non admis(e) à l'E2C"
    WITHDRAWN = "withdrawn", "Désistement du jeune"
    DROP_OUT = "drop_out", "Abandon pendant la période d'intégration"
    NON_POSITIVE_EXIT = "non_positive_exit", "Sortie sans solution positive"
    REGISTRATION = "registration", "Inscription à la Mission Locale la plus proche (ni CEJ ni PACEA)"


class SessionKind(models.TextChoices):
    INFORMATION = "information", "Information collective"
    JOINT = "joint", "Séance conjointe « à quatre mains »"
    VISIT = "visit", "Visite de l'E2C pour les jeunes"


class SessionStatus(models.TextChoices):
    PLANNED = "planned", "Prévue"
    HELD = "held", "Tenue"
    CANCELLED = "cancelled", "Annulée"


class SessionVenue(models.TextChoices):
    E2C_SITE = "e2c_site", "Dans les locaux de l'E2C"
    PARTNER = "partner", "Chez un partenaire (Mission Locale, France Travail)"


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", "Inscrit(e)"
    WAITING = "waiting", "Sur liste d'attente"
    WITHDRAWN = "withdrawn", "Désinscrit(e)"


class Attendance(models.TextChoices):
    PRESENT = "present", "Présent(e)"
    ABSENT = "absent", "Absent(e)"
    EXCUSED = "excused", "Absent(e) excusé(e)"


class ImmersionDirection(models.TextChoices):
    ML_IN_E2C = "ml_in_e2c", "Conseillers ML / France Travail accueillis dans une E2C"
    E2C_IN_ML = "e2c_in_ml", "Équipe E2C accueillie dans une Mission Locale ou une agence"
