"""The referrals' periodic jobs (discovered by ``scheduling``): reminders, every minute."""

from scheduling.registry import EVERY_MINUTE, Job, register_job

register_job(
    Job(
        "Orientations non prises en compte (5 jours ouvrés → équipe, 10 → responsable)",
        "e2c_referrals.reminders.referrals_not_acknowledged",
        name="referral_not_acknowledged",
        entry="reminder-referral-not-acknowledged",
        schedule=EVERY_MINUTE,
        why="Every minute, referrals sent 5 working days ago and not taken into account (10: the managers).",
    )
)
register_job(
    Job(
        "Fin prévue de la période d'intégration → équipe E2C",
        "e2c_referrals.reminders.integration_periods_ending",
        name="integration_period_ending",
        entry="reminder-integration-period-ending",
        schedule=EVERY_MINUTE,
        why="Every minute, integration periods ending within 3 days: the E2C staff confirms the enrolment.",
    )
)
register_job(
    Job(
        "Retours non traités après 5 jours ouvrés → responsable du conseiller",
        "e2c_referrals.reminders.hand_backs_not_handled",
        name="hand_back_not_handled",
        entry="reminder-hand-back-not-handled",
        schedule=EVERY_MINUTE,
        why="Every minute, hand-backs still open after 5 working days: the referring organisation's managers.",
    )
)
register_job(
    Job(
        "Séances d'information dans 2 jours → co-animateurs, avec la liste des inscrits",
        "e2c_referrals.reminders.information_sessions_in_two_days",
        name="session_in_two_days",
        entry="reminder-session-in-two-days",
        schedule=EVERY_MINUTE,
        why="Every minute, information sessions starting in 2 days: their co-hosts, with the registration list.",
    )
)
