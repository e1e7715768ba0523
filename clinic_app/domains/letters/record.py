"""The letter as a record type: drafted from the record, edited, signed, never changed after."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.letters.model import LetterRecord
from clinic_app.domains.letters.rules import TITLES, LetterKind
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
from clinic_app.records.sections import Section, SectionKind

CODE = "letter"

ATTESTATIONS = {
    "sign": (
        "I have read this letter, it is accurate, and I am content for it to be sent to the "
        "people it names."
    ),
}

SECTIONS: tuple[Section, ...] = (
    Section("kind", "Kind of letter", SectionKind.STRUCTURED, required=True),
    Section("recipient", "To", SectionKind.STRUCTURED),
    Section("sections", "The letter", SectionKind.STRUCTURED, required=True),
)

LIFECYCLE = Lifecycle(
    steps=(
        Step(
            "edit",
            statuses(RecordStatus.DRAFT),
            None,
            Action.LETTER_WRITE,
            (Check.STATUS, Check.AUTHOR),
            refused="letter.signed",
        ),
        Step(
            "sign",
            statuses(RecordStatus.DRAFT),
            RecordStatus.SIGNED,
            Action.LETTER_SIGN,
            (Check.STATUS, Check.AUTHOR),
            refused="letter.signed",
        ),
    ),
    not_author="letter.not_author",
)


def kind_title(kind: str) -> str:
    """The kind of a letter in words ("Discharge letter")."""
    try:
        return TITLES[LetterKind(kind)]
    except ValueError:
        return "Letter"


def describe(row: Any) -> str:
    """E.g. "Discharge letter, signed, 3 March 2027" (never who it is about)."""
    when = row.signed_at or row.created_at
    words = (kind_title(row.kind), STATUS_WORDS.get(str(row.status), ""), day_words(when))
    return ", ".join(part for part in words if part)


def unfinished(session: Session, patient_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """The patients among ``patient_ids`` with a letter still a draft."""
    if not patient_ids:
        return set()
    return set(
        session.scalars(
            select(LetterRecord.patient_id)
            .where(
                LetterRecord.patient_id.in_(list(patient_ids)),
                LetterRecord.status == RecordStatus.DRAFT.value,
                LetterRecord.deleted.is_(False),
            )
            .distinct()
        )
    )


LETTER = register(
    RecordType(
        code=CODE,
        title="Letter",
        table=LetterRecord,
        sections=SECTIONS,
        lifecycle=LIFECYCLE,
        signing=SigningPolicy.ALONE,
        # A signed letter is never added to: a correction is a new letter.
        addendum=AddendumPolicy.NEW_VERSION,
        digest_scheme="record-v1",
        required_code="letter.mandatory_empty",
        describe=describe,
        attestations=ATTESTATIONS,
        unfinished=unfinished,
    )
)
