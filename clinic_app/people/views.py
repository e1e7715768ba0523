"""Read models and inputs of people and their referrals: small, frozen, Qt- and ORM-free."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from clinic_app.kernel.vocabulary import (
    AlertKind,
    EpisodeStatus,
    ReferralPriority,
    ReferralStatus,
    Role,
)


@dataclass(frozen=True)
class Choice:
    """One entry of a drop-down list: a stored code and the words shown for it."""

    code: str
    label: str


@dataclass(frozen=True)
class PracticeSummary:
    """A GP practice as a picker shows it."""

    id: uuid.UUID
    ods_code: str
    name: str
    postcode: str | None = None


@dataclass(frozen=True)
class PatientSummary:
    """One row of the patient search results."""

    id: uuid.UUID
    nhs_number: str | None
    family_name: str
    given_name: str
    date_of_birth: date
    age: int
    sex_label: str
    postcode: str | None
    alert_count: int
    #: Found on the service's server, not on this laptop: opening brings the record here.
    on_server: bool = False


@dataclass(frozen=True)
class AlertView:
    """An active alert on a patient's record."""

    id: uuid.UUID
    kind: AlertKind
    text: str


@dataclass(frozen=True)
class ReferralSummary:
    """A referral as listed on the patient record."""

    id: uuid.UUID
    patient_id: uuid.UUID
    received_on: date
    source: str
    source_label: str
    referrer_name: str
    referrer_organisation: str | None
    specialty: str
    specialty_label: str
    priority: ReferralPriority
    status: ReferralStatus
    reason: str


@dataclass(frozen=True)
class DiagnosisChoice:
    """One working diagnosis a clinician can pick, with its SNOMED CT id where shipped."""

    code: str
    label: str
    snomed_ct_id: str | None
    #: True when it is linked to a body region chosen on the chart.
    suggested: bool = False


@dataclass(frozen=True)
class EpisodeSummary:
    """One episode of care, as the patient record and the clinical pages name it."""

    id: uuid.UUID
    referral_id: uuid.UUID | None
    pathway: str | None
    pathway_label: str
    started_on: date
    ended_on: date | None
    status: EpisodeStatus
    #: Why it was closed (None while open).
    end_reason: str | None = None


@dataclass(frozen=True)
class PatientRecord:
    """Everything the patient record screen shows, loaded in one go."""

    id: uuid.UUID
    nhs_number: str | None
    title: str | None
    given_name: str
    family_name: str
    date_of_birth: date
    age: int
    sex: str
    sex_label: str
    ethnicity: str
    ethnicity_label: str
    address: str | None
    postcode: str | None
    phone: str | None
    email: str | None
    gp_practice: PracticeSummary | None
    preferred_contact_method: str | None
    preferred_contact_label: str | None
    interpreter_needed: bool
    interpreter_language: str | None
    interpreter_language_label: str | None
    accessible_information_needs: tuple[Choice, ...]
    alerts: tuple[AlertView, ...]
    referrals: tuple[ReferralSummary, ...]
    row_version: int
    updated_at: datetime
    episodes: tuple[EpisodeSummary, ...] = ()
    #: ``standalone`` (no server set up), ``waiting``, ``synced``, ``conflict`` or ``error``.
    sync_state: str = "standalone"
    #: Patient records merged into this one (their history is shown as this patient's).
    merged_ids: tuple[uuid.UUID, ...] = ()

    @property
    def open_episode(self) -> EpisodeSummary | None:
        """The episode new clinical records go to: the open one that started last."""
        return next((e for e in self.episodes if e.status is EpisodeStatus.OPEN), None)


@dataclass(frozen=True)
class PatientInput:
    """What the register-patient form sends, as typed; the service validates every field.

    Dates are ISO strings or UK style (dd/mm/yyyy); codes are from the reference lists.
    """

    given_name: str
    family_name: str
    date_of_birth: str
    sex: str
    nhs_number: str = ""
    title: str = ""
    ethnicity: str = "99"
    address: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""
    gp_practice_id: str = ""
    preferred_contact_method: str = ""
    interpreter_needed: bool = False
    interpreter_language: str = ""
    accessible_information_needs: tuple[str, ...] = ()
    alerts: tuple[tuple[AlertKind, str], ...] = field(default=())


@dataclass(frozen=True)
class ReferralInput:
    """What the new-referral form sends, as typed; the service validates every field."""

    patient_id: uuid.UUID
    source: str
    received_on: str
    referrer_name: str
    reason: str
    specialty: str
    referrer_organisation: str = ""
    priority: ReferralPriority = ReferralPriority.ROUTINE


@dataclass(frozen=True)
class StoreStatus:
    """What the status bar shows about this device and its store."""

    site_name: str | None
    device_id: uuid.UUID
    #: ``standalone`` (no server set up), ``offline``, ``syncing`` or ``online``.
    sync_state: str
    pending_changes: int
    last_sync_at: datetime | None = None
    sync_problems: int = 0
    #: Whose changes wait until they sign in here while connected (their name), if anyone's.
    waiting_for_sign_in: str | None = None


@dataclass(frozen=True)
class UserSummary:
    """A user as the admin list shows them."""

    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    active: bool
    professional_body: str | None
    registration_number: str | None
    supervisor_username: str | None
    profession: str | None = None


@dataclass(frozen=True)
class IssueView:
    """A change the server refused (kept here, with the reason) or answered with a conflict."""

    id: uuid.UUID
    kind: str
    table: str
    row_id: uuid.UUID
    record: str
    reason: str
    fields: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class ConflictView:
    """A field changed on two devices, both values kept, waiting for a person."""

    id: str
    table: str
    row_id: uuid.UUID
    record: str
    field: str
    kept_value: Any
    kept_by: str
    other_value: Any
    other_by: str
    other_at: datetime


@dataclass(frozen=True)
class DuplicateSide:
    """One of the two records of a possible duplicate, as shown side by side."""

    id: uuid.UUID
    nhs_number: str | None
    title: str | None
    family_name: str
    given_name: str
    date_of_birth: date
    sex_label: str
    address: str | None
    postcode: str | None
    phone: str | None
    registered_at: datetime
    referrals: int
    episodes: int


@dataclass(frozen=True)
class PossibleDuplicate:
    """Two patient records that may be one person, waiting for a person to decide."""

    id: uuid.UUID
    #: The matching rule that found them: ``nhs_number`` or ``demographics``.
    matched_on: str
    first: DuplicateSide
    second: DuplicateSide
    found_at: datetime
    #: False while the pair was noticed here but has not come back from the server yet.
    on_server: bool
