from django.db import models
from django.utils import timezone


class JobRun(models.Model):
    """One run of a scheduled job (a reminder, the digest): what it looked at and what it wrote."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "En cours"
        SUCCEEDED = "succeeded", "Terminé"
        FAILED = "failed", "Échec"

    job = models.CharField("tâche", max_length=64)
    started_at = models.DateTimeField("début", default=timezone.now)
    finished_at = models.DateTimeField("fin", null=True, blank=True)
    outcome = models.CharField("résultat", max_length=16, choices=Outcome.choices, default=Outcome.RUNNING)
    examined = models.PositiveIntegerField("lignes examinées", default=0)
    enqueued = models.PositiveIntegerField("messages écrits", default=0)
    error = models.CharField("erreur", max_length=200, blank=True)

    class Meta:
        verbose_name = "exécution de tâche planifiée"
        # The table and its index were created by the outbox, which scheduled the jobs before this app.
        db_table = "outbox_jobrun"
        indexes = [models.Index(fields=["job", "-started_at"], name="outbox_job_last_run")]

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%d/%m/%Y %H:%M}"
