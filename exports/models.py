"""Files produced in the background for one user (ZIP of referral files, reports…), kept 48 hours.

Generic: the ``kind`` names an entry of ``exports.registry``, whose builder writes the file. The
file lives in Django's default storage, so any worker writes it and any web process serves it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


def export_upload_path(instance: "ExportJob", filename: str) -> str:
    # The job's public id, never a name (the storage path may end up in a log or a backup listing).
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"exports/{instance.public_id}.{extension}"


class ExportJob(models.Model):
    """One requested export, from the queue to its file (or its failure). ``updated_at`` is the heartbeat.

    The people and organisations are referred to by name (``"partners.Membership"``): this shared
    app imports no domain.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "En attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Prêt"
        FAILED = "failed", "Échec"

    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField("type d'export", max_length=48)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="demandé par", on_delete=models.PROTECT, related_name="+"
    )
    # The membership the user acted through: the builder works with the same scope as the request.
    membership = models.ForeignKey("partners.Membership", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT, related_name="+")
    # Identifiers and dates only (an organisation's public id, a period): never personal data.
    parameters = models.JSONField("paramètres", default=dict, blank=True)
    status = models.CharField("état", max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField("éléments produits", default=0)
    progress_total = models.PositiveIntegerField("éléments à produire", default=0)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    enqueued_at = models.DateTimeField("confié aux workers le", null=True, blank=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    expires_at = models.DateTimeField("disponible jusqu'au", null=True, blank=True)
    file = models.FileField("fichier", upload_to=export_upload_path, blank=True)
    error_message = models.CharField("message d'erreur", max_length=500, blank=True)

    class Meta:
        verbose_name = "export"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_done__lte=models.F("progress_total")), name="export_progress_within_total"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(expires_at__isnull=False), name="export_done_expires"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "updated_at"], name="export_sweep"),
            models.Index(fields=["requested_by", "-created_at"], name="export_requester"),
            models.Index(fields=["expires_at"], name="export_expiry", condition=~Q(file="")),
        ]

    def __str__(self) -> str:
        return f"Export {self.public_id}"
