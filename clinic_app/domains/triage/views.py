"""Read models and inputs of triage: small, frozen, Qt- and ORM-free."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from clinic_app.domains.triage.rules import TargetState, Tier, Unit
from clinic_app.kernel.vocabulary import ReferralPriority, ReferralStatus


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
