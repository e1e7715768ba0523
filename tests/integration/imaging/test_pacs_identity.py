"""What a person assigns to a record reaches a real Orthanc under that record's patient and study.

A scanner pushes a clip labelled for someone nobody here knows; it waits as an orphan, a
clinician assigns it to the patient scanned today, and the study is sent. Orthanc must file
it under the patient's NHS number and study, the send must be confirmed, the values it came
with must be kept in its Original Attributes Sequence, and dciodvfy must still find no error.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import numpy as np
import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset

from clinic_app.container import Services
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput, PatientRecord
from tests.support.orthanc import Orthanc
from tests.support.us_image import ScanSubject, us_image, us_multiframe

pytestmark = pytest.mark.timeout(240)
PASSWORD = "correct horse battery"
ADA = "9990000042"
STRANGER = ScanSubject(
    nhs_number="9990000050",
    family_name="STRANGER",
    given_name="Sam",
    birth_date=date(1971, 1, 2),
    sex="M",
)


@pytest.fixture
def sonographer(services: Services) -> CurrentUser:
    services.users.add(
        SYSTEM, username="tom", display_name="Tom Okafor", role=Role.SONOGRAPHER, password=PASSWORD
    )
    return services.auth.login("tom", PASSWORD)


@pytest.fixture
def ada(services: Services, sonographer: CurrentUser) -> PatientRecord:
    return services.patients.register(
        sonographer,
        PatientInput(
            nhs_number=ADA,
            family_name="Lovelace",
            given_name="Ada",
            date_of_birth="1960-03-14",
            sex="2",
        ),
    )


def _bytes(ds: Dataset) -> bytes:
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def _require_dciodvfy() -> None:
    if shutil.which("dciodvfy") is None:
        if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
            pytest.fail("dciodvfy is not installed (installers/test.sh installs it)")
        pytest.skip("dciodvfy not installed")


def _errors(path: Path) -> list[str]:
    checked = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True, check=False)
    return [line for line in (checked.stdout + checked.stderr).splitlines() if "Error" in line]


def _held_file(orthanc: Orthanc, sop_uid: str) -> Dataset:
    """The object as Orthanc holds it, fetched by its SOP Instance UID."""
    found = httpx.post(
        f"{orthanc.url}/tools/find",
        json={"Level": "Instance", "Query": {"SOPInstanceUID": sop_uid}},
        timeout=10,
    ).json()
    assert len(found) == 1, found
    data = httpx.get(f"{orthanc.url}/instances/{found[0]}/file", timeout=30).content
    return dcmread(io.BytesIO(data))


def _send(services: Services, orthanc: Orthanc, actor: CurrentUser, study_id: object) -> object:
    services.dicom_settings.change(
        SYSTEM, pacs_ae_title=orthanc.ae_title, pacs_host="127.0.0.1", pacs_port=orthanc.dicom_port
    )
    services.pacs.send_study(actor, study_id)  # type: ignore[arg-type]
    (outcome,) = services.pacs.send_due()
    return outcome


def test_an_assigned_orphan_reaches_the_pacs_under_the_patient_and_study_it_was_assigned_to(
    services: Services,
    sonographer: CurrentUser,
    ada: PatientRecord,
    orthanc: Orthanc,
    tmp_path: Path,
) -> None:
    _require_dciodvfy()
    # Today's scan of Ada, grabbed in the app: the study the orphan will join.
    services.imaging.capture_still(
        sonographer,
        ada.id,
        np.random.default_rng(3).integers(0, 90, (96, 128, 3), dtype=np.uint8),
        body_part="KNEE",
        laterality="L",
    )
    (study,) = services.imaging.studies(sonographer, ada.id)
    # A clip the scanner labelled for someone unknown here (JPEG-LS, as scanners send cines).
    pushed = us_multiframe(subject=STRANGER, jpeg_ls=True, accession="SCAN77", frames=4)
    sent_by_scanner = _bytes(pushed)
    orphan = services.imaging.receive(sent_by_scanner)
    assert orphan.study_id is None
    assigned = services.imaging.assign(sonographer, orphan.id, ada.id)
    assert assigned.study_id == study.id

    outcome = _send(services, orthanc, sonographer, study.id)
    assert (outcome.archived, outcome.error) == (True, None), outcome  # type: ignore[attr-defined]
    assert (outcome.confirmed, outcome.images) == (2, 2)  # type: ignore[attr-defined]

    # Orthanc files everything under Ada and the one study.
    patients = orthanc.get("/patients?expand")
    assert [p["MainDicomTags"]["PatientID"] for p in patients] == [ADA]  # type: ignore[index]
    studies = orthanc.get("/studies?expand")
    assert [s["MainDicomTags"]["StudyInstanceUID"] for s in studies] == [study.study_uid]  # type: ignore[index]

    held = _held_file(orthanc, str(pushed.SOPInstanceUID))
    assert str(held.SOPInstanceUID) == str(pushed.SOPInstanceUID)  # the same object
    assert (held.PatientID, held.IssuerOfPatientID) == (ADA, "NHS")
    assert str(held.PatientName) == "LOVELACE^Ada"
    assert (held.PatientBirthDate, held.PatientSex) == ("19600314", "F")
    assert held.StudyInstanceUID == study.study_uid
    assert held.AccessionNumber == (study.accession or "")
    grabbed = next(
        _held_file(orthanc, str(i.sop_instance_uid))
        for i in services.imaging.studies(sonographer, ada.id)[0].instances
        if i.id != orphan.id
    )
    assert "OriginalAttributesSequence" not in grabbed  # the app's own: nothing to correct
    # The study's header agrees across its objects.
    for keyword in ("StudyDate", "StudyTime", "StudyID", "AccessionNumber"):
        assert held.get(keyword) == grabbed.get(keyword), keyword

    (correction,) = held.OriginalAttributesSequence
    assert correction.ReasonForTheAttributeModification == "CORRECT"
    assert correction.ModifyingSystem == "OneStop MSK"
    assert correction.AttributeModificationDateTime
    assert "SourceOfPreviousValues" in correction
    (before,) = correction.ModifiedAttributesSequence
    assert before.PatientID == STRANGER.nhs_number
    assert str(before.PatientName) == "STRANGER^Sam"
    assert (before.PatientBirthDate, before.PatientSex) == ("19710102", "M")
    assert before.StudyInstanceUID == pushed.StudyInstanceUID
    assert before.AccessionNumber == "SCAN77"
    assert "IssuerOfPatientID" not in before  # it said NHS already: only changes are kept

    path = tmp_path / "held.dcm"
    held.save_as(path, enforce_file_format=True)
    assert _errors(path) == []

    # What the app keeps is what the scanner sent: only what leaves is corrected.
    kept = services.imaging.image_file(sonographer, orphan.id)
    assert kept == sent_by_scanner


def test_a_file_with_other_labels_imported_into_a_record_leaves_under_that_record(
    services: Services,
    sonographer: CurrentUser,
    ada: PatientRecord,
    orthanc: Orthanc,
    tmp_path: Path,
) -> None:
    _require_dciodvfy()
    # A scanner's own numbering, not an NHS number: nothing to check it against.
    local = ScanSubject(nhs_number="US-000123", family_name="ANON", given_name="Scan")
    image = us_image(subject=local, when=datetime(2026, 11, 25, 9, 15, 30, tzinfo=UTC))
    view = services.imaging.import_dicom(sonographer, _bytes(image), patient_id=ada.id)
    (study,) = services.imaging.studies(sonographer, ada.id)
    assert view.study_id == study.id

    outcome = _send(services, orthanc, sonographer, study.id)
    assert (outcome.archived, outcome.confirmed) == (True, 1), outcome  # type: ignore[attr-defined]
    held = _held_file(orthanc, str(image.SOPInstanceUID))
    assert (held.PatientID, str(held.PatientName)) == (ADA, "LOVELACE^Ada")
    # Its own study (it came with its UID): the study's header stays its own.
    assert held.StudyInstanceUID == image.StudyInstanceUID == study.study_uid
    assert held.StudyDate == image.StudyDate
    (correction,) = held.OriginalAttributesSequence
    (before,) = correction.ModifiedAttributesSequence
    assert (before.PatientID, str(before.PatientName)) == ("US-000123", "ANON^Scan")
    assert "StudyInstanceUID" not in before
    path = tmp_path / "held.dcm"
    held.save_as(path, enforce_file_format=True)
    assert _errors(path) == []


def test_nothing_leaves_for_a_patient_without_an_nhs_number(
    services: Services, sonographer: CurrentUser, orthanc: Orthanc
) -> None:
    unnumbered = services.patients.register(
        sonographer,
        PatientInput(
            nhs_number="",
            family_name="Doe",
            given_name="Alex",
            date_of_birth="1980-05-06",
            sex="1",
        ),
    )
    orphan = services.imaging.receive(_bytes(us_image(subject=STRANGER)))
    services.imaging.assign(sonographer, orphan.id, unnumbered.id)
    (study,) = services.imaging.studies(sonographer, unnumbered.id)
    services.dicom_settings.change(
        SYSTEM, pacs_ae_title=orthanc.ae_title, pacs_host="127.0.0.1", pacs_port=orthanc.dicom_port
    )
    services.pacs.send_study(sonographer, study.id)
    assert services.pacs.send_due() == []  # stopped before sending: nothing was tried
    assert orthanc.get("/instances") == []
    (send,) = services.pacs.sends(sonographer)
    assert (send.state, send.last_error) == ("stopped", "dicom.no_nhs_number")
    assert services.imaging.studies(sonographer, unnumbered.id)[0].pacs_state == "stopped"
