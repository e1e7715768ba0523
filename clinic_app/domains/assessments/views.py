"""Read models of assessments: small, frozen, Qt- and ORM-free."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from clinic_app.kernel.vocabulary import AssessmentStatus


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


@dataclass(frozen=True)
class AssessmentOnFile:
    """One assessment already on a patient's record, as offered before starting another."""

    id: uuid.UUID
    status: AssessmentStatus
    #: When it was signed (signed), or last saved (a draft).
    when: datetime
    presenting_complaint: str


@dataclass(frozen=True)
class AssessmentsOnFile:
    """What to offer when a clinician opens the assessment of a patient without naming one.

    ``draft`` is the clinician's own draft saved last (only its author continues a draft);
    ``signed`` the patient's assessment signed last, to read or add an addendum to.
    """

    patient_id: uuid.UUID
    draft: AssessmentOnFile | None = None
    signed: AssessmentOnFile | None = None

    @property
    def any(self) -> bool:
        """True when there is something to offer before starting a new assessment."""
        return self.draft is not None or self.signed is not None
