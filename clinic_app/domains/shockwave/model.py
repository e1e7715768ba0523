"""The tables of shockwave therapy: the device register, the course and its sessions.

The service lead keeps the register of ESWT devices (make, model, serial, radial or focused,
last service). A course is opened for one indication and side with N sessions planned, its
governance ticked and contraindications answered before the first session; each session is
signed with the password when given and never changed after; the course closes (is signed)
with the follow-up outcome scores.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.domains.decisions.model import DecisionLinkColumns
from clinic_app.kernel.base import Base, Syncable
from clinic_app.kernel.signed import Signable
from clinic_app.kernel.vocabulary import RecordStatus


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


class EswtDevice(Syncable, Base):
    """One shockwave device of the service, as the register holds it now."""

    __tablename__ = "eswt_device"

    make: Mapped[str] = mapped_column(String(120))
    model: Mapped[str] = mapped_column(String(120))
    serial: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(10))
    last_service_on: Mapped[date | None] = mapped_column(default=None)


#: The columns of a course covered by its seal (in this order).
COURSE_COLUMNS: tuple[str, ...] = (
    "indication",
    "side",
    "planned_sessions",
    "eswt_device_id",
    "governance",
    "contraindications",
    "outcome_before",
    "outcome_after",
    "sdm_record_id",
    "sdm_missing_reason",
)


class EswtCourse(DecisionLinkColumns, Signable, Syncable, Base):
    """A course of shockwave therapy for one indication and side; closed by signing it.

    ``governance`` is requirement id → ticked; ``contraindications`` is item id → "yes" or
    "no"; ``outcome_before`` and ``outcome_after`` are ``{"pain_nrs": 0-10 or None,
    "responses": [questionnaire response ids]}``. The warnings of a course (a relative
    contraindication, the sessions planned) are acknowledged at each session, with its own.
    """

    __tablename__ = "eswt_course"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("episode_of_care.id"), default=None, index=True
    )
    status: Mapped[str] = mapped_column(String(24), default=RecordStatus.DRAFT.value)
    indication: Mapped[str | None] = mapped_column(String(60), default=None)
    side: Mapped[str | None] = mapped_column(String(10), default=None)
    planned_sessions: Mapped[int | None] = mapped_column(Integer, default=None)
    eswt_device_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("eswt_device.id"), default=None
    )
    governance: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    contraindications: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    outcome_before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    outcome_after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    signed_at: Mapped[datetime | None] = mapped_column(default=None)
    signed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    content_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    attestation: Mapped[str | None] = mapped_column(Text, default=None)

    @property
    def content(self) -> dict[str, Any]:
        """Everything the seal covers, as plain JSON values."""
        return {name: _plain(getattr(self, name)) for name in COURSE_COLUMNS}


#: The columns of a session covered by its seal (in this order).
SESSION_COLUMNS: tuple[str, ...] = (
    "course_id",
    "number",
    "performed_on",
    "eswt_device_id",
    "device_serial",
    "device_kind",
    "applicator",
    "pressure_bar",
    "energy_mj_mm2",
    "frequency_hz",
    "pulses",
    "target",
    "ultrasound_guided",
    "local_anaesthetic",
    "pain_during",
    "side_effects",
    "acknowledgements",
)


class EswtSession(Signable, Syncable, Base):
    """One session n of N of a course, signed when given and never changed after.

    The device's serial and kind are copied in when it is signed, so the session says which
    machine gave it whatever the register says later. ``acknowledgements`` holds every warning
    acknowledged before signing (the course's and the session's own), with who and when.
    """

    __tablename__ = "eswt_session"

    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("eswt_course.id"), index=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("episode_of_care.id"), default=None
    )
    status: Mapped[str] = mapped_column(String(24), default=RecordStatus.DRAFT.value)
    number: Mapped[int | None] = mapped_column(Integer, default=None)
    performed_on: Mapped[date | None] = mapped_column(default=None)
    eswt_device_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("eswt_device.id"), default=None
    )
    device_serial: Mapped[str | None] = mapped_column(String(60), default=None)
    device_kind: Mapped[str | None] = mapped_column(String(10), default=None)
    applicator: Mapped[str] = mapped_column(String(120), default="")
    pressure_bar: Mapped[float | None] = mapped_column(Float, default=None)
    energy_mj_mm2: Mapped[float | None] = mapped_column(Float, default=None)
    frequency_hz: Mapped[float | None] = mapped_column(Float, default=None)
    pulses: Mapped[int | None] = mapped_column(Integer, default=None)
    target: Mapped[str] = mapped_column(Text, default="")
    ultrasound_guided: Mapped[bool] = mapped_column(Boolean, default=False)
    local_anaesthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    pain_during: Mapped[int | None] = mapped_column(Integer, default=None)
    side_effects: Mapped[list[str]] = mapped_column(JSON, default=list)
    acknowledgements: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    signed_at: Mapped[datetime | None] = mapped_column(default=None)
    signed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    content_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    attestation: Mapped[str | None] = mapped_column(Text, default=None)

    @property
    def content(self) -> dict[str, Any]:
        """Everything the seal covers, as plain JSON values."""
        return {name: _plain(getattr(self, name)) for name in SESSION_COLUMNS}
