"""The clinic's fixed vocabularies: roles, statuses and kinds stored as codes."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user is allowed to do is decided by their role."""

    CLINICIAN = "clinician"
    SONOGRAPHER = "sonographer"
    TRAINEE = "trainee"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class ReferralStatus(StrEnum):
    """Where a referral stands on its way through the service."""

    RECEIVED = "received"
    TRIAGED = "triaged"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    DISCHARGED = "discharged"
    CANCELLED = "cancelled"


class ReferralPriority(StrEnum):
    """Priority stated by the referrer (triage may change it later)."""

    ROUTINE = "routine"
    PRIORITY = "priority"
    URGENT = "urgent"


class AlertKind(StrEnum):
    """Kinds of alert shown on the patient banner."""

    ALLERGY = "allergy"
    CLINICAL = "clinical"
    SAFEGUARDING = "safeguarding"
    COMMUNICATION = "communication"
    ACCESS = "access"


class EpisodeStatus(StrEnum):
    """An episode of care is open until the patient is discharged."""

    OPEN = "open"
    CLOSED = "closed"


class RecordStatus(StrEnum):
    """Where a clinical record stands; the values are the codes stored in its ``status``.

    A draft (or a report returned to its author) may change; a submitted report waits for
    its named supervisor; a signed record never changes again (later changes are addenda).
    Which statuses a record type uses, and how it moves between them, is its lifecycle
    (``clinic_app.records``): an assessment goes from draft to signed only.
    """

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    SIGNED = "signed"


#: The assessment's statuses are the record statuses (it uses draft and signed).
AssessmentStatus = RecordStatus


class Timepoint(StrEnum):
    """When in an episode a questionnaire was answered."""

    BASELINE = "baseline"
    FOLLOW_UP = "follow_up"


class ResponseMode(StrEnum):
    """Who entered a questionnaire's answers: the clinician, or the patient in patient mode."""

    CLINICIAN = "clinician"
    PATIENT = "patient"
