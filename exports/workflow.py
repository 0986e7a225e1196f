"""The export job's states, declared in the shared shape (``states.tables``), and their only writer.

queued → running (a worker claims the job) → done (its file stored) or failed (a French message);
a running job whose worker died is claimed again (running → running, one more attempt) until
``MAX_ATTEMPTS``, then fails. Two deliveries of the same task may race: every move here is made
under the row's lock and checks, under that lock, that the job is still the attempt the caller
claimed, so the first result wins and a late one is dropped (what the conditional UPDATEs did).
"""

from __future__ import annotations

import datetime
from typing import IO

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from exports.models import ExportJob
from states.services import change_state
from states.tables import Move, StateTable, register

S = ExportJob.Status

EXPORT_JOB = register(
    StateTable(
        name="export_job",
        model="exports.ExportJob",
        field="status",
        initial=frozenset({S.QUEUED}),
        moves={
            (S.QUEUED, S.RUNNING): Move("Préparation commencée"),
            (S.RUNNING, S.RUNNING): Move("Préparation reprise après l'arrêt d'un serveur"),
            (S.RUNNING, S.DONE): Move("Fichier prêt"),
            (S.RUNNING, S.FAILED): Move("Échec de la préparation"),
            (S.QUEUED, S.FAILED): Move("Abandon après trop de tentatives"),
        },
        writers=("exports.workflow",),
    )
)


def is_finished(job: ExportJob) -> bool:
    """Done or failed: no move left in the table (the page stops polling)."""
    return not EXPORT_JOB.moves_from(job.status)


def file_is_ready(job: ExportJob) -> bool:
    return job.status == S.DONE


def export_claim(
    job_id: int, *, stale_after: datetime.timedelta, max_attempts: int, gave_up_message: str
) -> ExportJob | None:
    """Lock the job and mark it running (one more attempt), unless it is finished or another worker
    made progress on it within ``stale_after``; past ``max_attempts`` it fails instead."""
    now = timezone.now()
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (S.DONE, S.FAILED):
            return None
        if job.status == S.RUNNING and job.updated_at > now - stale_after:
            return None  # a duplicate delivery while the first worker is still making progress
        if job.attempts >= max_attempts:
            fields = {"error_message": gave_up_message, "finished_at": now}
            change_state(EXPORT_JOB, job, S.FAILED, fields=fields, now=now, locked=True)
            return None
        fields = {"attempts": job.attempts + 1, "started_at": now, "progress_done": 0}
        return change_state(EXPORT_JOB, job, S.RUNNING, fields=fields, now=now, locked=True)


def _still_claimed(job: ExportJob) -> ExportJob | None:
    """The job locked, if it is still running the attempt ``job`` claimed (else another delivery
    took it over, or it finished: its result wins)."""
    locked = ExportJob.objects.select_for_update().get(pk=job.pk)
    if locked.status != S.RUNNING or locked.attempts != job.attempts:
        return None
    return locked


def export_fail(job: ExportJob, message: str) -> None:
    """The claimed attempt ``job`` fails with ``message`` (French, shown on the job page)."""
    with transaction.atomic():
        locked = _still_claimed(job)
        if locked is None:
            return
        now = timezone.now()
        change_state(
            EXPORT_JOB,
            locked,
            S.FAILED,
            fields={"error_message": message[:500], "finished_at": now},
            now=now,
            locked=True,
        )


def export_done(job: ExportJob, *, output: IO[bytes], filename: str, keep_for: datetime.timedelta) -> None:
    """The claimed attempt ``job`` is done: its file (``output``) stored, available ``keep_for``."""
    with transaction.atomic():
        locked = _still_claimed(job)
        if locked is None:
            return
        locked.file.save(filename, File(output), save=False)
        now = timezone.now()
        fields = {
            "file": locked.file,
            "finished_at": now,
            "expires_at": now + keep_for,
            "progress_done": locked.progress_total,
            "error_message": "",
        }
        change_state(EXPORT_JOB, locked, S.DONE, fields=fields, now=now, locked=True)
