"""The app's DICOM listeners: scanners ask it for today's worklist and push their images to it.

They start with the app when the service's DICOM settings say to listen, on the configured
AE title, address and ports, and stop with it. Both answer C-ECHO, and both let in only the
scanners the service lead listed (an empty list lets none in). A port already taken is
reported in plain words and leaves the rest of the app working.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from clinic_app.domains.imaging.service.images import ImagingService
from clinic_app.domains.imaging.service.settings import DicomSettingsService
from clinic_app.domains.imaging.views import ListenerState
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.uow import SYSTEM

if TYPE_CHECKING:
    from clinic_app.domains.imaging.dicom.receive import StorageReceiver
    from clinic_app.domains.imaging.dicom.worklist import WorklistProvider

log = logging.getLogger(__name__)


class ScannerLink:
    """Starts and stops the Storage and Modality Worklist listeners."""

    def __init__(self, imaging: ImagingService, settings: DicomSettingsService) -> None:
        self._imaging = imaging
        self._settings = settings
        self._lock = threading.Lock()
        self._storage: StorageReceiver | None = None
        self._worklist: WorklistProvider | None = None
        self.state = ListenerState(False, "", 0, 0)

    def start(self) -> ListenerState:
        """Listen if the settings say so (stopping any listeners already running first)."""
        with self._lock:
            self._stop_locked()
            settings = self._settings.current(SYSTEM)
            state = ListenerState(
                False, settings.ae_title, settings.storage_port, settings.worklist_port
            )
            if settings.listen:
                # pynetdicom and pydicom load only on devices that listen.
                from clinic_app.domains.imaging.dicom.receive import StorageReceiver  # noqa: PLC0415
                from clinic_app.domains.imaging.dicom.worklist import WorklistProvider  # noqa: PLC0415

                storage = StorageReceiver(
                    self._imaging.receive,
                    ae_title=settings.ae_title,
                    host=settings.listen_host,
                    port=settings.storage_port,
                    scanners=settings.scanners,
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
        """Stop listening (when the app closes)."""
        with self._lock:
            self._stop_locked()
            self.state = ListenerState(
                False, self.state.ae_title, self.state.storage_port, self.state.worklist_port
            )

    def _stop_locked(self) -> None:
        for listener in (self._storage, self._worklist):
            if listener is not None:
                try:
                    listener.stop()
                except (OSError, ClinicError):
                    log.warning("A DICOM listener did not stop cleanly")
        self._storage = None
        self._worklist = None
