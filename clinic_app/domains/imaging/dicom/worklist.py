"""The Modality Worklist SCP: a scanner asks for today's patients and picks one.

Each planned scan is one worklist item (a requested procedure with one scheduled step for
US); a query is matched against it as PS3.4 K.2.2.1 and C.2.2.2 say (``matching``), and the
answer carries every key the scanner asked for, empty where the app does not know it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pydicom.dataset import Dataset
from pynetdicom import AE, evt
from pynetdicom.sop_class import ModalityWorklistInformationFind  # type: ignore[attr-defined]
from pynetdicom.transport import ThreadedAssociationServer

from clinic_app.domains.imaging.dicom.gate import ScannerGate, offer_verification
from clinic_app.domains.imaging.dicom.matching import matching
from clinic_app.domains.imaging.views import KnownScanner

log = logging.getLogger(__name__)

PENDING = 0xFF00
SUCCESS = 0x0000
#: C-FIND failure: unable to process (PS3.4 C.4.1.1.4).
UNABLE_TO_PROCESS = 0xC000


def worklist_item(scan: Any, station: str = "") -> Dataset:
    """Everything the app knows of one planned scan, as a worklist item.

    ``station`` is the AE title the step is scheduled for (empty: no particular scanner).
    What the app does not hold (the referring or performing physician) is left out here and
    answered empty when asked for.
    """
    planned = scan.planned_at.astimezone()
    item = Dataset()
    item.SpecificCharacterSet = "ISO_IR 192"
    item.PatientName = f"{scan.family_name.upper()}^{scan.given_name}"
    item.PatientID = scan.nhs_number
    item.IssuerOfPatientID = "NHS"
    item.PatientBirthDate = scan.birth_date.strftime("%Y%m%d")
    item.PatientSex = scan.sex
    item.AccessionNumber = scan.accession
    item.StudyInstanceUID = scan.study_uid
    item.RequestedProcedureDescription = scan.description
    item.RequestedProcedureID = scan.accession
    step = Dataset()
    step.Modality = "US"
    step.ScheduledStationAETitle = station
    step.ScheduledProcedureStepStartDate = planned.strftime("%Y%m%d")
    step.ScheduledProcedureStepStartTime = planned.strftime("%H%M%S")
    step.ScheduledProcedureStepDescription = scan.description
    step.ScheduledProcedureStepID = scan.accession
    item.ScheduledProcedureStepSequence = [step]
    return item


def answer(query: Dataset, scans: Iterable[Any], station: str = "") -> Iterator[Dataset]:
    """Worklist answers for the planned scans that match the query's keys."""
    yield from matching(query, (worklist_item(scan, station) for scan in scans))


class WorklistProvider:
    """Answers C-FIND for the Modality Worklist from ``scans`` (today's planned scans)."""

    def __init__(
        self,
        scans: Callable[[], list[Any]],
        *,
        ae_title: str = "ONESTOP",
        host: str = "127.0.0.1",
        port: int = 11113,
        station: str = "",
        scanners: Iterable[KnownScanner] | None = None,
    ) -> None:
        """``station``: the scheduled station every item names (never the caller's title).

        ``scanners``: the callers let in; ``None`` lets every caller in (only for a listener
        a test or a script builds for itself; the app always passes the service's list).
        """
        self._scans = scans
        self.ae_title = ae_title
        self.host = host
        self.port = port
        self.station = station
        self._gate = ScannerGate(scanners, "worklist")
        self._server: ThreadedAssociationServer | None = None

    def _on_find(self, event: Any) -> Iterator[tuple[int, Dataset | None]]:
        try:
            answers = list(answer(event.identifier, self._scans(), self.station))
        except Exception as error:  # noqa: BLE001 - no exception may escape an event handler
            # The type only: a query and its answers carry patients' details.
            log.warning("A worklist query could not be answered: %s", type(error).__name__)
            yield UNABLE_TO_PROCESS, None
            return
        for item in answers:
            if event.is_cancelled:
                return
            yield PENDING, item
        yield SUCCESS, None

    def start(self) -> None:
        """Listen (in the background) for worklist queries."""
        if self._server is not None:
            return
        ae = AE(ae_title=self.ae_title)
        ae.add_supported_context(ModalityWorklistInformationFind)
        offer_verification(ae)
        self._server = ae.start_server(
            (self.host, self.port),
            block=False,
            evt_handlers=[(evt.EVT_C_FIND, self._on_find), *self._gate.handlers()],
        )

    def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.shutdown()
            self._server = None
