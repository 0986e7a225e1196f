"""The Celery task beat sends for every registered job: it takes the job's name, never personal data."""

from __future__ import annotations

from celery import shared_task

from scheduling.registry import RUN_JOB_TASK
from scheduling.runs import run_job as run


@shared_task(name=RUN_JOB_TASK, ignore_result=True)
def run_job(name: str) -> dict[str, int]:
    """Run one registered scheduled job (a reminder, the digest), recorded with its counts."""
    done = run(name)
    return {"examined": done.examined, "enqueued": done.enqueued}
