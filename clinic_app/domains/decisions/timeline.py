"""SDM records (drafts and signed) on the patient's timeline."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.decisions.content import decision_aids
from clinic_app.domains.decisions.model import DecisionRecord
from clinic_app.domains.decisions.record import DECISION, choice_words
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.records.timeline import EntryStatus, TimelineEntry, aware, register_source

#: The screen that continues and reads an SDM record.
SCREEN = "decision"


def decision_entries(session: Session, patient_id: uuid.UUID) -> list[TimelineEntry]:
    """Each SDM record: the aid's title and the choice (a draft continues)."""
    rows = session.scalars(
        select(DecisionRecord).where(
            DecisionRecord.patient_id == patient_id, DecisionRecord.deleted.is_(False)
        )
    ).all()
    catalogue = decision_aids()
    entries: list[TimelineEntry] = []
    for row in rows:
        signed = row.status == RecordStatus.SIGNED
        aid = catalogue.get(row.aid_id)
        titles = {option.id: option.title for option in aid.options} if aid else {}
        detail = aid.title if aid else row.aid_id
        if chosen := choice_words(row.choice, titles):
            detail = f"{detail}: {chosen}"
        entries.append(
            TimelineEntry(
                patient_id=patient_id,
                episode_id=row.episode_id,
                when=aware(row.signed_at if signed and row.signed_at else row.created_at),
                kind=DECISION.code,
                description=DECISION.describe(row),
                status=EntryStatus.SIGNED if signed else EntryStatus.DRAFT,
                record_id=row.id,
                screen_id=SCREEN,
                item_id=row.id,
                can_continue=not signed,
                detail=detail,
            )
        )
    return entries


register_source(DECISION.code, decision_entries)
