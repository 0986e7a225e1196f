import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Message(models.Model):
    """One notification to one person, written in the transaction that caused it.

    ``delivery_key`` makes enqueueing idempotent: the same cause never produces two messages.
    The row is the in-app notification as soon as its transaction commits (the bell reads it);
    ``status`` follows the e-mail channel: the relay (``outbox.services.deliver_next``) sends it,
    or files it for the recipient's daily digest, and marks it ``sent`` in the transaction that
    holds the row lock, so a redelivered task finds it sent and sends nothing.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "À envoyer"
        SENT = "sent", "Envoyé"
        FAILED = "failed", "Échec"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    kind = models.CharField(max_length=64)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The recipient's organisation. A string: the outbox imports no domain.
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.CASCADE, null=True, related_name="+")
    # Identifiers and labels only: the templates read names from the database at delivery.
    context = models.JSONField(default=dict)
    delivery_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField("prochaine tentative", default=timezone.now)
    # The exception's class only: an SMTP error message may quote an address.
    last_error = models.CharField("dernière erreur", max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The recipient chose the daily digest: the relay files the message, the 8:00 job e-mails it.
    in_digest = models.BooleanField(default=False)
    digested_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField("lu le", null=True, blank=True)
    # Another address than the recipient's current one: a security notice to the address an account
    # just left (``partners.services.accounts``). Sent at once, never filed for a digest.
    address = models.EmailField("adresse d'envoi", blank=True)

    class Meta:
        verbose_name = "message"
        indexes = [
            models.Index(fields=["status", "created_at"], name="outbox_pending"),
            models.Index(fields=["next_attempt_at", "id"], condition=Q(status="pending"), name="outbox_due"),
            # The bell's list, newest first: keyset pagination sorts ascending on ``newest_first``.
            models.Index(F("recipient"), F("id") * -1, name="outbox_recipient_list"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="outbox_unread"),
            models.Index(
                fields=["recipient"], condition=Q(in_digest=True, digested_at__isnull=True), name="outbox_digest"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class Preference(models.Model):
    """How a person wants their e-mails: one by one, or one digest a day at 8:00 (Europe/Paris)."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", "Un e-mail à chaque notification"
        DAILY_DIGEST = "daily_digest", "Un récapitulatif par jour, à 8 h"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outbox_preference")
    frequency = models.CharField(
        "réception des e-mails", max_length=16, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "préférence de notification"

    def __str__(self) -> str:
        return self.get_frequency_display()
