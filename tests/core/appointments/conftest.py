"""A small clinic for the clinic day's tests: two sites, two clinicians, reception, patients."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest

from clinic_app.container import Services
from clinic_app.domains.appointments.views import AppointmentView, BookingInput
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.session import Actor
from clinic_app.kernel.staff import Site
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput

PASSWORD = "correct horse battery"


@dataclass
class Clinic:
    services: Services
    riverside: uuid.UUID
    hilltop: uuid.UUID
    physio: CurrentUser
    consultant: CurrentUser
    trainee: CurrentUser
    reception: CurrentUser
    harriet: uuid.UUID
    owen: uuid.UUID

    @property
    def appointments(self):  # type: ignore[no-untyped-def]
        return self.services.appointments

    def booking(self, patient_id: uuid.UUID | None = None, **changes: object) -> BookingInput:
        """A follow-up with the physio at Riverside, tomorrow at 10:30, for 30 minutes."""
        base = BookingInput(
            patient_id=patient_id or self.harriet,
            clinician_id=self.physio.id,
            site_id=self.riverside,
            room="Room 2",
            day=(date.today() + timedelta(days=1)).strftime("%d/%m/%Y"),
            time="10:30",
            minutes="30",
            appointment_type="follow_up",
            mechanism="face_to_face",
        )
        return replace(base, **changes)  # type: ignore[arg-type]

    def book(self, patient_id: uuid.UUID | None = None, **changes: object) -> AppointmentView:
        return self.appointments.book(self.reception, self.booking(patient_id, **changes))


def _site(services: Services, name: str) -> uuid.UUID:
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id)
        site = Site(name=name)
        session.add(site)
        session.flush()
        return site.id


def _user(services: Services, name: str, role: Role, site: uuid.UUID) -> CurrentUser:
    services.users.add(
        SYSTEM,
        username=name,
        display_name=name.title(),
        role=role,
        password=PASSWORD,
        site_id=site,
    )
    return services.auth.login(name, PASSWORD)


def _patient(services: Services, nhs: str, given: str, family: str) -> uuid.UUID:
    return services.patients.register(
        SYSTEM,
        PatientInput(
            given_name=given,
            family_name=family,
            date_of_birth="1961-07-04",
            sex="2",
            nhs_number=nhs,
        ),
    ).id


@pytest.fixture
def clinic(services: Services) -> Clinic:
    riverside = _site(services, "Riverside")
    hilltop = _site(services, "Hilltop")
    return Clinic(
        services=services,
        riverside=riverside,
        hilltop=hilltop,
        physio=_user(services, "physio", Role.CLINICIAN, riverside),
        consultant=_user(services, "consultant", Role.CLINICIAN, hilltop),
        trainee=_user(services, "learner", Role.TRAINEE, riverside),
        reception=_user(services, "reception", Role.ADMIN, riverside),
        harriet=_patient(services, "9990000018", "Harriet", "Ashworth"),
        owen=_patient(services, "9990000026", "Owen", "Bryce"),
    )
