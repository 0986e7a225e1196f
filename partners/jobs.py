"""The partners' periodic jobs (discovered by ``scheduling``): the agreement reminder, the nightly purges."""

from celery.schedules import crontab

from scheduling.registry import EVERY_MINUTE, Job, register_job

register_job(
    Job(
        "Réunion de bilan d'un accord (6 mois avant la fin) → responsables des signataires",
        "partners.reminders.agreement_reviews_due",
        name="agreement_review_due",
        entry="reminder-agreement-review",
        schedule=EVERY_MINUTE,
        why="Every minute, agreements whose review meeting (6 months before the end) is due: signatories' managers.",
    )
)
# Purges, nightly (each batch of 5,000 rows in its own transaction, hence not atomic).
register_job(
    Job(
        "Effacement des sessions expirées et des liens de changement d'adresse expirés : lignes effacées",
        "partners.purges.sessions",
        atomic=False,
        name="session_purge",
        entry="session-purge",
        schedule=crontab(minute=0, hour=4),
        why="Every night at 4:00, expired sessions and e-mail change links.",
    )
)
register_job(
    Job(
        "Effacement des tentatives de connexion échouées de plus de 30 jours : lignes effacées",
        "partners.purges.sign_in_attempts",
        atomic=False,
        name="sign_in_attempt_purge",
        entry="sign-in-attempt-purge",
        schedule=crontab(minute=10, hour=4),
        why="Every night at 4:10, django-axes' failed sign-ins older than 30 days.",
    )
)
