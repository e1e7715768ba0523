"""The server takes a pushed imaging study only with its own patient's episode.

A study belongs to the patient it is made for: captured in their record, or received from a
scanner and matched, or assigned by a person. A tampered device could push a study naming
another patient's episode of care: the server refuses it. The studies a device really makes,
an assigned orphan's among them, are applied.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.container import Services
from clinic_app.domains.imaging.model import ImageInstance
from clinic_app.server.apply import apply_push
from clinic_app.sync.protocol import Change, PushRequest, Status
from tests.core.imaging.test_imaging import _frame, _outside_file
from tests.support.laptop_push import APPLIED, Laptop, laptop
from tests.support.server_push import DEVICE, update

TABLE = "imaging_study"
WRONG_PATIENT = [(Status.REJECTED, "sync.wrong_patient")]
MOVED = [(Status.REJECTED, "sync.record_moved")]


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


def _filed(device: Laptop, patient: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    """An image captured in the patient's record, pushed with its study: (image, study)."""
    image = device.services.imaging.capture_still(
        device.user, patient, _frame(1), body_part="KNEE", laterality="R"
    )
    assert image.study_id is not None
    with device.services.context.store.sessions() as session:
        attachment = session.scalar(
            select(ImageInstance.attachment_id).where(ImageInstance.id == image.id)
        )
    assert attachment is not None
    assert device.push(TABLE, image.study_id) == APPLIED
    # The image's file is taken as already uploaded (files travel apart from their rows).
    fields = device.written("attachment", attachment)
    with device.server.engine.begin() as conn:
        answer = apply_push(
            conn,
            DEVICE,
            PushRequest(
                uuid.uuid4(),
                (Change(uuid.uuid4(), "attachment", attachment, "insert", 0, fields),),
            ),
            lambda _sha256: True,
            acting=device.acting,
        )
    assert [result.status for result in answer.results] == [Status.APPLIED]
    assert device.push("image_instance", image.id) == APPLIED
    return image.id, image.study_id


def test_an_image_filed_in_a_study_is_never_moved_to_another(device: Laptop) -> None:
    mine = device.patient("9990000018", "Ashworth")
    device.episode(mine)
    theirs = device.patient("9990000026", "Bramley")
    device.episode(theirs)
    image, _study = _filed(device, mine)
    _other_image, their_study = _filed(device, theirs)

    def moved(study: uuid.UUID | None) -> list[tuple[Status, str | None]]:
        return device.server.push(
            device.acting, update("image_instance", image, 1, device.acting, study_id=study)
        )

    # Into another patient's study: the worst kind of wrong-patient change. Out of its study:
    # never done by the app. A record stays where it was filed, whoever pushes the change.
    assert moved(their_study) == MOVED
    assert moved(None) == MOVED


def test_a_study_said_to_be_in_the_pacs_under_another_patient_is_refused(device: Laptop) -> None:
    """Its objects would leave under that patient's name and NHS number on the next send."""
    patient = device.patient("9990000018", "Ashworth")
    other = device.patient("9990000026", "Bramley")
    image = device.services.imaging.capture_still(
        device.user, patient, _frame(1), body_part="KNEE", laterality="R"
    )
    assert image.study_id is not None

    assert device.push(TABLE, image.study_id, pacs_patient_id=other) == WRONG_PATIENT
    assert device.push(TABLE, image.study_id, pacs_patient_id=patient) == APPLIED

    def changed(**values: object) -> list[tuple[Status, str | None]]:
        return device.server.push(
            device.acting, update(TABLE, image.study_id, 1, device.acting, **values)
        )

    # Set once: never changed afterwards, to anyone; the study's other changes still apply.
    assert changed(pacs_patient_id=other) == [(Status.REJECTED, "sync.not_allowed")]
    assert changed(pacs_patient_id=None) == [(Status.REJECTED, "sync.not_allowed")]
    assert changed(purpose="educational") == APPLIED
