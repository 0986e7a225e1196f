"""The young people's periodic jobs (discovered by ``scheduling``): reminders, every minute."""

from scheduling.registry import EVERY_MINUTE, Job, register_job

register_job(
    Job(
        "Points de suivi demain ou en retard → référent ML",
        "cej.reminders.follow_ups_due",
        name="follow_up_due",
        entry="reminder-follow-up-due",
        schedule=EVERY_MINUTE,
        why="Every minute, follow-up reviews due tomorrow or overdue: the ML referent.",
    )
)
register_job(
    Job(
        "CEJ se terminant dans les 30 jours → référent",
        "cej.reminders.cej_contracts_ending",
        name="cej_ending",
        entry="reminder-cej-ending",
        schedule=EVERY_MINUTE,
        why="Every minute, CEJ ending within 30 days: the referent.",
    )
)
register_job(
    Job(
        "PACEA atteignant 24 mois → référent",
        "cej.reminders.pacea_contracts_reaching_24_months",
        name="pacea_24_months",
        entry="reminder-pacea-24-months",
        schedule=EVERY_MINUTE,
        why="Every minute, PACEA reaching 24 months within 30 days: the referent.",
    )
)
