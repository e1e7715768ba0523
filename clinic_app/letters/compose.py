"""What a letter about a patient may quote, gathered from every registered record type."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from clinic_app.records.offers import LetterSection
from clinic_app.records.registry import record_types


def sections_for(
    session: Session, patient_id: uuid.UUID, episode_id: uuid.UUID | None = None
) -> list[LetterSection]:
    """Every section the patient's records offer a letter, by record type, oldest first.

    Args:
        session: an open session (a read is enough).
        patient_id: whose records.
        episode_id: only records of this episode of care; None for all of them.
    """
    sections: list[LetterSection] = []
    for record_type in record_types().values():
        if record_type.letter_sections is not None:
            sections.extend(record_type.letter_sections(session, patient_id, episode_id))
    return sections


def final_sections_for(
    session: Session, patient_id: uuid.UUID, episode_id: uuid.UUID | None = None
) -> list[LetterSection]:
    """Only the sections a letter may present as final (signed or verified records)."""
    return [section for section in sections_for(session, patient_id, episode_id) if section.final]
