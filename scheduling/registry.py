"""The periodic jobs of every app: what runs, when, and why. Each app fills it from its ``jobs`` module.

Two shapes:
- a **job** (``register_job``): ``f(today) -> JobCounts`` named by its dotted path, run by the task
  ``outbox.run_job`` with the job's name, each run recorded (``scheduling.models.JobRun``) for the
  monitoring page. A reminder examines due rows in bounded batches and enqueues messages whose
  delivery key holds the object and the due date, so a second run the same day writes nothing new;
- a **task** (``register_task``): a Celery task beat sends as it is (exports, indicators).

To add a job: write the function next to its data, and in your app's ``jobs`` module::

    register_job(Job(
        name="follow_up_due", label="Points de suivi demain ou en retard → référent ML",
        function="cej.reminders.follow_ups_due",
        entry="reminder-follow-up-due", schedule=EVERY_MINUTE,
        why="Every minute, follow-up reviews due tomorrow or overdue: the ML referent.",
    ))

``scheduling.beat`` hands every entry to django-celery-beat when the apps are ready.
"""

from __future__ import annotations

import dataclasses

from celery.schedules import crontab

# The task that runs a registered job by name. Its name is older than this app: kept, so that the
# entries django-celery-beat stored and the messages waiting in the broker keep their meaning.
RUN_JOB_TASK = "outbox.run_job"

# Every minute: the reminders are idempotent (one message per row and due date, whatever the number
# of runs), so a condition that becomes true is told within a minute.
EVERY_MINUTE = crontab(minute="*")

Schedule = crontab | float


@dataclasses.dataclass
class JobCounts:
    examined: int = 0
    enqueued: int = 0

    def add(self, other: JobCounts) -> None:
        self.examined += other.examined
        self.enqueued += other.enqueued


@dataclasses.dataclass(frozen=True)
class Job:
    label: str  # French, shown on the monitoring page
    function: str  # dotted path of f(today) -> JobCounts
    # Reminders write all their messages in one transaction. Delivery jobs must not: each row is
    # sent and marked in its own transaction, which is what makes it sent once.
    atomic: bool = True
    # Beat's side: the entry's name (django-celery-beat's PeriodicTask row), when, and why then.
    # A job without an entry runs only by hand (``manage.py run_job``) or from a test.
    name: str = ""
    entry: str = ""
    schedule: Schedule | None = None
    why: str = ""


@dataclasses.dataclass(frozen=True)
class Entry:
    """One line of beat's schedule."""

    name: str
    task: str
    schedule: Schedule
    why: str  # the sentence saying what it does and why at that rhythm
    args: tuple[str, ...] = ()


JOBS: dict[str, Job] = {}
ENTRIES: dict[str, Entry] = {}


def _add_entry(entry: Entry) -> None:
    known = ENTRIES.get(entry.name)
    if known is not None and known != entry:
        raise ValueError(f"Two beat entries are named {entry.name!r}.")
    ENTRIES[entry.name] = entry


def register_job(job: Job) -> Job:
    """Adds ``job`` (idempotent for the same job) and its beat entry when it has a schedule."""
    if not job.name:
        raise ValueError("A job needs a name.")
    known = JOBS.get(job.name)
    if known is not None and known != job:
        raise ValueError(f"Two jobs are named {job.name!r}.")
    if job.schedule is not None:
        if not job.entry or not job.why:
            raise ValueError(f"The scheduled job {job.name!r} needs its beat entry's name and why.")
        _add_entry(Entry(name=job.entry, task=RUN_JOB_TASK, schedule=job.schedule, why=job.why, args=(job.name,)))
    JOBS[job.name] = job
    return job


def register_task(entry: Entry) -> Entry:
    """Adds a Celery task beat sends as it is, not recorded as a job run."""
    _add_entry(entry)
    return entry
