"""The server's log file: moved away by logrotate mid-run, a new one follows and no line is lost."""

from __future__ import annotations

import stat
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.support.sync_server import SyncServer

pytestmark = pytest.mark.timeout(180)

ENROLMENTS = 60
MOVED_AFTER = 20
# A synthetic patient a careless log line could carry (the device's name, a refused id).
PATIENT = ("Lovelace", "9990000018")


def _events(text: str) -> list[str]:
    """The lines that name an event, without their timestamps."""
    return sorted(line.split(" ", 2)[2] for line in text.splitlines() if '"event"' in line)


def _enrol(url: str, done: list[str], failed: list[BaseException]) -> None:
    try:
        with httpx.Client(base_url=url, timeout=10) as client:
            for _ in range(ENROLMENTS):
                device = str(uuid.uuid4())
                name = f"Laptop of Ada {PATIENT[0]} {PATIENT[1]}"
                answer = client.post("/v1/devices", json={"device_id": device, "name": name})
                assert answer.status_code == 201, answer.text
                done.append(device)
            refused = client.post("/v1/devices", json={"device_id": " ".join(PATIENT)})
            assert refused.status_code >= 400, refused.text
    except BaseException as error:  # noqa: BLE001 - reported by the test's own thread
        failed.append(error)


def test_the_server_keeps_every_line_after_its_log_file_is_moved_away(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "server-{port}.log"
    log_file.parent.mkdir()
    serve_args = ["--log-file", str(log_file), "--enrol-per-address", "1000"]
    with SyncServer(
        f"sqlite:///{tmp_path / 'server.db'}",
        tmp_path / "stderr.log",
        serve_args=[*serve_args, "--enrol-overall", "1000"],
        scope=None,
    ) as server:
        current = Path(str(log_file).replace("{port}", str(server.port)))
        assert stat.S_IMODE(current.stat().st_mode) == 0o640
        done: list[str] = []
        failed: list[BaseException] = []
        enrolling = threading.Thread(target=_enrol, args=(server.url, done, failed))
        enrolling.start()
        while len(done) < MOVED_AFTER and enrolling.is_alive():
            time.sleep(0.01)
        # What logrotate does (without copytruncate): rename, while the server is writing.
        rotated = current.with_name(current.name + ".1")
        current.rename(rotated)
        enrolling.join(120)
        assert not failed, failed
        server.stop()
        stderr = server.log_text()

    before, after = rotated.read_text(), current.read_text()
    assert len(done) == ENROLMENTS
    moved_at = len(_events(before))
    assert MOVED_AFTER <= moved_at < ENROLMENTS, "the move did not fall mid-run"
    # Every enrolment's line is in exactly one of the two files, and the later ones in the new.
    both = before + after
    assert all(both.count(device) == 1 for device in done)
    assert all(device in after for device in done[moved_at:])
    assert '"code": "sync.bad_message"' in after  # the refused id: its code, not its text
    # The same lines went to standard error too (the journal, under systemd).
    assert _events(both) == _events(stderr)
    assert stat.S_IMODE(current.stat().st_mode) == 0o640
    for text in (before, after, stderr):
        assert "Traceback" not in text
        for detail in PATIENT:
            assert detail not in text
