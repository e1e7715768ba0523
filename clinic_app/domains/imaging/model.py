"""Imaging: a study per encounter, its instances (each a DICOM file kept as an attachment).

An instance's DICOM bytes live in the attachment it names (encrypted at rest, synced as a
file) and never change. Objects that arrive without a patient the app can
match wait as orphans until a person assigns them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.kernel.base import Base, Syncable, utcnow


class ImagingStudy(Syncable, Base):
    """One patient's imaging at one encounter (a DICOM study)."""

    __tablename__ = "imaging_study"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    #: The patient's episode of care open when it was made (None when none was open).
    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("episode_of_care.id"), default=None, index=True
    )
    study_uid: Mapped[str] = mapped_column(String(64), unique=True)
    accession: Mapped[str | None] = mapped_column(String(16), default=None)
    started_at: Mapped[datetime]
    description: Mapped[str] = mapped_column(String(64), default="Point-of-care ultrasound")
    #: ``clinical`` studies may go to the PACS; ``educational`` ones never do.
    purpose: Mapped[str] = mapped_column(String(12), default="clinical")
    #: Set only once the PACS has confirmed it holds every image of the study.
    archived_at: Mapped[datetime | None] = mapped_column(default=None)
    #: The registration whose name and NHS number the PACS first confirmed it under (set
    #: then, once): what is added to the study later leaves under the same, so a merge of
    #: registrations since does not split one study between two patients in the PACS. Not a
    #: foreign key: a laptop holds the study's patient, not always every registration
    #: merged with them, and a pulled study must never fail for want of one.
    pacs_patient_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class ImageInstance(Syncable, Base):
    """One DICOM object of a study: how it came, what it shows, where its bytes are.

    Its bytes never change; only an orphan's study is set, once, when a person assigns it.
    """

    __tablename__ = "image_instance"

    study_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("imaging_study.id"), default=None, index=True
    )
    attachment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("attachment.id"))
    sop_class_uid: Mapped[str] = mapped_column(String(64))
    sop_instance_uid: Mapped[str] = mapped_column(String(64), unique=True)
    series_uid: Mapped[str] = mapped_column(String(64))
    body_part: Mapped[str | None] = mapped_column(String(16), default=None)
    laterality: Mapped[str | None] = mapped_column(String(1), default=None)
    frames: Mapped[int] = mapped_column(Integer, default=1)
    #: ``grabbed``, ``imported`` or ``received`` (from a scanner).
    source: Mapped[str] = mapped_column(String(12))
    #: The Patient ID and accession the object itself carries (for matching orphans).
    carried_patient_id: Mapped[str | None] = mapped_column(String(64), default=None)
    carried_accession: Mapped[str | None] = mapped_column(String(16), default=None)
    #: The patient's name and birth date as the object carries them (DICOM PN and DA), so a
    #: person assigning an orphan can compare them with the record.
    carried_name: Mapped[str | None] = mapped_column(String(200), default=None)
    carried_birth_date: Mapped[str | None] = mapped_column(String(8), default=None)


class ImageMarks(Syncable, Base):
    """What people drew on one image (distances, arrows, labels), kept apart from its pixels.

    One row per image holds the whole list, so the marks of an image change together.
    """

    __tablename__ = "image_marks"

    instance_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("image_instance.id"), unique=True)
    #: ``Annotation.to_json()`` of each mark, in the order they were made.
    marks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class PacsSend(Base):
    """A study waiting to go to the PACS from this device, tried until the PACS has it all.

    Device-local work (it never syncs): the study's ``archived_at`` is what every device sees.
    """

    __tablename__ = "pacs_send"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    study_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("imaging_study.id"), index=True)
    requested_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: ``waiting`` (to send or to confirm), ``archived``, or ``stopped`` (a person must act).
    state: Mapped[str] = mapped_column(String(10), default="waiting")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The error code of the last failed attempt (never patient details).
    last_error: Mapped[str | None] = mapped_column(String(64), default=None)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
