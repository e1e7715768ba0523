"""What happens when a scan report is signed: it is kept as DICOM and queued for the PACS."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clinic_app.domains.reports.archive import keep_report_as_dicom
from clinic_app.domains.reports.model import ScanReport
from clinic_app.domains.reports.record import SCAN_REPORT
from clinic_app.records.events import RecordSigned, handles


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
