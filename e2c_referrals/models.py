"""Referrals of young people to E2C sites, their transition log, hand-backs and post-exit news.

Statuses change only through ``e2c_referrals.workflow`` (the declared transition table).
"""

import uuid

from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cej.models import CejContract, Consent, YoungPerson
from e2c_referrals.enums import (
    OPEN_STATUSES,
    ExitOutcome,
    HandBackReason,
    NotAdmittedReason,
    ReferralStatus,
)
from partners.models import Organisation, TimestampedModel, User


class Referral(TimestampedModel):
    """An adviser's proposal that a young person join an E2C site, followed to the exit."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="referrals")
    referring_organisation = models.ForeignKey(
        Organisation, verbose_name="structure prescriptrice", on_delete=models.PROTECT, related_name="referrals_sent"
    )
    referring_adviser = models.ForeignKey(
        User, verbose_name="conseiller prescripteur", on_delete=models.PROTECT, related_name="+"
    )
    e2c_site = models.ForeignKey(
        Organisation, verbose_name="site E2C", on_delete=models.PROTECT, related_name="referrals_received"
    )
    status = models.CharField("état", max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT)
    status_changed_at = models.DateTimeField("dernier changement d'état", default=timezone.now)
    sent_at = models.DateTimeField("envoyée le", null=True, blank=True)
    diagnostic = models.TextField("diagnostic du conseiller")
    motivation = models.TextField("motivation du jeune")
    cej_contract = models.ForeignKey(
        CejContract, verbose_name="CEJ", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    not_admitted_reason = models.CharField(
        "motif de non-admission", max_length=16, choices=NotAdmittedReason.choices, blank=True
    )
    integration_starts_on = models.DateField("début de la période d'intégration", null=True, blank=True)
    integration_planned_end_on = models.DateField("fin prévue de la période d'intégration", null=True, blank=True)
    enrolled_on = models.DateField("entrée en parcours", null=True, blank=True)
    exited_on = models.DateField("sortie du parcours", null=True, blank=True)
    exit_outcome = models.CharField("situation à la sortie", max_length=24, choices=ExitOutcome.choices, blank=True)
    skills_certificate_issued = models.BooleanField("attestation de compétences acquises (ACA) remise", default=False)

    class Meta:
        verbose_name = "orientation"
        constraints = [
            models.UniqueConstraint(
                fields=["young_person", "e2c_site"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="referral_one_open_per_site",
                violation_error_message="Ce jeune a déjà une orientation en cours vers ce site.",
            ),
        ]
        indexes = [
            models.Index(fields=["e2c_site", "status", "status_changed_at", "id"], name="referral_inbox"),
            models.Index(fields=["referring_organisation", "status_changed_at", "id"], name="referral_referrer"),
        ]

    def __str__(self) -> str:
        return f"Orientation {self.public_id}"


class ReferralTransition(models.Model):
    """The referral's timeline: who moved it from which state to which, when, and why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="transitions")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    from_status = models.CharField(max_length=16, choices=ReferralStatus.choices)
    to_status = models.CharField(max_length=16, choices=ReferralStatus.choices)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    actor_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("motif", max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class HandBack(TimestampedModel):
    """A task for the referring adviser (or the nearest ML): the young person comes back to them."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="hand_backs")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="hand_backs")
    assignee = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.CharField("motif", max_length=24, choices=HandBackReason.choices)
    handled_at = models.DateTimeField("traité le", null=True, blank=True)
    handled_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    follow_up_note = models.TextField("suite donnée", blank=True)

    class Meta:
        verbose_name = "retour vers le prescripteur"
        constraints = [
            models.UniqueConstraint(fields=["referral", "organisation", "reason"], name="hand_back_once"),
        ]
        indexes = [models.Index(fields=["organisation", "handled_at"], name="hand_back_open")]

    def __str__(self) -> str:
        return f"Retour {self.get_reason_display()}"


class PostExitNews(models.Model):
    """Dated news of the young person during the 12 months after the exit."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="post_exit_news")
    news_on = models.DateField("date")
    situation = models.CharField("situation", max_length=24, choices=ExitOutcome.choices)
    note = models.CharField("précisions", max_length=500, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["news_on", "id"]

    def __str__(self) -> str:
        return f"Nouvelles du {self.news_on:%d/%m/%Y}"


def attachment_upload_path(instance: models.Model, filename: str) -> str:
    # Never the sender's name (it may carry personal data); the extension comes from the checked type.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"referrals/{uuid.uuid4()}.{extension}"


class Attachment(models.Model):
    """A CV or a document sent with a referral, served only through a scoped, logged view."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        upload_to=attachment_upload_path, validators=[FileExtensionValidator(["pdf", "jpg", "jpeg", "png"])]
    )
    label = models.CharField("intitulé", max_length=120)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.label
