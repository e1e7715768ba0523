"""A PACS that takes only uncompressed images, refuses the app, or is reached only by DICOMweb.

Real Orthancs: one configured to accept only Explicit and Implicit VR Little Endian (the
app keeps JPEG-LS), one that does not know the app's AE title, and the DICOMweb plug-in.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
from pydicom import dcmread
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, JPEGLSLossless

from clinic_app.container import Services
from clinic_app.domains.imaging.dicom.capture import new_uid
from clinic_app.domains.imaging.dicom.pacs import (
    PacsTarget,
    confirmed,
    confirmed_dicomweb,
    refusal,
    send_c_store,
    send_stow_rs,
)
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput, PatientRecord
from tests.support.orthanc import Orthanc
from tests.support.sync_server import free_port
from tests.support.us_image import us_multiframe

pytestmark = pytest.mark.timeout(240)
PASSWORD = "correct horse battery"
UNCOMPRESSED = [str(ImplicitVRLittleEndian), str(ExplicitVRLittleEndian)]


@pytest.fixture
def sonographer(services: Services) -> CurrentUser:
    services.users.add(
        SYSTEM, username="tom", display_name="Tom Okafor", role=Role.SONOGRAPHER, password=PASSWORD
    )
    return services.auth.login("tom", PASSWORD)


@pytest.fixture
def patient(services: Services, sonographer: CurrentUser) -> PatientRecord:
    return services.patients.register(
        sonographer,
        PatientInput(
            nhs_number="9990000042",
            family_name="Lovelace",
            given_name="Ada",
            date_of_birth="1960-03-14",
            sex="2",
        ),
    )


def _scanned(services: Services, actor: CurrentUser, patient: PatientRecord) -> object:
    services.imaging.capture_still(
        actor,
        patient.id,
        np.random.default_rng(5).integers(0, 120, (96, 128, 3), dtype=np.uint8),
        body_part="SHOULDER",
        laterality="R",
    )
    (study,) = services.imaging.studies(actor, patient.id)
    return study


def _started(folder: Path, **options: object) -> Orthanc:
    return Orthanc(folder, **options).start()  # type: ignore[arg-type]


def test_a_pacs_taking_only_uncompressed_gets_the_image_decompressed_and_confirms(
    services: Services, sonographer: CurrentUser, patient: PatientRecord, tmp_path: Path
) -> None:
    study = _scanned(services, sonographer, patient)
    (image,) = study.instances  # type: ignore[attr-defined]
    kept = dcmread(io.BytesIO(services.imaging.image_file(sonographer, image.id)))
    assert kept.file_meta.TransferSyntaxUID == JPEGLSLossless
    pacs = _started(tmp_path / "plain", accepted_syntaxes=UNCOMPRESSED)
    try:
        services.dicom_settings.change(
            SYSTEM, pacs_ae_title=pacs.ae_title, pacs_host="127.0.0.1", pacs_port=pacs.dicom_port
        )
        services.pacs.send_study(sonographer, study.id)  # type: ignore[attr-defined]
        (outcome,) = services.pacs.send_due()
        assert (outcome.archived, outcome.error, outcome.confirmed) == (True, None, 1), outcome
        (held_id,) = pacs.get("/instances")  # type: ignore[misc]
        held = dcmread(
            io.BytesIO(httpx.get(f"{pacs.url}/instances/{held_id}/file", timeout=30).content)
        )
    finally:
        pacs.stop()
    assert held.file_meta.TransferSyntaxUID in UNCOMPRESSED
    assert held.SOPInstanceUID == kept.SOPInstanceUID  # the same object, not a new one
    assert np.array_equal(held.pixel_array, kept.pixel_array)  # lossless both ways


def test_a_pacs_that_does_not_know_the_app_is_not_called_silent(
    services: Services, sonographer: CurrentUser, patient: PatientRecord, tmp_path: Path
) -> None:
    study = _scanned(services, sonographer, patient)
    pacs = _started(tmp_path / "strict", app_ae="SOMEONE", known_callers_only=True)
    try:
        services.dicom_settings.change(
            SYSTEM, pacs_ae_title=pacs.ae_title, pacs_host="127.0.0.1", pacs_port=pacs.dicom_port
        )
        services.pacs.send_study(sonographer, study.id)  # type: ignore[attr-defined]
        (outcome,) = services.pacs.send_due()
    finally:
        pacs.stop()
    assert outcome.archived is False
    assert outcome.error == "pacs.cut_off"
    (send,) = services.pacs.sends(sonographer)
    assert (send.state, send.last_error) == ("waiting", "pacs.cut_off")


def test_a_pacs_rejecting_the_association_is_named_so(tmp_path: Path) -> None:
    pacs = _started(tmp_path / "called", check_called_ae=True)
    try:
        wrong = PacsTarget("NOT_ORTHANC", "127.0.0.1", pacs.dicom_port)
        # Orthanc now and then drops an association before answering it, most often one asked
        # for straight after one it rejected or on a loaded machine (no answer: "unreachable",
        # which the queue tries again later, as for any PACS that does not answer); asked
        # again, it answers with its rejection. Each step is asked up to five times.
        for _attempt in range(5):
            with pytest.raises(ClinicError) as sending:
                send_c_store(wrong, [us_multiframe(frames=2)])
            if sending.value.code != "pacs.unreachable":
                break
            time.sleep(0.2)
        for _attempt in range(5):
            with pytest.raises(ClinicError) as asking:
                confirmed(wrong, str(new_uid()), ["2.25.1"])
            if asking.value.code != "pacs.unreachable":
                break
            time.sleep(0.2)
    finally:
        pacs.stop()
    assert sending.value.code == asking.value.code == "pacs.association_refused"


def test_stow_rs_says_which_instances_the_pacs_refused(orthanc: Orthanc) -> None:
    target = PacsTarget(
        orthanc.ae_title, "127.0.0.1", orthanc.dicom_port, dicomweb_url=f"{orthanc.url}/dicom-web"
    )
    image = us_multiframe(frames=2)
    # Stored into another study than its own: Orthanc refuses it in the Failed SOP Sequence.
    outcome = send_stow_rs(target, [image], study_uid=str(new_uid()))
    assert outcome.status == 409
    assert list(outcome.failed) == [str(image.SOPInstanceUID)]
    refused = refusal(outcome.failed[str(image.SOPInstanceUID)])
    assert refused is not None
    assert refused.code == "pacs.refused"  # Orthanc's reason: 0110, processing failure
    assert orthanc.get("/instances") == []

    stored = send_stow_rs(target, [image], study_uid=str(image.StudyInstanceUID))
    assert (stored.status, stored.failed) == (200, {})
    sop = str(image.SOPInstanceUID)
    assert confirmed_dicomweb(target, str(image.StudyInstanceUID), [sop, "2.25.1"]) == {sop}
    assert confirmed_dicomweb(target, str(new_uid()), [sop]) == set()


def test_a_dicomweb_only_pacs_is_confirmed_by_qido_rs(
    services: Services, sonographer: CurrentUser, patient: PatientRecord, orthanc: Orthanc
) -> None:
    study = _scanned(services, sonographer, patient)
    services.dicom_settings.change(
        SYSTEM,
        pacs_ae_title=orthanc.ae_title,
        pacs_host="127.0.0.1",
        pacs_port=free_port(),  # nothing listens there: DICOM is never asked
        pacs_method="stow-rs",
        pacs_dicomweb_url=f"{orthanc.url}/dicom-web",
    )
    services.pacs.send_study(sonographer, study.id)  # type: ignore[attr-defined]
    (outcome,) = services.pacs.send_due()
    assert (outcome.archived, outcome.error, outcome.confirmed) == (True, None, 1), outcome
