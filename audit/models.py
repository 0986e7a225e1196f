from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone

from audit.listings import LISTINGS


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
        LIST = "list", "Affichage d'une liste"

    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT, null=True, related_name="+")
    object_type = models.CharField(max_length=64)
    object_id = models.UUIDField()
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    # A list or a search (``object_type``: the list's name, ``object_id``: the organisation or the
    # session it belongs to): the young people whose names it showed, one row for the whole page.
    shown = ArrayField(models.UUIDField(), verbose_name="jeunes affichés", default=list, blank=True)

    class Meta:
        verbose_name = "accès"
        indexes = [
            models.Index(fields=["object_type", "object_id", "-created_at"], name="accesslog_object"),
            models.Index(fields=["user", "-created_at"], name="accesslog_user"),
            # "Who saw this young person in a list?" (the administrators' access-log page)
            GinIndex(fields=["shown"], name="accesslog_shown"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.object_type} {self.object_id}"

    @property
    def listing_label(self) -> str:
        """The French name of the list or search a row records ("" for a single record)."""
        if self.purpose not in (self.Purpose.LIST, self.Purpose.SEARCH):
            return ""
        return LISTINGS.get(self.object_type, "")
