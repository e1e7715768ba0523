"""A real ``onestop-server`` process on loopback for one test, and devices that talk to it."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
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


class SyncServer:
    """Starts the server on a free loopback port; stops (or kills) it on exit."""

    def __init__(
        self,
        db_url: str,
        log_path: Path,
        *,
        tls: tuple[Path, Path] | None = None,
        scope: Mapping[str, Any] | None = WHOLE_SERVICE,
    ) -> None:
        self.db_url = db_url
        self.scope = scope
        self.port = free_port()
        self.tls = tls
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self._log_path = log_path
        self.files = log_path.parent / "server-files"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> SyncServer:
        tls = ["--cert", str(self.tls[0]), "--key", str(self.tls[1])] if self.tls else []
        with self._log_path.open("ab") as log:
            self._process = subprocess.Popen(
                server_command(
                    "serve",
                    "--db",
                    self.db_url,
                    "--port",
                    str(self.port),
                    "--files",
                    str(self.files),
                    *tls,
                ),
                stdout=log,
                stderr=subprocess.STDOUT,
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
        subprocess.run(
            server_command("device", "approve", str(device_id), "--db", self.db_url),
            check=True,
            capture_output=True,
        )

    def revoke(self, device_id: uuid.UUID | str) -> None:
        subprocess.run(
            server_command("device", "revoke", str(device_id), "--db", self.db_url),
            check=True,
            capture_output=True,
        )

    def add_user(self, username: str, name: str, role: str, password: str) -> None:
        """``onestop-server user add``: a user for every device."""
        subprocess.run(
            server_command(
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
            ),
            input=f"{password}\n".encode(),
            check=True,
            capture_output=True,
        )

    def set_user_active(self, username: str, *, active: bool) -> None:
        """``onestop-server user disable|enable``."""
        action = "enable" if active else "disable"
        subprocess.run(
            server_command("user", action, username, "--db", self.db_url),
            check=True,
            capture_output=True,
        )

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
