"""The server package's log file and its rotation, in a clean Debian root.

The installed server (its unit's ExecStart, as the service's account) writes to a log file
under /var/log/onestop-server; the package's logrotate file is checked by ``logrotate -d``,
then forced twice while the server runs: each time the server goes on writing into the new
file logrotate created, and the file before is compressed at the next rotation.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

import httpx
import pytest

from installers.packaging.server import LOGROTATE, SERVER_FILES
from tests.packaging.test_server_package import _check, _exec_start, _mode, _wait_for
from tests.support.debian_root import Chroot, fresh_root
from tests.support.server_package import server_deb
from tests.support.summary import SUMMARY_LINES
from tests.support.sync_server import free_port

pytestmark = pytest.mark.timeout(600)

PACKAGE = "onestop-server"
LOGS = "/var/log/onestop-server"
ROTATE = ["logrotate", f"/{LOGROTATE}"]
# A synthetic patient a careless log line could carry (the device's name).
PATIENT = ("Lovelace", "9990000018")


def _ids(chroot: Chroot, group: str) -> tuple[int, int]:
    """The onestop account's user id and the id of ``group``."""
    uid = int(_check(chroot.run(["id", "-u", "onestop"])))
    gid = int(_check(chroot.run(["getent", "group", group])).split(":")[2])
    return uid, gid


def _enrol(url: str) -> str:
    """A device enrolled (one log line naming it); its id."""
    device = str(uuid.uuid4())
    name = f"Laptop of Ada {PATIENT[0]} {PATIENT[1]}"
    answer = httpx.post(f"{url}/v1/devices", json={"device_id": device, "name": name}, timeout=10)
    assert answer.status_code == 201, answer.text
    return device


def _start(chroot: Chroot, root: Path, port: int) -> int:
    """The unit's ExecStart as onestop, in the background; its process id."""
    stderr = "/var/lib/onestop-server/stderr.log"
    command = f"{_exec_start(root, port)} >{stderr} 2>&1 </dev/null & echo $!"
    pid = int(_check(chroot.run(["sh", "-c", command], user="onestop")))
    _wait_for(f"http://127.0.0.1:{port}", chroot.path(stderr))
    return pid


def _stop(pid: int) -> None:
    os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        if not Path(f"/proc/{pid}").exists():
            return
        time.sleep(0.1)


def test_logrotate_rotates_the_servers_log_file_and_the_server_writes_on_into_the_new_one(
    tmp_path: Path,
) -> None:
    package = server_deb()
    root = fresh_root(tmp_path)
    started = time.monotonic()
    with Chroot(root) as chroot:
        chroot.copy_in(package, f"/tmp/{package.name}")
        _check(chroot.run(["dpkg", "--install", f"/tmp/{package.name}"]))
        uid, adm = _ids(chroot, "adm")
        assert _mode(chroot.path(LOGS)) == (0o2750, uid, adm)
        assert _mode(chroot.path(f"/{LOGROTATE}")) == (0o644, 0, 0)
        assert chroot.path(f"/{LOGROTATE}").read_text() == (SERVER_FILES / "logrotate").read_text()
        conffiles = _check(chroot.run(["dpkg-query", "-W", "-f=${Conffiles}", PACKAGE]))
        assert f"/{LOGROTATE} " in conffiles
        checked = chroot.run([ROTATE[0], "-d", *ROTATE[1:]])
        assert checked.returncode == 0, checked.stdout + checked.stderr
        said = checked.stdout + checked.stderr
        assert f"rotating pattern: {LOGS}/*.log" in said, said
        assert "error" not in said.lower(), said

        port = free_port()
        chroot.path("/etc/onestop-server/server.toml").write_text(
            'database = "sqlite:////var/lib/onestop-server/server.db"\n'
            'files = "/var/lib/onestop-server/files"\nhost = "127.0.0.1"\n'
            f'log_file = "{LOGS}/server-{{port}}.log"\nlog_to_stderr = false\n'
        )
        log = chroot.path(f"{LOGS}/server-{port}.log")
        pid = _start(chroot, root, port)
        url = f"http://127.0.0.1:{port}"
        try:
            first = _enrol(url)
            assert _mode(log) == (0o640, uid, adm)  # as the server created it
            _check(chroot.run([ROTATE[0], "-f", *ROTATE[1:]]))
            assert _mode(log) == (0o640, uid, adm)  # as logrotate created it
            assert log.stat().st_size == 0
            second = _enrol(url)
            _check(chroot.run([ROTATE[0], "-f", *ROTATE[1:]]))
            third = _enrol(url)
        finally:
            _stop(pid)

        kept = {path.name for path in chroot.path(LOGS).iterdir()}
        name = log.name
        assert kept == {name, f"{name}.1", f"{name}.2.gz"}
        _check(chroot.run(["gzip", "-d", f"{LOGS}/{name}.2.gz"]))
        texts = [chroot.path(f"{LOGS}/{name}{end}").read_text() for end in (".2", ".1", "")]
        for text, device in zip(texts, (first, second, third), strict=True):
            assert f'"device": "{device}"' in text
            assert '"event": "device.enrolled"' in text
            for detail in PATIENT:
                assert detail not in text
        stderr = chroot.path("/var/lib/onestop-server/stderr.log").read_text()
        assert '"event"' not in stderr  # log_to_stderr = false: the file only
        assert _mode(chroot.path(f"{LOGS}/{name}.1")) == (0o640, uid, adm)

        _check(chroot.run(["dpkg", "--purge", PACKAGE]))
        assert not chroot.path(LOGS).exists()
    took = time.monotonic() - started
    SUMMARY_LINES.append(f"server package: log file rotated twice under the server in {took:.1f} s")
