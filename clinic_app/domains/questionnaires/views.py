"""Read models of questionnaire responses: small, frozen, Qt- and ORM-free."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from clinic_app.domains.questionnaires.rules import ImportantChange
from clinic_app.kernel.vocabulary import ResponseMode, Timepoint


@dataclass(frozen=True)
class ResponseView:
    """A recorded questionnaire response with its score (no total when incomplete)."""

    id: uuid.UUID
    patient_id: uuid.UUID
    episode_id: uuid.UUID | None
    questionnaire_id: str
    questionnaire_version: str
    timepoint: Timepoint
    mode: ResponseMode
    answers: Mapping[str, int | None]
    complete: bool
    total: int | None
    subscales: Mapping[str, int]
    group: str | None
    missing_items: tuple[str, ...]
    recorded_at: datetime
    recorded_by: uuid.UUID | None


@dataclass(frozen=True)
class HistoryEntry:
    """One response in a patient's history of a questionnaire.

    ``change`` compares a complete follow-up with the baseline it follows (None when the
    change is smaller than the minimal important change, or there is nothing to compare).
    """

    response: ResponseView
    baseline_id: uuid.UUID | None = None
    change: ImportantChange | None = None
