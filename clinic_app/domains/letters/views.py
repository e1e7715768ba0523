"""Read models of letters: small, frozen, Qt- and ORM-free."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from clinic_app.domains.letters.rules import DueReason, ReadingWarning, SectionText


@dataclass(frozen=True)
class LetterView:
    """One letter as a screen shows it."""

    id: uuid.UUID
    patient_id: uuid.UUID
    episode_id: uuid.UUID | None
    onward_decision_id: uuid.UUID | None
    kind: str
    title: str
    status: str
    recipient: str
    sections: tuple[SectionText, ...]
    cited_reports: tuple[uuid.UUID, ...]
    no_gp_practice: bool
    large_print: bool
    assembled_on: date | None
    created_at: datetime
    created_by: uuid.UUID | None
    row_version: int
    signed_at: datetime | None
    signed_by: uuid.UUID | None
    attestation: str | None
    intact: bool
    summary: str
    #: Paragraphs reading above the target grade (letters to the patient only).
    reading: tuple[ReadingWarning, ...] = ()

    @property
    def signed(self) -> bool:
        """True once signed: it never changes again."""
        return self.status == "signed"


@dataclass(frozen=True)
class DueLetter:
    """A discharge or onward referral whose letter is not signed yet."""

    patient_id: uuid.UUID
    patient_name: str
    nhs_number: str
    episode_id: uuid.UUID | None
    onward_decision_id: uuid.UUID | None
    reason: DueReason
    since: date
    due_on: date
    days_left: int
    working_days: bool
    breached: bool
    no_gp_practice: bool
    clinician_id: uuid.UUID | None
    draft_id: uuid.UUID | None = None
