"""Waiting, in a test, until other connections are blocked on a row lock (instead of sleeping)."""

from __future__ import annotations

import time

from django.db import connections


def wait_for_lock_waits(count: int = 1, timeout: float = 10.0) -> None:
    """Until ``count`` other connections wait for a row lock (pg_locks: a lock not granted)."""
    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.02)
    raise AssertionError(f"fewer than {count} connections started waiting for a lock")
