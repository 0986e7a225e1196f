"""The access log's scheduled job (registered in ``outbox.jobs``)."""

from __future__ import annotations

import datetime

from audit.services import access_logs_purge
from outbox.jobs import JobCounts


def purge(today: datetime.date) -> JobCounts:
    deleted = access_logs_purge()
    return JobCounts(examined=deleted, enqueued=0)
