"""Injection records (drafts and signed) and their addenda on the patient's timeline."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.injections.model import InjectionAddendum, InjectionRecord
from clinic_app.domains.injections.record import INJECTION, site_words
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.records.registry import day_words
from clinic_app.records.timeline import EntryStatus, TimelineEntry, aware, register_source

#: The screen that continues, reads and adds to an injection record.
SCREEN = "injection"
_SHORT = 90


def _short(words: str) -> str:
    text = " ".join(words.split())
    return text if len(text) <= _SHORT else text[: _SHORT - 1].rstrip() + "…"


def injection_entries(session: Session, patient_id: uuid.UUID) -> list[TimelineEntry]:
    """Each injection (a draft continues, a signed one is added to) and each addendum."""
    rows = session.scalars(
        select(InjectionRecord).where(
            InjectionRecord.patient_id == patient_id, InjectionRecord.deleted.is_(False)
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
                kind=INJECTION.code,
                description=INJECTION.describe(row),
                status=EntryStatus.SIGNED if signed else EntryStatus.DRAFT,
                record_id=row.id,
                screen_id=SCREEN,
                item_id=row.id,
                can_continue=not signed,
                can_add_to=signed,
                detail=site_words(row),
            )
        )
    by_id = {row.id: row for row in rows}
    if not by_id:
        return entries
    for note in session.scalars(
        select(InjectionAddendum).where(
            InjectionAddendum.injection_id.in_(by_id), InjectionAddendum.deleted.is_(False)
        )
    ):
        of = by_id[note.injection_id]
        entries.append(
            TimelineEntry(
                patient_id=patient_id,
                episode_id=of.episode_id,
                when=aware(note.signed_at),
                kind="injection_addendum",
                description=f"Addendum to the injection of {day_words(of.performed_on)}",
                status=EntryStatus.SIGNED,
                record_id=note.id,
                screen_id=SCREEN,
                item_id=of.id,
                can_add_to=True,
                detail=_short(note.text),
            )
        )
    return entries


register_source(INJECTION.code, injection_entries)
