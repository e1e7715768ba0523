"""The same object twice: a re-sent or re-imported object is the one already held, not an error.

An object whose SOP Instance UID is already held is compared by content (its data set after
the file meta information): the same content is a success that stores nothing new; a
different object under the same UID is refused with its own code. A real scanner re-sends
with dcmtk's storescu.
"""

from __future__ import annotations

import io
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset
from sqlalchemy import func, select

from clinic_app.container import Services
from clinic_app.domains.imaging.dicom.receive import StorageReceiver
from clinic_app.domains.imaging.model import ImageInstance
from clinic_app.kernel.attachments import Attachment
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput, PatientRecord
from tests.support.dcmtk import dcmtk
from tests.support.us_image import ScanSubject, us_image

PASSWORD = "correct horse battery"
UNKNOWN = ScanSubject(nhs_number="9990000050", family_name="STRANGER", given_name="Sam")


def _bytes(ds: Dataset) -> bytes:
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def _counts(services: Services) -> tuple[int, int]:
    """How many instances and attachments the store holds."""
    with services.context.store.sessions() as session:
        instances = session.scalar(select(func.count()).select_from(ImageInstance))
        attachments = session.scalar(select(func.count()).select_from(Attachment))
    return int(instances or 0), int(attachments or 0)


@pytest.fixture
def sonographer(services: Services) -> CurrentUser:
    services.users.add(
        SYSTEM, username="tom", display_name="Tom Okafor", role=Role.SONOGRAPHER, password=PASSWORD
    )
    return services.auth.login("tom", PASSWORD)


def _patient(services: Services, actor: CurrentUser, nhs: str, family: str) -> PatientRecord:
    return services.patients.register(
        actor,
        PatientInput(
            nhs_number=nhs,
            family_name=family,
            given_name="Ada",
            date_of_birth="1960-03-14",
            sex="2",
        ),
    )


def test_importing_the_same_file_again_returns_the_image_already_held(
    services: Services, sonographer: CurrentUser
) -> None:
    data = _bytes(us_image(subject=UNKNOWN))
    first = services.imaging.import_dicom(sonographer, data)
    held = _counts(services)
    again = services.imaging.import_dicom(sonographer, data)
    assert again.id == first.id
    assert _counts(services) == held == (1, 1)


def test_the_same_object_with_other_file_meta_is_the_same_object(
    services: Services, sonographer: CurrentUser
) -> None:
    """The receiving side writes the file meta (implementation, source AE): not the content."""
    image = us_image(subject=UNKNOWN)
    first = services.imaging.receive(_bytes(image))
    image.file_meta.ImplementationVersionName = "OTHER_WRITER_1"
    image.file_meta.SourceApplicationEntityTitle = "SCANNER2"
    resent = _bytes(image)
    assert dcmread(io.BytesIO(resent)).file_meta.SourceApplicationEntityTitle == "SCANNER2"
    assert services.imaging.receive(resent).id == first.id
    assert _counts(services) == (1, 1)


def test_a_different_object_under_a_held_uid_is_refused_in_plain_words(
    services: Services, sonographer: CurrentUser
) -> None:
    image = us_image(subject=UNKNOWN, seed=7)
    services.imaging.import_dicom(sonographer, _bytes(image))
    other = us_image(subject=UNKNOWN, seed=8)  # other pixels...
    other.SOPInstanceUID = image.SOPInstanceUID  # ...under the same identifier
    other.file_meta.MediaStorageSOPInstanceUID = image.SOPInstanceUID
    with pytest.raises(Conflict) as refused:
        services.imaging.import_dicom(sonographer, _bytes(other))
    assert refused.value.code == "dicom.duplicate_instance"
    with pytest.raises(Conflict) as received:
        services.imaging.receive(_bytes(other))
    assert received.value.code == "dicom.duplicate_instance"
    assert _counts(services) == (1, 1)


def test_an_object_held_in_one_record_is_not_taken_into_another(
    services: Services, sonographer: CurrentUser
) -> None:
    ada = _patient(services, sonographer, "9990000018", "Lovelace")
    byron = _patient(services, sonographer, "9990000026", "Byron")
    data = _bytes(us_image(subject=ScanSubject(nhs_number="US-LOCAL-1")))
    kept = services.imaging.import_dicom(sonographer, data, patient_id=ada.id)
    assert services.imaging.import_dicom(sonographer, data, patient_id=ada.id).id == kept.id
    with pytest.raises(Conflict) as refused:
        services.imaging.import_dicom(sonographer, data, patient_id=byron.id)
    assert refused.value.code == "dicom.wrong_patient"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def receiver(services: Services) -> Iterator[StorageReceiver]:
    running = StorageReceiver(services.imaging.receive, port=_free_port())
    running.start()
    yield running
    running.stop()


def _storescu(receiver: StorageReceiver, path: Path) -> str:
    pushed = subprocess.run(
        [
            dcmtk("storescu"),
            "-v",
            "-aec",
            receiver.ae_title,
            "127.0.0.1",
            str(receiver.port),
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return pushed.stdout + pushed.stderr


def test_a_scanner_resending_an_image_is_answered_success_and_nothing_is_stored_twice(
    services: Services, receiver: StorageReceiver, tmp_path: Path
) -> None:
    dcmtk("storescu")  # skipped, or failed in CI, without dcmtk
    image = us_image(subject=UNKNOWN)
    path = tmp_path / "us.dcm"
    image.save_as(path, enforce_file_format=True)
    first = _storescu(receiver, path)
    assert "Received Store Response (Success)" in first, first
    again = _storescu(receiver, path)
    assert "Received Store Response (Success)" in again, again
    assert _counts(services) == (1, 1)

    # Another picture under the same identifier: refused, and the one held stays.
    other = us_image(subject=UNKNOWN, seed=9)
    other.SOPInstanceUID = image.SOPInstanceUID
    other.file_meta.MediaStorageSOPInstanceUID = image.SOPInstanceUID
    other_path = tmp_path / "other.dcm"
    other.save_as(other_path, enforce_file_format=True)
    refused = _storescu(receiver, other_path)
    assert "Received Store Response (Success)" not in refused, refused
    assert _counts(services) == (1, 1)
