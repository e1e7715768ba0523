"""The tables of injections: the PGD register, the pack codes, the record and its addenda.

A patient group direction (PGD) is the service's written authority for named practitioners
to give named drugs into named targets without a prescription, between two dates. The
service lead keeps the register; a clinician names the PGD (and its version) an injection
was given under. An injection record is drafted at the bedside, signed with the password and
never changed after: a later fact (the aspirate's culture result, a reaction the next day)
is a signed addendum.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.domains.decisions.model import DecisionLinkColumns
from clinic_app.kernel.base import Base, Syncable
from clinic_app.kernel.signed import AppendOnly, Signable
from clinic_app.kernel.vocabulary import RecordStatus


class PatientGroupDirection(Syncable, Base):
    """One PGD of the service, at the version the register holds now.

    ``practitioners`` holds the ids (as text) of the users authorised to work under it.
    """

    __tablename__ = "injection_pgd"

    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(20))
    valid_from: Mapped[date]
    valid_to: Mapped[date]
    drugs: Mapped[list[str]] = mapped_column(JSON, default=list)
    targets: Mapped[list[str]] = mapped_column(JSON, default=list)
    practitioners: Mapped[list[str]] = mapped_column(JSON, default=list)


class PackCode(Syncable, Base):
    """A pack code (GTIN) the service stocks, linked to the formulary product it is.

    The shipped formulary holds no GTINs (a product's packs change with supplier and pack
    size, and none is invented here): the service lead links each code the service's stock
    carries, so a scanned pack names its product. A removed code is a tombstone.
    """

    __tablename__ = "injection_pack_code"

    gtin: Mapped[str] = mapped_column(String(14), index=True)
    product_id: Mapped[str] = mapped_column(String(60))


#: The columns covered by the seal, as ``content`` gives them (in this order).
CONTENT_COLUMNS: tuple[str, ...] = (
    "performed_on",
    "target",
    "side",
    "approach",
    "guidance",
    "imaging_study_id",
    "authority_kind",
    "pgd_id",
    "pgd_version",
    "prescriber_name",
    "consent_risks",
    "checklist",
    "anticoagulant",
    "inr_value",
    "inr_measured_at",
    "replacement_planned_on",
    "drugs",
    "aspirate",
    "immediate_reaction",
    "observation_minutes",
    "aftercare_given",
    "steroid_card_considered",
    "review_date",
    "acknowledgements",
    "sdm_record_id",
    "sdm_missing_reason",
)


class InjectionRecord(DecisionLinkColumns, Signable, Syncable, Base):
    """One corticosteroid injection (or aspiration with injection) of one patient.

    ``drugs`` is ``[{"product_id", "mg", "ml", "batch", "expiry", "same_syringe"}]`` (the
    expiry as an ISO date); ``aspirate`` is ``{"volume_ml", "appearance",
    "sent_for_tests"}`` or None; ``acknowledgements`` is ``[{"code", "by", "at"}]``, one per
    warning the clinician acknowledged before signing.
    """

    __tablename__ = "injection_record"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("episode_of_care.id"), default=None, index=True
    )
    status: Mapped[str] = mapped_column(String(24), default=RecordStatus.DRAFT.value)
    performed_on: Mapped[date | None] = mapped_column(default=None)
    target: Mapped[str | None] = mapped_column(String(60), default=None)
    side: Mapped[str | None] = mapped_column(String(10), default=None)
    approach: Mapped[str] = mapped_column(Text, default="")
    guidance: Mapped[str | None] = mapped_column(String(20), default=None)
    imaging_study_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("imaging_study.id"), default=None
    )
    authority_kind: Mapped[str | None] = mapped_column(String(20), default=None)
    pgd_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("injection_pgd.id"), default=None, index=True
    )
    pgd_version: Mapped[str | None] = mapped_column(String(20), default=None)
    prescriber_name: Mapped[str | None] = mapped_column(String(120), default=None)
    consent_risks: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Checklist item id → "yes" or "no".
    checklist: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    anticoagulant: Mapped[str | None] = mapped_column(String(20), default=None)
    inr_value: Mapped[float | None] = mapped_column(Float, default=None)
    inr_measured_at: Mapped[datetime | None] = mapped_column(default=None)
    replacement_planned_on: Mapped[date | None] = mapped_column(default=None)
    drugs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    aspirate: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    immediate_reaction: Mapped[str] = mapped_column(Text, default="")
    observation_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    aftercare_given: Mapped[bool] = mapped_column(Boolean, default=False)
    steroid_card_considered: Mapped[bool] = mapped_column(Boolean, default=False)
    review_date: Mapped[date | None] = mapped_column(default=None)
    acknowledgements: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
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
            if isinstance(value, uuid.UUID):
                value = str(value)
            elif isinstance(value, date | datetime):
                value = value.isoformat()
            values[name] = value
        return values


class InjectionAddendum(AppendOnly, Syncable, Base):
    """A later fact about a signed injection, signed when written and never changed.

    Its digest covers the record's digest, so it points at exactly what it adds to.
    """

    __tablename__ = "injection_addendum"

    injection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("injection_record.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime]
    signed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    sha256: Mapped[str] = mapped_column(String(64))
