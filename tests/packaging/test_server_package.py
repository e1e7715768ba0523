"""The server's .deb in a clean Debian root: lintian, install, a laptop served, remove, purge.

There is no systemd running here (the tests are not PID 1's children), so the unit is checked
with ``systemd-analyze verify`` and its ExecStart line is run as the service's account inside
the root, instead of being started by systemd. The PostgreSQL it talks to is one the tests
start on the machine's loopback (the root shares the network); the laptop is the project's
own sync client in this test process.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from clinic_app.bootstrap import create_clinic
from clinic_app.kernel.uow import SYSTEM
from installers.packaging.server import SERVER_FILES, UNIT
from tests.integration.sync.test_sync_files import PASSWORD, _record_with_file
from tests.support.debian_root import Chroot, fresh_root
from tests.support.licence_files import check_installed_licences
from tests.support.postgres import PostgresServer, running_in_ci
from tests.support.server_package import server_deb
from tests.support.summary import SUMMARY_LINES
from tests.support.sync_server import free_port

pytestmark = pytest.mark.timeout(900)

PACKAGE = "onestop-server"
PORT_INSTANCE = "8443"
# The unit's exposure by systemd-analyze security, times ten (1.3 today).
EXPOSURE_AT_MOST = 15
# Every administrative command names who ran it, for the server's audit trail.
ADMIN = {"ONESTOP_OPERATOR": "IT admin"}


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server


def _check(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_lintian_finds_no_error_or_warning_in_the_server_package(tmp_path: Path) -> None:
    package = server_deb()
    with Chroot(fresh_root(tmp_path)) as chroot:
        chroot.copy_in(package, f"/tmp/{package.name}")
        # lintian warns when run as root, and needs nothing of root's
        _check(chroot.run(["useradd", "--create-home", "checker"]))
        started = time.monotonic()
        # --display-info shows unused overrides (an info tag).
        checked = chroot.run(
            ["lintian", "--fail-on", "error,warning", "--display-info", f"/tmp/{package.name}"],
            user="checker",
            timeout=400,
        )
        took = time.monotonic() - started
    lines = checked.stdout.splitlines()
    complaints = [line for line in lines if line[:2] in ("E:", "W:")]
    assert not complaints, checked.stdout
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # Every override is used: one that no longer matches anything is dead weight to remove.
    unused = [line for line in lines if "unused-override" in line]
    assert not unused, "\n".join(unused)
    SUMMARY_LINES.append(f"server package: lintian {took:.1f} s")


def _verify_unit(root: Path) -> subprocess.CompletedProcess[str]:
    """``systemd-analyze verify`` of an instance of the installed unit.

    verify checks that ExecStart's program exists on this machine, so in a mount namespace
    of its own the installed bundle is put at its /opt path first.
    """
    if shutil.which("systemd-analyze") is None:
        if running_in_ci():
            pytest.fail("systemd-analyze is not installed (Debian package systemd)")
        pytest.skip("systemd-analyze is not installed")
    script = (
        "set -e; mount -t tmpfs tmpfs /opt; mkdir /opt/onestop-server; "
        'mount --bind "$1/opt/onestop-server" /opt/onestop-server; '
        'exec systemd-analyze verify "$1/lib/systemd/system/$2"'
    )
    instance = UNIT.replace("@", f"@{PORT_INSTANCE}")
    isolated = ["unshare", "--mount", "--propagation", "private"]
    return subprocess.run(
        [*isolated, "sh", "-c", script, "verify", str(root), instance],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _exec_start(root: Path, port: int) -> str:
    unit = (root / "lib" / "systemd" / "system" / UNIT).read_text()
    line = re.search(r"^ExecStart=(.+)$", unit, re.MULTILINE)
    assert line is not None
    return line.group(1).replace("%i", str(port))


def _mode(path: Path) -> tuple[int, int, int]:
    info = path.stat()
    return stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid


def _wait_for(url: str, log: Path) -> None:
    for _ in range(300):
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    pytest.fail("the installed server did not answer:\n" + log.read_text(errors="replace"))


def _check_installed(chroot: Chroot, root: Path) -> tuple[int, int]:
    """The account and the folders the package made, and its unit; the account's ids."""
    account = _check(chroot.run(["getent", "passwd", "onestop"])).split(":")
    uid, gid = int(account[2]), int(account[3])
    assert account[6].strip() == "/usr/sbin/nologin"
    assert _mode(chroot.path("/etc/onestop-server")) == (0o750, 0, gid)
    assert _mode(chroot.path("/etc/onestop-server/server.toml")) == (0o640, 0, gid)
    assert _mode(chroot.path("/var/lib/onestop-server")) == (0o700, uid, gid)
    assert _mode(chroot.path("/var/lib/onestop-server/files")) == (0o700, uid, gid)
    installed_config = chroot.path("/etc/onestop-server/server.toml").read_text()
    assert installed_config == (SERVER_FILES / "server.toml").read_text()
    listing = check_installed_licences(
        chroot.path("/usr/share/doc/onestop-server"),
        PACKAGE,
        naming={"onestop-msk", "uvicorn", "fastapi", "psycopg"},
    )
    assert "## Findings\n\nNone: every component passes." in listing
    verified = _verify_unit(root)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert not verified.stderr.strip(), verified.stderr
    # systemd's own measure of what the service may do: 0 (nothing) to 100, "OK" up to 39.
    measure = ["systemd-analyze", "security", "--offline=yes", f"--threshold={EXPOSURE_AT_MOST}"]
    security = subprocess.run(
        [*measure, "--no-pager", str(root / "lib" / "systemd" / "system" / UNIT)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert security.returncode == 0, security.stdout
    return uid, gid


def _serve_a_laptop(chroot: Chroot, root: Path, tmp_path: Path, log: str) -> bytes:
    """The unit's ExecStart run as onestop; a laptop enrolled, approved and synced through it.

    Returns the bytes of the file the laptop sent.
    """
    port = free_port()
    pid = int(
        _check(
            chroot.run(
                ["sh", "-c", f"{_exec_start(root, port)} >{log} 2>&1 </dev/null & echo $!"],
                user="onestop",
            )
        )
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url, chroot.path(log))
        laptop = create_clinic(tmp_path / "laptop.db")
        try:
            laptop.sync.enrol(SYSTEM, url, "Laptop 1")
            # The administrator, with the packaged command and the installed config file.
            device = str(laptop.context.device_id)
            listed = _check(
                chroot.run(["onestop-server", "device", "list"], user="onestop", env=ADMIN)
            )
            assert f"{device}  pending" in listed
            _check(
                chroot.run(
                    ["onestop-server", "device", "approve", device], user="onestop", env=ADMIN
                )
            )
            add_user = ["onestop-server", "user", "add", "tom", "--name", "Tom Okafor"]
            _check(
                chroot.run(
                    [*add_user, "--role", "sonographer", "--password-stdin"],
                    user="onestop",
                    env=ADMIN,
                    stdin=f"{PASSWORD}\n",
                )
            )
            _attachment_id, data = _record_with_file(laptop, 100_000, seed=31)
            laptop.sync.sync_now()
            return data
        finally:
            laptop.close()
    finally:
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.1)


def _family_name_on_the_server(database: str) -> str | None:
    engine = create_engine(database)
    try:
        with engine.connect() as conn:
            return conn.execute(
                text("SELECT family_name FROM patient WHERE nhs_number = '9990000018'")
            ).scalar()
    finally:
        engine.dispose()


def _remove_then_purge(chroot: Chroot) -> None:
    """remove keeps the config and the data; purge deletes them; the account stays."""
    _check(chroot.run(["dpkg", "--remove", PACKAGE]))
    assert not chroot.path("/opt/onestop-server").exists()
    assert not chroot.path("/usr/bin/onestop-server").exists()
    assert not chroot.path(f"/lib/systemd/system/{UNIT}").exists()
    assert chroot.path("/etc/onestop-server/server.toml").is_file()
    assert chroot.path("/var/lib/onestop-server/files").is_dir()
    _check(chroot.run(["dpkg", "--purge", PACKAGE]))
    assert not chroot.path("/etc/onestop-server").exists()
    assert not chroot.path("/var/lib/onestop-server").exists()
    assert chroot.run(["dpkg", "--status", PACKAGE]).returncode != 0
    assert not chroot.path("/usr/share/doc/onestop-server").exists()
    assert _check(chroot.run(["getent", "passwd", "onestop"]))  # left, as documented


def test_the_server_package_installs_serves_a_laptop_and_purges(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    package = server_deb()
    root = fresh_root(tmp_path)
    timings: dict[str, float] = {}
    with Chroot(root) as chroot:
        chroot.copy_in(package, f"/tmp/{package.name}")
        started = time.monotonic()
        _check(chroot.run(["dpkg", "--install", f"/tmp/{package.name}"]))
        timings["install"] = time.monotonic() - started
        uid, gid = _check_installed(chroot, root)

        # The config file an administrator writes, for the test's PostgreSQL.
        database = postgres.create_database("onestop")
        chroot.path("/etc/onestop-server/server.toml").write_text(
            f'database = "{database}"\nfiles = "/var/lib/onestop-server/files"\n'
            'host = "127.0.0.1"\nlog_level = "info"\n'
        )
        log = "/var/lib/onestop-server/serve.log"
        started = time.monotonic()
        data = _serve_a_laptop(chroot, root, tmp_path, log)
        timings["serve a laptop"] = time.monotonic() - started

        assert _family_name_on_the_server(database) == "Lovelace"
        kept = list(chroot.path("/var/lib/onestop-server/files").glob("??/*"))
        assert [path.stat().st_size for path in kept] == [len(data)]
        assert _mode(kept[0]) == (0o600, uid, gid)
        server_log = chroot.path(log).read_text(errors="replace")
        assert "Traceback" not in server_log
        assert "Lovelace" not in server_log

        started = time.monotonic()
        _remove_then_purge(chroot)
        timings["remove and purge"] = time.monotonic() - started
    SUMMARY_LINES.append(
        "server package: " + ", ".join(f"{name} {took:.1f} s" for name, took in timings.items())
    )
