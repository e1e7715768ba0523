"""The server takes a pushed assessment only with its own patient's episode and referral.

A tampered device could push an assessment naming another patient's episode of care or
referral: the server refuses it. The assessment a device really writes is applied.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.container import Services
from clinic_app.kernel.errors import NotFound
from clinic_app.sync.protocol import Status
from tests.support.laptop_push import APPLIED, Laptop, laptop

TABLE = "assessment"
CONTENT = {
    "presenting_complaint": "Right knee pain on stairs",
    "body_regions": ["knee_right_front"],
    "pain_now": 3,
}
WRONG_PATIENT = [(Status.REJECTED, "sync.wrong_patient")]


@pytest.fixture
def device(services: Services, tmp_path: Path) -> Iterator[Laptop]:
    with laptop(services, tmp_path) as made:
        yield made


def _assessment(device: Laptop, patient: uuid.UUID, referral: uuid.UUID) -> uuid.UUID:
    """A draft assessment saved on the laptop in the patient's open episode (not yet pushed)."""
    return device.services.assessments.save_draft(
        device.user, patient, CONTENT, referral_id=referral
    ).id


def test_an_assessment_in_its_patient_s_episode_and_referral_is_applied(device: Laptop) -> None:
    patient = device.patient("9990000018", "Ashworth")
    referral, episode = device.episode(patient)
    assessment = _assessment(device, patient, referral)

    assert device.written(TABLE, assessment)["episode_id"] == str(episode)
    assert device.push(TABLE, assessment) == APPLIED


def test_another_patient_s_episode_or_referral_is_refused(device: Laptop) -> None:
    patient = device.patient("9990000018", "Ashworth")
    other = device.patient("9990000026", "Bramley")
    referral, _episode = device.episode(patient)
    other_referral, other_episode = device.episode(other)
    assessment = _assessment(device, patient, referral)

    assert device.push(TABLE, assessment, episode_id=other_episode) == WRONG_PATIENT
    assert device.push(TABLE, assessment, referral_id=other_referral) == WRONG_PATIENT
    assert device.push(TABLE, assessment) == APPLIED


def test_the_laptop_itself_will_not_file_an_assessment_under_another_patient_s_referral(
    device: Laptop,
) -> None:
    patient = device.patient("9990000018", "Ashworth")
    other = device.patient("9990000026", "Bramley")
    device.episode(patient)
    other_referral, other_episode = device.episode(other)
    assessments = device.services.assessments

    with pytest.raises(NotFound) as refused:
        assessments.save_draft(device.user, patient, CONTENT, referral_id=other_referral)
    assert refused.value.code == "assessment.referral_not_found"
    with pytest.raises(NotFound) as refused:
        assessments.save_draft(device.user, patient, CONTENT, episode_id=other_episode)
    assert refused.value.code == "episode.not_found"
    with pytest.raises(NotFound):
        assessments.save_draft(device.user, patient, CONTENT, referral_id=uuid.uuid4())
    # Nothing was written for either patient.
    for someone in (patient, other):
        on_file = assessments.on_file(device.user, someone)
        assert on_file.draft is None
        assert on_file.signed is None
