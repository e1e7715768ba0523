"""Contact notes (drafts and signed) and their addenda on the patient's timeline."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.contacts.model import ContactNote, ContactNoteAddendum
from clinic_app.domains.contacts.record import CONTACT_NOTE
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.records.registry import day_words
from clinic_app.records.timeline import EntryStatus, TimelineEntry, aware, register_source

#: The screen that continues, reads and adds to a contact note.
SCREEN = "contact_note"
_SHORT = 90


def _short(words: str) -> str:
    text = " ".join(words.split())
    return text if len(text) <= _SHORT else text[: _SHORT - 1].rstrip() + "…"


def contact_note_entries(session: Session, patient_id: uuid.UUID) -> list[TimelineEntry]:
    """Each note (a draft continues, a signed one is added to) and each addendum to one."""
    rows = session.scalars(
        select(ContactNote).where(
            ContactNote.patient_id == patient_id, ContactNote.deleted.is_(False)
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
                kind=CONTACT_NOTE.code,
                description=CONTACT_NOTE.describe(row),
                status=EntryStatus.SIGNED if signed else EntryStatus.DRAFT,
                record_id=row.id,
                screen_id=SCREEN,
                item_id=row.id,
                can_continue=not signed,
                can_add_to=signed,
                detail=_short(str((row.content or {}).get("plan") or "")),
            )
        )
    by_id = {row.id: row for row in rows}
    if not by_id:
        return entries
    for note in session.scalars(
        select(ContactNoteAddendum).where(
            ContactNoteAddendum.contact_note_id.in_(by_id),
            ContactNoteAddendum.deleted.is_(False),
        )
    ):
        of = by_id[note.contact_note_id]
        entries.append(
            TimelineEntry(
                patient_id=patient_id,
                episode_id=of.episode_id,
                when=aware(note.signed_at),
                kind="contact_note_addendum",
                description=f"Addendum to the contact note of {day_words(of.signed_at)}",
                status=EntryStatus.SIGNED,
                record_id=note.id,
                screen_id=SCREEN,
                item_id=of.id,
                can_add_to=True,
                detail=_short(note.text),
            )
        )
    return entries


register_source(CONTACT_NOTE.code, contact_note_entries)
