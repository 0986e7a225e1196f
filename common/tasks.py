"""Publishing a task from a web request after its commit, bounded in time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings


def publish(task: Any, *, args: Sequence[object] = ()) -> None:
    """Hand ``task`` to the broker once, within a bounded time, or raise.

    For publishing from a web request after its commit: the change is saved whatever happens here, and
    the caller leaves a failure to a beat sweep. A fresh connection (never a pooled one that a frozen
    broker left half-read) whose every step — connecting, each reply — waits at most
    ``BROKER_PUBLISH_TIMEOUT`` seconds, once: no retry (Celery's default retries for seconds), no
    result subscription (nobody waits for the result of a task published from a request).
    Raises whatever kombu, redis-py or the socket raise.
    """
    timeout = settings.BROKER_PUBLISH_TIMEOUT
    bounded = {"socket_timeout": timeout, "socket_connect_timeout": timeout, "retry_on_timeout": False}
    with task.app.connection_for_write(transport_options=bounded, connect_timeout=timeout) as connection:
        connection.ensure_connection(max_retries=0)
        task.apply_async(args=tuple(args), retry=False, ignore_result=True, producer=connection.Producer())
