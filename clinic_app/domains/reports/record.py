"""The scan report as a record type: signed alone, or submitted to and verified by a supervisor.

A trainee never signs alone (the sign step needs ``report.sign``, which a trainee's role does
not have), and the one who verifies is never the author.
"""

from __future__ import annotations

from typing import Any

from clinic_app.domains.reports.model import ScanReport
from clinic_app.domains.reports.rules import SECTIONS
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.records.lifecycle import Check, Lifecycle, Step, statuses
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
    )
)
