"""Read models of scan reports and logbooks: small, frozen, Qt- and ORM-free."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from clinic_app.kernel.vocabulary import RecordStatus

PRELIMINARY_WORDS = "PRELIMINARY — awaiting supervisor"
#: A draft of an author who signs their own reports: nobody else is waited for.
UNSIGNED_WORDS = "PRELIMINARY — not yet signed"


@dataclass(frozen=True)
class PatientIdentity:
    """Who a report is about, as a reviewer must see before reading it."""

    family_name: str
    given_name: str
    title: str | None
    nhs_number: str | None
    date_of_birth: date


@dataclass(frozen=True)
class ReportView:
    """One version of a report, as screens and letters show it."""

    id: uuid.UUID
    study_id: uuid.UUID
    patient_id: uuid.UUID
    author_id: uuid.UUID
    author_name: str
    status: str
    version: int
    predecessor_id: uuid.UUID | None
    content: dict[str, Any]
    supervisor_id: uuid.UUID | None
    supervisor_name: str | None
    submitted_at: datetime | None
    supervisor_words: str | None
    supervision_mode: str | None
    agreement: str | None
    signed_at: datetime | None
    verified: bool
    content_sha256: str | None
    feedback: tuple[str, ...]
    updated_at: datetime
    #: False when a signed version no longer matches its seal (changed outside the app).
    intact: bool = True
    #: The episode of care it belongs to (None when the patient had none open).
    episode_id: uuid.UUID | None = None
    #: Who it is about (None only when the patient's row is not in this store).
    patient: PatientIdentity | None = None
    #: It goes to a supervisor before it is final (a trainee's); False for an author who
    #: signs their own.
    for_review: bool = True

    @property
    def final(self) -> bool:
        """True once signed alone or verified: only then may it go into a letter as final."""
        return self.status == RecordStatus.SIGNED

    @property
    def preliminary(self) -> bool:
        """True for everything not final: it is shown and printed as preliminary."""
        return not self.final

    @property
    def marking(self) -> str:
        """The words shown with a report that is not final ("" once it is)."""
        if self.final:
            return ""
        return PRELIMINARY_WORDS if self.for_review else UNSIGNED_WORDS


@dataclass(frozen=True)
class PrintableReport:
    """Everything a printed version of a report shows, read from the store in one go.

    Made on the store's worker; the PDF is then drawn from it elsewhere, with no session.
    """

    report: ReportView
    patient_name: str
    #: Already spaced for reading, e.g. "999 000 0018".
    nhs_number: str
    date_of_birth: date
    service: str
    study_date: datetime
    study_description: str
    #: Words for each key image, in the report's order, e.g. "Still · Knee · right".
    key_image_names: tuple[str, ...]
    printed_at: datetime
    #: The newest version that adds to this one, and whether it is final (None: it is the
    #: newest): a reader of an earlier version is told a later one exists.
    later_version: tuple[int, bool] | None = None


@dataclass(frozen=True)
class PendingReview:
    """A report waiting for its supervisor, with how long it has waited."""

    report: ReportView
    waiting_hours: float


@dataclass(frozen=True)
class LogbookRow:
    """Scans of one body region under one kind of supervision."""

    body_region: str
    supervision_mode: str
    scans: int


@dataclass(frozen=True)
class Logbook:
    """A trainee's verified scans over a period, for their accreditation portfolio."""

    trainee_id: uuid.UUID
    trainee_name: str
    start: datetime
    end: datetime
    rows: tuple[LogbookRow, ...]
    verified: int
    agree: int
    minor: int
    major: int
    returned: int

    @property
    def concordance(self) -> float | None:
        """Share of verified scans the supervisor agreed with, or None with none verified."""
        return self.agree / self.verified if self.verified else None
