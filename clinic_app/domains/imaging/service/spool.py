"""Objects scanners push, sealed on disk the moment they are checked, taken into the store after.

A scanner waits for its answer. Writing a long clip into the encrypted store (one
transaction, synced to disk at commit) takes seconds, so the answer does not wait for it:
each object is written, as it arrives, into a sealed file in the spool folder beside the
store (AES-256-GCM, its key derived from the store's key in the keychain; mode 0600, never in
the clear on disk). When the last byte is in, the object is checked (header and first frame,
so a broken object is still refused to the scanner) and held to the duplicate rule against
the store and against the objects still waiting; the sealed file is then synced to disk and
renamed into the queue, and only then is the scanner answered Success. A crash or power cut
after that loses nothing: the queue is on disk.

One worker takes the queue into the store, one object at a time, in the order they arrived;
at start-up whatever a crash left is queued first. An object the store refuses (its rules,
a file found damaged) is never dropped: it moves, still sealed, to the ``refused`` folder
with a note of its code, and the audit trail records that it happened. Half-written files
of transfers that never finished were never answered Success and are removed.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import struct
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import OperationalError

from clinic_app.domains.imaging.service.encoding import DicomFile
from clinic_app.domains.imaging.service.images import ImagingService
from clinic_app.kernel.errors import ClinicError, Conflict, ValidationError
from clinic_app.kernel.sealed_file import (
    PIECE,
    SealedFile,
    SealedFileError,
    SealedWriter,
    derive_key,
)
from clinic_app.kernel.security import keychain
from clinic_app.records.attachments import MAX_SIZE

log = logging.getLogger(__name__)

#: The spool's folder, beside the store (the app's private data folder).
SPOOL_FOLDER = "receive-spool"
_INCOMING = "incoming"
_REFUSED = "refused"
_QUEUED = ".spool"
#: How long the worker waits before trying again when the store cannot be written.
RETRY_SECONDS = 5.0
#: A transfer still arriving after this long was broken off (its association aborted).
ABANDONED_SECONDS = 6 * 3600.0


def spool_key(store_path: Path) -> bytes | None:
    """The spool's key: made from the store's key in the keychain, so kept with it."""
    store_key = keychain.store_key(store_path)
    if store_key is None:
        return None
    return derive_key(bytes.fromhex(store_key), "onestop receive spool")


class DataSetDigest:
    """SHA-256 of a DICOM file's data set (after its file meta), fed a piece at a time.

    The same value as :func:`clinic_app.domains.imaging.service.images.content_digest`,
    worked out without holding the file.
    """

    def __init__(self) -> None:
        self._head = bytearray()
        self._start: int | None = None
        self._hash = hashlib.sha256()

    def feed(self, data: bytes) -> None:
        """Take the next bytes of the file."""
        if self._start is not None:
            self._hash.update(data)
            return
        self._head += data
        start = _data_set_start(self._head)
        if start is not None:
            self._start = start
            self._hash.update(self._head[start:])
            self._head = bytearray()

    @property
    def value(self) -> str:
        """The digest of what has been fed (the whole file's, once it is all in)."""
        if self._start is None:
            # Never found the end of the file meta: the file is all meta, or no DICOM.
            return hashlib.sha256(bytes(self._head)).hexdigest()
        return self._hash.hexdigest()


_LONG_VRS = {b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR"}
_LONG_VRS |= {b"UT", b"UV"}


def _data_set_start(head: bytearray) -> int | None:
    """Where the data set begins after the file meta, or None until more bytes are in."""
    if len(head) < 132:
        return None
    offset = 132 if head[128:132] == b"DICM" else 0
    while True:
        if offset + 8 > len(head):
            return None
        if struct.unpack_from("<H", head, offset)[0] != 0x0002:
            return offset
        vr = bytes(head[offset + 4 : offset + 6])
        if vr in _LONG_VRS:
            if offset + 12 > len(head):
                return None
            offset += 12 + struct.unpack_from("<I", head, offset + 8)[0]
        else:
            offset += 8 + struct.unpack_from("<H", head, offset + 6)[0]


@dataclass
class _Waiting:
    """An object in the queue: its file, and what the duplicate rule compares.

    Its digests (of the whole file, and of its data set) are worked out only when the rule
    needs them, for a second object with the same SOP Instance UID: that is rare, and it
    costs a pass over the file, which the scanner would otherwise wait for every time.
    """

    path: Path
    key: bytes = field(repr=False)
    _digests: tuple[str, str] | None = None

    def sha256(self) -> str:
        """SHA-256 of the whole file, read from the spool."""
        return self._worked_out()[0]

    def data_set_digest(self) -> str:
        """SHA-256 of its data set (as :func:`images.content_digest`), read from the spool."""
        return self._worked_out()[1]

    def _worked_out(self) -> tuple[str, str]:
        if self._digests is None:
            whole, data_set = hashlib.sha256(), DataSetDigest()
            with SealedFile(self.path, self.key).open() as stream:
                while chunk := stream.read(PIECE):
                    whole.update(chunk)
                    data_set.feed(chunk)
            self._digests = (whole.hexdigest(), data_set.value)
        return self._digests


class ReceiveSpool:
    """The sealed queue between the Storage SCP's answer and the store.

    :meth:`open_incoming` is the listener's ``incoming`` (where each object is written as it
    arrives) and :meth:`receive` its ``keep``; :meth:`start` and :meth:`stop` run the worker
    that takes the queue into the store; :meth:`watch` is told of each object it took in.
    """

    def __init__(self, imaging: ImagingService, folder: Path, key: bytes) -> None:
        self._imaging = imaging
        self._on_taken_in: Callable[[], None] | None = None
        self.folder = folder
        self._key = key
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._arriving: dict[Path, tuple[SealedWriter, float]] = {}
        self._waiting: dict[str, _Waiting] = {}
        self._next_number = 0
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._worker_lock: int | None = None
        for sub in (folder, folder / _INCOMING, folder / _REFUSED):
            sub.mkdir(mode=0o700, parents=True, exist_ok=True)

    # -- the scanner's side: written as it arrives, checked, queued, answered ------------

    def open_incoming(self) -> SealedWriter:
        """A new sealed file for an object starting to arrive (the listener writes it)."""
        writer = self._new_writer()
        now = time.monotonic()
        with self._lock:
            # A transfer the scanner broke off never reaches :meth:`receive`: its file goes.
            stale = [p for p, (_, at) in self._arriving.items() if now - at > ABANDONED_SECONDS]
            abandoned = [self._arriving.pop(path)[0] for path in stale]
            self._arriving[writer.path] = (writer, now)
        for old in abandoned:
            old.close()
            old.path.unlink(missing_ok=True)
        return writer

    def receive(self, received: bytes | Path) -> None:
        """An object has arrived whole: check it and queue it, durably, before the answer.

        Returns normally when the object is queued, or is one already held or waiting (an
        identical re-send is kept once).

        Raises:
            ValidationError: the codes of :meth:`ImagingService.check_received`;
                ``file.too_large`` for an object larger than the store keeps.
            Conflict: ``dicom.duplicate_instance`` when a different object with its SOP
                Instance UID is held or waiting.
            OSError: the spool could not be written.
        """
        writer = self._arrived(received)
        try:
            self._queue(writer)
        finally:
            # Queued files were renamed away; anything still here was refused or held.
            writer.path.unlink(missing_ok=True)

    def _arrived(self, received: bytes | Path) -> SealedWriter:
        with self._lock:
            found = self._arriving.pop(received, None) if isinstance(received, Path) else None
        if found is not None:
            writer = found[0]
            writer.finish()
            return writer
        # Handed over in memory, or in a file of pynetdicom's own: sealed here first.
        writer = self._new_writer()
        try:
            if isinstance(received, bytes):
                for start in range(0, len(received), PIECE):
                    writer.write(received[start : start + PIECE])
            else:
                with received.open("rb") as stream:
                    while chunk := stream.read(PIECE):
                        writer.write(chunk)
            writer.finish()
        except BaseException:
            writer.close()
            writer.path.unlink(missing_ok=True)
            raise
        return writer

    def _new_writer(self) -> SealedWriter:
        return SealedWriter(self.folder / _INCOMING / f"{uuid.uuid4().hex}.part", self._key)

    def _queue(self, writer: SealedWriter) -> None:
        if writer.size > MAX_SIZE:
            # The store would refuse it after the answer: refuse it to the scanner now.
            raise ValidationError("file.too_large", field="file")
        checked = self._imaging.check_received(SealedFile(writer.path, self._key))
        uid = str(checked.dataset.SOPInstanceUID)
        waiting = _Waiting(writer.path, self._key)
        with self._lock:
            already = self._waiting.get(uid)
            if already is not None:
                if _same(already, waiting):
                    return
                raise Conflict("dicom.duplicate_instance")
            # Under the lock: the worker removes an object from the queue only after the
            # store has it, so it is always in one place or the other.
            if self._imaging.held_already(uid, waiting.sha256, waiting.data_set_digest):
                return
            target = self.folder / f"{self._next_number:012d}{_QUEUED}"
            self._next_number += 1
            os.rename(writer.path, target)
            _sync_folder(self.folder)
            waiting.path = target
            self._waiting[uid] = waiting
            self._wake.notify_all()

    # -- the store's side: one worker, in arrival order ---------------------------------

    def start(self) -> None:
        """Queue what a crash left (oldest first), then take the queue into the store."""
        if self._thread is not None:
            return
        if not self._hold_worker_lock():
            # A second copy of the app on this store: its worker takes the queue in.
            log.warning("Another copy of the app takes this receive spool in")
            return
        for leftover in (self.folder / _INCOMING).iterdir():
            # Never finished arriving, so never answered Success: nobody was told it was kept.
            leftover.unlink(missing_ok=True)
        with self._lock:
            self._stopping = False
            self._waiting.clear()
        for path in self._queued_files():
            self._requeue(path)
        self._thread = threading.Thread(target=self._run, name="receive-spool", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 120.0) -> None:
        """Stop after the object being taken in (the rest wait, on disk, for the next start)."""
        thread = self._thread
        if thread is None:
            return
        with self._lock:
            self._stopping = True
            self._wake.notify_all()
        thread.join(timeout)
        if thread.is_alive():
            log.warning("The receive spool's worker did not stop in %.0f s", timeout)
        self._thread = None
        if self._worker_lock is not None:
            os.close(self._worker_lock)
            self._worker_lock = None

    def _hold_worker_lock(self) -> bool:
        """One worker per spool folder, whatever the number of copies of the app running."""
        descriptor = os.open(self.folder / ".worker.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return False
        self._worker_lock = descriptor
        return True

    def watch(self, on_taken_in: Callable[[], None] | None) -> None:
        """Have ``on_taken_in`` called (from the worker's thread) after each object kept.

        A screen showing a patient's images reads them again: the scanner was answered
        before the store had the object, so a screen opened meanwhile did not see it.
        """
        self._on_taken_in = on_taken_in

    def waiting(self) -> int:
        """How many objects wait to be taken into the store."""
        with self._lock:
            return len(self._waiting)

    def drain(self, timeout: float = 60.0) -> bool:
        """Wait until the queue is empty (for scripts and tests); False if it is not."""
        with self._lock:
            return self._wake.wait_for(lambda: not self._waiting, timeout)

    def refused(self) -> list[str]:
        """The codes of objects that were answered as kept but that the store refused."""
        notes = sorted((self.folder / _REFUSED).glob("*.code"))
        return [note.read_text(encoding="ascii").strip() for note in notes]

    def _queued_files(self) -> list[Path]:
        return sorted(self.folder.glob(f"*{_QUEUED}"))

    def _requeue(self, path: Path) -> None:
        """A queued file found at start-up: back in the queue, or refused if it is unusable."""
        try:
            number = int(path.stem)
        except ValueError:
            number = -1
        with self._lock:
            self._next_number = max(self._next_number, number + 1)
        try:
            checked = self._checked(SealedFile(path, self._key))
        except ClinicError as error:
            self._refuse(path, error.code)
            return
        with self._lock:
            uid = str(checked.dataset.SOPInstanceUID)
            self._waiting.setdefault(uid, _Waiting(path, self._key))

    def _checked(self, source: SealedFile) -> DicomFile:
        """An object in the queue checked again (``dicom.spool_damaged``: its file not whole)."""
        try:
            return self._imaging.check_received(source)
        except ValidationError:
            # A damaged sealed file reads as a damaged object: name the real reason.
            try:
                source.sha256()
            except SealedFileError:
                raise ValidationError("dicom.spool_damaged", field="file") from None
            raise

    def _next(self) -> tuple[str, _Waiting] | None:
        with self._lock:
            while not self._stopping:
                if self._waiting:
                    return min(self._waiting.items(), key=lambda item: item[1].path.name)
                self._wake.wait()
        return None

    def _run(self) -> None:
        while (item := self._next()) is not None:
            uid, waiting = item
            if self._take_in(waiting):
                with self._lock:
                    self._waiting.pop(uid, None)
                    self._wake.notify_all()
            else:
                with self._lock:
                    self._wake.wait_for(lambda: self._stopping, RETRY_SECONDS)

    def _take_in(self, waiting: _Waiting) -> bool:
        """One object into the store; False when the store cannot be written now (retried)."""
        try:
            # Every piece is checked as it is read: a file damaged while it waited fails the
            # store's transaction, which keeps nothing of it.
            self._imaging.take_in(self._checked(SealedFile(waiting.path, self._key)))
        except ClinicError as error:
            self._refuse(waiting.path, error.code)
        except SealedFileError:
            self._refuse(waiting.path, "dicom.spool_damaged")
        except (OSError, OperationalError) as error:
            log.warning("The store could not take a received object yet (%s)", type(error).__name__)
            return False
        except Exception as error:  # noqa: BLE001 - one object must not stop the queue
            # The type name only: a message may quote the object's header.
            log.error("Taking a received object into the store failed (%s)", type(error).__name__)
            self._refuse(waiting.path, "internal")
        else:
            waiting.path.unlink(missing_ok=True)
            self._tell_taken_in()
        return True

    def _tell_taken_in(self) -> None:
        on_taken_in = self._on_taken_in
        if on_taken_in is None:
            return
        try:
            on_taken_in()
        except Exception as error:  # noqa: BLE001 - the object is kept; a watcher's fault is not the queue's
            log.warning("A watcher of received objects failed (%s)", type(error).__name__)

    def _refuse(self, path: Path, code: str) -> None:
        """Set an object aside, still sealed, with its code, and say so in the audit trail."""
        log.warning("A received object was answered as kept but refused by the store: %s", code)
        target = self.folder / _REFUSED / path.name
        os.rename(path, target)
        target.with_suffix(".code").write_text(code + "\n", encoding="ascii")
        _sync_folder(self.folder / _REFUSED)
        _sync_folder(self.folder)
        try:
            self._imaging.record_refused_arrival()
        except Exception as error:  # noqa: BLE001 - the file is set aside; the note can wait
            log.warning(
                "The refusal could not be noted in the audit trail (%s)", type(error).__name__
            )


def _same(one: _Waiting, other: _Waiting) -> bool:
    return one.sha256() == other.sha256() or one.data_set_digest() == other.data_set_digest()


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` survive a power cut (its directory entry synced)."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
