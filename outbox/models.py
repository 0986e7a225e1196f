import uuid

from django.db import models
from django.utils import timezone

from partners.models import Organisation, User


class Message(models.Model):
    """One notification to one person, written in the transaction that caused it.

    ``delivery_key`` makes enqueueing idempotent: the same cause never produces two messages.
    Delivery (e-mail, in-app bell, daily digest, retries) is the jobs issue (#7): until then rows
    wait in ``pending``, and nothing is lost if the broker is down.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "À envoyer"
        SENT = "sent", "Envoyé"
        FAILED = "failed", "Échec"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    kind = models.CharField(max_length=64)
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True, related_name="+")
    # Identifiers and labels only: the templates of #7 read names from the database at delivery.
    context = models.JSONField(default=dict)
    delivery_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "message"
        indexes = [models.Index(fields=["status", "created_at"], name="outbox_pending")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"
