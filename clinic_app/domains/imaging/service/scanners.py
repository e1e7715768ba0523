"""The app's DICOM listeners: scanners ask it for today's worklist and push their images to it.

They start with the app when the service's DICOM settings say to listen, on the configured
AE title, address and ports, and stop with it. Objects pushed go through the receive spool
(:mod:`clinic_app.domains.imaging.service.spool`): sealed on disk and answered, then taken
into the store by its worker, which starts with the first :meth:`ScannerLink.start` (listening
or not, so whatever a crash left is taken in) and stops with :meth:`ScannerLink.stop`.
Both answer C-ECHO, and both let in only the scanners the service lead listed (an empty
list lets none in). A port already taken is reported in plain words and leaves the rest of
the app working.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from clinic_app.domains.imaging.service.images import ImagingService
from clinic_app.domains.imaging.service.settings import DicomSettingsService
from clinic_app.domains.imaging.views import ListenerState
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.uow import SYSTEM

if TYPE_CHECKING:
    from clinic_app.domains.imaging.dicom.receive import StorageReceiver
    from clinic_app.domains.imaging.dicom.worklist import WorklistProvider
    from clinic_app.domains.imaging.service.spool import ReceiveSpool

log = logging.getLogger(__name__)


class ScannerLink:
    """Starts and stops the Storage and Modality Worklist listeners."""

    def __init__(self, imaging: ImagingService, settings: DicomSettingsService) -> None:
        self._imaging = imaging
        self._settings = settings
        self._lock = threading.Lock()
        self._storage: StorageReceiver | None = None
        self._worklist: WorklistProvider | None = None
        self.spool: ReceiveSpool | None = None
        self.state = ListenerState(False, "", 0, 0)
        self._on_arrival: Callable[[], None] | None = None

    def watch(self, on_arrival: Callable[[], None] | None) -> None:
        """Have ``on_arrival`` called (from a background thread) after each object kept.

        Kept means in the store, which with the spool is after the scanner's answer.
        """
        with self._lock:
            self._on_arrival = on_arrival
            if self.spool is not None:
                self.spool.watch(on_arrival)

    def start(self) -> ListenerState:
        """Listen if the settings say so (stopping any listeners already running first)."""
        with self._lock:
            self._stop_locked()
            spool = self._start_spool()
            settings = self._settings.current(SYSTEM)
            state = ListenerState(
                False, settings.ae_title, settings.storage_port, settings.worklist_port
            )
            if settings.listen:
                # pynetdicom and pydicom load only on devices that listen.
                from clinic_app.domains.imaging.dicom.receive import StorageReceiver  # noqa: PLC0415
                from clinic_app.domains.imaging.dicom.worklist import WorklistProvider  # noqa: PLC0415

                storage = StorageReceiver(
                    spool.receive if spool is not None else self._keep_directly,
                    ae_title=settings.ae_title,
                    host=settings.listen_host,
                    port=settings.storage_port,
                    scanners=settings.scanners,
                    incoming=spool.open_incoming if spool is not None else None,
                )
                worklist = WorklistProvider(
                    self._imaging.worklist,
                    ae_title=settings.ae_title,
                    host=settings.listen_host,
                    port=settings.worklist_port,
                    station=settings.worklist_station,
                    scanners=settings.scanners,
                )
                try:
                    storage.start()
                    self._storage = storage
                    worklist.start()
                    self._worklist = worklist
                    state = ListenerState(
                        True, settings.ae_title, settings.storage_port, settings.worklist_port
                    )
                except OSError as error:
                    # Usually another program (or a second copy of the app) has the port.
                    log.warning("DICOM listeners not started: %s", type(error).__name__)
                    self._stop_locked()
                    state = ListenerState(
                        False,
                        settings.ae_title,
                        settings.storage_port,
                        settings.worklist_port,
                        "dicom.port_in_use",
                    )
            self.state = state
            return state

    def stop(self) -> None:
        """Stop listening and taking the spool in (when the app closes)."""
        with self._lock:
            self._stop_locked()
            if self.spool is not None:
                self.spool.stop()
                self.spool = None
            self.state = ListenerState(
                False, self.state.ae_title, self.state.storage_port, self.state.worklist_port
            )

    def _keep_directly(self, received: bytes | Path) -> None:
        """With no spool: the object into the store before the answer, then say so."""
        self._imaging.receive(received)
        on_arrival = self._on_arrival
        if on_arrival is not None:
            try:
                on_arrival()
            except Exception as error:  # noqa: BLE001 - the object is kept; the answer stands
                log.warning("A watcher of received objects failed (%s)", type(error).__name__)

    def _start_spool(self) -> ReceiveSpool | None:
        """The receive spool, its worker started (None for a store that is not a file)."""
        if self.spool is not None:
            return self.spool
        store_path = self._imaging.store_path
        if store_path is None:
            return None
        from clinic_app.domains.imaging.service.spool import (  # noqa: PLC0415 - loads cryptography
            SPOOL_FOLDER,
            ReceiveSpool,
            spool_key,
        )

        key = spool_key(store_path)
        if key is None:
            # Without the store's key nothing can be sealed: objects go straight to the store.
            log.warning("The receive spool has no key; received objects are kept directly")
            return None
        self.spool = ReceiveSpool(self._imaging, store_path.parent / SPOOL_FOLDER, key)
        self.spool.watch(self._on_arrival)
        self.spool.start()
        return self.spool

    def _stop_locked(self) -> None:
        for listener in (self._storage, self._worklist):
            if listener is not None:
                try:
                    listener.stop()
                except (OSError, ClinicError):
                    log.warning("A DICOM listener did not stop cleanly")
        self._storage = None
        self._worklist = None
