"""Embedded PostgreSQL and Redis: started once, reused, cleaned up after a crash, stopped by the last user."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
import redis

from config import embedded

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def data_dir():
    # Short path under /tmp: unix socket paths are limited to ~100 bytes.
    path = Path(tempfile.mkdtemp(prefix="e2c-", dir="/tmp"))
    yield path
    embedded.stop_all(path)
    shutil.rmtree(path, ignore_errors=True)


def clean_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", embedded.EMBEDDED_FLAG)}
    env["E2C_DATA_DIR"] = str(data_dir)
    return env


def start_holder(data_dir: Path) -> tuple[subprocess.Popen[str], dict[str, object]]:
    holder = subprocess.Popen(
        [sys.executable, "-m", "tests.config.embedded_holder"],
        cwd=BASE_DIR,
        env=clean_env(data_dir),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    line = holder.stdout.readline()
    assert line, f"the holder exited with {holder.wait()}"
    return holder, json.loads(line)


def stop_holder(holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None
    holder.stdin.close()
    assert holder.wait(timeout=60) == 0


def pid_alive(pid: int) -> bool:
    return embedded._pid_alive(pid)


def wait_until(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def answers(info: dict[str, object]) -> bool:
    host = str(info["database_url"]).split("@")[1].split("/")[0].replace("%2F", "/")
    with psycopg.connect(host=host, user="postgres", dbname=embedded.DATABASE_NAME) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    socket_path = str(info["redis_url"]).removeprefix("redis+socket://")
    return bool(redis.Redis(unix_socket_path=socket_path).ping())


def test_a_second_user_reuses_the_running_servers_and_the_last_one_stops_them(data_dir):
    first, first_info = start_holder(data_dir)
    second, second_info = start_holder(data_dir)

    assert second_info == first_info  # same URLs, same server processes
    assert answers(first_info)
    stop_holder(second)
    assert pid_alive(first_info["postgres_pid"]) and pid_alive(first_info["redis_pid"])
    assert answers(first_info)

    stop_holder(first)
    assert wait_until(lambda: not pid_alive(first_info["postgres_pid"]) and not pid_alive(first_info["redis_pid"]))
    assert not (data_dir / "redis" / "redis.sock").exists()
    assert not (data_dir / "postgres" / "postmaster.pid").exists()


def test_servers_killed_without_cleanup_are_restarted_on_the_next_start(data_dir):
    holder, info = start_holder(data_dir)
    for pid in (holder.pid, info["redis_pid"], info["postgres_pid"]):
        os.kill(pid, signal.SIGKILL)
    holder.wait(timeout=10)
    # Stale lease, pid files and sockets are left behind, as after a power cut.
    assert (data_dir / "leases" / str(holder.pid)).exists()
    assert (data_dir / "redis" / "redis.pid").exists()
    assert (data_dir / "postgres" / "postmaster.pid").exists()
    # PostgreSQL's other processes notice the dead postmaster and leave shortly.
    assert wait_until(lambda: not _postgres_processes(data_dir))

    again, again_info = start_holder(data_dir)

    assert again_info["postgres_pid"] != info["postgres_pid"]
    assert again_info["redis_pid"] != info["redis_pid"]
    assert answers(again_info)
    assert not (data_dir / "leases" / str(holder.pid)).exists()
    stop_holder(again)


def _postgres_processes(data_dir: Path) -> list[str]:
    result = subprocess.run(["pgrep", "-f", str(data_dir / "postgres")], capture_output=True, text=True, check=False)
    return result.stdout.split()


def test_nothing_embedded_starts_when_urls_are_given(data_dir):
    env = clean_env(data_dir) | {"DATABASE_URL": "postgres://u@db.exemple.fr/x", "REDIS_URL": "redis://cache:6379/0"}
    subprocess.run(
        [sys.executable, "-c", "from config import embedded; embedded.ensure_from_environment()"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    assert not (data_dir / "postgres").exists()
    assert not (data_dir / "redis").exists()


def test_a_failure_says_in_one_line_what_to_do(data_dir):
    too_long = data_dir / ("x" * 120)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=clean_env(too_long),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    message = [line for line in result.stderr.splitlines() if "EmbeddedServiceError" in line][-1]
    assert "clonez le projet dans un dossier plus court" in message
    assert "clone into a shorter folder" in message
    assert not (too_long / "postgres" / "PG_VERSION").exists()


def test_a_stale_redis_pid_file_naming_another_process_never_kills_it(data_dir):
    bystander = subprocess.Popen(["sleep", "60"])
    try:
        (data_dir / "redis").mkdir(parents=True)
        (data_dir / "redis" / "redis.pid").write_text(str(bystander.pid))

        holder, info = start_holder(data_dir)
        stop_holder(holder)

        assert bystander.poll() is None  # still running
        assert info["redis_pid"] != bystander.pid
    finally:
        bystander.kill()
        bystander.wait()
