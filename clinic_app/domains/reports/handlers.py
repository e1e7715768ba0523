"""What happens when a scan report is signed, and what the server checks of a pushed one.

A signed report is kept as DICOM and queued for the PACS. A report links only its own
patient's study, episode of care and earlier version: a device's own service takes them from
the study, a tampered device could name another patient's (``sync.wrong_patient``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from clinic_app.domains.imaging.model import ImagingStudy
from clinic_app.domains.reports.archive import keep_report_as_dicom
from clinic_app.domains.reports.model import ScanReport
from clinic_app.domains.reports.record import SCAN_REPORT
from clinic_app.people.care import EpisodeOfCare
from clinic_app.records.events import RecordSigned, handles
from clinic_app.records.links import link_refusal
from clinic_app.sync.hooks import on_checked


@handles(RecordSigned, SCAN_REPORT.code)
def keep_as_dicom(session: Session, event: RecordSigned) -> None:
    """Keep a version signed alone or verified as SR and KOS, and queue its study again.

    Runs before the signing commits: if making the DICOM fails, the signature rolls back
    with it, so a final report is never left without its SR.
    """
    row = session.get(ScanReport, event.record_id)
    if row is None or row.signed_at is None:
        return
    keep_report_as_dicom(session, row, row.signed_at)


on_checked(
    ScanReport.__tablename__,
    "same_patient",
    lambda conn, row, _stored: link_refusal(
        conn,
        row,
        {"study_id": ImagingStudy, "episode_id": EpisodeOfCare, "predecessor_id": ScanReport},
    ),
)
