"""Settings of the Celery worker a test starts: the test's database, e-mails written to files.

The worker is another process: it reads the database pytest created (its name passed in the
environment) and writes each e-mail to a file, so the test counts what was really sent.
"""

import os

from config.settings.test import *  # noqa: F403
from config.settings.test import CELERY_BROKER_TRANSPORT_OPTIONS, DATABASES

DATABASES["default"]["NAME"] = os.environ["E2C_TEST_DATABASE_NAME"]
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["E2C_EMAIL_DIR"]
# A message taken by a worker that died is handed to another after this many seconds (Redis).
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "visibility_timeout": 5}

if os.environ.get("E2C_DIE_AFTER_TASK"):
    from celery.signals import task_postrun, task_prerun

    @task_prerun.connect
    def _count_run(**kwargs: object) -> None:
        with open(os.environ["E2C_DIE_AFTER_TASK"] + ".runs", "a") as runs:
            runs.write("run\n")

    @task_postrun.connect
    def _die_once_before_the_ack(**kwargs: object) -> None:
        """The task committed (e-mail sent, row marked), the broker has no ack yet: the process dies."""
        marker = os.environ["E2C_DIE_AFTER_TASK"]
        if os.path.exists(marker):
            os.remove(marker)
            os._exit(1)
