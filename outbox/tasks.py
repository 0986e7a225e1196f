"""Celery tasks of the outbox: they take names or nothing, never personal data, and call services."""

from __future__ import annotations

from celery import shared_task

from outbox import jobs, services


@shared_task(name="outbox.deliver_pending", ignore_result=True)
def deliver_pending() -> int:
    """Deliver the due rows (published on commit by ``enqueue``, and every minute by beat)."""
    return services.deliver_pending()


@shared_task(name="outbox.run_job", ignore_result=True)
def run_job(name: str) -> dict[str, int]:
    """Run one registered scheduled job (a reminder, the digest), recorded with its counts."""
    run = jobs.run_job(name)
    return {"examined": run.examined, "enqueued": run.enqueued}
