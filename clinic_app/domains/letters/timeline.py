"""Letters (drafts and signed) on the patient's timeline."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.letters.model import LetterRecord
from clinic_app.domains.letters.record import LETTER, kind_title
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.records.timeline import EntryStatus, TimelineEntry, aware, register_source

#: The screen that continues and reads a letter.
SCREEN = "letter"


def letter_entries(session: Session, patient_id: uuid.UUID) -> list[TimelineEntry]:
    """Each letter: its kind and who it is to (a draft continues)."""
    rows = session.scalars(
        select(LetterRecord).where(
            LetterRecord.patient_id == patient_id, LetterRecord.deleted.is_(False)
        )
    ).all()
    entries: list[TimelineEntry] = []
    for row in rows:
        signed = row.status == RecordStatus.SIGNED
        entries.append(
            TimelineEntry(
                patient_id=patient_id,
                episode_id=row.episode_id,
                when=aware(row.signed_at if signed and row.signed_at else row.created_at),
                kind=LETTER.code,
                description=LETTER.describe(row),
                status=EntryStatus.SIGNED if signed else EntryStatus.DRAFT,
                record_id=row.id,
                screen_id=SCREEN,
                item_id=row.id,
                can_continue=not signed,
                detail=kind_title(row.kind),
            )
        )
    return entries


register_source(LETTER.code, letter_entries)
