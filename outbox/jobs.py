"""The outbox's periodic jobs (discovered by ``scheduling``): the sweep, the daily digest, the purge."""

from __future__ import annotations

import datetime

from celery.schedules import crontab

from scheduling.registry import Job, JobCounts, register_job


def daily_digest(today: datetime.date) -> JobCounts:
    from outbox.services import send_digests

    examined, sent = send_digests()
    return JobCounts(examined=examined, enqueued=sent)


def delivery_sweep(today: datetime.date) -> JobCounts:
    from outbox.services import deliver_pending

    return JobCounts(examined=deliver_pending(), enqueued=0)


register_job(
    Job(
        "Effacement des notifications envoyées ou en échec depuis plus de 13 mois : messages effacés",
        "outbox.purges.messages",
        atomic=False,  # each batch of 5,000 rows its own transaction
        name="message_purge",
        entry="message-purge",
        schedule=crontab(minute=20, hour=4),
        why="Every night at 4:20, notifications sent or failed more than 13 months ago (never one still to send).",
    )
)
register_job(
    Job(
        "Récapitulatif quotidien des notifications (8 h) : personnes examinées, e-mails envoyés",
        "outbox.jobs.daily_digest",
        atomic=False,
        name="daily_digest",
        entry="outbox-daily-digest",
        schedule=crontab(minute=0, hour=8),
        why="Every day at 8:00 (Europe/Paris), one e-mail per person who chose the daily digest.",
    )
)
register_job(
    Job(
        "Envoi des messages en attente (chaque minute) : messages traités",
        "outbox.jobs.delivery_sweep",
        atomic=False,
        name="delivery_sweep",
        entry="outbox-sweep",
        schedule=60.0,
        why="Every minute, deliver what the on-commit task missed (broker down, worker lost).",
    )
)
