"""A private, throwaway Secret Service (gnome-keyring on its own D-Bus session bus).

The keyring integration tests talk to the real Linux keychain daemon rather than a stand-in.
Everything lives in one temporary folder: the bus socket, the daemons' logs and the login
keyring file, so nothing of the user's own session or keychain is ever touched.

The private bus activates no services: nothing starts behind the tests' back (no stray daemon
outlives them) and a locked collection can never open an unlock prompt on someone's screen.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from jeepney.io.blocking import DBusConnection

# The throwaway login keyring is created with, and unlocked by, this password.
LOGIN_PASSWORD = "synthetic login keyring password"
DEFAULT_COLLECTION = "/org/freedesktop/secrets/aliases/default"

_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 5.0
_POLL_INTERVAL = 0.02
_UNIX_PATH_MAX = 107  # sun_path holds 108 bytes, one of them the closing NUL

_BUS_CONFIG = """\
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class SecretServiceUnavailableError(RuntimeError):
    """The programs or the Python package a Secret Service needs are not installed."""


class SecretServiceStartError(RuntimeError):
    """The bus or the keyring daemon did not come up; the message carries their output."""


def find_programs() -> tuple[Path, Path]:
    """Returns the paths of ``dbus-daemon`` and ``gnome-keyring-daemon``.

    Raises:
        SecretServiceUnavailableError: naming what is missing and where it comes from.
    """
    missing = []
    found = []
    for program, package in (("dbus-daemon", "dbus"), ("gnome-keyring-daemon", "gnome-keyring")):
        path = shutil.which(program)
        if path is None:
            missing.append(f"{program} (Debian package '{package}')")
        else:
            found.append(Path(path))
    if importlib.util.find_spec("secretstorage") is None:
        missing.append("the Python package SecretStorage (a dependency of keyring)")
    if missing:
        raise SecretServiceUnavailableError(
            "a private Secret Service needs "
            + ", ".join(missing)
            + "; installers/test.sh installs them"
        )
    return found[0], found[1]


class SecretService:
    """gnome-keyring's Secret Service on a private session bus, in a temporary folder.

    While it runs, ``DBUS_SESSION_BUS_ADDRESS`` in this process points at its bus, so keyring's
    SecretService backend and secretstorage both talk to it; ``stop`` puts the variable back.
    """

    def __init__(self) -> None:
        self._root: Path | None = None
        self._processes: list[subprocess.Popen[bytes]] = []
        self._logs: list[IO[bytes]] = []
        self._saved_address: str | None = None
        self._address: str | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Starts the bus, then the keyring daemon; returns once the login keyring is unlocked.

        Raises:
            SecretServiceUnavailableError: a program or package is missing.
            SecretServiceStartError: a daemon failed or did not answer in time.
        """
        if self._root is not None:
            raise RuntimeError("the Secret Service is already running")
        dbus_daemon, keyring_daemon = find_programs()
        self._root = Path(tempfile.mkdtemp(prefix="onestop-secrets-"))
        try:
            address = self._start_bus(dbus_daemon)
            self._saved_address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
            self._address = address
            self._start_keyring(keyring_daemon)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stops the daemons it started (by pid), restores the environment, deletes the folder.

        Safe to call twice.
        """
        for process in reversed(self._processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=_STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        self._processes.clear()
        for log in self._logs:
            log.close()
        self._logs.clear()
        if self._address is not None:
            if self._saved_address is None:
                os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
            else:
                os.environ["DBUS_SESSION_BUS_ADDRESS"] = self._saved_address
            self._address = None
            self._saved_address = None
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None

    def __enter__(self) -> SecretService:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ for the tests

    @property
    def address(self) -> str:
        """The D-Bus address of the private session bus."""
        if self._address is None:
            raise RuntimeError("the Secret Service is not running")
        return self._address

    @property
    def keyrings_dir(self) -> Path:
        """Where gnome-keyring keeps its keyring files (``login.keyring`` among them)."""
        return self._folder() / "data" / "keyrings"

    @contextlib.contextmanager
    def connection(self) -> Iterator[DBusConnection]:
        """A secretstorage D-Bus connection to this Secret Service, closed afterwards."""
        import secretstorage

        connection = secretstorage.dbus_init()
        try:
            yield connection
        finally:
            connection.close()

    # ------------------------------------------------------------------ internals

    def _folder(self) -> Path:
        if self._root is None:
            raise RuntimeError("the Secret Service is not running")
        return self._root

    def _environment(self) -> dict[str, str]:
        root = self._folder()
        environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
        for name, sub in (
            ("HOME", "home"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_CACHE_HOME", "cache"),
            ("XDG_RUNTIME_DIR", "runtime"),
        ):
            (root / sub).mkdir(mode=0o700, exist_ok=True)
            environment[name] = str(root / sub)
        if self._address is not None:
            environment["DBUS_SESSION_BUS_ADDRESS"] = self._address
        return environment

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        log = (self._folder() / f"{name}.log").open("ab")
        self._logs.append(log)
        process = subprocess.Popen(
            command,
            cwd=self._folder(),
            env=self._environment(),
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self._processes.append(process)
        return process

    def _start_bus(self, dbus_daemon: Path) -> str:
        root = self._folder()
        bus_socket = root / "bus"
        if len(os.fsencode(bus_socket)) > _UNIX_PATH_MAX:
            raise SecretServiceStartError(
                f"the temporary folder's path is too long for a D-Bus socket: {bus_socket}"
            )
        config = root / "bus.conf"
        config.write_text(_BUS_CONFIG.format(socket=escape(str(bus_socket))), encoding="utf-8")
        bus = self._spawn(
            "dbus-daemon", [str(dbus_daemon), "--nofork", "--nopidfile", f"--config-file={config}"]
        )
        assert bus.stdin is not None
        bus.stdin.close()
        self._wait_for("the D-Bus session bus", bus, "dbus-daemon", lambda: _accepts(bus_socket))
        return f"unix:path={bus_socket}"

    def _start_keyring(self, keyring_daemon: Path) -> None:
        daemon = self._spawn(
            "gnome-keyring-daemon",
            [str(keyring_daemon), "--foreground", "--unlock", "--components=secrets"],
        )
        assert daemon.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # it died at once; _wait_for says why
            daemon.stdin.write(LOGIN_PASSWORD.encode("utf-8"))
        with contextlib.suppress(BrokenPipeError):
            daemon.stdin.close()
        self._wait_for(
            "gnome-keyring's Secret Service", daemon, "gnome-keyring-daemon", _login_unlocked
        )

    def _wait_for(
        self,
        what: str,
        process: subprocess.Popen[bytes],
        log_name: str,
        ready: Callable[[], bool],
    ) -> None:
        deadline = time.monotonic() + _START_TIMEOUT
        while True:
            if ready():
                return
            status = process.poll()
            if status is not None:
                problem = f"exited with status {status}"
                break
            if time.monotonic() > deadline:
                problem = f"did not answer within {_START_TIMEOUT:g} s"
                break
            time.sleep(_POLL_INTERVAL)
        raise SecretServiceStartError(f"{what} {problem}\n{self._log_tail(log_name)}")

    def _log_tail(self, name: str) -> str:
        log = self._folder() / f"{name}.log"
        with contextlib.suppress(OSError):
            lines = log.read_text(errors="replace").splitlines()[-20:]
            return f"{name} output:\n" + ("\n".join(lines) or "(none)")
        return f"{name} output: (no log)"


def _accepts(path: Path) -> bool:
    if not path.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def _login_unlocked() -> bool:
    """True once the default collection exists and is unlocked (never creates one)."""
    import secretstorage
    from secretstorage.exceptions import SecretStorageException

    try:
        connection = secretstorage.dbus_init()
    except SecretStorageException:
        return False
    try:
        if not secretstorage.check_service_availability(connection):
            return False
        try:
            collection = secretstorage.Collection(connection, DEFAULT_COLLECTION)
        except SecretStorageException:
            return False
        return not collection.is_locked()
    finally:
        connection.close()
