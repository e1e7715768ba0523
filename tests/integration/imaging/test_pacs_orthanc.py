"""A real Orthanc receives the app's images by C-STORE and STOW-RS, and says so when asked."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, date, datetime

import numpy as np
import pytest

from clinic_app.domains.imaging.dicom.capture import CaptureContext, new_uid, still
from clinic_app.domains.imaging.dicom.pacs import (
    SUCCESS,
    PacsTarget,
    StowOutcome,
    confirmed,
    send_c_store,
    send_stow_rs,
)
from tests.support.orthanc import Orthanc

pytestmark = pytest.mark.timeout(180)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def _image(nhs: str, study_uid: str, seed: int) -> object:
    context = CaptureContext(
        nhs_number=nhs,
        family_name="Lovelace",
        given_name="Ada",
        birth_date=date(1960, 3, 14),
        sex="F",
        study_uid=study_uid,
        series_uid=new_uid(),
        body_part="KNEE",
        laterality="L",
        operator="",
        when=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
    )
    frame = np.random.default_rng(seed).integers(0, 80, (48, 64, 3), dtype=np.uint8)
    return still(frame, context)


def test_the_tests_run_where_only_loopback_exists() -> None:
    """Orthanc binds every interface: in CI the tests run in a private network namespace."""
    if not _in_ci():
        pytest.skip("checked in CI, where the test command makes the namespace")
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=True)
    names = [line.split(":")[1].strip() for line in links.stdout.splitlines()]
    assert names == ["lo"], names


def test_c_store_lands_under_the_right_patient_and_is_confirmed(orthanc: Orthanc) -> None:
    study = str(new_uid())
    images = [_image("9990000018", study, seed) for seed in (1, 2)]
    target = PacsTarget(orthanc.ae_title, "127.0.0.1", orthanc.dicom_port)
    statuses = send_c_store(target, images)
    assert set(statuses.values()) == {SUCCESS}
    patients = orthanc.get("/patients?expand")
    assert [p["MainDicomTags"]["PatientID"] for p in patients] == ["9990000018"]  # type: ignore[index]
    assert len(orthanc.get("/instances")) == 2  # type: ignore[arg-type]
    sops = {str(image.SOPInstanceUID) for image in images}  # type: ignore[attr-defined]
    assert confirmed(target, study, sops | {"2.25.1"}) == sops


def test_stow_rs_lands_under_the_right_patient(orthanc: Orthanc) -> None:
    study = str(new_uid())
    image = _image("9990000026", study, 3)
    target = PacsTarget(
        orthanc.ae_title,
        "127.0.0.1",
        orthanc.dicom_port,
        dicomweb_url=f"{orthanc.url}/dicom-web",
    )
    assert send_stow_rs(target, [image]) == StowOutcome(200, {})
    patients = orthanc.get("/patients?expand")
    assert [p["MainDicomTags"]["PatientID"] for p in patients] == ["9990000026"]  # type: ignore[index]
    assert confirmed(target, study, [str(image.SOPInstanceUID)])  # type: ignore[attr-defined]
