"""Celery application: configured from Django settings (``CELERY_*``), tasks found in apps."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("orientations_e2c")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.ping")
def ping(value: str = "pong") -> dict[str, object]:
    """Health probe: proves a worker consumed a message from the broker and wrote a result."""
    return {"value": value, "worker_pid": os.getpid()}
