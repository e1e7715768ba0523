"""The Storage SCP: scanners push DICOM to the app on a configured port and AE title.

Each object is handed on as a DICOM file (kept as received), written to disk as it arrives
and passed by its path; the answer to the scanner says whether it was kept. The server runs
on its own threads, never the UI's.

A listener given ``incoming`` has each object written, as it arrives, into the file that
``incoming`` opens (a sealed spool file: never in the clear on disk) instead of
pynetdicom's plain temporary file; ``keep`` is then handed that file's path.
"""

from __future__ import annotations

import functools
import io
import logging
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

from pydicom.dataset import Dataset, FileMetaDataset
from pynetdicom import (
    AE,
    ALL_TRANSFER_SYNTAXES,
    AllStoragePresentationContexts,
    _config,
    dimse_messages,
    evt,
    register_uid,
)
from pynetdicom.service_class import StorageServiceClass
from pynetdicom.sop_class import uid_to_service_class
from pynetdicom.transport import ThreadedAssociationServer

from clinic_app.domains.imaging.dicom.gate import ScannerGate, offer_verification
from clinic_app.domains.imaging.views import KnownScanner
from clinic_app.kernel.errors import ClinicError

log = logging.getLogger(__name__)

#: C-STORE statuses (PS3.4 B.2.3): kept; refused because it cannot be understood; failed.
SUCCESS = 0x0000
CANNOT_UNDERSTAND = 0xC000
OUT_OF_RESOURCES = 0xA700

#: Retired ultrasound classes (PS3.6 A.1, retired in 2008) still sent by older machines;
#: file import takes them, so the listener does too.
RETIRED_ULTRASOUND = (
    "1.2.840.10008.5.1.4.1.1.6",  # Ultrasound Image Storage (Retired)
    "1.2.840.10008.5.1.4.1.1.3.1",  # Ultrasound Multi-frame Image Storage (Retired)
)


def _retired_ultrasound_known() -> None:
    """Tell pynetdicom the retired classes are storage (it aborts on a class it cannot place)."""
    for number, uid in enumerate(RETIRED_ULTRASOUND):
        if uid_to_service_class(uid) is not StorageServiceClass:
            register_uid(uid, f"RetiredUltrasoundStorage{number}", StorageServiceClass)


#: The largest PDU the listener takes (PS3.8 D.1: the receiver states it). 256 kB instead of
#: pynetdicom's 16 kB: a long clip then arrives in far fewer, larger reads.
MAX_PDU = 262_144


class IncomingFile(Protocol):
    """Where a received object is written as it arrives (as pynetdicom writes a temp file)."""

    @property
    def name(self) -> str:
        """Its path."""
        ...

    def write(self, data: bytes) -> int:
        """Take the next bytes."""
        ...

    def close(self) -> None:
        """Stop writing."""
        ...


class StorageReceiver:
    """Accepts C-STORE from scanners and passes each object (a DICOM file's path) to ``keep``.

    ``scanners`` are the callers let in (AE title and address); any other is refused when
    it asks to associate. ``None`` lets every caller in: only for a listener a test or a
    script builds for itself (the app always passes the service's list). C-ECHO is answered
    for the same callers.
    """

    def __init__(
        self,
        keep: Callable[[bytes | Path], object],
        *,
        ae_title: str = "ONESTOP",
        host: str = "127.0.0.1",
        port: int = 11112,
        scanners: Iterable[KnownScanner] | None = None,
        incoming: Callable[[], IncomingFile] | None = None,
        max_pdu: int = MAX_PDU,
    ) -> None:
        self._keep = keep
        self.ae_title = ae_title
        self.host = host
        self.port = port
        self.max_pdu = max_pdu
        self._incoming = incoming
        self._gate = ScannerGate(scanners, "storage")
        self._server: ThreadedAssociationServer | None = None
        self._ae: AE | None = None

    def _on_store(self, event: Any) -> int | Dataset:
        """Answer one C-STORE: never raises, whatever the object or the store does.

        A refusal carries an Error Comment naming the app's code (never patient data), so a
        PACS administrator reading the scanner's log can see why.
        """
        try:
            received = _received_file(event)
        except Exception as error:  # noqa: BLE001 - nothing may escape a DICOM event handler
            log.warning("A received object could not be read (%s)", type(error).__name__)
            return _answer(CANNOT_UNDERSTAND, "dicom.unreadable")
        try:
            self._keep(received)
        except ClinicError as error:
            # The code says why (unreadable, no pixels...); never the patient's details.
            log.warning("A received object was refused: %s", error.code)
            return _answer(_REFUSAL_STATUS.get(error.code, CANNOT_UNDERSTAND), error.code)
        except OSError as error:
            log.warning("A received object could not be stored (%s)", type(error).__name__)
            return _answer(OUT_OF_RESOURCES, "storage.unavailable")
        except Exception as error:  # noqa: BLE001 - nothing may escape a DICOM event handler
            # The type name only: a message or traceback may quote the object's header.
            log.error("Keeping a received object failed (%s)", type(error).__name__)
            return _answer(PROCESSING_FAILURE, "internal")
        return SUCCESS

    def start(self) -> None:
        """Listen (in the background) for scanners."""
        if self._server is not None:
            return
        ae = AE(ae_title=self.ae_title)
        ae.maximum_pdu_size = self.max_pdu
        # Every storage class, in every transfer syntax: objects are kept as the scanner made
        # them (compressed ones included), never re-encoded.
        _retired_ultrasound_known()
        classes = [c.abstract_syntax for c in AllStoragePresentationContexts]
        for uid in dict.fromkeys([*classes, *RETIRED_ULTRASOUND]):
            if uid is not None:
                ae.add_supported_context(uid, ALL_TRANSFER_SYNTAXES)
        offer_verification(ae)
        if self._incoming is not None:
            _write_to(ae, self._incoming)
        self._ae = ae
        self._server = ae.start_server(
            (self.host, self.port),
            block=False,
            evt_handlers=[
                (evt.EVT_C_STORE, self._on_store),
                *self._gate.handlers(),
                (evt.EVT_REQUESTED, _read_in_large_pieces),
            ],
        )

    def stop(self) -> None:
        """Stop listening; associations in progress end."""
        if self._server is not None:
            self._server.shutdown()
            self._server = None
        if self._ae is not None:
            _write_to(self._ae, None)
            self._ae = None


#: PS3.7 C.4 general status "Processing failure": the app failed, not the object.
PROCESSING_FAILURE = 0x0110
#: PS3.7 C.5.8 general status "Duplicate SOP Instance" (PS3.4 B.2.3 lets a Storage SCP
#: answer with the general statuses): another object with this SOP Instance UID is held.
#: An identical re-send is not refused: the service returns the instance it holds.
DUPLICATE_INSTANCE = 0x0111
#: Error Comment is LO: at most 64 characters (PS3.7 C.4 and PS3.5 6.2).
_COMMENT_MAX = 64
_REFUSAL_STATUS = {"dicom.duplicate_instance": DUPLICATE_INSTANCE}

# Received objects are written to a temporary file as they arrive, never decoded into memory
# (a long clip would take gigabytes); the handler reads the file from its path. Set for the
# process, before any association: pynetdicom reads it when a C-STORE's data starts.
_config.STORE_RECV_CHUNKED_DATASET = True


def _received_file(event: Any) -> Path | bytes:
    """The object as a DICOM file: the path pynetdicom wrote it to, or bytes if it did not."""
    try:
        return Path(event.dataset_path)
    except AttributeError:
        pass
    dataset = event.dataset
    dataset.file_meta = FileMetaDataset(event.file_meta)
    out = io.BytesIO()
    dataset.save_as(out, enforce_file_format=True)
    return out.getvalue()


def _answer(status: int, code: str) -> Dataset:
    """A C-STORE status with an Error Comment naming the app's code."""
    answer = Dataset()
    answer.Status = status
    answer.ErrorComment = f"Refused: {code}"[:_COMMENT_MAX]
    return answer


# Where each listener's received objects are written, by its AE. pynetdicom opens a plain
# temporary file for each C-STORE's data set (with STORE_RECV_CHUNKED_DATASET) on the thread
# reading that association; a listener with somewhere of its own to write gets that instead.
_destinations: dict[int, Callable[[], IncomingFile]] = {}
_destinations_lock = threading.Lock()
_plain_temporary_file = tempfile.NamedTemporaryFile


def _write_to(ae: AE, incoming: Callable[[], IncomingFile] | None) -> None:
    with _destinations_lock:
        if incoming is None:
            _destinations.pop(id(ae), None)
        else:
            _destinations[id(ae)] = incoming


def _received_data_set_file(*args: Any, **kwargs: Any) -> Any:
    """The file a C-STORE's data set is written to as it arrives, on the association's thread."""
    # pynetdicom reads each association on its own thread, which knows the association.
    association = getattr(threading.current_thread(), "assoc", None)
    ae = getattr(association, "ae", None)
    with _destinations_lock:
        incoming = _destinations.get(id(ae)) if ae is not None else None
    if incoming is None:
        return _plain_temporary_file(*args, **kwargs)
    return incoming()


dimse_messages.NamedTemporaryFile = _received_data_set_file  # type: ignore[attr-defined]


def _read_in_large_pieces(event: Any) -> None:
    """Read this association's PDUs straight into one buffer each, not 4 kB at a time.

    pynetdicom reads a PDU by calls to ``recv`` of at most 4,096 bytes, each result copied
    onto the last: a 154 MB clip is about 38,000 calls and as many copies, a large part of the
    scanner's wait. Here each PDU is read into a buffer of its full length, in as few calls
    as the network allows; what is read, and what happens when the connection breaks, is
    unchanged. Set when the association is requested, before any data set arrives.
    """
    socket = getattr(getattr(event.assoc, "dul", None), "socket", None)
    if socket is not None and getattr(socket, "socket", None) is not None:
        socket.recv = functools.partial(_read_whole_pdu_part, socket)


def _read_whole_pdu_part(association_socket: Any, nr_bytes: int) -> bytearray:
    """``nr_bytes`` from the socket, or what came before the connection closed."""
    buffer = bytearray(nr_bytes)
    read = 0
    with memoryview(buffer) as view:
        while read < nr_bytes:
            got = association_socket.socket.recv_into(view[read:], nr_bytes - read)
            if not got:
                break
            read += got
    del buffer[read:]
    return buffer
