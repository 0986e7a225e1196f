"""Purge of the form tokens past their use (job ``submission_token_purge`` in ``submissions.jobs``).

A token guards a form against a second post of the same page: a form cannot be posted once its
session is over (12 hours at most), after which the token serves nothing. Two days are kept.
"""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone

from scheduling.batches import delete_in_batches
from scheduling.registry import JobCounts
from submissions.models import SubmissionToken

logger = logging.getLogger(__name__)

TOKEN_RETENTION = datetime.timedelta(days=2)


def tokens_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the tokens older than ``TOKEN_RETENTION``, in batches; returns how many."""
    old = SubmissionToken.objects.filter(created_at__lt=(now or timezone.now()) - TOKEN_RETENTION)
    deleted = delete_in_batches(old)
    logger.info("purge: %s form submission tokens deleted", deleted)
    return deleted


def tokens(today: datetime.date) -> JobCounts:
    """The ``submission_token_purge`` job: rows deleted (``examined``)."""
    return JobCounts(examined=tokens_purge(), enqueued=0)
