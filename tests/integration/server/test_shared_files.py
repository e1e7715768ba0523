"""Instances sharing the files folder: pieces of one upload appended at once stay whole."""

from __future__ import annotations

import hashlib
import multiprocessing
import random
from pathlib import Path

from clinic_app.kernel.errors import Conflict
from clinic_app.server.files import FileStore

_PIECE = 512
_SIZE = 400 * _PIECE


def _send_all(
    root: str, sha256: str, data: bytes, start: multiprocessing.synchronize.Event
) -> None:
    """One instance: send every piece from wherever the upload stands, as a resuming device."""
    store = FileStore(Path(root))
    start.wait()
    while (received := store.received(sha256)) < len(data) and not store.has(sha256):
        try:
            store.append(sha256, received, data[received : received + _PIECE])
        except Conflict:
            continue  # the other instance got there first: resume from where it stands


def test_two_processes_appending_the_same_upload_leave_it_whole(tmp_path: Path) -> None:
    data = random.Random(7).randbytes(_SIZE)
    sha256 = hashlib.sha256(data).hexdigest()
    forks = multiprocessing.get_context("fork")
    start = forks.Event()
    senders = [
        forks.Process(target=_send_all, args=(str(tmp_path), sha256, data, start)) for _ in range(2)
    ]
    for sender in senders:
        sender.start()
    start.set()
    for sender in senders:
        sender.join(60)
        assert sender.exitcode == 0

    store = FileStore(tmp_path)
    assert store.received(sha256) == _SIZE
    store.complete(sha256, _SIZE)  # raises file.hash_mismatch on a corrupted partial
    assert store.open(sha256).read_bytes() == data


def test_two_processes_completing_the_same_upload_both_succeed(tmp_path: Path) -> None:
    data = random.Random(8).randbytes(_SIZE)
    sha256 = hashlib.sha256(data).hexdigest()
    FileStore(tmp_path).append(sha256, 0, data)
    forks = multiprocessing.get_context("fork")
    start = forks.Event()
    finishers = [
        forks.Process(target=_complete, args=(str(tmp_path), sha256, start)) for _ in range(4)
    ]
    for finisher in finishers:
        finisher.start()
    start.set()
    for finisher in finishers:
        finisher.join(60)
    assert [finisher.exitcode for finisher in finishers] == [0, 0, 0, 0]
    assert FileStore(tmp_path).open(sha256).read_bytes() == data


def _complete(root: str, sha256: str, start: multiprocessing.synchronize.Event) -> None:
    store = FileStore(Path(root))
    start.wait()
    store.complete(sha256, _SIZE)
