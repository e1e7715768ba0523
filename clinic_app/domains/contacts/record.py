"""The contact note as a record type: written and signed by its author, added to by notes."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.contacts.model import ContactNote
from clinic_app.domains.contacts.rules import EXERCISES, SECTIONS, exercise_line
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.records.lifecycle import Check, Lifecycle, Step, statuses
from clinic_app.records.offers import LetterSection
from clinic_app.records.registry import (
    STATUS_WORDS,
    AddendumPolicy,
    RecordType,
    SigningPolicy,
    day_words,
    register,
)

#: Shown at signing and kept with the signed note.
ATTESTATIONS = {
    "sign": (
        "I saw or spoke with this patient at this contact and wrote this note, and it is a "
        "true record of what was reported, found, done and agreed."
    ),
}

LIFECYCLE = Lifecycle(
    steps=(
        Step(
            "edit",
            statuses(RecordStatus.DRAFT),
            None,
            Action.CONTACT_NOTE_WRITE,
            (Check.STATUS, Check.AUTHOR),
            refused="contact_note.signed",
        ),
        Step(
            "sign",
            statuses(RecordStatus.DRAFT),
            RecordStatus.SIGNED,
            Action.CONTACT_NOTE_SIGN,
            (Check.STATUS, Check.AUTHOR),
            refused="contact_note.signed",
        ),
        Step(
            "amend",
            statuses(RecordStatus.SIGNED),
            None,
            Action.CONTACT_NOTE_SIGN,
            (Check.STATUS,),
            refused="contact_note.not_signed",
        ),
    ),
    not_author="contact_note.not_author",
)


def describe(row: Any) -> str:
    """E.g. "Contact note, signed, 3 March 2027"."""
    when = row.signed_at or row.created_at
    words = ("Contact note", STATUS_WORDS.get(str(row.status), ""), day_words(when))
    return ", ".join(part for part in words if part)


def letter_sections(
    session: Session, patient_id: uuid.UUID, episode_id: uuid.UUID | None
) -> list[LetterSection]:
    """Each signed note's sections declared for letters and its exercises, in their order.

    A draft is never offered.
    """
    query = select(ContactNote).where(
        ContactNote.patient_id == patient_id,
        ContactNote.status == RecordStatus.SIGNED.value,
        ContactNote.deleted.is_(False),
    )
    if episode_id is not None:
        query = query.where(ContactNote.episode_id == episode_id)
    offered: list[LetterSection] = []
    for row in session.scalars(query.order_by(ContactNote.signed_at, ContactNote.id)):
        words: list[str] = []
        for section in CONTACT_NOTE.sections:
            if section.key == EXERCISES:
                exercises = row.content.get(EXERCISES) or []
                if exercises:
                    listed = "; ".join(exercise_line(e) for e in exercises)
                    words.append(f"{section.label}: {listed}")
            elif section.letter and (text := str(row.content.get(section.key) or "").strip()):
                words.append(f"{section.label}: {text}")
        if not words:
            continue
        offered.append(
            LetterSection(
                heading=f"Contact note, {day_words(row.signed_at)}",
                text="\n".join(words),
                record_type=CONTACT_NOTE.code,
                source_id=row.id,
                final=True,
                when=row.signed_at,
            )
        )
    return offered


def unfinished(session: Session, patient_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """The patients among ``patient_ids`` with a contact note still a draft, words in it.

    A note opened from the day list is started at once (it names its appointment); one
    nobody has written in yet is not unfinished work, so it flags nothing.
    """
    if not patient_ids:
        return set()
    drafts = session.execute(
        select(ContactNote.patient_id, ContactNote.content).where(
            ContactNote.patient_id.in_(list(patient_ids)),
            ContactNote.status == RecordStatus.DRAFT.value,
            ContactNote.deleted.is_(False),
        )
    )
    return {patient_id for patient_id, content in drafts if content}


CONTACT_NOTE = register(
    RecordType(
        code="contact_note",
        title="Contact note",
        table=ContactNote,
        sections=SECTIONS,
        lifecycle=LIFECYCLE,
        signing=SigningPolicy.ALONE,
        addendum=AddendumPolicy.NOTE,
        # The whole content (its words and its exercises as a list), whose record it is, who
        # signed, when and the sentence agreed to: the exercises are covered as typed.
        digest_scheme="record-v1",
        required_code="contact_note.required_to_sign",
        describe=describe,
        attestations=ATTESTATIONS,
        letter_sections=letter_sections,
        unfinished=unfinished,
    )
)
