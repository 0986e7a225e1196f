"""The access log's scheduled job (discovered by ``scheduling``)."""

from __future__ import annotations

import datetime

from celery.schedules import crontab

from audit.services import access_logs_purge
from scheduling.registry import Job, JobCounts, register_job


def purge(today: datetime.date) -> JobCounts:
    deleted = access_logs_purge()
    return JobCounts(examined=deleted, enqueued=0)


register_job(
    Job(
        "Effacement des lignes du journal des accès au-delà de la durée de conservation : lignes effacées",
        "audit.jobs.purge",
        atomic=False,  # each batch of 5,000 rows its own transaction: no lock held until the end
        name="access_log_purge",
        entry="access-log-purge",
        schedule=crontab(minute=30, hour=3),
        why="Every night at 3:30, access-log rows older than the retention (12 months by default) are deleted.",
    )
)
