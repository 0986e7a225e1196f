"""The history's periodic job (discovered by ``scheduling``)."""

from celery.schedules import crontab

from scheduling.registry import Job, register_job

register_job(
    Job(
        "Effacement des contextes d'historique qu'aucune modification ne cite plus : lignes effacées",
        "history.purges.contexts",
        atomic=False,  # each batch of 5,000 rows its own transaction
        name="history_context_purge",
        entry="history-context-purge",
        schedule=crontab(minute=30, hour=4),
        why="Every night at 4:30, change contexts no change points to, untouched for a day.",
    )
)
