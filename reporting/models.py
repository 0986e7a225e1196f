"""Frozen figures: a semester closed by the national committee keeps the indicators computed at closing."""

from django.db import models
from django.utils import timezone

from partners.models import User


class SemesterSnapshot(models.Model):
    """The indicators of one area for one semester, as computed when the semester was closed.

    One row per area (national, each région, each département) of a closing; the national row marks the
    semester closed (unique), so a semester is closed once. The JSON holds counts and rates, never a name.
    """

    class Level(models.TextChoices):
        NATIONAL = "national", "France entière"
        REGION = "region", "Région"
        DEPARTEMENT = "departement", "Département"
        ORGANISATION = "organisation", "Organisation"

    semester = models.CharField("semestre", max_length=7)  # 2026-S1
    level = models.CharField("niveau", max_length=16, choices=Level.choices)
    code = models.CharField("code du territoire", max_length=40, blank=True)
    indicators = models.JSONField("indicateurs")
    closed_at = models.DateTimeField("clos le", default=timezone.now)
    closed_by = models.ForeignKey(User, verbose_name="clos par", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "semestre clos"
        verbose_name_plural = "semestres clos"
        constraints = [
            models.UniqueConstraint(fields=["semester", "level", "code"], name="snapshot_once_per_area"),
        ]

    def __str__(self) -> str:
        return f"{self.semester} — {self.get_level_display()} {self.code}".strip()
