"""Frozen figures: a semester closed by the national committee keeps the indicators computed at closing."""

from django.db import models
from django.utils import timezone

from partners.models import User


class SemesterClosing(models.Model):
    """A national committee member's closing of a semester: asked once, done by a worker.

    Freezing 120 areas takes a minute or more at national scale: longer than a web request may last.
    """

    semester = models.CharField("semestre", max_length=7, unique=True)  # 2026-S1
    requested_by = models.ForeignKey(User, verbose_name="clos par", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("demandée le", default=timezone.now)
    closed_at = models.DateTimeField("clos le", null=True, blank=True)

    class Meta:
        verbose_name = "clôture de semestre"

    def __str__(self) -> str:
        return f"Clôture {self.semester}"


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


class ReferralFact(models.Model):
    """One row per sent referral, what the indicators aggregate: its two sides' places, its steps and
    delays, its exit. A summary table rebuilt by ``reporting.services.facts.refresh_facts`` (beat,
    every 10 minutes; and before a semester is closed): the national aggregates read 50,000 narrow rows
    instead of joining 300,000 referrals with 1.7 million transitions on every page.

    No personal data: ids of referrals and organisations, dates, statuses.
    """

    referral_id = models.BigIntegerField(primary_key=True)
    sent_at = models.DateTimeField()
    network = models.CharField(max_length=32)  # the referring organisation's kind
    ro_id = models.BigIntegerField()
    ro_parent_id = models.BigIntegerField(null=True)
    ro_region = models.CharField(max_length=2, blank=True)
    ro_departement = models.CharField(max_length=3, blank=True)
    so_id = models.BigIntegerField()
    so_parent_id = models.BigIntegerField(null=True)
    so_region = models.CharField(max_length=2, blank=True)
    so_departement = models.CharField(max_length=3, blank=True)
    cej = models.BooleanField()
    acknowledged_days = models.FloatField(null=True)
    invited = models.BooleanField()
    session_days = models.FloatField(null=True)  # sent → information session (attended or no-show)
    attended = models.BooleanField()
    integration = models.BooleanField()
    enrolled_days = models.FloatField(null=True)
    exited_on = models.DateField(null=True)
    exit_outcome = models.CharField(max_length=24, blank=True)
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["sent_at"], name="fact_sent_at"),
            models.Index(fields=["exited_on"], name="fact_exited_on", condition=models.Q(exited_on__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"Fait {self.referral_id}"


class HandBackFact(models.Model):
    """A hand-back, for the indicators (rebuilt with ``ReferralFact``, with its referral's sides so the
    aggregate joins nothing): indexed by date, no personal data."""

    hand_back_id = models.BigIntegerField(primary_key=True)
    created_at = models.DateTimeField()
    reason = models.CharField(max_length=24)
    network = models.CharField(max_length=32)
    ro_id = models.BigIntegerField()
    ro_parent_id = models.BigIntegerField(null=True)
    ro_region = models.CharField(max_length=2, blank=True)
    ro_departement = models.CharField(max_length=3, blank=True)
    so_id = models.BigIntegerField()
    so_parent_id = models.BigIntegerField(null=True)
    so_region = models.CharField(max_length=2, blank=True)
    so_departement = models.CharField(max_length=3, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="hand_back_fact_created_at")]

    def __str__(self) -> str:
        return f"Retour {self.hand_back_id}"
