from django.conf import settings
from django.db import models
from django.utils import timezone


class StateChange(models.Model):
    """One applied move of a declared state table: which row, from, to, who, when and why.

    The referral keeps its own richer log (``ReferralTransition``); every other table writes here.
    ``object_id`` is text so that integer and UUID keys fit; ``reason`` is the actor's words or a
    system cause, never copied into the application logs.
    """

    table = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    from_state = models.CharField(max_length=32)
    to_state = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["table", "object_id", "created_at"], name="state_change_object")]

    def __str__(self) -> str:
        return f"{self.table} {self.object_id}: {self.from_state} → {self.to_state}"
