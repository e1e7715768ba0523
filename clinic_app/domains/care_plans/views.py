"""Read models of care plans and what a screen sends to save one: frozen, Qt-free."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from clinic_app.kernel.vocabulary import RecordStatus


@dataclass(frozen=True)
class PlanAction:
    """One action of the plan: what is done, who does it, and by when (None: no date)."""

    what: str
    who: str = ""
    by: date | None = None


@dataclass(frozen=True)
class TreatmentTried:
    """A treatment tried before, and how it went, in words."""

    treatment: str
    outcome: str = ""


@dataclass(frozen=True)
class SupportChoice:
    """A support service: one from the shipped list (``service_id``), or one in words."""

    service_id: str | None = None
    text: str = ""


@dataclass(frozen=True)
class CarePlanInput:
    """What the plan screen saves of a draft (all of it, every time).

    Attributes:
        what_matters: what matters to the patient, in their words.
        strengths: their strengths and the support they have.
        goals: their goals, each in their own words.
        actions: what is to be done, by whom and by when.
        conditions: their long-term conditions.
        treatments: treatments tried, with their outcomes.
        self_management: what they do to manage day to day.
        flare_plan: what to do in a flare.
        seek_help: when to seek help, and where.
        safety_nets: ids of shipped safety nets (warning signs) to print on their copy.
        support_services: services they are pointed to.
        named_contact: who to contact at the service.
        contact_route: how to reach them (telephone, email, the booking line).
        pifu_months: the patient-initiated follow-up window; None when none is offered.
        review_on: when the plan is reviewed.
        gp_consent: consent to share with the GP (None while not asked).
        gp_consent_given_by: ``patient`` or ``representative``.
    """

    what_matters: str = ""
    strengths: str = ""
    goals: tuple[str, ...] = ()
    actions: tuple[PlanAction, ...] = ()
    conditions: tuple[str, ...] = ()
    treatments: tuple[TreatmentTried, ...] = ()
    self_management: str = ""
    flare_plan: str = ""
    seek_help: str = ""
    safety_nets: tuple[str, ...] = ()
    support_services: tuple[SupportChoice, ...] = ()
    named_contact: str = ""
    contact_route: str = ""
    pifu_months: int | None = None
    review_on: date | None = None
    gp_consent: bool | None = None
    gp_consent_given_by: str | None = None


@dataclass(frozen=True)
class CarePlanView:
    """One version of a care plan as screens, the print and other records read it.

    ``intact`` is False when a signed plan no longer matches its seal (changed outside the
    app): it is reported, never repaired. ``superseded_by`` names the signed later version
    that replaced it after a review.
    """

    id: uuid.UUID
    patient_id: uuid.UUID
    episode_id: uuid.UUID | None
    status: str
    plan: CarePlanInput
    pifu_starts_on: date | None
    pifu_ends_on: date | None
    gp_consent_recorded_by: uuid.UUID | None
    gp_consent_recorded_at: datetime | None
    information_needs: tuple[str, ...]
    language: str | None
    supersedes_id: uuid.UUID | None
    created_at: datetime
    created_by: uuid.UUID | None
    row_version: int
    signed_at: datetime | None = None
    signed_by: uuid.UUID | None = None
    attestation: str | None = None
    intact: bool = True
    superseded_by: uuid.UUID | None = None
    summary: str = ""

    @property
    def is_signed(self) -> bool:
        """True once signed: it never changes again."""
        return self.status == RecordStatus.SIGNED

    @property
    def is_current(self) -> bool:
        """True for a signed version no later signed version replaces."""
        return self.is_signed and self.superseded_by is None


@dataclass(frozen=True)
class PifuWindow:
    """An open patient-initiated follow-up window, for the clinician's or the service's list.

    Attributes:
        plan_id: the signed plan that opened it.
        patient_id: whose it is.
        patient_name: "FAMILY, Given".
        nhs_number: formatted, or "".
        clinician_id: who signed the plan.
        clinician: their name.
        starts_on: the day it opened.
        ends_on: the last day the patient can book straight back.
        days_left: days from the day asked about to ``ends_on`` (0 on the last day).
        about_to_lapse: it ends within the service's warning days.
    """

    plan_id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    nhs_number: str
    clinician_id: uuid.UUID | None
    clinician: str
    starts_on: date
    ends_on: date
    days_left: int
    about_to_lapse: bool
