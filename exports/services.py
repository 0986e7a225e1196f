"""Export jobs: request (web), build (worker), re-send after a broker outage, delete expired files.

Every function is safe to run twice: Celery acknowledges a task only after it ran (acks_late), so a
worker that dies mid-way gets its task delivered again, and the beat sweep may re-send a job whose
message is still in the queue.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from common.actors import Actor, actor_for_membership
from common.tasks import publish
from exports import registry
from exports.models import ExportJob
from exports.registry import ExportRefused
from exports.workflow import export_claim, export_done, export_fail

logger = logging.getLogger(__name__)

KEEP_FOR = datetime.timedelta(hours=48)
# A queued job older than this was probably never handed to a worker (broker down): sent again.
REQUEUE_AFTER = datetime.timedelta(minutes=5)
# A running job without progress for this long lost its worker: taken over by the next delivery.
STALE_AFTER = datetime.timedelta(minutes=10)
MAX_ATTEMPTS = 3
FAILED_MESSAGE = (
    "L'export n'a pas pu être produit à cause d'une erreur technique. "
    "Relancez-le ; si l'erreur persiste, contactez l'assistance."
)
GAVE_UP_MESSAGE = "L'export a été interrompu trois fois (arrêt d'un serveur). Relancez-le."
ACCOUNT_MESSAGE = "Votre rattachement à cette organisation n'est plus actif : l'export ne peut pas être produit."


def job_actor(job: ExportJob) -> Any:
    """The requester, acting through the membership used for the request (still active), for the
    builder: the accounts app's actor (``common.actors``), typed as the builder expects it."""
    actor = actor_for_membership(job.membership_id)
    if actor is None:
        raise ExportRefused(ACCOUNT_MESSAGE)
    return actor


def enqueue(job_id: int) -> None:
    """Hand the job to the workers; if the broker is down it stays queued for the beat sweep."""
    from exports.tasks import build_export

    try:
        # Bounded, one attempt: a broker that is down or frozen must not hold the user's request.
        publish(build_export, args=(job_id,))
    except Exception as error:  # kombu, redis-py and socket errors alike: the sweep sends it again
        logger.warning("export job %s: task not published (%s), left queued", job_id, type(error).__name__)
        return
    ExportJob.objects.filter(pk=job_id).update(enqueued_at=timezone.now())


@transaction.atomic
def export_request(*, actor: Actor, kind: str, parameters: dict[str, Any]) -> ExportJob:
    """Queue an export of ``kind`` for ``actor``.

    Side effects: an ExportJob row (queued); ``exports.tasks.build_export`` enqueued once the
    transaction commits (if the broker is down, the job waits for the sweep).
    """
    registry.get(kind)
    if actor.membership is None or actor.organisation is None:
        raise ExportRefused("Choisissez d'abord l'organisation pour laquelle vous agissez.")
    job = ExportJob.objects.create(
        kind=kind,
        requested_by=actor.user,
        membership=actor.membership,
        organisation=actor.organisation,
        parameters=parameters,
    )
    job_id = job.pk
    transaction.on_commit(lambda: enqueue(job_id))
    return job


def export_build(*, job_id: int) -> None:
    """Build the job's file with its kind's builder and store it (worker side).

    Side effects: the job goes running → done (file in the default storage, available 48 hours) or
    failed (a French message); progress is saved as the builder reports it (the page polls it).
    A finished job, or one another worker is making progress on, is left alone.
    """
    job = export_claim(job_id, stale_after=STALE_AFTER, max_attempts=MAX_ATTEMPTS, gave_up_message=GAVE_UP_MESSAGE)
    if job is None:
        return
    kind = registry.get(job.kind)

    def progress(done: int, total: int) -> None:
        # Autocommit, outside any transaction: the job page sees it at once. Also the heartbeat.
        ExportJob.objects.filter(pk=job.pk, attempts=job.attempts).update(
            progress_done=min(done, total), progress_total=total, updated_at=timezone.now()
        )

    try:
        with tempfile.TemporaryFile() as output:
            kind.build(job, output, progress)
            output.seek(0)
            export_done(job, output=output, filename=f"export.{kind.extension}", keep_for=KEEP_FOR)
    except ExportRefused as refused:
        export_fail(job, str(refused))
    except Exception:
        logger.exception("export job %s (%s) failed", job.pk, job.kind)
        export_fail(job, FAILED_MESSAGE)


def requeue_stale(*, now: datetime.datetime | None = None) -> list[int]:
    """Send again the jobs still queued after ``REQUEUE_AFTER`` and the running ones without a heartbeat.

    Side effects: one ``build_export`` message per job returned (the task ignores finished jobs).
    """
    now = now or timezone.now()
    stale = ExportJob.objects.filter(
        Q(status=ExportJob.Status.QUEUED, created_at__lt=now - REQUEUE_AFTER)
        | Q(status=ExportJob.Status.RUNNING, updated_at__lt=now - STALE_AFTER)
    )
    job_ids = list(stale.order_by("id").values_list("pk", flat=True)[:500])
    for job_id in job_ids:
        enqueue(job_id)
    return job_ids


def delete_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of exports past their 48 hours; the rows stay (who exported what, and when).

    Side effects: files removed from the default storage, the jobs' ``file`` emptied.
    """
    now = now or timezone.now()
    deleted = 0
    for job in ExportJob.objects.filter(expires_at__lte=now).exclude(file="").order_by("id")[:1000]:
        default_storage.delete(str(job.file.name))
        ExportJob.objects.filter(pk=job.pk).update(file="", updated_at=now)
        deleted += 1
    return deleted


def is_expired(job: ExportJob, *, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return job.status == ExportJob.Status.DONE and (not job.file or job.expires_at is None or job.expires_at <= now)
