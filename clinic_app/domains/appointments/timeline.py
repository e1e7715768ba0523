"""Appointments and care contacts on the patient's timeline, one line each."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.appointments.model import Appointment, CareContact
from clinic_app.domains.appointments.record import APPOINTMENT
from clinic_app.domains.appointments.rules import (
    MECHANISM_WORDS,
    TYPE_WORDS,
    Outcome,
    Status,
    on_clinic_clock,
)
from clinic_app.records.registry import day_words
from clinic_app.records.timeline import EntryStatus, TimelineEntry, aware, register_source

#: The screen that shows a patient's appointments.
SCREEN = "appointments"
#: The screen that opens the note of an attended contact.
NOTE_SCREEN = "contact_note"
CONTACT = "care_contact"


def _when(row: Appointment) -> str:
    local = on_clinic_clock(row.starts_at)
    return f"{day_words(local)}, {local:%H:%M}"


def _kind(row: Appointment) -> str:
    return TYPE_WORDS.get(row.appointment_type, "Other")


def appointment_line(row: Appointment) -> str:
    """E.g. "Follow-up appointment, 9 March 2027, 10:30, face to face"."""
    how = MECHANISM_WORDS.get(row.mechanism, row.mechanism)
    return f"{_kind(row)} appointment, {_when(row)}, {how}"


def contact_line(contact: CareContact, row: Appointment | None) -> str:
    """E.g. "Did not attend, follow-up appointment, 9 March 2027, 10:30"."""
    how = MECHANISM_WORDS.get(contact.mechanism, contact.mechanism)
    if row is None:
        local = on_clinic_clock(contact.starts_at)
        what = f"contact, {day_words(local)}, {local:%H:%M}"
    else:
        what = f"{_kind(row).lower()} appointment, {_when(row)}"
    if contact.outcome == Outcome.DID_NOT_ATTEND:
        return f"Did not attend, {what}"
    minutes = f", {contact.minutes} minutes" if contact.minutes else ""
    return f"Seen, {what}, {how}{minutes}"


def appointment_entries(session: Session, patient_id: uuid.UUID) -> list[TimelineEntry]:
    """Each appointment still to happen or cancelled, and each care contact (seen or DNA).

    An appointment that became a contact is shown once, as its contact.
    """
    rows = {
        row.id: row
        for row in session.scalars(
            select(Appointment).where(
                Appointment.patient_id == patient_id, Appointment.deleted.is_(False)
            )
        )
    }
    contacts = session.scalars(
        select(CareContact).where(
            CareContact.patient_id == patient_id, CareContact.deleted.is_(False)
        )
    ).all()
    shown = {contact.appointment_id for contact in contacts}
    entries: list[TimelineEntry] = []
    for row in rows.values():
        if row.id in shown:
            continue
        cancelled = row.status == Status.CANCELLED
        entries.append(
            TimelineEntry(
                patient_id=patient_id,
                episode_id=row.episode_id,
                when=aware(row.starts_at),
                kind=APPOINTMENT.code,
                description=appointment_line(row),
                status=EntryStatus.CLOSED if cancelled else EntryStatus.OPEN,
                record_id=row.id,
                screen_id=SCREEN,
                item_id=row.id,
                detail="Cancelled" if cancelled else "",
            )
        )
    for contact in contacts:
        of = rows.get(contact.appointment_id) if contact.appointment_id else None
        attended = contact.outcome == Outcome.ATTENDED
        entries.append(
            TimelineEntry(
                patient_id=patient_id,
                episode_id=contact.episode_id,
                when=aware(contact.starts_at),
                kind=CONTACT,
                description=contact_line(contact, of),
                status=EntryStatus.RECORDED,
                record_id=contact.id,
                screen_id=NOTE_SCREEN if attended else SCREEN,
                item_id=contact.appointment_id if contact.appointment_id else contact.id,
                detail=contact.emergency_action or "",
            )
        )
    return entries


register_source(APPOINTMENT.code, appointment_entries)
