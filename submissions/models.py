from django.conf import settings
from django.db import models
from django.utils import timezone


class SubmissionToken(models.Model):
    """A form's token, written in the transaction of the change its first post made.

    The unique index is the guard: a second post of the same rendered form waits on the first one's
    insert, then finds the row and is sent where the first one went (``result_url``). A post that
    changed nothing (a form shown again with its errors) leaves no row, so the form can be corrected
    and sent again. Rows are purged after ``submissions.purges.TOKEN_RETENTION``.
    """

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Where the first post's answer sent the browser (its own URL: no personal data).
    result_url = models.CharField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # For the views of ``submissions.registry.CREATING_VIEWS``: a digest of the path and the content
    # sent (SHA-256, never the content itself), to recognise the same content sent again.
    fingerprint = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "jeton d'envoi de formulaire"
        verbose_name_plural = "jetons d'envoi de formulaire"
        indexes = [
            models.Index(
                fields=["user", "fingerprint", "created_at"],
                name="submission_resend",
                condition=~models.Q(fingerprint=""),
            )
        ]

    def __str__(self) -> str:
        return str(self.token)
