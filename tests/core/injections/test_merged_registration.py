"""Injections recorded under a registration merged into the record: checked, continued, printed."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid

import numpy as np
import pytest

from clinic_app.demo import demo_password
from clinic_app.kernel.errors import Conflict, FormErrors, NotFound
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.nhs_number import synthetic_numbers
from clinic_app.people.views import PatientInput
from tests.core.injections.conftest import Clinic
from tests.core.injections.helpers import knee_injection
from tests.support.merges import merged_by_sync


def _registered(clinic: Clinic) -> uuid.UUID:
    """A patient registered with no referral yet, so with no episode of care."""
    return clinic.services.patients.register(
        SYSTEM,
        PatientInput(given_name="Iris", family_name="Lund", date_of_birth="1950-01-02", sex="2"),
    ).id


def test_an_open_septic_flag_under_a_merged_registration_stops_the_steroid(
    clinic: Clinic,
) -> None:
    services, clinician = clinic.services, clinic.clinician
    survivor, second = _registered(clinic), _registered(clinic)
    # A hot swollen knee screened at another clinic under a second registration (no episode
    # there either), since merged into this record: its banner is up on the surviving record.
    services.red_flags.record(
        clinician,
        second,
        "septic_arthritis",
        {"hot_swollen_joint": "yes", "joint_replacement": "no"},
    )
    merged_by_sync(services, survivor=survivor, merged=second)
    assert services.red_flags.unresolved(clinician, survivor)

    draft = services.injections.start(clinician, survivor)
    assert draft.episode_id is None  # the same episode (none) as the screening
    services.injections.save(clinician, draft.id, knee_injection(clinic.pgd()))
    stops = services.injections.checks(clinician, draft.id).hard_stops
    assert [(s.code, s.field) for s in stops] == [("injection.septic_flag", "target")]


def _registered_as(clinic: Clinic, family: str, number: str = "") -> uuid.UUID:
    """A patient registered with no referral yet, under ``family`` (and ``number``, if given)."""
    return clinic.services.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Iris",
            family_name=family,
            date_of_birth="1950-01-02",
            sex="2",
            nhs_number=number,
        ),
    ).id


def _words(pdf: bytes) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext is not installed")
    text = subprocess.run([tool, "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return re.sub(r"\s+", " ", text.decode())


def _signed(clinic: Clinic, patient: uuid.UUID) -> uuid.UUID:
    """A signed knee injection of ``patient``, its warnings acknowledged."""
    services, clinician = clinic.services, clinic.clinician
    draft = services.injections.start(clinician, patient)
    services.injections.save(clinician, draft.id, knee_injection(clinic.pgd()))
    for warning in services.injections.checks(clinician, draft.id).warnings:
        services.injections.acknowledge(clinician, draft.id, warning.code)
    services.injections.sign(clinician, draft.id, demo_password("clinician"))
    return draft.id


def test_a_draft_left_under_a_merged_registration_is_continued_on_the_surviving_record(
    clinic: Clinic,
) -> None:
    services, clinician = clinic.services, clinic.clinician
    survivor, second, stranger = _registered(clinic), _registered(clinic), _registered(clinic)
    pgd = clinic.pgd()
    # Begun at another clinic under the second registration, then the two were merged. The
    # third registration, alike in every detail, was never merged: another patient's draft.
    draft = services.injections.start(clinician, second)
    services.injections.save(clinician, draft.id, knee_injection(pgd, side="right"))
    theirs = services.injections.start(clinician, stranger)
    services.injections.save(clinician, theirs.id, knee_injection(pgd))
    merged_by_sync(services, survivor=survivor, merged=second)

    offered = services.injections.start(clinician, survivor)
    assert offered.id == draft.id
    assert [r.id for r in services.injections.for_patient(clinician, survivor)] == [draft.id]
    with pytest.raises(NotFound):
        services.injections.get(clinician, theirs.id, patient_id=survivor)
    with pytest.raises(NotFound):
        services.injections.checks(clinician, theirs.id, patient_id=survivor)
    with pytest.raises(Conflict) as saving:
        services.injections.save(clinician, theirs.id, knee_injection(pgd), patient_id=survivor)
    assert saving.value.code == "injection.wrong_patient"

    assert services.injections.get(clinician, draft.id, patient_id=survivor).fields.side == "right"
    saved = services.injections.save(
        clinician, draft.id, knee_injection(pgd, side="left"), patient_id=survivor
    )
    assert saved.fields.side == "left"
    checks = services.injections.checks(clinician, draft.id, patient_id=survivor)
    for warning in checks.warnings:
        services.injections.acknowledge(clinician, draft.id, warning.code, patient_id=survivor)
    signed = services.injections.sign(
        clinician, draft.id, demo_password("clinician"), patient_id=survivor
    )
    assert signed.is_signed
    assert signed.patient_id == second  # kept under the registration it was begun on


def test_a_signed_injection_under_a_merged_registration_opens_and_prints_as_the_survivor(
    clinic: Clinic,
) -> None:
    services, clinician = clinic.services, clinic.clinician
    number = next(synthetic_numbers(1, start=5100))
    survivor = _registered_as(clinic, "Lund", number)
    # Registered at another clinic under her former surname, with no NHS number.
    second = _registered_as(clinic, "Holt")
    record = _signed(clinic, second)
    merged_by_sync(services, survivor=survivor, merged=second)
    theirs = _signed(clinic, _registered_as(clinic, "Lund"))

    assert services.injections.get(clinician, record, patient_id=survivor).is_signed
    added = services.injections.add_addendum(
        clinician,
        record,
        "Reviewed by phone: no flare.",
        demo_password("clinician"),
        patient_id=survivor,
    )
    assert [a.text for a in added.addenda] == ["Reviewed by phone: no flare."]

    grouped = f"{number[:3]} {number[3:6]} {number[6:]}"
    for banner in (survivor, second):
        words = _words(services.injections.aftercare(clinician, record, banner))
        assert re.search(rf"LUND, Iris\s+Born \d+ \w+ \d{{4}}\s+NHS {grouped}", words), words
        assert "HOLT" not in words

    # A namesake never merged into the record (no NHS number either) is another patient.
    with pytest.raises(NotFound):
        services.injections.get(clinician, theirs, patient_id=survivor)
    with pytest.raises(Conflict) as adding:
        services.injections.add_addendum(
            clinician, theirs, "Words.", demo_password("clinician"), patient_id=survivor
        )
    assert adding.value.code == "injection.wrong_patient"
    with pytest.raises(NotFound):
        services.injections.aftercare(clinician, theirs, survivor)


def test_a_guidance_scan_under_a_merged_registration_is_the_patients_own(clinic: Clinic) -> None:
    """The injection form offers the studies of the record and of registrations merged into
    it; saving one of them is accepted, and another patient's study is still refused."""
    services, clinician = clinic.services, clinic.clinician
    sonographer = services.auth.login("sonographer", demo_password("sonographer"))
    numbers = synthetic_numbers(3, start=60_000)
    survivor, second, stranger = (
        services.patients.register(
            SYSTEM,
            PatientInput(
                given_name="Iris",
                family_name="Lund",
                date_of_birth="1950-01-02",
                sex="2",
                nhs_number=next(numbers),
            ),
        ).id
        for _ in range(3)
    )
    frame = np.random.default_rng(3).integers(0, 90, (64, 80, 3), dtype=np.uint8)
    scans = {
        who: services.imaging.capture_still(
            sonographer, who, frame, body_part="KNEE", laterality="R"
        ).study_id
        for who in (second, stranger)
    }
    merged_by_sync(services, survivor=survivor, merged=second)
    pgd = clinic.pgd()
    draft = services.injections.start(clinician, survivor)

    offered = {s.id for s in services.imaging.studies(sonographer, survivor)}
    assert offered == {scans[second]}
    saved = services.injections.save(
        clinician,
        draft.id,
        knee_injection(pgd, guidance="ultrasound", imaging_study_id=scans[second]),
        patient_id=survivor,
    )
    assert saved.fields.imaging_study_id == scans[second]
    with pytest.raises(FormErrors) as refused:
        services.injections.save(
            clinician,
            draft.id,
            knee_injection(pgd, guidance="ultrasound", imaging_study_id=scans[stranger]),
            patient_id=survivor,
        )
    assert ("injection.unknown_study", "imaging_study_id") in {
        (error.code, error.field) for error in refused.value.errors
    }
