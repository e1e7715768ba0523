"""The printed contact note read as the GP or the patient would: when, how, where and with
whom the contact was (attendance details), on the clinic's own clock."""

from __future__ import annotations

import subprocess
from datetime import date

from clinic_app.domains.appointments.rules import on_clinic_clock
from tests.core.appointments.conftest import PASSWORD, Clinic


def _words(pdf: bytes) -> str:
    made = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(made.stdout.decode().split())


def test_the_printed_note_says_when_how_where_and_with_whom_in_clinic_time(
    clinic: Clinic,
) -> None:
    # A summer appointment: the clinic's clock is an hour ahead of UTC.
    summer = date(date.today().year + 1, 7, 14)
    booked = clinic.book(
        day=summer.strftime("%d/%m/%Y"), time="10:30", minutes="40", mechanism="telephone"
    )
    assert booked.starts_at.astimezone(on_clinic_clock(booked.starts_at).tzinfo).hour == 10
    assert booked.starts_at.utcoffset() is not None
    notes = clinic.services.contact_notes
    note = notes.start(clinic.physio, clinic.harriet, booked.id)
    notes.save_draft(
        clinic.physio,
        clinic.harriet,
        {"subjective": "Better.", "objective": "Full range.", "plan": "Review."},
        note.id,
    )
    signed = notes.sign(clinic.physio, note.id, PASSWORD)

    words = _words(notes.printable(clinic.physio, note.id))

    assert "Attendance details" in words
    assert f"Date {summer.day} July {summer.year}" in words
    assert "Time 10:30" in words
    assert "09:30" not in words  # the UTC time is never what is printed
    assert "How Telephone" in words
    assert "Where Riverside, Room 2" in words
    assert "With Physio" in words
    assert "Length 40 minutes booked" in words
    assert signed.signed_at is not None
    on_clock = on_clinic_clock(signed.signed_at)
    assert f"at {on_clock:%H:%M}." in words
    assert "UTC" not in words


def test_a_note_with_no_appointment_prints_no_attendance_details(clinic: Clinic) -> None:
    notes = clinic.services.contact_notes
    note = notes.save_draft(clinic.physio, clinic.owen, {"subjective": "Phoned in."})
    words = _words(notes.printable(clinic.physio, note.id))
    assert "Attendance details" not in words
    assert "Phoned in." in words
