"""Patients and their alerts, and the GP practices they are registered with."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from clinic_app.kernel.base import Base, Syncable, enum_column
from clinic_app.kernel.signed import AppendOnly
from clinic_app.kernel.vocabulary import AlertKind
from clinic_app.people.text import search_key


class GpPractice(Syncable, Base):
    """A GP practice, known by its ODS code."""

    __tablename__ = "gp_practice"

    ods_code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text, default=None)
    postcode: Mapped[str | None] = mapped_column(String(10), default=None)
    phone: Mapped[str | None] = mapped_column(String(40), default=None)
    email: Mapped[str | None] = mapped_column(String(200), default=None)


class Patient(Syncable, Base):
    """A patient's demographics: the mutable record that merges field by field in sync."""

    __tablename__ = "patient"
    __table_args__ = (
        # Covering indexes for search as you type: the matching ids are found and ordered
        # from the index alone, and only the rows shown are read from the table.
        Index(
            "ix_patient_family_search", "family_key", "given_key", "date_of_birth", "deleted", "id"
        ),
        Index(
            "ix_patient_given_search", "given_key", "family_key", "date_of_birth", "deleted", "id"
        ),
        Index("ix_patient_date_of_birth", "date_of_birth"),
    )

    # Not unique: two clinics offline can register one person twice, and sync must take both
    # rows; the second is recorded as a possible duplicate (``people.duplicates``) for a person
    # to merge. Registration on one device still refuses a number it already holds.
    nhs_number: Mapped[str | None] = mapped_column(String(10), index=True, default=None)
    title: Mapped[str | None] = mapped_column(String(20), default=None)
    given_name: Mapped[str] = mapped_column(String(100), default="")
    family_name: Mapped[str] = mapped_column(String(100), default="")
    given_key: Mapped[str] = mapped_column(String(100), default="")
    family_key: Mapped[str] = mapped_column(String(100), default="")
    date_of_birth: Mapped[date] = mapped_column(default=date(1900, 1, 1))
    sex: Mapped[str] = mapped_column(String(2), default="X")
    ethnicity: Mapped[str] = mapped_column(String(2), default="99")
    address: Mapped[str | None] = mapped_column(Text, default=None)
    postcode: Mapped[str | None] = mapped_column(String(10), default=None)
    phone: Mapped[str | None] = mapped_column(String(40), default=None)
    email: Mapped[str | None] = mapped_column(String(200), default=None)
    gp_practice_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("gp_practice.id"), default=None
    )
    preferred_contact_method: Mapped[str | None] = mapped_column(String(20), default=None)
    interpreter_needed: Mapped[bool] = mapped_column(default=False)
    interpreter_language: Mapped[str | None] = mapped_column(String(10), default=None)
    accessible_information_needs: Mapped[list[str]] = mapped_column(JSON, default=list)

    gp_practice: Mapped[GpPractice | None] = relationship(lazy="raise")
    alerts: Mapped[list[PatientAlert]] = relationship(lazy="raise", back_populates="patient")

    @validates("given_name", "family_name")
    def _keep_search_keys(self, key: str, value: str) -> str:
        """Keep the folded search keys in step with the names they index."""
        if key == "given_name":
            self.given_key = search_key(value)
        else:
            self.family_key = search_key(value)
        return value


class PatientAlert(Syncable, Base):
    """An alert shown on the patient banner (allergy, safeguarding, communication ...)."""

    __tablename__ = "patient_alert"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    kind: Mapped[AlertKind] = mapped_column(enum_column(AlertKind))
    text: Mapped[str] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(default=True)

    patient: Mapped[Patient] = relationship(lazy="raise", back_populates="alerts")


class PatientDuplicate(Syncable, Base):
    """Two patient rows that may be one person, waiting for a person to merge or dismiss them.

    The id is derived from the pair (``people.duplicates.duplicate_id``), so the server and a
    device that notice the same pair make the same row, and a pair is flagged once.
    """

    __tablename__ = "patient_duplicate"

    first_patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    second_patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    #: Which matching rule found the pair (``people.duplicates.MATCH_RULES``).
    matched_on: Mapped[str] = mapped_column(String(20))
    #: ``open``, ``merged`` or ``dismissed`` ("not the same person").
    status: Mapped[str] = mapped_column(String(12), default="open")
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolution_reason: Mapped[str | None] = mapped_column(Text, default=None)


class PatientMerge(AppendOnly, Syncable, Base):
    """One patient record merged into another: who, when and why.

    Rows that name the merged patient are never rewritten (signed ones cannot be): readers and
    the timeline follow this row to the survivor, so both records' history stays as it was.
    """

    __tablename__ = "patient_merge"

    survivor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    merged_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    duplicate_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patient_duplicate.id"), default=None
    )
    reason: Mapped[str] = mapped_column(Text)
    merged_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    merged_at: Mapped[datetime] = mapped_column()
