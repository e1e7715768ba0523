"""The personalised care and support plan's table.

One row is one version of a patient's plan in an episode. A draft is written with the
patient; once signed it never changes. A review is a new row pointing at the version it
replaces (``supersedes_id``); the replaced version is kept as it was and is read as
superseded because a signed later version points at it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.kernel.base import Base, Syncable
from clinic_app.kernel.signed import Signable
from clinic_app.kernel.vocabulary import RecordStatus

#: The columns covered by the seal, as ``content`` gives them (in this order).
CONTENT_COLUMNS: tuple[str, ...] = (
    "what_matters",
    "strengths",
    "goals",
    "actions",
    "conditions",
    "treatments",
    "self_management",
    "flare_plan",
    "seek_help",
    "safety_nets",
    "support_services",
    "named_contact",
    "contact_route",
    "pifu_months",
    "pifu_starts_on",
    "pifu_ends_on",
    "review_on",
    "gp_consent",
    "gp_consent_given_by",
    "gp_consent_recorded_by",
    "gp_consent_recorded_at",
    "information_needs",
    "language",
    "supersedes_id",
)


class CarePlan(Signable, Syncable, Base):
    """One version of a patient's personalised care and support plan, in their episode.

    ``information_needs`` and ``language`` are copied from the patient's record when the plan
    is saved (their accessible-information needs and interpreter language), so the signed
    plan says which format and language it was made for.
    """

    __tablename__ = "care_plan"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("episode_of_care.id"), default=None, index=True
    )
    status: Mapped[str] = mapped_column(String(24), default=RecordStatus.DRAFT.value)
    what_matters: Mapped[str] = mapped_column(Text, default="")
    strengths: Mapped[str] = mapped_column(Text, default="")
    #: The patient's goals, each in their own words.
    goals: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: ``[{"what": "...", "who": "...", "by": "YYYY-MM-DD" | None}]``.
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: Long-term conditions, each in words.
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: ``[{"treatment": "...", "outcome": "..."}]``: treatments tried and how they went.
    treatments: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    self_management: Mapped[str] = mapped_column(Text, default="")
    flare_plan: Mapped[str] = mapped_column(Text, default="")
    seek_help: Mapped[str] = mapped_column(Text, default="")
    #: Ids of the shipped safety nets printed on the patient's copy.
    safety_nets: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: ``[{"service_id": "..." | None, "text": "..."}]``: from the list, or in words.
    support_services: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    named_contact: Mapped[str] = mapped_column(String(120), default="")
    contact_route: Mapped[str] = mapped_column(Text, default="")
    #: The patient-initiated follow-up window in months; None when none is offered.
    pifu_months: Mapped[int | None] = mapped_column(Integer, default=None)
    #: The window opens the day the plan is signed and closes ``pifu_months`` later.
    pifu_starts_on: Mapped[date | None] = mapped_column(default=None)
    pifu_ends_on: Mapped[date | None] = mapped_column(default=None, index=True)
    review_on: Mapped[date | None] = mapped_column(default=None)
    #: Consent to share the plan with the GP: True, False, or None while not asked.
    gp_consent: Mapped[bool | None] = mapped_column(Boolean, default=None)
    gp_consent_given_by: Mapped[str | None] = mapped_column(String(20), default=None)
    gp_consent_recorded_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id"), default=None
    )
    gp_consent_recorded_at: Mapped[datetime | None] = mapped_column(default=None)
    information_needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str | None] = mapped_column(String(10), default=None)
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("care_plan.id"), default=None, index=True
    )
    signed_at: Mapped[datetime | None] = mapped_column(default=None)
    signed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    content_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    attestation: Mapped[str | None] = mapped_column(Text, default=None)

    @property
    def content(self) -> dict[str, Any]:
        """Everything the seal covers, as plain JSON values (ids, days and times as text)."""
        values: dict[str, Any] = {}
        for name in CONTENT_COLUMNS:
            value = getattr(self, name)
            if isinstance(value, uuid.UUID | date):
                value = str(value) if isinstance(value, uuid.UUID) else value.isoformat()
            values[name] = value
        return values
