"""The periodic jobs: each app declares its own (``<app>/jobs.py``), beat gets the same schedule as
when it was written in the settings, and django-celery-beat stores every entry."""

from __future__ import annotations

import pytest
from celery.schedules import crontab
from django.utils.module_loading import import_string
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from config.celery import app
from scheduling.beat import beat_schedule
from scheduling.registry import ENTRIES, EVERY_MINUTE, JOBS, Entry, Job, register_job, register_task

# The schedule as it stood in config/settings/base.py before the apps declared their own:
# entry → (task, args, schedule).
RUN = "outbox.run_job"
SCHEDULE = {
    "exports-requeue-stale": ("exports.tasks.requeue_stale_exports", [], 300.0),
    "exports-delete-expired": ("exports.tasks.delete_expired_exports", [], 3600.0),
    "reporting-refresh-facts": ("reporting.refresh_facts", [], 600.0),
    "outbox-sweep": (RUN, ["delivery_sweep"], 60.0),
    "outbox-daily-digest": (RUN, ["daily_digest"], crontab(minute=0, hour=8)),
    "reminder-referral-not-acknowledged": (RUN, ["referral_not_acknowledged"], EVERY_MINUTE),
    "reminder-integration-period-ending": (RUN, ["integration_period_ending"], EVERY_MINUTE),
    "reminder-hand-back-not-handled": (RUN, ["hand_back_not_handled"], EVERY_MINUTE),
    "reminder-follow-up-due": (RUN, ["follow_up_due"], EVERY_MINUTE),
    "reminder-cej-ending": (RUN, ["cej_ending"], EVERY_MINUTE),
    "reminder-pacea-24-months": (RUN, ["pacea_24_months"], EVERY_MINUTE),
    "reminder-session-in-two-days": (RUN, ["session_in_two_days"], EVERY_MINUTE),
    "access-log-purge": (RUN, ["access_log_purge"], crontab(minute=30, hour=3)),
    "session-purge": (RUN, ["session_purge"], crontab(minute=0, hour=4)),
    "sign-in-attempt-purge": (RUN, ["sign_in_attempt_purge"], crontab(minute=10, hour=4)),
    "message-purge": (RUN, ["message_purge"], crontab(minute=20, hour=4)),
    "submission-token-purge": (RUN, ["submission_token_purge"], crontab(minute=40, hour=4)),
    "history-context-purge": (RUN, ["history_context_purge"], crontab(minute=30, hour=4)),
    "retention-monthly": (RUN, ["retention_monthly"], crontab(minute=0, hour=3, day_of_month=1)),
    "reminder-agreement-review": (RUN, ["agreement_review_due"], EVERY_MINUTE),
}


def test_the_apps_declare_the_same_schedule_as_before():
    schedule = beat_schedule()
    assert set(schedule) == set(SCHEDULE)
    for name, (task, args, when) in SCHEDULE.items():
        assert schedule[name] == {"task": task, "args": args, "schedule": when}, name


def test_every_job_is_scheduled_and_its_function_exists():
    scheduled = {entry.args[0] for entry in ENTRIES.values() if entry.task == RUN}
    assert scheduled == set(JOBS)
    for name, job in JOBS.items():
        assert job.name == name
        assert callable(import_string(job.function)), job.function
        assert job.why and job.label


def test_the_celery_app_holds_the_schedule_and_knows_every_task():
    app.loader.import_default_modules()
    for name, entry in beat_schedule().items():
        assert app.conf.beat_schedule[name] == entry
        assert entry["task"] in app.tasks, entry["task"]


# A real transaction: the scheduler closes and reopens its database connection as beat does.
@pytest.mark.django_db(transaction=True)
def test_django_celery_beat_stores_every_entry_at_start_up():
    PeriodicTask.objects.all().delete()

    DatabaseScheduler(app=app)

    stored = {task.name: task for task in PeriodicTask.objects.select_related("crontab", "interval")}
    for name, (task, args, when) in SCHEDULE.items():
        assert stored[name].task == task
        assert stored[name].args == (f'["{args[0]}"]' if args else "[]")
        if isinstance(when, crontab):
            assert stored[name].crontab is not None
            assert stored[name].crontab.minute == str(when._orig_minute)
            assert stored[name].crontab.hour == str(when._orig_hour)
        else:
            assert stored[name].interval.every * 1.0 == when


def test_a_name_registered_twice_differently_is_refused():
    job = JOBS["follow_up_due"]
    assert register_job(job) is job  # the same declaration again (a module imported twice) is fine
    with pytest.raises(ValueError, match="follow_up_due"):
        register_job(Job("Autre", "cej.reminders.follow_ups_due", name="follow_up_due"))
    with pytest.raises(ValueError, match="reminder-follow-up-due"):
        register_task(Entry(name="reminder-follow-up-due", task="other.task", schedule=60.0, why="No."))
    with pytest.raises(ValueError, match="why"):
        register_job(Job("Sans raison", "cej.reminders.follow_ups_due", name="test_no_why", schedule=60.0))
    assert "test_no_why" not in JOBS
