"""The submissions' periodic job (discovered by ``scheduling``)."""

from celery.schedules import crontab

from scheduling.registry import Job, register_job

register_job(
    Job(
        "Effacement des jetons d'envoi de formulaire de plus de 2 jours : lignes effacées",
        "submissions.purges.tokens",
        atomic=False,  # each batch of 5,000 rows its own transaction
        name="submission_token_purge",
        entry="submission-token-purge",
        schedule=crontab(minute=40, hour=4),
        why="Every night at 4:40, form submission tokens older than 2 days.",
    )
)
