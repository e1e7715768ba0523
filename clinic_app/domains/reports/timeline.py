"""Scan reports, every version with its status, on the patient's timeline."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.reports.model import ScanReport
from clinic_app.domains.reports.record import SCAN_REPORT
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.records.timeline import EntryStatus, TimelineEntry, aware, register_source

#: The screen that writes, reads and prints a scan report.
SCREEN = "report"

_STATUS = {
    RecordStatus.DRAFT: EntryStatus.DRAFT,
    RecordStatus.SUBMITTED: EntryStatus.SUBMITTED,
    RecordStatus.RETURNED: EntryStatus.RETURNED,
    RecordStatus.SIGNED: EntryStatus.SIGNED,
}


def status_of(row: ScanReport) -> EntryStatus:
    """Its status on the timeline: a trainee's report signed by its supervisor is verified."""
    if row.status == RecordStatus.SIGNED and row.verified_by is not None:
        return EntryStatus.VERIFIED
    return _STATUS.get(RecordStatus(row.status), EntryStatus.DRAFT)


def report_entries(session: Session, patient_id: uuid.UUID) -> list[TimelineEntry]:
    """Each version of each scan report; the latest final one may be added to."""
    rows = session.scalars(
        select(ScanReport).where(ScanReport.patient_id == patient_id, ScanReport.deleted.is_(False))
    ).all()
    superseded = {row.predecessor_id for row in rows if row.predecessor_id is not None}
    entries = []
    for row in rows:
        status = status_of(row)
        final = status in (EntryStatus.SIGNED, EntryStatus.VERIFIED)
        version = f", version {row.version}" if (row.version or 1) > 1 else ""
        region = " ".join(str(row.content.get("body_region") or "").split())
        later = "superseded by a later version" if row.id in superseded else ""
        detail = "; ".join(words for words in (region, later) if words)
        entries.append(
            TimelineEntry(
                patient_id=patient_id,
                episode_id=row.episode_id,
                when=aware(row.signed_at or row.submitted_at or row.updated_at),
                kind=SCAN_REPORT.code,
                description=f"Scan report{version}",
                status=status,
                record_id=row.id,
                screen_id=SCREEN,
                item_id=row.id,
                can_continue=status in (EntryStatus.DRAFT, EntryStatus.RETURNED),
                can_add_to=final and row.id not in superseded,
                detail=detail,
            )
        )
    return entries


register_source(SCAN_REPORT.code, report_entries)
