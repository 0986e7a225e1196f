"""Celery tasks of the outbox: they take nothing, never personal data, and call services.

The task that runs the scheduled jobs (``outbox.run_job``, its old name) is ``scheduling.tasks.run_job``.
"""

from __future__ import annotations

from celery import shared_task

from outbox import services


@shared_task(name="outbox.deliver_pending", ignore_result=True)
def deliver_pending() -> int:
    """Deliver the due rows (published on commit by ``enqueue``, and every minute by beat)."""
    return services.deliver_pending()
