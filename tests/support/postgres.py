"""A private, throwaway PostgreSQL server for one test session."""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import sql

SERVER_USER = "postgres"
_DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_START_ATTEMPTS = 3
# Durability is pointless for a server that is deleted at the end of the run; turning it off
# makes CREATE DATABASE and every commit much faster.
_SPEED_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


class PostgresUnavailableError(RuntimeError):
    """The PostgreSQL server programs are not installed on this machine."""


class PostgresStartError(RuntimeError):
    """initdb or pg_ctl failed; the message carries their output."""


def running_in_ci() -> bool:
    """True when the CI environment variable asks for strict runs (no skipping)."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def _version_key(path: str) -> tuple[int, ...]:
    version = Path(path).parent.name
    return tuple(int(part) for part in re.findall(r"\d+", version))


def find_bin_dir() -> Path:
    """Returns the folder holding initdb and pg_ctl, preferring the newest Debian version."""
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key)
    for candidate in reversed(debian):
        if (Path(candidate) / "initdb").is_file() and (Path(candidate) / "pg_ctl").is_file():
            return Path(candidate)
    on_path = shutil.which("initdb")
    if on_path is not None and shutil.which("pg_ctl") is not None:
        return Path(on_path).resolve().parent
    raise PostgresUnavailableError(
        "PostgreSQL server programs (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin "
        "or on PATH; install the Debian package 'postgresql' (installers/test.sh does this)"
    )


def free_loopback_port() -> int:
    """Asks the kernel for a TCP port on 127.0.0.1 that nobody is using right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PostgresServer:
    """A PostgreSQL server in a temporary folder, listening on a loopback port of its own.

    initdb refuses to run as root, so when the tests run as root the server's files belong to
    the ``postgres`` system user and its programs run as that user.
    """

    def __init__(self, bin_dir: Path | None = None) -> None:
        self._bin_dir = bin_dir if bin_dir is not None else find_bin_dir()
        self._root: Path | None = None
        self._port: int | None = None
        self._names = itertools.count(1)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Creates the cluster and starts the server; returns once it accepts connections."""
        if self._root is not None:
            raise RuntimeError("the server is already running")
        root = Path(tempfile.mkdtemp(prefix="onestop-pg-"))
        self._root = root
        try:
            if os.geteuid() == 0:
                _require_server_user()
                shutil.chown(root, user=SERVER_USER, group=SERVER_USER)
            self._run(
                "initdb",
                f"--pgdata={root / 'data'}",
                f"--username={SERVER_USER}",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-instructions",
            )
            self._start_on_free_port(root)
        except BaseException:
            self._remove_folder()
            raise

    def stop(self) -> None:
        """Stops the server (fast shutdown) and deletes its folder. Safe to call twice."""
        if self._root is None:
            return
        try:
            if self._port is not None:
                self._run(
                    "pg_ctl", f"--pgdata={self._root / 'data'}", "--mode=fast", "--wait", "stop"
                )
        finally:
            self._port = None
            self._remove_folder()

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ databases

    @property
    def port(self) -> int:
        """The loopback TCP port the server listens on."""
        if self._port is None:
            raise RuntimeError("the server is not running")
        return self._port

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of one database on this server (psycopg 3 driver)."""
        return f"postgresql+psycopg://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """Creates an empty database and returns its SQLAlchemy URL.

        Without a name, a new one is made up (``test_1``, ``test_2`` ...).
        """
        if name is None:
            name = f"test_{next(self._names)}"
        if not _DATABASE_NAME.fullmatch(name):
            raise ValueError(f"not a plain lower-case database name: {name!r}")
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drops a database, closing any connections to it that were left open."""
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    # ------------------------------------------------------------------ internals

    def _admin(self, statement: sql.Composed) -> None:
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=SERVER_USER, dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(statement)

    def _start_on_free_port(self, root: Path) -> None:
        # Another process may take the port between our probe and the server's bind: retry.
        for attempt in itertools.count(1):
            port = free_loopback_port()
            settings = [
                f"port={port}",
                "listen_addresses=127.0.0.1",
                f"unix_socket_directories={root}",
                *_SPEED_SETTINGS,
            ]
            try:
                self._run(
                    "pg_ctl",
                    f"--pgdata={root / 'data'}",
                    f"--log={root / 'server.log'}",
                    "--wait",
                    "--timeout=60",
                    "--options=" + shlex.join(part for s in settings for part in ("-c", s)),
                    "start",
                )
            except PostgresStartError:
                if attempt >= _START_ATTEMPTS or not self._port_was_taken(root):
                    raise
                continue
            self._port = port
            return

    @staticmethod
    def _port_was_taken(root: Path) -> bool:
        log = root / "server.log"
        return log.is_file() and "could not bind" in log.read_text(errors="replace")

    def _run(self, program: str, *arguments: str) -> None:
        command = [str(self._bin_dir / program), *arguments]
        if os.geteuid() == 0:
            command = _as_server_user(command)
        assert self._root is not None
        result = subprocess.run(
            command,
            cwd=self._root,  # the server user may not be allowed into the caller's folder
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise PostgresStartError(
                f"{program} failed with exit status {result.returncode}\n"
                f"{result.stdout}{result.stderr}{self._server_log_tail()}"
            )

    def _server_log_tail(self) -> str:
        if self._root is None:
            return ""
        log = self._root / "server.log"
        with contextlib.suppress(OSError):
            lines = log.read_text(errors="replace").splitlines()[-20:]
            return "server log:\n" + "\n".join(lines)
        return ""

    def _remove_folder(self) -> None:
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None


def _require_server_user() -> None:
    """Fails clearly when root has no PostgreSQL system user to hand the server to."""
    import pwd

    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PostgresUnavailableError(
            f"running as root, but there is no '{SERVER_USER}' system user to own the test "
            "server (it comes with the Debian package 'postgresql')"
        ) from None


def _as_server_user(command: list[str]) -> list[str]:
    """Wraps a command so that root runs it as the PostgreSQL system user."""
    runuser = shutil.which("runuser")
    if runuser is not None:
        return [runuser, "-u", SERVER_USER, "--", *command]
    return ["su", SERVER_USER, "-s", "/bin/sh", "-c", shlex.join(command)]
