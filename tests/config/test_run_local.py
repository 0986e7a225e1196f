"""``make run``: refuses a second start instead of sharing .data/ with a running one; sees a port really
taken (and by whom) but not the leftovers of a server just stopped; starts again what dies."""

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

import pytest

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


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def run_local_check_port(port: int) -> subprocess.CompletedProcess[str]:
    """run_local's port check, alone, in a process of its own (as `make run` does before anything else)."""
    return subprocess.run(
        [sys.executable, "-c", "from config import run_local; run_local.check_port_free(); print('libre')"],
        cwd=BASE_DIR,
        env={**os.environ, "E2C_RUN_PORT": str(port)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_port_of_a_server_stopped_a_moment_ago_is_free_for_the_next_run():
    # Given a server on the port that answered a request and stopped: the connection it closed first
    # stays in TIME_WAIT on that port for a minute, though nothing listens any more
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        browser = socket.create_connection(("127.0.0.1", port))
        accepted, _ = server.accept()
        accepted.close()
        browser.close()
    with socket.socket() as plain, pytest.raises(OSError):
        plain.bind(("127.0.0.1", port))  # what a check without SO_REUSEADDR sees

    # When `make run` checks the port
    result = run_local_check_port(port)

    # Then it is free (runserver binds with SO_REUSEADDR too)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "libre"


def test_a_port_really_taken_is_refused_naming_the_process_that_listens(tmp_path):
    # Given another program listening on the port
    port = free_port()
    other = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not listening(port):
            assert time.monotonic() < deadline, "http.server did not start"
            time.sleep(0.1)

        # When `make run` checks the port
        result = run_local_check_port(port)
    finally:
        other.terminate()
        other.wait(timeout=10)

    # Then it stops with a French message that names the process and its command
    assert result.returncode == 1
    assert f"Le port {port} est déjà utilisé sur 127.0.0.1 par processus {other.pid} (" in result.stderr
    assert "http.server" in result.stderr


def test_make_run_serves_the_login_page_restarts_what_dies_and_ctrl_c_stops_everything(tmp_path):
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
            # and every process writes links to the address served (the worker writes the e-mails)
            for child in _child_pids(run.pid).values():
                assert f"SITE_URL=http://127.0.0.1:{port}" in _environment(child)

            # When the worker, then beat, die
            for name, label in (("worker", "Le worker Celery"), ("beat", "Celery beat")):
                dead = _child_pids(run.pid)[name]
                os.kill(dead, signal.SIGKILL)
                # Then the run says so in French and starts it again, the site answering all along
                _wait_for(log, f"{label} s'est arrêté (code -9) : redémarrage dans 1 s.", run)
                _wait_for(log, f"{label} redémarre.", run)
                assert _child_pids(run.pid).get(name) not in (None, dead)
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/connexion/", timeout=10) as response:
                    assert response.status == 200

            # When the embedded Redis dies
            os.kill(redis_pid, signal.SIGKILL)
            # Then the run starts it again and says so
            _wait_for(log, "Redis embarqué s'était arrêté : redémarré", run)
            redis_pid = int((data_dir / "redis" / "redis.pid").read_text())
            assert embedded.EmbeddedRedis(data_dir).is_running()
            assert run.poll() is None

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


def _wait_for(log: Path, text: str, run: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text():
        assert run.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, f"not said: {text}\n{log.read_text()[-3000:]}"
        time.sleep(0.2)


def _child_pids(pid: int) -> dict[str, int]:
    """web / worker / beat → the pid of the direct child of ``pid`` running it."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != pid or fields[0] == "Z":
                continue
            command = (stat.parent / "cmdline").read_text().replace("\0", " ")
        except (OSError, IndexError, ValueError):
            continue
        for name, marker in (("web", "runserver"), ("worker", " worker "), ("beat", " beat ")):
            if marker in command:
                found[name] = int(stat.parent.name)
    return found


def _environment(pid: int) -> str:
    return Path(f"/proc/{pid}/environ").read_text(errors="replace").replace("\0", "\n")


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


def test_a_child_failing_all_night_is_still_retried_every_30_seconds():
    from config.run_local import Backoff

    backoff = Backoff()
    delays = [backoff.failed() for _ in range(2000)]  # some 16 hours of a crash loop

    assert delays[:6] == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0]
    assert delays[-1] == 30.0
