"""The clinic day's tables: sessions, appointments, care contacts and double bookings."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.kernel.base import Base, Syncable


class ClinicTemplate(Syncable, Base):
    """A clinician's regular session: a weekday, a site and room, hours, and its slot length.

    The slots offered for booking are made from these. A session ended is given a last day
    (``valid_until``); one made by mistake is tombstoned.
    """

    __tablename__ = "clinic_template"

    clinician_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"), index=True)
    room: Mapped[str | None] = mapped_column(String(60), default=None)
    #: 0 Monday ... 6 Sunday.
    weekday: Mapped[int]
    #: Clinic wall-clock times, "HH:MM".
    starts: Mapped[str] = mapped_column(String(5))
    ends: Mapped[str] = mapped_column(String(5))
    slot_minutes: Mapped[int]
    #: The kind of appointment its slots are for (None: any).
    appointment_type: Mapped[str | None] = mapped_column(String(20), default=None)
    valid_from: Mapped[date]
    valid_until: Mapped[date | None] = mapped_column(default=None)


class Appointment(Syncable, Base):
    """One booked appointment of one patient with one clinician, and what became of it.

    ``status`` moves by the steps of the appointment's lifecycle (booked, arrived, in room,
    finished, did not attend, cancelled). A rebooking cancels this one and books another
    that points back at it, so the history of every slot stays as it was.
    """

    __tablename__ = "appointment"
    __table_args__ = (
        Index("ix_appointment_clinician_start", "clinician_id", "starts_at"),
        Index("ix_appointment_site_start", "site_id", "starts_at"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("episode_of_care.id"), default=None, index=True
    )
    clinician_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    room: Mapped[str | None] = mapped_column(String(60), default=None)
    starts_at: Mapped[datetime]
    minutes: Mapped[int]
    #: new, follow_up, procedure, scan, group
    appointment_type: Mapped[str] = mapped_column(String(20))
    #: face_to_face, telephone, video
    mechanism: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="booked")
    #: Booked knowingly over another appointment of the clinician, with the reason given.
    overbooked_reason: Mapped[str | None] = mapped_column(Text, default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    arrived_at: Mapped[datetime | None] = mapped_column(default=None)
    called_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    #: patient or service, for a cancelled appointment.
    cancelled_by: Mapped[str | None] = mapped_column(String(10), default=None)
    cancel_reason: Mapped[str | None] = mapped_column(Text, default=None)
    rebooked_from_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("appointment.id"), default=None
    )


class CareContact(Syncable, Base):
    """A care contact, as the Community Services Data Set counts one: attended or not.

    Made when a patient is seen or does not attend. Its times are the clinic's record of the
    contact: when it started and for how long, how (face to face, telephone, video), with
    whom and where.
    """

    __tablename__ = "care_contact"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("episode_of_care.id"), default=None, index=True
    )
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("appointment.id"), default=None, index=True
    )
    clinician_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("site.id"), default=None)
    #: Indexed: the service's figures read a month of contacts by when they started.
    starts_at: Mapped[datetime] = mapped_column(index=True)
    minutes: Mapped[int] = mapped_column(default=0)
    mechanism: Mapped[str] = mapped_column(String(20))
    #: attended or did_not_attend.
    outcome: Mapped[str] = mapped_column(String(20))
    #: For a non-attendance by a patient with an open red-flag emergency: what was done.
    emergency_action: Mapped[str | None] = mapped_column(Text, default=None)
    #: What the service's non-attendance rule offered and what the clinician chose.
    dna_decision: Mapped[str | None] = mapped_column(String(30), default=None)


class AppointmentClash(Syncable, Base):
    """Two appointments that overlap for one clinician, booked apart (two laptops offline).

    The id is derived from the pair, so the server and every device that notice the same
    pair make the same row. Both appointments stay booked until a person rebooks or cancels
    one, or keeps both on purpose with a reason.
    """

    __tablename__ = "appointment_clash"

    first_appointment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appointment.id"), index=True
    )
    second_appointment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appointment.id"), index=True
    )
    clinician_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    #: open, resolved (one was moved or cancelled) or kept (both, on purpose).
    status: Mapped[str] = mapped_column(String(12), default="open")
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolution_reason: Mapped[str | None] = mapped_column(Text, default=None)
