"""``make run``: the whole application in one foreground command.

Starts (or reuses) the embedded PostgreSQL and Redis unless DATABASE_URL / REDIS_URL are set,
migrates, loads the demo data into an empty database, then runs the web server on
http://127.0.0.1:8000, a Celery worker and Celery beat. Ctrl-C stops all three, then the
embedded servers if nothing else uses them.

A second ``make run`` while one is running stops at once with a clear message: two beats
would schedule every periodic task twice, and the port is taken anyway.
"""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# E2C_RUN_PORT lets the tests run a whole `make run` beside a developer's own on 8000.
PORT = int(os.environ.get("E2C_RUN_PORT", "8000"))
STOP_GRACE_SECONDS = 20


def fail(message: str) -> None:
    print(f"\n{message}\n", file=sys.stderr)
    raise SystemExit(1)


def take_run_lock(data_dir: Path) -> object:
    data_dir.mkdir(parents=True, exist_ok=True)
    # Kept open, and so locked, for the whole life of the process: the kernel drops the lock on exit.
    handle = open(data_dir / "run.lock", "a+")  # noqa: SIM115
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        owner = handle.read().strip() or "?"
        fail(
            f"Orientations E2C tourne déjà (processus {owner}) : utilisez-le sur http://{HOST}:{PORT} "
            "ou arrêtez-le (Ctrl-C) avant de relancer « make run ». / "
            "Already running: use it or stop it before starting again."
        )
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def check_port_free() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, PORT))
        except OSError:
            fail(
                f"Le port {PORT} est déjà utilisé sur {HOST} : arrêtez le programme qui l'occupe "
                f"(« ss -ltnp 'sport = :{PORT}' » le montre). / Port {PORT} is already in use."
            )


def manage(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args], cwd=BASE_DIR, check=False, capture_output=True, text=True
    )
    if result.returncode != 0:
        print(result.stdout, result.stderr, sep="\n", file=sys.stderr)
        fail(f"« manage.py {' '.join(args)} » a échoué (code {result.returncode}). / command failed.")
    return result.stdout


def wait_for_web(timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.5)
            if probe.connect_ex((HOST, PORT)) == 0:
                return True
        time.sleep(0.2)
    return False


def main() -> None:
    # Always the local settings: DEBUG, demo data, console e-mail (never production by accident).
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    from config import embedded

    lock = take_run_lock(embedded.data_dir())
    check_port_free()
    try:
        embedded.ensure_from_environment()
    except embedded.EmbeddedServiceError as error:
        fail(str(error))

    print("Migrations…", flush=True)
    manage("migrate", "--noinput")
    demo = manage("load_demo")

    celery = [sys.executable, "-m", "celery", "-A", "config"]
    commands = {
        "web": [sys.executable, str(BASE_DIR / "manage.py"), "runserver", f"{HOST}:{PORT}"],
        "worker": [*celery, "worker", "--loglevel", "INFO"],
        "beat": [*celery, "beat", "--loglevel", "INFO", "--pidfile", ""],
    }
    # Each child in its own session: Ctrl-C reaches only this supervisor, which stops them in order.
    children = {
        name: subprocess.Popen(command, cwd=BASE_DIR, start_new_session=True) for name, command in commands.items()
    }
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    if wait_for_web(timeout=60):
        # Printed once the site answers, so the logins are the last thing on screen.
        from demo.totp import DEMO_TOTP_SECRET

        two_factor = (
            "Double authentification (responsables, coordination régionale, comité national, administrateur) : "
            f"clé TOTP de démonstration {DEMO_TOTP_SECRET} (à saisir dans une application d'authentification)."
        )
        print(
            f"\n{demo.strip()}\n{two_factor}\n\nOrientations E2C est prêt : http://{HOST}:{PORT} "
            "(web, worker Celery et beat). Ctrl-C pour tout arrêter.\n",
            flush=True,
        )

    exit_code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(
                    f"\nLe processus « {name} » s'est arrêté (code {child.returncode}) : arrêt général.",
                    file=sys.stderr,
                )
                exit_code, stopping = 1, True
                break
        time.sleep(0.3)

    print("\nArrêt en cours…", flush=True)
    for child in children.values():
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    print("Web, worker et beat arrêtés.", flush=True)
    del lock
    raise SystemExit(exit_code)


if __name__ == "__main__":
    main()
