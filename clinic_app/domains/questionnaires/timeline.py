"""Questionnaire responses with their scores on the patient's timeline."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.questionnaires.content import questionnaire
from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.domains.questionnaires.rules import QuestionnaireDefinition
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.vocabulary import Timepoint
from clinic_app.records.timeline import EntryStatus, TimelineEntry, aware, register_source

#: The screen that records and shows questionnaires.
SCREEN = "questionnaire"

_TIMEPOINT_WORDS = {Timepoint.BASELINE: "baseline", Timepoint.FOLLOW_UP: "follow-up"}


def _definition(questionnaire_id: str) -> QuestionnaireDefinition | None:
    try:
        return questionnaire(questionnaire_id)
    except ClinicError:
        return None


def _score(row: QuestionnaireResponse, definition: QuestionnaireDefinition | None) -> str:
    if not row.complete or row.total is None:
        return "Incomplete: no score"
    words = f"Score {row.total}"
    if definition is not None:
        words += f" of {definition.max_total}"
        if row.score_group:
            group = next((g for g in definition.groups if g.id == row.score_group), None)
            words += f", {group.name if group else row.score_group}"
    elif row.score_group:
        words += f", {row.score_group}"
    return words


def response_entries(session: Session, patient_id: uuid.UUID) -> list[TimelineEntry]:
    """Each response recorded, named with its time point and its score."""
    entries = []
    for row in session.scalars(
        select(QuestionnaireResponse).where(
            QuestionnaireResponse.patient_id == patient_id,
            QuestionnaireResponse.deleted.is_(False),
        )
    ):
        definition = _definition(row.questionnaire_id)
        title = definition.title if definition is not None else row.questionnaire_id
        timepoint = _TIMEPOINT_WORDS.get(row.timepoint, str(row.timepoint))
        entries.append(
            TimelineEntry(
                patient_id=patient_id,
                episode_id=row.episode_id,
                when=aware(row.recorded_at or row.created_at),
                kind="questionnaire_response",
                description=f"{title} ({timepoint})",
                status=EntryStatus.RECORDED,
                record_id=row.id,
                screen_id=SCREEN,
                item_id=row.id,
                detail=_score(row, definition),
            )
        )
    return entries


register_source("questionnaire_response", response_entries)
