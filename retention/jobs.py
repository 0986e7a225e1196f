"""The monthly retention job (registered in ``outbox.jobs``; beat: the 1st of the month at 3:00).

Notices first (files due within the notice period), then the files whose notice is old enough and that
are due, then the accounts past their period. Each file and account in its own transaction, so a
failure leaves the others done; a second run finds nothing more to do.
"""

from __future__ import annotations

import datetime

from outbox.jobs import JobCounts
from retention import selectors, services
from retention.models import RetentionRun


def monthly(today: datetime.date) -> JobCounts:
    """JobRun counts: examined = files told + files and accounts anonymised; enqueued = messages."""
    told, written = services.send_notices(today)
    files = list(selectors.files_to_anonymise(today).order_by("pk").values_list("pk", flat=True))
    files_done = sum(services.young_person_anonymise(young_person_id=pk) for pk in files)
    accounts = list(selectors.accounts_to_anonymise().order_by("pk").values_list("pk", flat=True))
    accounts_done = sum(services.account_anonymise(user_id=pk) for pk in accounts)
    RetentionRun.objects.create(
        day=today, notices_sent=told, files_anonymised=files_done, accounts_anonymised=accounts_done
    )
    return JobCounts(examined=told + files_done + accounts_done, enqueued=written)
