"""The monthly retention job (registered in ``outbox.jobs``; beat: the 1st of the month at 3:00).

Notices first (files due within the notice period), then the files whose notice is old enough and that
are due, then the accounts past their period. Each file and account in its own transaction, so a
failure leaves the others done; a second run finds nothing more to do.
"""

from __future__ import annotations

import datetime
import logging

from outbox.jobs import JobCounts
from retention import selectors, services

logger = logging.getLogger(__name__)


class RetentionRunIncomplete(RuntimeError):
    """Some files or accounts failed (logged by id); the others are done, the next run retries."""


def monthly(today: datetime.date) -> JobCounts:
    """JobRun counts: examined = files told + files and accounts anonymised; enqueued = messages.

    A file or account that fails is logged by its id and left for the next run; the run is then
    recorded as failed (``RetentionRunIncomplete``) after the others are done.
    """
    told, written = services.send_notices(today)
    failures = 0
    files_done = accounts_done = 0
    for pk in selectors.files_to_anonymise(today).order_by("pk").values_list("pk", flat=True):
        try:
            files_done += services.young_person_anonymise(young_person_id=pk, due_by=today)
        except Exception:
            failures += 1
            logger.exception("retention: young person %s not anonymised", pk)
    for pk in selectors.accounts_to_anonymise().order_by("pk").values_list("pk", flat=True):
        try:
            accounts_done += services.account_anonymise(user_id=pk)
        except Exception:
            failures += 1
            logger.exception("retention: account %s not anonymised", pk)
    services.run_record(day=today, notices_sent=told, files_anonymised=files_done, accounts_anonymised=accounts_done)
    if failures:
        raise RetentionRunIncomplete(f"{failures} anonymisations failed")
    return JobCounts(examined=told + files_done + accounts_done, enqueued=written)
