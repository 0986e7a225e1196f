"""Retention durations (one configurable row per category) and what the monthly job did with them.

A young person's file is due for anonymisation when both periods are over: the age period after their
25th birthday and, if they signed a CEJ, the period after the end of their last one (décret 2015-59:
until 25 + 2 years, and 10 years after the end of a CEJ). A deactivated account is due after its own
period. The durations live in ``RetentionPolicy`` only, changed by administrators (each change logged).
"""

from __future__ import annotations

import uuid

from dateutil.relativedelta import relativedelta
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from cej.models import YoungPerson
from partners.models import User
from retention.enums import DurationUnit, RetentionCategory

DURATION_HELP = (
    "Dossier d'un jeune, après ses 25 ans : durée de conservation comptée à partir de son 25e anniversaire "
    "(2 ans par défaut : le dossier est anonymisé à ses 27 ans). "
    "Dossier d'un jeune, après la fin de son dernier CEJ : durée comptée à partir de la fin effective "
    "(ou prévue) de son dernier contrat d'engagement jeune (10 ans par défaut) ; le dossier n'est jamais "
    "anonymisé avant. Compte d'utilisateur : durée comptée à partir de sa désactivation (12 mois par défaut)."
)


class RetentionPolicy(models.Model):
    """How long one category of personal data is kept before anonymisation."""

    category = models.CharField("catégorie", max_length=24, choices=RetentionCategory.choices, unique=True)
    duration = models.PositiveSmallIntegerField(
        "durée", validators=[MinValueValidator(1), MaxValueValidator(600)], help_text=DURATION_HELP
    )
    unit = models.CharField("unité", max_length=8, choices=DurationUnit.choices)
    updated_at = models.DateTimeField("modifiée le", default=timezone.now)
    updated_by = models.ForeignKey(
        User, verbose_name="modifiée par", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "durée de conservation"
        verbose_name_plural = "durées de conservation"
        ordering = ["category"]
        constraints = [models.CheckConstraint(condition=models.Q(duration__gte=1), name="retention_duration_positive")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} : {self.duration} {self.get_unit_display()}"

    @property
    def delta(self) -> relativedelta:
        if self.unit == DurationUnit.YEARS:
            return relativedelta(years=self.duration)
        return relativedelta(months=self.duration)

    @property
    def months(self) -> int:
        return self.duration * 12 if self.unit == DurationUnit.YEARS else self.duration


class RetentionPolicyChange(models.Model):
    """Who changed a duration, when, from what to what."""

    policy = models.ForeignKey(RetentionPolicy, on_delete=models.CASCADE, related_name="changes")
    changed_at = models.DateTimeField("date", default=timezone.now, editable=False)
    changed_by = models.ForeignKey(User, verbose_name="par", on_delete=models.PROTECT, related_name="+")
    old_duration = models.PositiveSmallIntegerField()
    old_unit = models.CharField(max_length=8, choices=DurationUnit.choices)
    new_duration = models.PositiveSmallIntegerField()
    new_unit = models.CharField(max_length=8, choices=DurationUnit.choices)

    class Meta:
        verbose_name = "modification d'une durée de conservation"
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.changed_at:%d/%m/%Y}"


class RetentionNotice(models.Model):
    """The referent was told, 30 days ahead, that a file will be anonymised on ``due_on``."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField("anonymisation prévue le")
    notified_at = models.DateTimeField("prévenu le", default=timezone.now)

    class Meta:
        verbose_name = "préavis d'anonymisation"
        constraints = [models.UniqueConstraint(fields=["young_person", "due_on"], name="retention_notice_once")]
        indexes = [models.Index(fields=["young_person", "notified_at"], name="retention_notice_file")]

    def __str__(self) -> str:
        return f"Préavis {self.young_person_id} {self.due_on}"


class AnonymisedFile(models.Model):
    """Marks a young person's file as anonymised (the row itself keeps only statistics)."""

    young_person = models.OneToOneField(YoungPerson, on_delete=models.CASCADE, related_name="anonymisation")
    anonymised_at = models.DateTimeField("anonymisé le", default=timezone.now)

    class Meta:
        verbose_name = "dossier anonymisé"

    def __str__(self) -> str:
        return f"Dossier {self.young_person_id} anonymisé"


class AnonymisedAccount(models.Model):
    """Marks a deactivated account as anonymised (the row stays: other records point to it)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="anonymisation")
    anonymised_at = models.DateTimeField("anonymisé le", default=timezone.now)

    class Meta:
        verbose_name = "compte anonymisé"

    def __str__(self) -> str:
        return f"Compte {self.user_id} anonymisé"


class RetentionRun(models.Model):
    """What one run of the monthly job did (the JobRun row holds the generic counts)."""

    ran_at = models.DateTimeField("date", default=timezone.now)
    day = models.DateField("jour traité")
    notices_sent = models.PositiveIntegerField("préavis envoyés", default=0)
    files_anonymised = models.PositiveIntegerField("dossiers anonymisés", default=0)
    accounts_anonymised = models.PositiveIntegerField("comptes anonymisés", default=0)

    class Meta:
        verbose_name = "passage de l'anonymisation"
        ordering = ["-ran_at", "-id"]

    def __str__(self) -> str:
        return f"Passage du {self.ran_at:%d/%m/%Y}"


ERASURE_REASON_HELP = (
    "Le motif du refus donné à la personne, par exemple « obligation légale de conservation ». "
    "Pas de nom, pas de donnée de santé ni de détail sur la situation du jeune."
)


class ErasureRequest(models.Model):
    """A request to erase one file (RGPD article 17), and the structure's answer.

    The proof that the request was answered, kept without personal data: the file it concerns (the row
    survives, anonymised when the erasure was done), the date the request was received, its ground
    (article 17(1) a to f), who decided and when, the outcome and, for a refusal, its reason.
    """

    class Ground(models.TextChoices):
        NO_LONGER_NEEDED = "no_longer_needed", "Données plus nécessaires (article 17, 1, a)"
        CONSENT_WITHDRAWN = "consent_withdrawn", "Consentement retiré (article 17, 1, b)"
        OBJECTION = "objection", "Opposition au traitement (article 17, 1, c)"
        UNLAWFUL = "unlawful", "Traitement illicite (article 17, 1, d)"
        LEGAL_OBLIGATION = "legal_obligation", "Obligation légale d'effacer (article 17, 1, e)"
        MINOR = "minor", "Données collectées auprès d'un mineur (article 17, 1, f)"

    class Outcome(models.TextChoices):
        DONE = "done", "Effacement réalisé"
        REFUSED = "refused", "Demande refusée"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    young_person = models.ForeignKey(
        YoungPerson, verbose_name="dossier", on_delete=models.PROTECT, related_name="erasure_requests"
    )
    requested_on = models.DateField("demande reçue le")
    ground = models.CharField("motif de la demande", max_length=24, choices=Ground.choices)
    decided_by = models.ForeignKey(User, verbose_name="décidé par", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("décidé le", default=timezone.now)
    outcome = models.CharField("suite donnée", max_length=8, choices=Outcome.choices)
    refusal_reason = models.CharField("motif du refus", max_length=500, blank=True, help_text=ERASURE_REASON_HELP)

    class Meta:
        verbose_name = "demande d'effacement"
        verbose_name_plural = "demandes d'effacement"
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(outcome="done", refusal_reason="")
                    | (models.Q(outcome="refused") & ~models.Q(refusal_reason=""))
                ),
                name="retention_erasure_reason_iff_refused",
            )
        ]

    def __str__(self) -> str:
        return f"Demande d'effacement {self.public_id} ({self.get_outcome_display()})"
