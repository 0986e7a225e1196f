"""Running a registered job: one ``JobRun`` row per run, with its counts, kept a week."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable
from contextlib import AbstractContextManager

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from scheduling.models import JobRun
from scheduling.registry import JOBS, JobCounts

# Runs are kept this long on the monitoring page (jobs run every minute).
RUN_HISTORY = datetime.timedelta(days=7)


def _run_context(name: str) -> AbstractContextManager[object]:
    """What wraps a run: ``SCHEDULED_JOB_CONTEXT`` (a dotted path, ``f(job_name)`` → context manager)
    lets the change history record the job's name without this bottom layer importing it."""
    path = getattr(settings, "SCHEDULED_JOB_CONTEXT", "")
    if not path:
        return contextlib.nullcontext()
    factory: Callable[[str], AbstractContextManager[object]] = import_string(path)
    return factory(name)


def run_job(name: str, *, today: datetime.date | None = None) -> JobRun:
    """Run the job ``name`` for ``today`` (Europe/Paris) and record the run with its counts."""
    job = JOBS[name]
    function: Callable[[datetime.date], JobCounts] = import_string(job.function)
    run = JobRun.objects.create(job=name)
    try:
        # Changes the job makes are recorded in the history under its name.
        with _run_context(name):
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
