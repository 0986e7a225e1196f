"""``make run`` refuses a second start instead of sharing .data/ with a running one."""

import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from config import embedded
from demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD

BASE_DIR = Path(__file__).resolve().parents[2]


def test_a_second_run_stops_at_once_with_a_clear_message(tmp_path):
    # Given a running instance holding the run lock
    with open(tmp_path / "run.lock", "a+") as running:
        fcntl.flock(running, fcntl.LOCK_EX | fcntl.LOCK_NB)
        running.write("4242")
        running.flush()

        # When a second one starts
        result = subprocess.run(
            [sys.executable, "-m", "config.run_local"],
            cwd=BASE_DIR,
            env={**os.environ, "E2C_DATA_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    # Then it stops without touching the servers or the data
    assert result.returncode == 1
    assert "Orientations E2C tourne déjà (processus 4242)" in result.stderr
    assert "Already running" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.lock"]
    assert embedded.EMBEDDED_FLAG  # the module imported cleanly in the child


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_make_run_serves_the_login_page_and_ctrl_c_stops_everything(tmp_path):
    # Given no server URL: the run starts its own embedded PostgreSQL and Redis in a fresh data dir
    data_dir = Path(tempfile.mkdtemp(prefix="e2c-run-", dir="/tmp"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", embedded.EMBEDDED_FLAG)}
    env |= {"E2C_DATA_DIR": str(data_dir), "E2C_RUN_PORT": str(port), "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "run.log"
    with open(log, "w") as output:
        run = subprocess.Popen(
            [sys.executable, "-m", "config.run_local"], cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            # When it says it is ready
            # initdb, migrations and the demo: about 40 s on an idle machine, longer beside the other test process
            deadline = time.monotonic() + 300
            while "est prêt" not in log.read_text() and run.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            printed = log.read_text()
            assert "est prêt" in printed, printed

            # Then the login page answers, the demo logins were printed, and web, worker and beat run
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/connexion/", timeout=10) as response:
                assert response.status == 200
                assert "Connexion" in response.read().decode()
            assert DEMO_PASSWORD in printed
            assert all(account.email in printed for account in DEMO_ACCOUNTS)
            children = _children(run.pid)
            assert any("runserver" in c for c in children)
            assert any("worker" in c for c in children)
            assert any(" beat" in c for c in children)
            postgres_pid = int((data_dir / "postgres" / "postmaster.pid").read_text().split()[0])
            redis_pid = int((data_dir / "redis" / "redis.pid").read_text())

            # When Ctrl-C reaches it
            run.send_signal(signal.SIGINT)
            assert run.wait(timeout=60) == 0
        finally:
            if run.poll() is None:
                run.kill()
            embedded.stop_all(data_dir)

    # Then the three processes and the embedded servers are gone
    assert "Web, worker et beat arrêtés." in log.read_text()
    assert _children(run.pid) == []
    assert not embedded._pid_alive(postgres_pid)
    assert not embedded._pid_alive(redis_pid)
    shutil.rmtree(data_dir, ignore_errors=True)


def _children(pid: int) -> list[str]:
    """Command lines of the processes whose parent is ``pid`` (its direct children)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append((stat.parent / "cmdline").read_text().replace("\0", " "))
        except (OSError, IndexError, ValueError):
            continue
    return found
