"""The scan report as a record type: signed alone, or submitted to and verified by a supervisor.

A trainee never signs alone (the sign step needs ``report.sign``, which a trainee's role does
not have), and the one who verifies is never the author.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_app.domains.reports.model import ScanReport
from clinic_app.domains.reports.rules import SECTIONS
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.records.lifecycle import Check, Lifecycle, Step, statuses
from clinic_app.records.offers import LetterSection, Measure
from clinic_app.records.registry import (
    STATUS_WORDS,
    AddendumPolicy,
    RecordType,
    SigningPolicy,
    day_words,
    register,
)

#: Shown at signing (``sign``) and verifying (``verify``); a service may word its own.
ATTESTATIONS = {
    "sign": (
        "I performed this scan and wrote this report, and I am entitled to report it "
        "without supervision."
    ),
    "verify": (
        "I have reviewed the images and this report, and I agree with it as verified, "
        "including any words I have added."
    ),
}

_WRITABLE = statuses(RecordStatus.DRAFT, RecordStatus.RETURNED)
_BY_AUTHOR = (Check.AUTHOR, Check.STATUS)
_BY_REVIEWER = (Check.STATUS, Check.NOT_AUTHOR, Check.NAMED_REVIEWER)

LIFECYCLE = Lifecycle(
    steps=(
        Step("edit", _WRITABLE, None, Action.REPORT_WRITE, _BY_AUTHOR, "report.not_editable"),
        Step(
            "sign",
            _WRITABLE,
            RecordStatus.SIGNED,
            Action.REPORT_SIGN,
            _BY_AUTHOR,
            "report.not_editable",
        ),
        Step(
            "submit",
            _WRITABLE,
            RecordStatus.SUBMITTED,
            Action.REPORT_WRITE,
            _BY_AUTHOR,
            "report.not_editable",
        ),
        Step(
            "return",
            statuses(RecordStatus.SUBMITTED),
            RecordStatus.RETURNED,
            Action.REPORT_VERIFY,
            _BY_REVIEWER,
            "report.not_submitted",
        ),
        Step(
            "verify",
            statuses(RecordStatus.SUBMITTED),
            RecordStatus.SIGNED,
            Action.REPORT_VERIFY,
            _BY_REVIEWER,
            "report.not_submitted",
        ),
        Step(
            "amend",
            statuses(RecordStatus.SIGNED),
            None,
            Action.REPORT_WRITE,
            (Check.STATUS,),
            "report.not_signed",
        ),
    ),
    not_author="report.not_author",
    own_record="report.own_report",
    not_named_reviewer="report.not_named_supervisor",
)


def describe(row: Any) -> str:
    """E.g. "Scan report, version 2, verified, 3 March 2025"."""
    status = STATUS_WORDS.get(str(row.status), "")
    if row.status == RecordStatus.SIGNED and row.verified_by is not None:
        status = "verified"
    version = f"version {row.version}" if (row.version or 1) > 1 else ""
    when = row.signed_at or row.submitted_at or row.created_at
    return ", ".join(w for w in ("Scan report", version, status, day_words(when)) if w)


def final_report_rows(
    session: Session, patient_ids: Collection[uuid.UUID], episode_id: uuid.UUID | None = None
) -> Sequence[ScanReport]:
    """The final versions (signed alone or verified) under ``patient_ids``, oldest first.

    ``patient_ids`` are a patient's registrations, or one of them. With ``episode_id``, only
    those of that episode of care.
    """
    query = select(ScanReport).where(
        ScanReport.patient_id.in_(list(patient_ids)),
        ScanReport.status == RecordStatus.SIGNED,
        ScanReport.deleted.is_(False),
    )
    if episode_id is not None:
        query = query.where(ScanReport.episode_id == episode_id)
    return session.scalars(query.order_by(ScanReport.signed_at)).all()


def letter_sections(
    session: Session, patient_id: uuid.UUID, episode_id: uuid.UUID | None
) -> list[LetterSection]:
    """Each final report's latest final version, as a letter quotes it.

    A report that is not final (a draft, or a trainee's waiting for review) is never offered,
    and a version with a final addendum after it gives way to that addendum.
    """
    rows = final_report_rows(session, [patient_id], episode_id)
    superseded = {row.predecessor_id for row in rows}
    offered: list[LetterSection] = []
    for row in rows:
        if row.id in superseded:
            continue
        words = [
            f"{section.label}: {text}"
            for section in SCAN_REPORT.text_sections
            if section.letter and (text := str(row.content.get(section.key) or "").strip())
        ]
        region = str(row.content.get("body_region") or "").strip()
        heading = f"Scan report: {region}" if region else "Scan report"
        offered.append(
            LetterSection(
                heading=f"{heading}, {day_words(row.signed_at)}",
                text="\n".join(words),
                record_type=SCAN_REPORT.code,
                source_id=row.id,
                final=True,
                when=row.signed_at,
            )
        )
    return offered


def _reports_made_final(session: Session, start: datetime, end: datetime) -> float:
    # First versions only: an addendum adds to a report, it is not another one.
    return float(
        session.scalar(
            select(func.count(ScanReport.id)).where(
                ScanReport.status == RecordStatus.SIGNED,
                ScanReport.predecessor_id.is_(None),
                ScanReport.deleted.is_(False),
                ScanReport.signed_at >= start,
                ScanReport.signed_at < end,
            )
        )
        or 0
    )


MEASURES = (
    Measure("scan_report.final", "Scan reports made final", "reports", _reports_made_final),
)

SCAN_REPORT = register(
    RecordType(
        code="scan_report",
        title="Scan report",
        table=ScanReport,
        sections=SECTIONS,
        lifecycle=LIFECYCLE,
        signing=SigningPolicy.ALONE_OR_SUPERVISED,
        addendum=AddendumPolicy.NEW_VERSION,
        digest_scheme="signed-v1",
        required_code="report.required",
        describe=describe,
        attestations=ATTESTATIONS,
        attestation_setting="report_attestation",
        letter_sections=letter_sections,
        measures=MEASURES,
    )
)
