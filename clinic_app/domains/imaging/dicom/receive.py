"""The Storage SCP: scanners push DICOM to the app on a configured port and AE title.

Each object is handed on as the bytes of a DICOM file (kept as received); the answer to the
scanner says whether it was kept. The server runs on its own threads, never the UI's.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from typing import Any

from pydicom.dataset import FileMetaDataset
from pynetdicom import (
    AE,
    ALL_TRANSFER_SYNTAXES,
    AllStoragePresentationContexts,
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


class StorageReceiver:
    """Accepts C-STORE from scanners and passes each object's file bytes to ``keep``.

    ``scanners`` are the callers let in (AE title and address); any other is refused when
    it asks to associate. ``None`` lets every caller in: only for a listener a test or a
    script builds for itself (the app always passes the service's list). C-ECHO is answered
    for the same callers.
    """

    def __init__(
        self,
        keep: Callable[[bytes], object],
        *,
        ae_title: str = "ONESTOP",
        host: str = "127.0.0.1",
        port: int = 11112,
        scanners: Iterable[KnownScanner] | None = None,
    ) -> None:
        self._keep = keep
        self.ae_title = ae_title
        self.host = host
        self.port = port
        self._gate = ScannerGate(scanners, "storage")
        self._server: ThreadedAssociationServer | None = None

    def _on_store(self, event: Any) -> int:
        try:
            dataset = event.dataset
            dataset.file_meta = FileMetaDataset(event.file_meta)
            out = io.BytesIO()
            dataset.save_as(out, enforce_file_format=True)
        except (ValueError, AttributeError, KeyError):
            log.warning("A received object could not be read")
            return CANNOT_UNDERSTAND
        try:
            self._keep(out.getvalue())
        except ClinicError as error:
            # The code says why (unreadable, no pixels...); never the patient's details.
            log.warning("A received object was refused: %s", error.code)
            return CANNOT_UNDERSTAND
        except OSError:
            log.exception("A received object could not be stored")
            return OUT_OF_RESOURCES
        return SUCCESS

    def start(self) -> None:
        """Listen (in the background) for scanners."""
        if self._server is not None:
            return
        ae = AE(ae_title=self.ae_title)
        # Every storage class, in every transfer syntax: objects are kept as the scanner made
        # them (compressed ones included), never re-encoded.
        _retired_ultrasound_known()
        classes = [c.abstract_syntax for c in AllStoragePresentationContexts]
        for uid in dict.fromkeys([*classes, *RETIRED_ULTRASOUND]):
            if uid is not None:
                ae.add_supported_context(uid, ALL_TRANSFER_SYNTAXES)
        offer_verification(ae)
        self._server = ae.start_server(
            (self.host, self.port),
            block=False,
            evt_handlers=[(evt.EVT_C_STORE, self._on_store), *self._gate.handlers()],
        )

    def stop(self) -> None:
        """Stop listening; associations in progress end."""
        if self._server is not None:
            self._server.shutdown()
            self._server = None
