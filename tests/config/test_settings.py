"""Production settings refuse to start without their secrets; local ones are French and in Paris."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(__file__).resolve().parents[2]
GOOD_SECRET = "x" * 64


def django_setup(**env: str) -> subprocess.CompletedProcess[str]:
    inherited = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "SITE_URL")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(inherited)}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env=clean | {"DJANGO_SETTINGS_MODULE": "config.settings.production"} | env,
        capture_output=True,
        text=True,
        check=False,
    )


URLS = {
    "DATABASE_URL": "postgres://u@db:5432/e2c",
    "REDIS_URL": "redis://redis:6379/0",
    "SITE_URL": "https://e2c.exemple.fr",
}


def test_production_refuses_to_start_without_a_secret_key():
    result = django_setup(DJANGO_ALLOWED_HOSTS="e2c.exemple.fr", **URLS)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = django_setup(DJANGO_SECRET_KEY=GOOD_SECRET, **URLS)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_refuses_to_start_without_a_database_url():
    for database_url in ({}, {"DATABASE_URL": ""}):
        result = django_setup(
            DJANGO_SECRET_KEY=GOOD_SECRET,
            DJANGO_ALLOWED_HOSTS="e2c.exemple.fr",
            REDIS_URL=URLS["REDIS_URL"],
            **database_url,
        )
        assert result.returncode != 0
        assert "Set the DATABASE_URL environment variable" in result.stderr


def test_production_starts_with_its_secrets_and_never_starts_embedded_servers(tmp_path):
    result = django_setup(
        DJANGO_SECRET_KEY=GOOD_SECRET, DJANGO_ALLOWED_HOSTS="e2c.exemple.fr", E2C_DATA_DIR=str(tmp_path), **URLS
    )
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_production_refuses_to_start_without_its_https_site_address_among_the_allowed_hosts():
    secrets = {"DJANGO_SECRET_KEY": GOOD_SECRET, "DJANGO_ALLOWED_HOSTS": "e2c.exemple.fr"}
    urls = {name: value for name, value in URLS.items() if name != "SITE_URL"}
    for site_url, said in (
        ({}, "Set the SITE_URL environment variable"),
        ({"SITE_URL": ""}, "Set the SITE_URL environment variable"),
        ({"SITE_URL": "http://e2c.exemple.fr"}, "SITE_URL must be the site's address, https://host[:port]"),
        ({"SITE_URL": "https://e2c.exemple.fr/accueil/"}, "without a path"),
        ({"SITE_URL": "https://localhost:8000"}, "SITE_URL's host must be one of DJANGO_ALLOWED_HOSTS"),
    ):
        result = django_setup(**secrets, **urls, **site_url)
        assert result.returncode != 0, site_url
        assert said in result.stderr, (site_url, result.stderr[-500:])


def test_the_application_speaks_french_in_paris_time():
    assert settings.LANGUAGE_CODE == "fr-fr"
    assert settings.TIME_ZONE == "Europe/Paris"
    assert settings.USE_TZ is True


def test_celery_is_configured_for_tasks_that_survive_a_dead_worker():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_ACCEPT_CONTENT == ["json"]
    assert settings.CELERY_TASK_SERIALIZER == "json"
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"


def test_every_wait_on_the_broker_is_bounded_and_far_under_gunicorns_worker_timeout():
    from config.celery import app

    gunicorn_file = BASE_DIR / "config" / "gunicorn.py"
    gunicorn: dict[str, object] = {}
    exec(compile(gunicorn_file.read_text(), str(gunicorn_file), "exec"), gunicorn)  # noqa: S102 - our own file
    # Every process: connecting to Redis and each of its replies wait a bounded time (kombu's default: forever)
    options = app.conf.broker_transport_options
    for bound in (options.get("socket_timeout"), options.get("socket_connect_timeout")):
        assert bound is not None and 0 < bound <= 3
    assert 0 < app.conf.redis_socket_timeout <= 3 and 0 < app.conf.redis_socket_connect_timeout <= 3
    # A request publishing after its commit: one attempt, each step within half a second
    assert 0 < settings.BROKER_PUBLISH_TIMEOUT <= 0.5
    # A publish with Celery's retries (the admin's « Run selected tasks ») ends before gunicorn kills the worker
    attempts = 1 + app.conf.task_publish_retry_policy["max_retries"]
    assert attempts * (options["socket_connect_timeout"] + options["socket_timeout"]) < gunicorn["timeout"] <= 30
