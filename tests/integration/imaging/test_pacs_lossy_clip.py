"""A clip kept lossy (JPEG baseline) reaches a real Orthanc: as kept, or decompressed for one
that takes only uncompressed images; either way the same object, still saying it is lossy."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import numpy as np
import pytest
from pydicom import dcmread
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, JPEGBaseline8Bit

from clinic_app.container import Services
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput
from tests.support.orthanc import Orthanc

pytestmark = pytest.mark.timeout(240)
PASSWORD = "correct horse battery"
UNCOMPRESSED = [str(ImplicitVRLittleEndian), str(ExplicitVRLittleEndian)]


def _clip() -> np.ndarray:
    rng = np.random.default_rng(11)
    frames = rng.integers(0, 50, (6, 96, 128, 3), dtype=np.uint8)
    for index in range(6):
        frames[index, 20 + index * 8 : 28 + index * 8, 10:118, :] = 200
    return frames


def _sonographer(services: Services) -> CurrentUser:
    services.users.add(
        SYSTEM, username="tom", display_name="Tom Okafor", role=Role.SONOGRAPHER, password=PASSWORD
    )
    return services.auth.login("tom", PASSWORD)


@pytest.mark.parametrize("only_uncompressed", [False, True], ids=["as kept", "decompressed"])
def test_a_lossy_clip_is_archived_and_confirmed(
    services: Services, tmp_path: Path, *, only_uncompressed: bool
) -> None:
    tom = _sonographer(services)
    patient = services.patients.register(
        tom,
        PatientInput(
            nhs_number="9990000042",
            family_name="Lovelace",
            given_name="Ada",
            date_of_birth="1960-03-14",
            sex="2",
        ),
    )
    services.dicom_settings.change(SYSTEM, clip_compression="lossy")
    frames = _clip()
    services.imaging.capture_clip(tom, patient.id, frames, 40.0, body_part="KNEE", laterality="R")
    (study,) = services.imaging.studies(tom, patient.id)
    (image,) = study.instances
    kept = dcmread(io.BytesIO(services.imaging.image_file(tom, image.id)))
    assert kept.file_meta.TransferSyntaxUID == JPEGBaseline8Bit
    options = {"accepted_syntaxes": UNCOMPRESSED} if only_uncompressed else {}
    pacs = Orthanc(tmp_path / "pacs", **options).start()  # type: ignore[arg-type]
    try:
        services.dicom_settings.change(
            SYSTEM, pacs_ae_title=pacs.ae_title, pacs_host="127.0.0.1", pacs_port=pacs.dicom_port
        )
        services.pacs.send_study(tom, study.id)
        (outcome,) = services.pacs.send_due()
        assert (outcome.archived, outcome.error, outcome.confirmed) == (True, None, 1), outcome
        (held_id,) = pacs.get("/instances")  # type: ignore[misc]
        held = dcmread(
            io.BytesIO(httpx.get(f"{pacs.url}/instances/{held_id}/file", timeout=30).content)
        )
    finally:
        pacs.stop()
    expected = UNCOMPRESSED if only_uncompressed else [str(JPEGBaseline8Bit)]
    assert held.file_meta.TransferSyntaxUID in expected
    assert held.SOPInstanceUID == kept.SOPInstanceUID
    assert held.LossyImageCompression == "01"
    assert held.LossyImageCompressionMethod == "ISO_10918_1"
    assert int(held.NumberOfFrames) == 6
    # What the PACS holds shows the same pictures the app keeps.
    assert np.abs(held.pixel_array.astype(int) - kept.pixel_array.astype(int)).max() <= 2
