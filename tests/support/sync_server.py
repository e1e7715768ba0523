"""A real ``onestop-server`` process on loopback for one test, and devices that talk to it.

Every server and every ``onestop-server`` command a test runs is a process of its own, as in
production, but it is forked from a helper process that has already imported the server's code
(multiprocessing's fork server, started once per test process), instead of a new interpreter
that imports it all again: that import is most of a server's start-up, and the suite starts
a server or runs a command a few hundred times. The child then runs the same entry point
as ``python -m clinic_app.server.cli``, with the caller's environment, working folder and
umask, and its own standard streams. ``ONESTOP_TEST_SERVER_EXEC=1`` runs every one as a new
interpreter instead (the old way, to rule the fork server out when chasing a fault).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from clinic_app.container import Services
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.security import keychain
from clinic_app.server import users
from clinic_app.server.database import open_server_store
from clinic_app.server.settings import set_setting
from clinic_app.sync.client import SyncClient
from clinic_app.sync.http import HttpTransport

_START_SECONDS = 60
#: Every patient on every laptop: the scope of tests that are not about scope. Tests of
#: scoped sync start their server with ``scope=None`` (the service's default rules).
WHOLE_SERVICE: Mapping[str, Any] = {"whole_service": True}


def free_port() -> int:
    """A loopback port nothing is listening on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_command(*args: str) -> list[str]:
    """``onestop-server ARGS`` run with this interpreter."""
    return [sys.executable, "-m", "clinic_app.server.cli", *args]


# What the fork server imports once: the CLI, everything ``serve`` and the commands import
# lazily, and the pieces uvicorn picks at run time. A module missing here is simply imported
# by the child (the fork server skips names it cannot import). ``__main__`` (pytest's own
# script) is imported once there too, so a child does not run it again.
_PRELOAD = [
    "__main__",
    "clinic_app.server.cli",
    "clinic_app.server.app",
    "clinic_app.server.files",
    "clinic_app.server.users",
    "clinic_app.kernel.vocabulary",
    "clinic_app.kernel.migrate",
    "alembic.command",
    "alembic.runtime.migration",
    "alembic.runtime.environment",
    "alembic.operations",
    "sqlalchemy.dialects.postgresql.psycopg",
    "sqlalchemy.dialects.sqlite.pysqlite",
    "psycopg",
    "uvicorn",
    "uvicorn.config",
    "uvicorn.server",
    "uvicorn.lifespan.on",
    "uvicorn.loops.auto",
    "uvicorn.loops.asyncio",
    "uvicorn.protocols.http.auto",
    "uvicorn.protocols.http.h11_impl",
    "uvicorn.protocols.websockets.auto",
    "tests.support.server_preload",
]
_FORKS = multiprocessing.get_context("forkserver")
_FORKS.set_forkserver_preload(_PRELOAD)


def _forking() -> bool:
    return os.environ.get("ONESTOP_TEST_SERVER_EXEC", "") != "1"


def _current_umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _cli_child(
    argv: Sequence[str],
    environ: dict[str, str],
    cwd: str,
    umask: int,
    streams: tuple[str, str, str],
) -> None:
    """In the forked child: become ``onestop-server ARGV`` as a fresh process would be."""
    os.environ.clear()
    os.environ.update(environ)
    os.chdir(cwd)
    os.umask(umask)
    stdin, stdout, stderr = streams
    for fd, path, flags in (
        (0, stdin, os.O_RDONLY),
        (1, stdout, os.O_WRONLY | os.O_CREAT | os.O_APPEND),
        (2, stderr, os.O_WRONLY | os.O_CREAT | os.O_APPEND),
    ):
        opened = os.open(path, flags, 0o600)
        os.dup2(opened, fd)
        os.close(opened)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 - the process's own stream
    sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
    from clinic_app.server.cli import main

    try:
        code = main(list(argv))
    except SystemExit:
        raise
    except BaseException:  # noqa: BLE001 - any uncaught error, as the interpreter would
        # What the interpreter does with an uncaught error: the hook the CLI installed (which
        # words it safely), then exit status 1; multiprocessing would print it raw instead.
        sys.excepthook(*sys.exc_info())
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    sys.exit(code)


class _Forked:
    """The few things :class:`subprocess.Popen` offers that the tests use, for a forked child."""

    def __init__(self, argv: Sequence[str], streams: tuple[str, str, str]) -> None:
        self._process: BaseProcess = _FORKS.Process(
            target=_cli_child,
            args=(list(argv), dict(os.environ), os.getcwd(), _current_umask(), streams),
            # Never outlives the test run: a server left behind is stopped at exit.
            daemon=True,
        )
        self._process.start()
        self.pid = self._process.pid

    def poll(self) -> int | None:
        return self._process.exitcode

    def wait(self, timeout: float | None = None) -> int:
        self._process.join(timeout)
        code = self._process.exitcode
        if code is None:
            assert timeout is not None
            raise subprocess.TimeoutExpired(server_command(), timeout)
        return code

    def terminate(self) -> None:
        self._process.terminate()

    def kill(self) -> None:
        self._process.kill()


def run_server_command(*args: str, input: bytes | None = None) -> None:
    """``onestop-server ARGS`` to the end, as ``subprocess.run(..., check=True)`` would.

    A failure raises :class:`subprocess.CalledProcessError` with what the command printed.
    """
    if not _forking():
        subprocess.run(server_command(*args), input=input, check=True, capture_output=True)
        return
    with tempfile.TemporaryDirectory(prefix="onestop-cli-") as folder:
        stdin, stdout, stderr = (str(Path(folder) / name) for name in ("in", "out", "err"))
        Path(stdin).write_bytes(input or b"")
        code = _Forked(args, (stdin, stdout, stderr)).wait()
        if code != 0:
            raise subprocess.CalledProcessError(
                code,
                server_command(*args),
                Path(stdout).read_bytes() if Path(stdout).exists() else b"",
                Path(stderr).read_bytes() if Path(stderr).exists() else b"",
            )


class SyncServer:
    """Starts the server on a free loopback port; stops (or kills) it on exit."""

    def __init__(
        self,
        db_url: str,
        log_path: Path,
        *,
        tls: tuple[Path, Path] | None = None,
        scope: Mapping[str, Any] | None = WHOLE_SERVICE,
        serve_args: Sequence[str] = (),
        files: Path | None = None,
    ) -> None:
        self.db_url = db_url
        #: More ``serve`` options (limits, trusted proxies ...).
        self.serve_args = tuple(serve_args)
        self.scope = scope
        self.port = free_port()
        self.tls = tls
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self._log_path = log_path
        self.files = files if files is not None else log_path.parent / "server-files"
        self._process: subprocess.Popen[bytes] | _Forked | None = None

    def start(self) -> SyncServer:
        tls = ["--cert", str(self.tls[0]), "--key", str(self.tls[1])] if self.tls else []
        args = (
            "serve",
            "--db",
            self.db_url,
            "--port",
            str(self.port),
            "--files",
            str(self.files),
            *self.serve_args,
        )
        if _forking():
            log = str(self._log_path)
            self._process = _Forked((*args, *tls), (os.devnull, log, log))
        else:
            with self._log_path.open("ab") as log_file:
                self._process = subprocess.Popen(
                    server_command(*args, *tls), stdout=log_file, stderr=subprocess.STDOUT
                )
        deadline = time.monotonic() + _START_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._process.wait()
                raise RuntimeError(f"the server exited: {self._log_path.read_text()[-2000:]}")
            try:
                verify = ssl.create_default_context(cafile=str(self.tls[0])) if self.tls else True
                if httpx.get(f"{self.url}/health", timeout=1, verify=verify).status_code == 200:
                    if self.scope is not None:
                        self.set_scope(self.scope)
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        # Never leave a server running behind a failed start.
        self.kill()
        raise RuntimeError("the server did not answer /health in time")

    def set_scope(self, rules: Mapping[str, Any]) -> None:
        """Set the service's scope rules on the server (they sync to laptops)."""
        store = open_server_store(self.db_url)
        try:
            with store.engine.begin() as conn:
                for rule, value in rules.items():
                    set_setting(conn, f"sync_scope.{rule}", json.dumps(value))
        finally:
            store.engine.dispose()

    def add_site(self, name: str) -> uuid.UUID:
        """A clinic site of the service, added on the server."""
        store = open_server_store(self.db_url)
        try:
            with store.engine.begin() as conn:
                return users.add_site(conn, name)
        finally:
            store.engine.dispose()

    def set_user_site(self, username: str, site_id: uuid.UUID) -> None:
        """The site a user works at, set on the server."""
        store = open_server_store(self.db_url)
        try:
            with store.engine.begin() as conn:
                users.set_site(conn, username, site_id)
        finally:
            store.engine.dispose()

    def log_text(self) -> str:
        """Everything the server wrote to its log so far."""
        return self._log_path.read_text(errors="replace") if self._log_path.exists() else ""

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()

    def approve(self, device_id: uuid.UUID | str) -> None:
        run_server_command("device", "approve", str(device_id), "--db", self.db_url)

    def revoke(self, device_id: uuid.UUID | str) -> None:
        run_server_command("device", "revoke", str(device_id), "--db", self.db_url)

    def add_user(self, username: str, name: str, role: str, password: str) -> None:
        """``onestop-server user add``: a user for every device."""
        run_server_command(
            "user",
            "add",
            username,
            "--name",
            name,
            "--role",
            role,
            "--password-stdin",
            "--db",
            self.db_url,
            input=f"{password}\n".encode(),
        )

    def set_user_active(self, username: str, *, active: bool) -> None:
        """``onestop-server user disable|enable``."""
        action = "enable" if active else "disable"
        run_server_command("user", action, username, "--db", self.db_url)

    def __enter__(self) -> SyncServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


@dataclass
class Device:
    """One device's services, its sync engine and its HTTP transport."""

    services: Services
    transport: HttpTransport
    client: SyncClient
    #: Who works on it in the test (signed in online, so their changes can be pushed).
    user: CurrentUser | None = None

    @property
    def actor(self) -> CurrentUser:
        """The signed-in user."""
        assert self.user is not None, "sign a user in first (sign_in)"
        return self.user

    @property
    def device_id(self) -> uuid.UUID:
        return self.services.context.device_id


def enrolled_device(server: SyncServer, services: Services, name: str) -> Device:
    """Enrol a device with the server and have an administrator approve it."""
    transport = HttpTransport(server.url)
    transport.enrol(str(services.context.device_id), name)
    server.approve(services.context.device_id)
    return Device(services, transport, SyncClient(services.context.store, transport))


def sign_in(device: Device, username: str, password: str) -> CurrentUser:
    """A user the server knows, signed in online on ``device``: its pushes go as them.

    The device fetches the users, signs the user in with the server and keeps the token the
    server gave in the keychain, as the app does at a user's first sign-in on a laptop. The
    user becomes the device's ``user``.
    """
    device.client.pull()
    user_id, token = device.transport.login(username, password)
    keychain.set_sync_token(device.device_id, token, uuid.UUID(user_id))
    # The server sends a user's password hash to a laptop only once they have signed in
    # online on it: pull again for it, as the app's first sign-in does.
    device.client.pull()
    device.user = device.services.auth.login(username, password)
    return device.user


def signed_in_user(
    server: SyncServer, device: Device, username: str, role: str, password: str
) -> CurrentUser:
    """A user added on the server (``onestop-server user add``), signed in on ``device``."""
    server.add_user(username, username.title(), role, password)
    return sign_in(device, username, password)
