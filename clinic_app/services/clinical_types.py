"""Read models and inputs of triage, assessment, red flags and questionnaires: small and frozen."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from clinic_app.clinical.questionnaires import ImportantChange
from clinic_app.clinical.red_flags import Level, RecordedAction
from clinic_app.clinical.triage import TargetState, Tier, Unit
from clinic_app.clinical.vocabulary import (
    AssessmentStatus,
    ReferralPriority,
    ReferralStatus,
    ResponseMode,
    Timepoint,
)

__all__ = [
    "AddendumView",
    "AssessmentStatus",
    "AssessmentView",
    "HistoryEntry",
    "ImportantChange",
    "Level",
    "RecordedAction",
    "ResolutionView",
    "ResponseMode",
    "ResponseView",
    "ScreeningView",
    "TargetState",
    "TargetView",
    "Tier",
    "Timepoint",
    "TriageInput",
    "TriageView",
    "WorklistItem",
]


@dataclass(frozen=True)
class TargetView:
    """One waiting-time target of a referral, as the worklist shows it."""

    rule_id: str
    label: str
    unit: Unit
    due: date
    days_left: int
    state: TargetState


@dataclass(frozen=True)
class WorklistItem:
    """An untriaged referral on the triage worklist.

    ``due``, ``days_left`` and ``state`` are those of the most pressing open target (None
    when no target applies).
    """

    referral_id: uuid.UUID
    patient_id: uuid.UUID
    nhs_number: str | None
    family_name: str
    given_name: str
    received_on: date
    specialty: str
    specialty_label: str
    priority: ReferralPriority
    tier: Tier
    reason: str
    referrer: str
    targets: tuple[TargetView, ...]
    due: date | None
    days_left: int | None
    state: TargetState | None


@dataclass(frozen=True)
class TriageInput:
    """A triage decision as typed.

    Codes come from the ``triage_outcome``, ``specialty`` (pathway) and
    ``referral_priority`` lists; ``reason`` is required to return a referral.
    """

    outcome: str
    priority: str
    pathway: str = ""
    reason: str = ""
    advice: str = ""


@dataclass(frozen=True)
class TriageView:
    """A recorded triage decision and the referral status it led to."""

    id: uuid.UUID
    referral_id: uuid.UUID
    outcome: str
    pathway: str | None
    tier: Tier | None
    priority: ReferralPriority
    with_diagnostics: bool
    reason: str | None
    advice: str | None
    decided_at: datetime
    decided_by: uuid.UUID | None
    referral_status: ReferralStatus
    #: The episode of care the booking opened (appointment outcomes only).
    episode_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ResolutionView:
    """The action recorded for a positive screen."""

    id: uuid.UUID
    action: RecordedAction
    reason: str | None
    recorded_at: datetime
    recorded_by: uuid.UUID | None


@dataclass(frozen=True)
class ScreeningView:
    """A recorded red-flag screening: its answers, result and (once recorded) resolution."""

    id: uuid.UUID
    patient_id: uuid.UUID
    screen_id: str
    screen_title: str
    screen_version: str
    answers: Mapping[str, str]
    level: Level
    fired_rules: tuple[str, ...]
    needs_action: bool
    accepted_actions: frozenset[RecordedAction]
    recorded_at: datetime
    recorded_by: uuid.UUID | None
    resolution: ResolutionView | None = None

    @property
    def unresolved(self) -> bool:
        """True while a positive screen waits for a recorded action."""
        return self.needs_action and self.resolution is None


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


@dataclass(frozen=True)
class AddendumView:
    """A signed addendum; ``intact`` is False when its stored digest no longer matches."""

    id: uuid.UUID
    text: str
    signed_at: datetime
    signed_by: uuid.UUID | None
    sha256: str
    intact: bool


@dataclass(frozen=True)
class AssessmentView:
    """An assessment with its addenda.

    ``intact`` is False when a signed assessment's content no longer matches the digest
    stored when it was signed: the record was changed outside the app, and says so.
    """

    id: uuid.UUID
    patient_id: uuid.UUID
    episode_id: uuid.UUID | None
    status: AssessmentStatus
    content: Mapping[str, Any]
    row_version: int
    signed_at: datetime | None = None
    signed_by: uuid.UUID | None = None
    content_sha256: str | None = None
    intact: bool = True
    addenda: tuple[AddendumView, ...] = field(default=())
    #: The sentence the signer agreed to (None while a draft, or signed before it was kept).
    attestation: str | None = None
    medicines_for_review: tuple[str, ...] = ()
