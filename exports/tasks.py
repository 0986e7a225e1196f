"""Celery tasks of the exports: each takes an id (never personal data) and calls a service."""

from celery import shared_task

from exports import services


@shared_task(name="exports.tasks.build_export")
def build_export(job_id: int) -> None:
    """Build one export's file. Idempotent: a finished job, or one in progress elsewhere, is left alone."""
    services.export_build(job_id=job_id)


@shared_task(name="exports.tasks.requeue_stale_exports")
def requeue_stale_exports() -> int:
    """Beat: send again the exports still waiting (broker was down) or abandoned by a dead worker."""
    return len(services.requeue_stale())


@shared_task(name="exports.tasks.delete_expired_exports")
def delete_expired_exports() -> int:
    """Beat: delete the files of exports older than 48 hours."""
    return services.delete_expired()
