"""A real Celery worker process started by a test, on the real broker, and stopped afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def start_worker(
    *, queue: str | None = None, pool: str = "solo", settings_module: str = "config.settings.test", **env: str
) -> subprocess.Popen[bytes]:
    """``celery -A config worker`` with this process's environment plus ``env``; ``queue`` restricts it to
    one queue (a test's own, so no other worker of the run takes its task)."""
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", pool]
    if pool == "prefork":
        command += ["--concurrency", "1"]
    if queue:
        command += ["--queues", queue]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"]
    return subprocess.Popen(command, cwd=BASE_DIR, env={**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, **env})


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(timeout=10)


@contextmanager
def running_worker(**options: str) -> Iterator[subprocess.Popen[bytes]]:
    worker = start_worker(**options)
    try:
        yield worker
    finally:
        stop_worker(worker)
