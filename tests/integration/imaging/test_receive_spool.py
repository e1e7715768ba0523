"""dcmtk's storescu pushes to the app's listener through the receive spool.

The scanner is answered once its object is checked and sealed on disk; the store takes it in
after. What the spool promises: an object answered Success is in the store after a crash
(kill -9 of the receiving process, then a restart); on disk it is never in the clear; an
identical re-send while the first still waits is one instance; a broken object is still
refused to the scanner; one the store cannot take is set aside for a person, never lost.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydicom.dataset import Dataset
from sqlalchemy import func, select

from clinic_app.bootstrap import open_clinic
from clinic_app.container import Services
from clinic_app.domains.imaging.dicom import receive
from clinic_app.domains.imaging.dicom.receive import (
    CANNOT_UNDERSTAND,
    DUPLICATE_INSTANCE,
    SUCCESS,
    StorageReceiver,
)
from clinic_app.domains.imaging.model import ImageInstance
from clinic_app.domains.imaging.service.images import content_digest
from clinic_app.domains.imaging.service.spool import SPOOL_FOLDER, ReceiveSpool, spool_key
from clinic_app.kernel.attachments import Attachment
from clinic_app.kernel.security import keychain
from clinic_app.records.attachments import kept_bytes
from tests.support.dcmtk import dcmtk, find
from tests.support.postgres import running_in_ci
from tests.support.summary import SUMMARY_LINES
from tests.support.us_image import ScanSubject, us_image, us_multiframe

pytestmark = pytest.mark.skipif(
    find("storescu") is None and not running_in_ci(), reason="needs dcmtk"
)

SUBJECT = ScanSubject(nhs_number="9990000018", family_name="LOVELACE", given_name="Ada")
_STATUS = re.compile(r"DIMSE Status\s*:\s*0x([0-9A-Fa-f]{4})")
PROJECT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _file(folder: Path, name: str, ds: Dataset) -> Path:
    path = folder / name
    ds.save_as(path, enforce_file_format=True)
    return path


def _push(port: int, path: Path) -> int:
    """storescu sends one file; the status it was answered."""
    done = subprocess.run(
        [dcmtk("storescu"), "-d", "-aec", "ONESTOP", "127.0.0.1", str(port), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    statuses = _STATUS.findall(done.stdout + done.stderr)
    assert statuses, done.stdout + done.stderr
    return int(statuses[-1], 16)


def _spool(services: Services) -> ReceiveSpool:
    path = services.imaging.store_path
    assert path is not None
    key = spool_key(path)
    assert key is not None
    return ReceiveSpool(services.imaging, path.parent / SPOOL_FOLDER, key)


@pytest.fixture
def spool(services: Services) -> Iterator[ReceiveSpool]:
    """The spool, its worker not started: what arrives waits on disk."""
    made = _spool(services)
    yield made
    made.stop()


@pytest.fixture
def listener(spool: ReceiveSpool) -> Iterator[StorageReceiver]:
    running = StorageReceiver(spool.receive, port=_free_port(), incoming=spool.open_incoming)
    running.start()
    yield running
    running.stop()


def _instances(services: Services, sop_uid: str) -> list[ImageInstance]:
    with services.context.store.sessions() as session:
        return list(
            session.scalars(select(ImageInstance).where(ImageInstance.sop_instance_uid == sop_uid))
        )


def _kept_file(services: Services, row: ImageInstance) -> bytes | None:
    with services.context.store.sessions() as session:
        return kept_bytes(session, session.get(Attachment, row.attachment_id))


def _queued(spool: ReceiveSpool) -> list[Path]:
    return sorted(spool.folder.glob("*.spool"))


def test_an_answered_object_waits_sealed_and_nothing_of_the_patient_is_on_disk_in_the_clear(
    services: Services,
    spool: ReceiveSpool,
    listener: StorageReceiver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain_files: list[object] = []
    original = receive._plain_temporary_file

    def plain(*args: object, **kwargs: object) -> object:
        plain_files.append(args)
        return original(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(receive, "_plain_temporary_file", plain)
    ds = us_multiframe(subject=SUBJECT, frames=12)
    sent = _file(tmp_path, "clip.dcm", ds)
    assert _push(listener.port, sent) == SUCCESS

    # Answered, and waiting: not in the store yet (the worker is not running).
    assert _instances(services, str(ds.SOPInstanceUID)) == []
    [waiting] = _queued(spool)
    assert waiting.stat().st_mode & 0o777 == 0o600
    # pynetdicom's plain temporary file was never used for it.
    assert plain_files == []
    sealed = waiting.read_bytes()
    clear = sent.read_bytes()
    assert len(sealed) > len(clear) // 2
    # Each searched for is at least 8 bytes: a shorter one (a given name, "DICM") turns up in
    # random ciphertext of this size by chance now and then.
    header = b"\x00" * 12 + b"DICM"  # the end of the preamble and the file's magic
    for detail in (b"9990000018", b"LOVELACE^Ada", header, str(ds.SOPInstanceUID).encode()):
        assert detail in clear
        assert detail not in sealed
    pixels = bytes(ds.PixelData)
    rng = random.Random(14)
    for _ in range(50):
        start = rng.randrange(0, len(pixels) - 32)
        assert pixels[start : start + 32] not in sealed
    assert list((spool.folder / "incoming").iterdir()) == []

    spool.start()
    assert spool.drain(60)
    [row] = _instances(services, str(ds.SOPInstanceUID))
    assert row.frames == 12
    assert _kept_file(services, row) is not None
    assert _queued(spool) == []


def test_an_identical_resend_while_the_first_waits_is_one_instance(
    services: Services, spool: ReceiveSpool, listener: StorageReceiver, tmp_path: Path
) -> None:
    ds = us_image(subject=SUBJECT)
    sent = _file(tmp_path, "image.dcm", ds)
    assert _push(listener.port, sent) == SUCCESS
    assert _push(listener.port, sent) == SUCCESS
    assert spool.waiting() == 1
    # A different object under the same SOP Instance UID, while the first waits: refused.
    other = us_image(subject=SUBJECT, seed=3)
    other.SOPInstanceUID = ds.SOPInstanceUID
    other.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    assert _push(listener.port, _file(tmp_path, "other.dcm", other)) == DUPLICATE_INSTANCE
    spool.start()
    assert spool.drain(60)
    assert len(_instances(services, str(ds.SOPInstanceUID))) == 1
    # Once held, the same again is still a success, and still one instance.
    assert _push(listener.port, sent) == SUCCESS
    assert spool.waiting() == 0
    assert _push(listener.port, _file(tmp_path, "other.dcm", other)) == DUPLICATE_INSTANCE
    assert len(_instances(services, str(ds.SOPInstanceUID))) == 1


def test_a_broken_object_is_still_refused_to_the_scanner_and_nothing_waits(
    services: Services, spool: ReceiveSpool, listener: StorageReceiver, tmp_path: Path
) -> None:
    ds = us_image(subject=SUBJECT)
    del ds.Rows
    assert _push(listener.port, _file(tmp_path, "no-rows.dcm", ds)) == CANNOT_UNDERSTAND
    # A clip whose header promises more frames than its pixel data holds (cut short).
    clip = us_multiframe(subject=SUBJECT, frames=8)
    clip.NumberOfFrames = 16
    assert _push(listener.port, _file(tmp_path, "short.dcm", clip)) == CANNOT_UNDERSTAND
    assert spool.waiting() == 0
    assert _queued(spool) == []
    assert list((spool.folder / "incoming").iterdir()) == []


def test_an_object_the_store_refuses_after_the_answer_is_set_aside_for_a_person(
    services: Services, spool: ReceiveSpool, listener: StorageReceiver, tmp_path: Path
) -> None:
    ds = us_image(subject=SUBJECT)
    assert _push(listener.port, _file(tmp_path, "image.dcm", ds)) == SUCCESS
    [waiting] = _queued(spool)
    # Damaged on disk while it waited (one byte of its last piece changed).
    sealed = bytearray(waiting.read_bytes())
    sealed[-5] ^= 0xFF
    waiting.write_bytes(bytes(sealed))
    spool.start()
    assert spool.drain(60)
    assert spool.refused() == ["dicom.spool_damaged"]
    assert (spool.folder / "refused" / waiting.name).exists()
    assert _instances(services, str(ds.SOPInstanceUID)) == []


def test_a_watcher_is_told_once_each_object_is_in_the_store_and_not_for_one_set_aside(
    services: Services, spool: ReceiveSpool, listener: StorageReceiver, tmp_path: Path
) -> None:
    kept, damaged = us_image(subject=SUBJECT), us_image(subject=SUBJECT)
    assert _push(listener.port, _file(tmp_path, "kept.dcm", kept)) == SUCCESS
    assert _push(listener.port, _file(tmp_path, "damaged.dcm", damaged)) == SUCCESS
    _, second = _queued(spool)
    sealed = bytearray(second.read_bytes())
    sealed[-5] ^= 0xFF
    second.write_bytes(bytes(sealed))
    # What each call could read of the store: a screen told reads the object at once.
    seen: list[int] = []

    def told() -> None:
        seen.append(len(_instances(services, str(kept.SOPInstanceUID))))
        raise RuntimeError("a watcher's own fault")

    spool.watch(told)
    spool.start()
    assert spool.drain(60)
    # Told once, for the object kept, after it was in; the watcher's fault stopped nothing.
    assert seen == [1]
    assert spool.refused() == ["dicom.spool_damaged"]
    third = us_image(subject=SUBJECT)
    assert _push(listener.port, _file(tmp_path, "third.dcm", third)) == SUCCESS
    assert spool.drain(60)
    assert seen == [1, 1]
    assert len(_instances(services, str(third.SOPInstanceUID))) == 1


def _seed() -> int:
    seed = int(os.environ.get("ONESTOP_SPOOL_CRASH_SEED", random.randrange(1 << 30)))
    line = f"receive spool crash test seed {seed} (set ONESTOP_SPOOL_CRASH_SEED to repeat)"
    print(line)
    SUMMARY_LINES.append(line)
    return seed


def _answer_then_kill(order: dict[str, object], sent: Path, delay: float) -> list[str]:
    """Run the app's listener in a child, push ``sent``, kill -9 it ``delay`` s after Success.

    Returns what the child said (``kept`` if its worker took the object in before it died).
    """
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.support.spool_receiver"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=PROJECT,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
    )
    assert child.stdin is not None
    assert child.stdout is not None
    try:
        child.stdin.write((json.dumps(order) + "\n").encode())
        child.stdin.flush()
        assert child.stdout.readline().strip() == b"ready"
        assert _push(int(str(order["port"])), sent) == SUCCESS
        assert child.stdout.readline().strip() == b"answered"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        said = child.stdout.read().decode().split()
        child.stdout.close()
        child.stdin.close()
    return said


@pytest.mark.parametrize("worker", [False, True], ids=["before-the-store", "racing-the-store"])
def test_an_object_answered_success_survives_kill_9_and_is_in_the_store_after_restart(
    services: Services, tmp_path: Path, worker: bool
) -> None:
    seed = _seed()
    rng = random.Random(seed)
    store = services.imaging.store_path
    assert store is not None
    order: dict[str, object] = {
        "store": str(store),
        "key": keychain.store_key(store),
        "audit_key": keychain.audit_key(store),
        "port": _free_port(),
        "worker": worker,
    }
    services.close()
    clip = us_multiframe(subject=SUBJECT, frames=int(rng.choice([40, 120, 240])))
    sent = _file(tmp_path, "clip.dcm", clip)
    # Before the store took it in (no worker), or at a random moment while it does.
    delay = rng.uniform(0.0, 2.5) if worker else 0.0
    said = _answer_then_kill(order, sent, delay)
    line = (
        f"spool crash seed {seed}: {len(clip.PixelData) / 1e6:.1f} MB clip, killed "
        f"{delay * 1000:.0f} ms after the answer, store had taken it in: {'kept' in said}"
    )
    print(line)
    SUMMARY_LINES.append(line)

    restarted = open_clinic(store)
    try:
        if not worker:
            assert _instances(restarted, str(clip.SOPInstanceUID)) == []
        spool = _spool(restarted)
        spool.start()
        try:
            assert spool.drain(120)
        finally:
            spool.stop()
        [row] = _instances(restarted, str(clip.SOPInstanceUID))
        kept = _kept_file(restarted, row)
        # The data set as the scanner sent it (the file meta is the receiver's own).
        assert kept is not None
        assert content_digest(kept) == content_digest(sent.read_bytes())
        assert spool.refused() == []
        assert _queued(spool) == []
        with restarted.context.store.sessions() as session:
            assert session.scalar(select(func.count()).select_from(ImageInstance)) == 1
    finally:
        restarted.close()


def test_the_scanners_link_takes_in_what_a_crash_left_even_when_not_listening(
    services: Services, tmp_path: Path
) -> None:
    left = _spool(services)
    ds = us_image(subject=SUBJECT)
    sent = _file(tmp_path, "image.dcm", ds)
    # Queued (as if answered) by a run that then stopped before the store took it in.
    left.receive(sent.read_bytes())
    assert left.waiting() == 1

    state = services.scanners.start()
    assert not state.listening
    running = services.scanners.spool
    assert running is not None
    assert running.drain(60)
    assert len(_instances(services, str(ds.SOPInstanceUID))) == 1
    services.scanners.stop()
    assert services.scanners.spool is None
    assert not any(t.name == "receive-spool" for t in threading.enumerate())


def test_the_listener_offers_a_256_kb_pdu(
    services: Services, listener: StorageReceiver, tmp_path: Path
) -> None:
    done = subprocess.run(
        [
            dcmtk("storescu"),
            "-d",
            "-aec",
            "ONESTOP",
            "127.0.0.1",
            str(listener.port),
            str(_file(tmp_path, "image.dcm", us_image(subject=SUBJECT))),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # The A-ASSOCIATE-AC states the largest PDU the listener takes (dcmtk sends at most 128 kB).
    said = done.stdout + done.stderr
    assert re.search(r"Their Max PDU Receive Size:\s*262144\b", said), said
