"""The clinic day's UI test set-up: a day of appointments for two clinicians, booked early."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

import clinic_app.domains.appointments.service.core as appointment_service
from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.appointments.model import Appointment, CareContact
from clinic_app.domains.appointments.views import AppointmentView, BookingInput
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import CLINICIAN, SUPERVISOR

CLINIC_ZONE = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Day:
    """Today's appointments: the clinician's (in the order booked) and another clinician's."""

    clinician: CurrentUser
    other: CurrentUser
    site_id: uuid.UUID
    today: date
    patients: list[PatientSummary]
    mine: list[AppointmentView]
    theirs: list[AppointmentView]


def booking(
    patient_id: uuid.UUID,
    clinician_id: uuid.UUID,
    site_id: uuid.UUID,
    day: date,
    at: str,
    *,
    kind: str = "follow_up",
    minutes: str = "30",
    reason: str = "",
) -> BookingInput:
    """A booking as a person would type it."""
    return BookingInput(
        patient_id=patient_id,
        clinician_id=clinician_id,
        site_id=site_id,
        room="Room 2",
        day=day.isoformat(),
        time=at,
        minutes=minutes,
        appointment_type=kind,
        mechanism="face_to_face",
        overbook_reason=reason,
    )


def booked_day(clinic: Services, monkeypatch: pytest.MonkeyPatch) -> Day:
    """Four of the clinician's appointments today (booked out of time order) and two of
    another clinician's, for six different demo patients."""
    clinician = clinic.auth.login(CLINICIAN, demo_password(CLINICIAN))
    other = clinic.auth.login(SUPERVISOR, demo_password(SUPERVISOR))
    site_id = clinic.appointments.sites(clinician)[0].id
    everyone = clinic.patients.search(clinician, "999", limit=60)
    patients = [p for p in everyone if p.nhs_number][:6]
    today = datetime.now(CLINIC_ZONE).date()
    early = datetime.combine(today, time(0, 1), tzinfo=CLINIC_ZONE).astimezone(UTC)
    real = appointment_service.utcnow
    monkeypatch.setattr(appointment_service, "utcnow", lambda: early)
    try:
        mine = [
            clinic.appointments.book(
                clinician, booking(patients[i].id, clinician.id, site_id, today, at, kind=kind)
            )
            for i, at, kind in (
                (0, "11:00", "follow_up"),
                (1, "09:00", "follow_up"),
                (2, "10:00", "new"),
                (3, "09:30", "follow_up"),
            )
        ]
        theirs = [
            clinic.appointments.book(other, booking(patients[i].id, other.id, site_id, today, at))
            for i, at in ((4, "09:00"), (5, "10:30"))
        ]
    finally:
        monkeypatch.setattr(appointment_service, "utcnow", real)
    return Day(clinician, other, site_id, today, patients, mine, theirs)


@pytest.fixture(autouse=True)
def _no_demo_clinic(clinic: Services) -> None:
    """The demo's own clinic day taken away: each test books exactly the day it reads."""
    with clinic.context.store.sessions.begin() as session:
        session.execute(update(CareContact).values(deleted=True))
        session.execute(update(Appointment).values(deleted=True))


@pytest.fixture
def day(clinic: Services, monkeypatch: pytest.MonkeyPatch) -> Day:
    """Today's booked day in the demo clinic."""
    return booked_day(clinic, monkeypatch)
