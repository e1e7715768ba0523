"""The patient's completed questionnaires a course may count before it and at its follow-up."""

from __future__ import annotations

import builtins
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

from clinic_app.domains.questionnaires.views import HistoryEntry
from clinic_app.kernel.current_user import CurrentUser


class Questionnaires(Protocol):
    """The part of the questionnaire service the course reads: what a patient has answered."""

    def catalogue(self) -> tuple[tuple[str, str], ...]: ...

    def history(
        self, actor: CurrentUser, patient_id: uuid.UUID, questionnaire_id: str
    ) -> builtins.list[HistoryEntry]: ...


@dataclass(frozen=True)
class ResponseChoice:
    """A completed questionnaire response of the patient: its measure, day and total."""

    id: uuid.UUID
    questionnaire_id: str
    title: str
    recorded_on: date
    total: int


def local_day(when: datetime) -> date:
    """The day ``when`` falls on here (a time with no zone is the store's UTC)."""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return aware.astimezone().date()


def completed_responses(
    questionnaires: Questionnaires, actor: CurrentUser, patient_id: uuid.UUID
) -> tuple[ResponseChoice, ...]:
    """The patient's completed responses, by questionnaire in the order offered, newest first.

    An incomplete response has no total and is not offered. The questionnaires service gives
    the patient's responses only, those under a registration merged into their record too.
    """
    found: list[ResponseChoice] = []
    for questionnaire_id, title in questionnaires.catalogue():
        answered = [
            entry.response
            for entry in questionnaires.history(actor, patient_id, questionnaire_id)
            if entry.response.complete and entry.response.total is not None
        ]
        answered.sort(key=lambda r: r.recorded_at, reverse=True)
        found.extend(
            ResponseChoice(
                id=r.id,
                questionnaire_id=r.questionnaire_id,
                title=title,
                recorded_on=local_day(r.recorded_at),
                total=r.total,
            )
            for r in answered
            if r.total is not None
        )
    return tuple(found)


__all__ = ["Questionnaires", "ResponseChoice", "completed_responses", "local_day"]
