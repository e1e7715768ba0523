"""A fresh copy of the clean Debian root, and commands run inside it with chroot.

installers/debian_root.sh builds the root (it needs the network, so it runs before pytest) and
caches it as a tarball keyed by the script and its package list; each test unpacks its own
copy, so a test can install, break and purge packages without touching any other.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
from pathlib import Path
from types import TracebackType

import pytest

from tests.support.postgres import running_in_ci

REPOSITORY = Path(__file__).resolve().parents[2]
SCRIPT = REPOSITORY / "installers" / "debian_root.sh"
PACKAGE_LIST = REPOSITORY / "installers" / "debian_root.packages"
ROOT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Mounts live in a mount namespace of the command's own, so they vanish with it: nothing is
# left mounted on the machine when a test fails or is killed half-way.
_ENTER = (
    'set -e; root="$1"; shift; '
    'mount -t proc proc "$root/proc"; '
    'mount --rbind /dev "$root/dev"; '
    'exec chroot "$root" "$@"'
)


def cache_folder() -> Path:
    """Where installers/debian_root.sh keeps its tarballs."""
    return Path(os.environ.get("ONESTOP_ROOT_CACHE", "/var/cache/onestop-msk"))


def root_key() -> str:
    """The key of the current root: the same digest as installers/debian_root.sh works out."""
    digest = hashlib.sha256(SCRIPT.read_bytes() + PACKAGE_LIST.read_bytes())
    return digest.hexdigest()[:16]


def cached_root() -> Path:
    """The tarball of the root for the current script and package list (it may not exist)."""
    return cache_folder() / f"debian-root-{root_key()}.tar.gz"


#: Roots fresh_root unpacked: each is removed when the Chroot over it is left (about 650 MB
#: each; kept to the session's end, the package tests alone would hold several gigabytes).
_UNPACKED: set[Path] = set()


def _missing(reason: str) -> None:
    if running_in_ci():
        pytest.fail(reason)
    pytest.skip(reason)


def fresh_root(tmp_path: Path) -> Path:
    """Unpacks a writable copy of the cached clean root under ``tmp_path`` and returns it.

    Fails under CI when the cache or the rights to use it are missing (the test command builds
    it); elsewhere skips, naming the script to run.
    """
    if os.geteuid() != 0:
        _missing("a Debian root needs root (chroot and mounts)")
    for program in ("chroot", "unshare", "tar"):
        if shutil.which(program) is None:
            _missing(f"{program} is not installed")
    tarball = cached_root()
    if not tarball.is_file():
        _missing(
            f"no clean Debian root cached at {tarball}: run installers/debian_root.sh "
            "(as root, with the network) before the tests"
        )
    root = tmp_path / "debian-root"
    root.mkdir()
    subprocess.run(
        ["tar", "-C", str(root), "--numeric-owner", "-xzf", str(tarball)],
        check=True,
        capture_output=True,
    )
    _UNPACKED.add(root)
    return root


class Chroot:
    """Runs commands inside a root with /proc and /dev mounted (in a private mount namespace).

    Use it as a context manager: leaving it stops any command still running in the root, and
    removes the root when fresh_root unpacked it.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._running: list[subprocess.Popen[str]] = []

    def __enter__(self) -> Chroot:
        if not (self.root / "usr" / "bin").is_dir():
            raise FileNotFoundError(f"{self.root} is not a Debian root")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for process in self._running:
            _kill_group(process)
        self._running.clear()
        if self.root in _UNPACKED:
            _UNPACKED.discard(self.root)
            shutil.rmtree(self.root, ignore_errors=True)

    def run(
        self,
        argv: list[str],
        *,
        user: str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 120,
        stdin: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Runs ``argv`` in the root (as ``user`` when given) with a clean environment.

        The environment has PATH, LANG, HOME (the user's home, /root for root) and ``env``.
        Raises subprocess.TimeoutExpired after stopping the command and all it started.
        """
        home = f"/home/{user}" if user else "/root"
        environment = {"PATH": ROOT_PATH, "LANG": "C.UTF-8", "HOME": home, "USER": user or "root"}
        environment.update(env or {})
        command = ["env", "-i", *(f"{name}={value}" for name, value in environment.items())]
        if user is not None:
            command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", *command]
        process = subprocess.Popen(
            [
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "sh",
                "-c",
                _ENTER,
                "enter",
                str(self.root),
                *command,
                *argv,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self._running.append(process)
        try:
            out, err = process.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise
        finally:
            self._running.remove(process)
        return subprocess.CompletedProcess(argv, process.returncode, out, err)

    def copy_in(self, src: Path, dest: str) -> None:
        """Copies a file or folder from the machine to ``dest`` (an absolute path in the root).

        A copied file is readable by every user in the root, whatever its mode was here: the
        tests run the packages as an ordinary user, and pytest's own files are private.
        """
        target = self.root / dest.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, target, symlinks=True)
        else:
            shutil.copy2(src, target)
            target.chmod(target.stat().st_mode | 0o444)

    def path(self, inside: str) -> Path:
        """The machine's path of a path inside the root."""
        return self.root / inside.lstrip("/")


def _kill_group(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
