"""The server takes a pushed imaging study only with its own patient's episode.

A study belongs to the patient it is made for: captured in their record, or received from a
scanner and matched, or assigned by a person. A tampered device could push a study naming
another patient's episode of care: the server refuses it. The studies a device really makes,
an assigned orphan's among them, are applied.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.container import Services
from clinic_app.sync.protocol import Status
from tests.core.imaging.test_imaging import _frame, _outside_file
from tests.core.triage.laptop import APPLIED, Laptop, laptop

TABLE = "imaging_study"
WRONG_PATIENT = [(Status.REJECTED, "sync.wrong_patient")]


@pytest.fixture
def device(services: Services, tmp_path: Path) -> Iterator[Laptop]:
    with laptop(services, tmp_path) as made:
        yield made


def test_a_study_captured_in_the_patient_s_episode_is_applied(device: Laptop) -> None:
    patient = device.patient("9990000018", "Ashworth")
    _referral, episode = device.episode(patient)
    image = device.services.imaging.capture_still(
        device.user, patient, _frame(1), body_part="KNEE", laterality="R"
    )
    assert image.study_id is not None

    assert device.written(TABLE, image.study_id)["episode_id"] == str(episode)
    assert device.push(TABLE, image.study_id) == APPLIED


def test_a_received_orphan_assigned_to_a_patient_is_applied(device: Laptop) -> None:
    patient = device.patient("9990000018", "Ashworth")
    _referral, episode = device.episode(patient)
    # A scanner's object whose NHS number nobody here has waits for a person to assign it.
    orphan = device.services.imaging.receive(_outside_file("9990000034"))
    assert orphan.study_id is None
    assigned = device.services.imaging.assign(device.user, orphan.id, patient)
    assert assigned.study_id is not None

    assert device.written(TABLE, assigned.study_id)["episode_id"] == str(episode)
    assert device.push(TABLE, assigned.study_id) == APPLIED


def test_a_study_naming_another_patient_s_episode_is_refused(device: Laptop) -> None:
    patient = device.patient("9990000018", "Ashworth")
    device.episode(patient)
    _referral, other_episode = device.episode(device.patient("9990000026", "Bramley"))
    image = device.services.imaging.capture_still(
        device.user, patient, _frame(1), body_part="KNEE", laterality="R"
    )
    assert image.study_id is not None

    assert device.push(TABLE, image.study_id, episode_id=other_episode) == WRONG_PATIENT
    assert device.push(TABLE, image.study_id) == APPLIED
