"""``make run``: the whole application in one foreground command.

Starts (or reuses) the embedded PostgreSQL and Redis unless DATABASE_URL / REDIS_URL are set,
migrates, loads the demo data into an empty database, then runs the web server on
http://127.0.0.1:8000 (SITE_URL set to it: the links of the e-mails), a Celery worker and Celery
beat. One of them that dies is started again after a growing delay (1 s, 2 s, 4 s… 30 s), and so is
the embedded Redis, each time said in the terminal. Ctrl-C stops all three, then the embedded
servers if nothing else uses them.

A second ``make run`` while one is running stops at once with a clear message: two beats
would schedule every periodic task twice, and the port is taken anyway.
"""

from __future__ import annotations

import contextlib
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
# A child that ran this long before dying is restarted after the shortest delay again.
STABLE_SECONDS = 60
REDIS_CHECK_SECONDS = 1.0


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


def port_is_free() -> bool:
    """Whether the web server can listen on the port, as it will: with SO_REUSEADDR (Django's runserver
    sets it), so the connections of a server stopped a moment ago (TIME_WAIT) do not count as busy."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, PORT))
        except OSError:
            return False
        return True


def listeners(port: int) -> list[str]:
    """« processus 1234 (commande) » for each process listening on ``port`` (that this user may see)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                # local address "0100007F:1F40", state 0A = LISTEN, inode in column 10
                if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{fields[9]}]")
    found = []
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            if any(os.readlink(fd) in inodes for fd in fd_dir.iterdir()):
                command = (fd_dir.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                found.append(f"processus {fd_dir.parent.name} ({command.strip()[:120]})")
        except OSError:
            continue
    return found


def check_port_free(wait: float = 3.0) -> None:
    # A server stopped a moment ago may still be closing its socket: a few tries before saying busy.
    deadline = time.monotonic() + wait
    while not port_is_free():
        if time.monotonic() >= deadline:
            who = listeners(PORT)
            said = f" par {', '.join(who)}" if who else ""
            fail(
                f"Le port {PORT} est déjà utilisé sur {HOST}{said} : arrêtez ce programme "
                f"(« ss -ltnp 'sport = :{PORT}' » le montre) ou choisissez un autre port avec E2C_RUN_PORT. / "
                f"Port {PORT} is already in use."
            )
        time.sleep(0.2)


def manage(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args], cwd=BASE_DIR, check=False, capture_output=True, text=True
    )
    if result.returncode != 0:
        print(result.stdout, result.stderr, sep="\n", file=sys.stderr)
        fail(f"« manage.py {' '.join(args)} » a échoué (code {result.returncode}). / command failed.")
    return result.stdout


def sentence(label: str) -> str:
    """« le worker Celery » → « Le worker Celery » (str.capitalize would lower « Celery »)."""
    return label[:1].upper() + label[1:]


def say(message: str) -> None:
    print(f"\n{message}", file=sys.stderr, flush=True)


class Backoff:
    """1 s, 2 s, 4 s… up to 30 s between attempts; back to 1 s after a success that lasts."""

    FIRST = 1.0
    LONGEST = 30.0

    def __init__(self) -> None:
        self.failures = 0
        self.next_attempt = 0.0

    def due(self) -> bool:
        return time.monotonic() >= self.next_attempt

    def failed(self) -> float:
        delay = min(self.LONGEST, self.FIRST * float(2**self.failures))
        # Capped once the longest delay is reached: a child failing all night must not grow 2**n past a float.
        self.failures = min(self.failures + 1, 16)
        self.next_attempt = time.monotonic() + delay
        return delay

    def succeeded(self) -> None:
        self.failures = 0


class Child:
    """One process of `make run` (web, worker, beat), in its own session: Ctrl-C reaches only this
    supervisor, which stops them in order. Started again, with a growing delay, whenever it dies."""

    def __init__(self, name: str, label: str, command: list[str]) -> None:
        self.name, self.label, self.command = name, label, command
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.backoff = Backoff()

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, cwd=BASE_DIR, start_new_session=True)
        self.started_at = time.monotonic()

    def supervise(self) -> None:
        if self.process is None:
            if self.backoff.due():
                self.start()
                say(f"{sentence(self.label)} redémarre.")
            return
        code = self.process.poll()
        if code is None:
            return
        # What it left behind in its session (a prefork pool's children) goes with it.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None
        if time.monotonic() - self.started_at > STABLE_SECONDS:
            self.backoff.succeeded()
        delay = self.backoff.failed()
        say(f"{sentence(self.label)} s'est arrêté (code {code}) : redémarrage dans {delay:.0f} s.")

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)

    def wait_or_kill(self, deadline: float) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


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
    # The links of the e-mails (written by the worker) open the address served here, where the
    # session cookie is: not « localhost », not another port.
    site_url = f"http://{HOST}:{PORT}"
    os.environ["SITE_URL"] = site_url
    redis_embedded = not os.environ.get("REDIS_URL")
    try:
        embedded.ensure_from_environment()
    except embedded.EmbeddedServiceError as error:
        fail(str(error))

    print("Migrations…", flush=True)
    manage("migrate", "--noinput")
    demo = manage("load_demo")

    celery = [sys.executable, "-m", "celery", "-A", "config"]
    children = [
        Child("web", "le serveur web", [sys.executable, str(BASE_DIR / "manage.py"), "runserver", f"{HOST}:{PORT}"]),
        Child("worker", "le worker Celery", [*celery, "worker", "--loglevel", "INFO"]),
        Child("beat", "Celery beat", [*celery, "beat", "--loglevel", "INFO", "--pidfile", ""]),
    ]
    for child in children:
        child.start()
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
            f"\n{demo.strip()}\n{two_factor}\n\nOrientations E2C est prêt : {site_url} "
            "(web, worker Celery et beat). Ctrl-C pour tout arrêter.\n",
            flush=True,
        )

    # A child that dies is started again, after a growing delay; so is the embedded Redis.
    redis_watch = Backoff()
    next_redis_check = time.monotonic() + REDIS_CHECK_SECONDS
    while not stopping:
        for child in children:
            child.supervise()
        if redis_embedded and time.monotonic() >= next_redis_check:
            next_redis_check = time.monotonic() + REDIS_CHECK_SECONDS
            if redis_watch.due():
                try:
                    if embedded.restart_redis_if_dead():
                        say(
                            "Redis embarqué s'était arrêté : redémarré (les tâches en file sont perdues, les "
                            "balayages de beat renvoient les messages et les exports en attente)."
                        )
                    redis_watch.succeeded()
                except embedded.EmbeddedServiceError as error:
                    delay = redis_watch.failed()
                    say(f"Redis embarqué ne redémarre pas : nouvel essai dans {delay:.0f} s.\n{error}")
        time.sleep(0.3)

    print("\nArrêt en cours…", flush=True)
    for child in children:
        child.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in children:
        child.wait_or_kill(deadline)
    print("Web, worker et beat arrêtés.", flush=True)
    del lock
    raise SystemExit(0)


if __name__ == "__main__":
    main()
