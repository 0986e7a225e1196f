"""The application runs on real servers: PostgreSQL and Redis, embedded or given by URL."""

import os
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config import embedded
from config.celery import app, ping
from tests.celery_worker import running_worker

BASE_DIR = Path(settings.BASE_DIR)


@pytest.mark.django_db
def test_the_database_is_a_real_postgresql_server():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int, version()")
        version_num, version = cursor.fetchone()
    assert version_num >= 150000
    assert version.startswith("PostgreSQL")


@pytest.mark.django_db
def test_the_database_is_the_embedded_one_unless_a_url_says_otherwise():
    with connection.cursor() as cursor:
        cursor.execute("SELECT inet_server_addr()::text, current_setting('data_directory')")
        server_address, data_directory = cursor.fetchone()
    if "postgres" in os.environ.get(embedded.EMBEDDED_FLAG, ""):
        # Embedded: a unix socket in .data/postgres, no TCP address at all.
        pgdata = embedded.data_dir() / "postgres"
        assert server_address is None
        assert Path(data_directory).resolve() == pgdata
        assert settings.DATABASES["default"]["HOST"] == str(pgdata)
    else:
        # DATABASE_URL given: that server, reached over TCP, and nothing embedded was started.
        assert server_address is not None
        assert settings.DATABASES["default"]["HOST"] == server_address.split("/")[0]
        assert not (embedded.data_dir() / "leases" / str(os.getpid())).exists()


def test_a_task_goes_through_the_real_redis_broker_to_a_real_worker_and_back():
    """A Celery worker process started here consumes the task from Redis and stores its result."""
    queue = f"test-{uuid.uuid4().hex}"
    with running_worker(queue=queue) as worker:
        payload = ping.apply_async(args=["bonjour"], queue=queue).get(timeout=60)

    assert payload == {"value": "bonjour", "worker_pid": worker.pid}
    assert app.conf.broker_url == settings.REDIS_URL
    assert app.conf.task_always_eager is False
    expected_transport = "redis+socket" if "redis" in os.environ.get(embedded.EMBEDDED_FLAG, "") else "redis"
    assert settings.REDIS_URL.split("://")[0] == expected_transport
