"""Assessments (drafts and signed) and their addenda on the patient's timeline."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.assessments.model import Assessment, AssessmentAddendum
from clinic_app.domains.assessments.record import ASSESSMENT
from clinic_app.kernel.vocabulary import AssessmentStatus
from clinic_app.records.registry import day_words
from clinic_app.records.timeline import EntryStatus, TimelineEntry, aware, register_source

#: The screen that reads, continues and adds to an assessment.
SCREEN = "assessment"
_SHORT = 90


def _complaint(row: Assessment) -> str:
    text = " ".join(str(row.content.get("presenting_complaint") or "").split())
    return text if len(text) <= _SHORT else text[: _SHORT - 1].rstrip() + "…"


def assessment_entries(session: Session, patient_id: uuid.UUID) -> list[TimelineEntry]:
    """Each assessment (a draft continues, a signed one is added to) and each addendum."""
    rows = session.scalars(
        select(Assessment).where(Assessment.patient_id == patient_id, Assessment.deleted.is_(False))
    ).all()
    entries: list[TimelineEntry] = []
    for row in rows:
        signed = row.status is AssessmentStatus.SIGNED
        entries.append(
            TimelineEntry(
                patient_id=patient_id,
                episode_id=row.episode_id,
                when=aware(row.signed_at if signed and row.signed_at else row.updated_at),
                kind=ASSESSMENT.code,
                description="Assessment" if signed else "Assessment (draft)",
                status=EntryStatus.SIGNED if signed else EntryStatus.DRAFT,
                record_id=row.id,
                screen_id=SCREEN,
                item_id=row.id,
                can_continue=not signed,
                can_add_to=signed,
                detail=_complaint(row),
            )
        )
    by_id = {row.id: row for row in rows}
    if not by_id:
        return entries
    for note in session.scalars(
        select(AssessmentAddendum).where(
            AssessmentAddendum.assessment_id.in_(by_id), AssessmentAddendum.deleted.is_(False)
        )
    ):
        of = by_id[note.assessment_id]
        entries.append(
            TimelineEntry(
                patient_id=patient_id,
                episode_id=of.episode_id,
                when=aware(note.signed_at),
                kind="assessment_addendum",
                description=f"Addendum to the assessment of {day_words(of.signed_at)}",
                status=EntryStatus.SIGNED,
                record_id=note.id,
                screen_id=SCREEN,
                item_id=of.id,
                can_add_to=True,
                detail=" ".join(note.text.split())[:_SHORT],
            )
        )
    return entries


register_source(ASSESSMENT.code, assessment_entries)
