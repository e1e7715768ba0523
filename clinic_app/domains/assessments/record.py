"""The assessment as a record type: drafted and signed by its author, added to by notes."""

from __future__ import annotations

from typing import Any

from clinic_app.domains.assessments.model import Assessment
from clinic_app.domains.assessments.rules import SECTIONS
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

#: Shown at signing and kept with the signed assessment.
ATTESTATIONS = {
    "sign": (
        "I assessed this patient and wrote this assessment, and it is a true record of the "
        "history and examination."
    ),
}

LIFECYCLE = Lifecycle(
    steps=(
        Step(
            "edit",
            statuses(RecordStatus.DRAFT),
            None,
            Action.ASSESSMENT_WRITE,
            (Check.STATUS, Check.AUTHOR),
            refused="assessment.signed",
        ),
        Step(
            "sign",
            statuses(RecordStatus.DRAFT),
            RecordStatus.SIGNED,
            Action.ASSESSMENT_SIGN,
            (Check.STATUS, Check.AUTHOR),
            refused="assessment.signed",
        ),
        Step(
            "amend",
            statuses(RecordStatus.SIGNED),
            None,
            Action.ASSESSMENT_SIGN,
            (Check.STATUS,),
            refused="assessment.not_signed",
        ),
    ),
    not_author="assessment.not_author",
)


def describe(row: Any) -> str:
    """E.g. "Assessment, signed, 3 March 2025"."""
    when = row.signed_at or row.created_at
    return ", ".join(
        words
        for words in ("Assessment", STATUS_WORDS.get(str(row.status), ""), day_words(when))
        if words
    )


ASSESSMENT = register(
    RecordType(
        code="assessment",
        title="Assessment",
        table=Assessment,
        sections=SECTIONS,
        lifecycle=LIFECYCLE,
        signing=SigningPolicy.ALONE,
        addendum=AddendumPolicy.NOTE,
        # Content only, as since the first release: every stored assessment digest still
        # checks. The attestation is kept beside it, not covered by it.
        digest_scheme="content-v1",
        required_code="assessment.required_to_sign",
        describe=describe,
        attestations=ATTESTATIONS,
    )
)
