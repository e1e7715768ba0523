"""Read models of contact notes: small, frozen, Qt- and ORM-free."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clinic_app.kernel.vocabulary import RecordStatus


@dataclass(frozen=True)
class NoteAddendumView:
    """A signed addendum to a contact note; ``intact`` is False when its digest no longer fits."""

    id: uuid.UUID
    text: str
    signed_at: datetime
    signed_by: uuid.UUID | None
    signer_name: str
    intact: bool


@dataclass(frozen=True)
class ContactNoteView:
    """One contact note with its addenda, as the screen, the timeline and tests read it.

    ``content`` holds each section's words by key and ``exercises`` the exercises as kept
    (name, sets, reps and optional load, frequency, notes).
    """

    id: uuid.UUID
    patient_id: uuid.UUID
    episode_id: uuid.UUID | None
    appointment_id: uuid.UUID | None
    care_contact_id: uuid.UUID | None
    status: str
    content: Mapping[str, str]
    exercises: tuple[Mapping[str, Any], ...]
    created_at: datetime
    created_by: uuid.UUID | None
    signed_at: datetime | None
    signed_by: uuid.UUID | None
    signer_name: str
    attestation: str | None
    intact: bool
    """False when a signed note no longer matches its seal (reported, never repaired)."""
    summary: str
    """Its one line, e.g. "Contact note, signed, 3 March 2027"."""
    addenda: tuple[NoteAddendumView, ...] = ()

    @property
    def is_signed(self) -> bool:
        """True once signed: from then on it is only added to."""
        return self.status == RecordStatus.SIGNED


@dataclass(frozen=True)
class QuestionnaireDue:
    """A questionnaire whose follow-up is due at this contact: its id and its name."""

    questionnaire_id: str
    title: str
    """E.g. "MSK-HQ"."""
    baseline_at: datetime
    """When its baseline in this episode was answered."""
