"""Scheduled jobs: a small registry (name → function), each run recorded for the monitoring page.

A reminder lives next to the domain it reads (``e2c_referrals/reminders.py``, ``cej/reminders.py``,
``partners/reminders.py``) and is named here by its dotted path, so this app imports no domain at
start-up. A reminder is ``f(today) -> JobCounts``: it examines due rows in bounded batches and
enqueues messages whose delivery key holds the object and the due date, so a second run the same
day (or the next minute) writes nothing new.

To add a job: write the function next to its data, add a line to ``JOBS`` and a beat entry in
``config/settings/base.py`` (task ``outbox.run_job`` with the job's name as argument).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from history.context import job_context
from outbox.models import JobRun


@dataclasses.dataclass
class JobCounts:
    examined: int = 0
    enqueued: int = 0

    def add(self, other: JobCounts) -> None:
        self.examined += other.examined
        self.enqueued += other.enqueued


@dataclasses.dataclass(frozen=True)
class Job:
    label: str  # French, shown on the monitoring page
    function: str  # dotted path of f(today) -> JobCounts
    # Reminders write all their messages in one transaction. Delivery jobs must not: each row is
    # sent and marked in its own transaction, which is what makes it sent once.
    atomic: bool = True


JOBS: dict[str, Job] = {
    "referral_not_acknowledged": Job(
        "Orientations non prises en compte (5 jours ouvrés → équipe, 10 → responsable)",
        "e2c_referrals.reminders.referrals_not_acknowledged",
    ),
    "integration_period_ending": Job(
        "Fin prévue de la période d'intégration → équipe E2C",
        "e2c_referrals.reminders.integration_periods_ending",
    ),
    "hand_back_not_handled": Job(
        "Retours non traités après 5 jours ouvrés → responsable du conseiller",
        "e2c_referrals.reminders.hand_backs_not_handled",
    ),
    "follow_up_due": Job("Points de suivi demain ou en retard → référent ML", "cej.reminders.follow_ups_due"),
    "cej_ending": Job("CEJ se terminant dans les 30 jours → référent", "cej.reminders.cej_contracts_ending"),
    "pacea_24_months": Job("PACEA atteignant 24 mois → référent", "cej.reminders.pacea_contracts_reaching_24_months"),
    "agreement_review_due": Job(
        "Réunion de bilan d'un accord (6 mois avant la fin) → responsables des signataires",
        "partners.reminders.agreement_reviews_due",
    ),
    "session_in_two_days": Job(
        "Séances d'information dans 2 jours → co-animateurs, avec la liste des inscrits",
        "e2c_referrals.reminders.information_sessions_in_two_days",
    ),
    "access_log_purge": Job(
        "Effacement des lignes du journal des accès au-delà de la durée de conservation : lignes effacées",
        "audit.jobs.purge",
        atomic=False,  # each batch of 5,000 rows its own transaction: no lock held until the end
    ),
    # Purges, nightly (each batch of 5,000 rows in its own transaction, hence not atomic).
    "session_purge": Job(
        "Effacement des sessions expirées et des liens de changement d'adresse expirés : lignes effacées",
        "partners.purges.sessions",
        atomic=False,
    ),
    "sign_in_attempt_purge": Job(
        "Effacement des tentatives de connexion échouées de plus de 30 jours : lignes effacées",
        "partners.purges.sign_in_attempts",
        atomic=False,
    ),
    "message_purge": Job(
        "Effacement des notifications envoyées ou en échec depuis plus de 13 mois : messages effacés",
        "outbox.purges.messages",
        atomic=False,
    ),
    "history_context_purge": Job(
        "Effacement des contextes d'historique qu'aucune modification ne cite plus : lignes effacées",
        "history.purges.contexts",
        atomic=False,
    ),
    "submission_token_purge": Job(
        "Effacement des jetons d'envoi de formulaire de plus de 2 jours : lignes effacées",
        "submissions.purges.tokens",
        atomic=False,
    ),
    "retention_monthly": Job(
        "Conservation : préavis au référent 30 jours avant, puis anonymisation des dossiers et comptes échus",
        "retention.jobs.monthly",
        atomic=False,
    ),
    "daily_digest": Job(
        "Récapitulatif quotidien des notifications (8 h) : personnes examinées, e-mails envoyés",
        "outbox.jobs.daily_digest",
        atomic=False,
    ),
    "delivery_sweep": Job(
        "Envoi des messages en attente (chaque minute) : messages traités",
        "outbox.jobs.delivery_sweep",
        atomic=False,
    ),
}

# Runs are kept this long on the monitoring page (jobs run every minute).
RUN_HISTORY = datetime.timedelta(days=7)


def daily_digest(today: datetime.date) -> JobCounts:
    from outbox.services import send_digests

    examined, sent = send_digests()
    return JobCounts(examined=examined, enqueued=sent)


def delivery_sweep(today: datetime.date) -> JobCounts:
    from outbox.services import deliver_pending

    return JobCounts(examined=deliver_pending(), enqueued=0)


def run_job(name: str, *, today: datetime.date | None = None) -> JobRun:
    """Run the job ``name`` for ``today`` (Europe/Paris) and record the run with its counts."""
    job = JOBS[name]
    function: Callable[[datetime.date], JobCounts] = import_string(job.function)
    run = JobRun.objects.create(job=name)
    try:
        # Changes the job makes are recorded in the history under its name.
        with job_context(name):
            if job.atomic:
                with transaction.atomic():
                    counts = function(today or timezone.localdate())
            else:
                counts = function(today or timezone.localdate())
    except Exception as error:
        run.outcome, run.error, run.finished_at = JobRun.Outcome.FAILED, type(error).__name__, timezone.now()
        run.save(update_fields=["outcome", "error", "finished_at"])
        raise
    run.outcome, run.finished_at = JobRun.Outcome.SUCCEEDED, timezone.now()
    run.examined, run.enqueued = counts.examined, counts.enqueued
    run.save(update_fields=["outcome", "finished_at", "examined", "enqueued"])
    JobRun.objects.filter(job=name, started_at__lt=timezone.now() - RUN_HISTORY).delete()
    return run
