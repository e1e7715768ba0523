"""What screens and callers read of a Friends and Family Test response."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class QuestionView:
    """The question as the patient sees it, with its answers (code, words) in order."""

    title: str
    question: str
    answers: tuple[tuple[str, str], ...]
    introduction: str
    follow_up: str
    kept_with_record: str
    comment_max_length: int


@dataclass(frozen=True)
class RecordedView:
    """What the clinician is told when the device comes back: that it was recorded, not what."""

    id: uuid.UUID
    patient_id: uuid.UUID
    recorded_at: datetime


@dataclass(frozen=True)
class FftResponseView:
    """One response in full, for the service lead who acts on the feedback."""

    id: uuid.UUID
    patient_id: uuid.UUID
    episode_id: uuid.UUID | None
    status: str
    answer: str
    answer_words: str
    comment: str
    answered_by: str
    recorded_at: datetime | None
    question_version: str
