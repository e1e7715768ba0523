"""Imaging studies and scan reports belong to the episode of care open when they are made."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.domains.reports.model import ScanReport
from clinic_app.domains.triage.views import TriageInput
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput, ReferralInput
from tests.core.reports.test_reports import PASSWORD, _content


@pytest.fixture
def clinician(services: Services) -> CurrentUser:
    services.users.add(
        SYSTEM, username="cal", display_name="Cal", role=Role.CLINICIAN, password=PASSWORD
    )
    return services.auth.login("cal", PASSWORD)


def _patient(services: Services, nhs: str, family: str) -> uuid.UUID:
    return services.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Harriet",
            family_name=family,
            date_of_birth="1961-07-04",
            sex="2",
            nhs_number=nhs,
        ),
    ).id


def _book(services: Services, clinician: CurrentUser, patient_id: uuid.UUID) -> uuid.UUID:
    referral = services.referrals.create(
        SYSTEM,
        ReferralInput(
            patient_id=patient_id,
            source="gp",
            received_on="2025-03-03",
            referrer_name="Dr A Hughes",
            reason="Knee pain",
            specialty="physiotherapy",
        ),
    ).id
    view = services.triage.triage(
        clinician,
        referral,
        TriageInput(outcome="appointment", priority="routine", pathway="physiotherapy"),
    )
    assert view.episode_id is not None
    return view.episode_id


def _scan_and_report(
    services: Services, clinician: CurrentUser, patient_id: uuid.UUID
) -> tuple[uuid.UUID | None, uuid.UUID | None, uuid.UUID | None]:
    """The episode of the study, of its signed report, and of that report's addendum."""
    frame = np.random.default_rng(1).integers(0, 90, (48, 64, 3), dtype=np.uint8)
    image = services.imaging.capture_still(
        clinician, patient_id, frame, body_part="KNEE", laterality="R"
    )
    assert image.study_id is not None
    [study] = services.imaging.studies(clinician, patient_id)
    reports = services.reports
    report = reports.start(clinician, image.study_id)
    reports.save(clinician, report.id, _content(image.id))
    signed = reports.sign(clinician, report.id, PASSWORD)
    assert signed.episode_id == report.episode_id
    later = reports.addendum(clinician, signed.id, "Effusion resolved on review.")
    assert reports.get(clinician, later.id).episode_id == later.episode_id
    return study.episode_id, signed.episode_id, later.episode_id


def test_a_study_and_its_report_made_in_an_open_episode_carry_it(
    services: Services, clinician: CurrentUser
) -> None:
    patient_id = _patient(services, "9990000018", "Ashworth")
    episode_id = _book(services, clinician, patient_id)
    assert _scan_and_report(services, clinician, patient_id) == (episode_id,) * 3
    with services.context.store.sessions() as session:
        rows = session.scalars(select(ScanReport).where(ScanReport.patient_id == patient_id))
        assert {row.episode_id for row in rows} == {episode_id}


def test_with_no_open_episode_they_belong_to_none(
    services: Services, clinician: CurrentUser
) -> None:
    patient_id = _patient(services, "9990000026", "Begum")
    # Another patient's open episode is never borrowed.
    _book(services, clinician, _patient(services, "9990000034", "Chowdhury"))
    assert _scan_and_report(services, clinician, patient_id) == (None, None, None)
