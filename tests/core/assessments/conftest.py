"""A clinician and a patient in an empty store, for the assessments' tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from clinic_app.container import Services
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput

PASSWORD = "correct horse battery"


@dataclass
class Clinic:
    """The services, a signed-in clinician and one synthetic patient."""

    services: Services
    clinician: CurrentUser
    patient_id: uuid.UUID


@pytest.fixture
def clinic(services: Services) -> Clinic:
    services.users.add(
        SYSTEM, username="physio", display_name="Physio", role=Role.CLINICIAN, password=PASSWORD
    )
    patient = services.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Harriet",
            family_name="Ashworth",
            date_of_birth="1961-07-04",
            sex="2",
            nhs_number="9990000018",
        ),
    )
    return Clinic(services, services.auth.login("physio", PASSWORD), patient.id)
