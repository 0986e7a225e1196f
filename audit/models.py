from django.db import models
from django.utils import timezone

from partners.models import Organisation, User


class AccessLog(models.Model):
    """One read of personal data: a file viewed, a document downloaded, an export produced.

    Identifiers only (the object's public UUID), never names. Issue #10 forbids UPDATE and
    DELETE on this table to the application's database role and adds retention.
    """

    class Purpose(models.TextChoices):
        VIEW_FILE = "view_file", "Consultation du dossier"
        DOWNLOAD = "download", "Téléchargement d'un document"
        EXPORT = "export", "Export"
        SEARCH = "search", "Recherche"

    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, related_name="+")
    object_type = models.CharField(max_length=64)
    object_id = models.UUIDField()
    purpose = models.CharField(max_length=16, choices=Purpose.choices)

    class Meta:
        verbose_name = "accès"
        indexes = [
            models.Index(fields=["object_type", "object_id", "-created_at"], name="accesslog_object"),
            models.Index(fields=["user", "-created_at"], name="accesslog_user"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.object_type} {self.object_id}"
