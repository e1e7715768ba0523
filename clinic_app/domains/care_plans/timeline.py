"""Care plans (drafts and signed versions) on the patient's timeline."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.care_plans.model import CarePlan
from clinic_app.domains.care_plans.record import CARE_PLAN
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.records.registry import day_words
from clinic_app.records.timeline import EntryStatus, TimelineEntry, aware, register_source

#: The screen that continues and reads a care plan.
SCREEN: str | None = "care_plan"


def care_plan_entries(session: Session, patient_id: uuid.UUID) -> list[TimelineEntry]:
    """Each version of the plan: its first goal and the PIFU window (a draft continues)."""
    rows = session.scalars(
        select(CarePlan).where(CarePlan.patient_id == patient_id, CarePlan.deleted.is_(False))
    ).all()
    replaced = {
        row.supersedes_id
        for row in rows
        if row.supersedes_id is not None and row.status == RecordStatus.SIGNED
    }
    entries: list[TimelineEntry] = []
    for row in rows:
        signed = row.status == RecordStatus.SIGNED
        parts = [f"Goal: {row.goals[0]}"] if row.goals else []
        if signed and row.pifu_ends_on:
            parts.append(f"can book straight back until {day_words(row.pifu_ends_on)}")
        if row.id in replaced:
            parts.append("replaced after a review")
        entries.append(
            TimelineEntry(
                patient_id=patient_id,
                episode_id=row.episode_id,
                when=aware(row.signed_at if signed and row.signed_at else row.created_at),
                kind=CARE_PLAN.code,
                description=CARE_PLAN.describe(row),
                status=EntryStatus.SIGNED if signed else EntryStatus.DRAFT,
                record_id=row.id,
                screen_id=SCREEN,
                item_id=row.id,
                can_continue=SCREEN is not None and not signed,
                detail="; ".join(parts),
            )
        )
    return entries


register_source(CARE_PLAN.code, care_plan_entries)
