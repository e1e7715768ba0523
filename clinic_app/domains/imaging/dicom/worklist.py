"""The Modality Worklist SCP: a scanner asks for today's patients and picks one.

A query's matching keys are honoured for the patient, the accession and the scheduled date
(exact values, or ``*`` / empty for any); every answer carries the patient from the record,
the study and accession the images should come back with, and a scheduled step for US.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from pydicom.dataset import Dataset
from pynetdicom import AE, evt
from pynetdicom.sop_class import ModalityWorklistInformationFind  # type: ignore[attr-defined]
from pynetdicom.transport import ThreadedAssociationServer

PENDING = 0xFF00
SUCCESS = 0x0000


def _matches(wanted: object, value: str) -> bool:
    text = str(wanted or "").strip()
    if not text or text == "*":
        return True
    # DICOM wildcards are * and ?, as in shell patterns.
    return fnmatch.fnmatchcase(value, text)


def answer(query: Dataset, scans: list[Any], station: str) -> Iterator[Dataset]:
    """Worklist items for the scans that match the query's keys."""
    step_query = (
        query.ScheduledProcedureStepSequence[0]
        if query.get("ScheduledProcedureStepSequence")
        else Dataset()
    )
    for scan in scans:
        planned: date = scan.planned_at.astimezone().date()
        day = planned.strftime("%Y%m%d")
        if not (
            _matches(query.get("PatientID"), scan.nhs_number)
            and _matches(query.get("AccessionNumber"), scan.accession)
            and _matches(step_query.get("ScheduledProcedureStepStartDate"), day)
            and _matches(step_query.get("Modality"), "US")
        ):
            continue
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
        step.ScheduledProcedureStepStartDate = day
        step.ScheduledProcedureStepStartTime = scan.planned_at.astimezone().strftime("%H%M%S")
        step.ScheduledProcedureStepDescription = scan.description
        step.ScheduledProcedureStepID = scan.accession
        item.ScheduledProcedureStepSequence = [step]
        yield item


class WorklistProvider:
    """Answers C-FIND for the Modality Worklist from ``scans`` (today's planned scans)."""

    def __init__(
        self,
        scans: Callable[[], list[Any]],
        *,
        ae_title: str = "ONESTOP",
        host: str = "127.0.0.1",
        port: int = 11113,
    ) -> None:
        self._scans = scans
        self.ae_title = ae_title
        self.host = host
        self.port = port
        self._server: ThreadedAssociationServer | None = None

    def _on_find(self, event: Any) -> Iterator[tuple[int, Dataset | None]]:
        for item in answer(event.identifier, self._scans(), event.assoc.requestor.ae_title):
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
        self._server = ae.start_server(
            (self.host, self.port), block=False, evt_handlers=[(evt.EVT_C_FIND, self._on_find)]
        )

    def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.shutdown()
            self._server = None
