"""Images in the record: captured under the right patient, imported, or waiting as orphans."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest
from pydicom import dcmread
from pydicom.uid import UID

from clinic_app.container import Services
from clinic_app.domains.imaging.dicom.capture import CaptureContext, new_uid, still
from clinic_app.domains.imaging.service.encoding import DicomFile, Picture
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, ValidationError
from clinic_app.kernel.store_guard import keep_store_off_this_thread
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput, PatientRecord
from tests.support import clips

PASSWORD = "correct horse battery"


@pytest.fixture
def sonographer(services: Services) -> CurrentUser:
    services.users.add(
        SYSTEM,
        username="tom",
        display_name="Tom Okafor",
        role=Role.SONOGRAPHER,
        password=PASSWORD,
    )
    return services.auth.login("tom", PASSWORD)


def _patient(services: Services, actor: CurrentUser, nhs: str, family: str) -> PatientRecord:
    return services.patients.register(
        actor,
        PatientInput(
            given_name="Ada",
            family_name=family,
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number=nhs,
        ),
    )


def _frame(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 80, (64, 80, 3), dtype=np.uint8)


def _dicom_of(services: Services, actor: CurrentUser, attachment_id: object) -> bytes:
    return services.attachments.read(actor, attachment_id)  # type: ignore[arg-type]


def _outside_file(nhs: str, accession: str = "") -> bytes:
    """A DICOM file as another system would send it, naming a patient by NHS number."""
    context = CaptureContext(
        nhs_number=nhs,
        family_name="Lovelace",
        given_name="Ada",
        birth_date=date(1960, 3, 14),
        sex="F",
        study_uid=new_uid(),
        series_uid=new_uid(),
        body_part="KNEE",
        laterality="R",
        operator="",
        when=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
        accession=accession,
    )
    out = io.BytesIO()
    still(_frame(9), context).save_as(out, enforce_file_format=True)
    return out.getvalue()


def test_a_capture_is_valid_dicom_under_the_patients_study_and_series(
    services: Services, sonographer: CurrentUser
) -> None:
    patient = _patient(services, sonographer, "9990000018", "Lovelace")
    first = services.imaging.capture_still(
        sonographer, patient.id, _frame(1), body_part="KNEE", laterality="L"
    )
    second = services.imaging.capture_still(
        sonographer, patient.id, _frame(2), body_part="KNEE", laterality="L"
    )
    other_side = services.imaging.capture_clip(
        sonographer,
        patient.id,
        np.stack([_frame(3), _frame(4)]),
        40.0,
        body_part="KNEE",
        laterality="R",
    )
    assert first.study_id == second.study_id == other_side.study_id  # one encounter
    read = [
        dcmread(io.BytesIO(_dicom_of(services, sonographer, v.attachment_id)))
        for v in (
            first,
            second,
            other_side,
        )
    ]
    assert read[0].SeriesInstanceUID == read[1].SeriesInstanceUID
    assert read[2].SeriesInstanceUID != read[0].SeriesInstanceUID
    assert read[0].PatientID == "9990000018"
    assert str(read[0].PatientName) == "LOVELACE^Ada"
    assert str(read[0].OperatorsName) == "OKAFOR^Tom"  # family name first, as PN has it
    assert (read[2].NumberOfFrames, other_side.frames) == (2, 2)
    assert np.array_equal(read[0].pixel_array, _frame(1))


def test_the_stored_capture_passes_dciodvfy(
    services: Services, sonographer: CurrentUser, tmp_path: Path
) -> None:
    if shutil.which("dciodvfy") is None:
        pytest.skip("dciodvfy not installed")
    patient = _patient(services, sonographer, "9990000018", "Lovelace")
    image = services.imaging.capture_still(
        sonographer, patient.id, _frame(1), body_part="SHOULDER", laterality="R"
    )
    path = tmp_path / "stored.dcm"
    path.write_bytes(_dicom_of(services, sonographer, image.attachment_id))
    checked = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0
    assert "Error" not in checked.stdout + checked.stderr


def test_an_imported_file_goes_to_the_patient_it_names_or_waits_for_a_person(
    services: Services, sonographer: CurrentUser
) -> None:
    known = _patient(services, sonographer, "9990000018", "Lovelace")
    other = _patient(services, sonographer, "9990000026", "Byron")
    matched = services.imaging.import_dicom(sonographer, _outside_file("9990000018"))
    assert matched.study_id is not None
    assert matched.source == "imported"
    orphan = services.imaging.import_dicom(sonographer, _outside_file("9990000034"))
    assert orphan.study_id is None
    assert [o.id for o in services.imaging.orphans(sonographer)] == [orphan.id]
    # Importing into an open record refuses a file that names someone else.
    with pytest.raises(Conflict) as wrong:
        services.imaging.import_dicom(sonographer, _outside_file("9990000018"), patient_id=other.id)
    assert wrong.value.code == "dicom.wrong_patient"
    assigned = services.imaging.assign(sonographer, orphan.id, known.id)
    assert assigned.study_id is not None
    assert services.imaging.orphans(sonographer) == []
    with pytest.raises(Conflict):
        services.imaging.assign(sonographer, orphan.id, other.id)


@pytest.mark.parametrize(
    ("spoil", "code"),
    [
        (lambda data: data[: len(data) // 2], "dicom.truncated"),
        (lambda data: b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "dicom.unreadable"),
        (lambda data: b"", "file.empty"),
        ("no_pixels", "dicom.no_pixels"),
        ("bad_syntax", "dicom.unknown_transfer_syntax"),
    ],
)
def test_a_malformed_file_gets_a_clear_refusal_and_nothing_is_kept(
    services: Services, sonographer: CurrentUser, spoil: object, code: str
) -> None:
    _patient(services, sonographer, "9990000018", "Lovelace")
    good = _outside_file("9990000018")
    if spoil == "no_pixels":
        ds = dcmread(io.BytesIO(good))
        del ds.PixelData
        out = io.BytesIO()
        ds.save_as(out, enforce_file_format=True)
        data = out.getvalue()
    elif spoil == "bad_syntax":
        ds = dcmread(io.BytesIO(good))
        ds.file_meta.TransferSyntaxUID = UID("1.2.3.4.5.6.7")
        out = io.BytesIO()
        ds.save_as(out, enforce_file_format=False)
        data = out.getvalue()
    else:
        data = spoil(good)  # type: ignore[operator]
    with pytest.raises(ValidationError) as refused:
        services.imaging.import_dicom(sonographer, data)
    assert refused.value.code == code
    assert services.imaging.orphans(sonographer) == []


@pytest.mark.parametrize("kind", ["PNG", "JPEG"])
def test_a_png_or_jpeg_still_is_kept_as_secondary_capture(
    services: Services, sonographer: CurrentUser, kind: str
) -> None:
    from PIL import Image

    patient = _patient(services, sonographer, "9990000018", "Lovelace")
    out = io.BytesIO()
    Image.fromarray(_frame(7)).save(out, format=kind)
    image = services.imaging.import_picture(
        sonographer, patient.id, out.getvalue(), body_part="WRIST", laterality="R"
    )
    kept = dcmread(io.BytesIO(_dicom_of(services, sonographer, image.attachment_id)))
    assert kept.SOPClassUID == "1.2.840.10008.5.1.4.1.1.7"
    assert kept.PatientID == "9990000018"
    assert (kept.BodyPartExamined, kept.Laterality) == ("WRIST", "R")
    if kind == "PNG":
        assert np.array_equal(kept.pixel_array, _frame(7))


@pytest.mark.parametrize("data", [b"", b"GIF89a" + b"\x00" * 40, b"\x89PNG\r\n\x1a\n\x00\x00"])
def test_a_picture_that_is_not_png_or_jpeg_is_refused(
    services: Services, sonographer: CurrentUser, data: bytes
) -> None:
    patient = _patient(services, sonographer, "9990000018", "Lovelace")
    with pytest.raises(ValidationError) as refused:
        services.imaging.import_picture(
            sonographer, patient.id, data, body_part="WRIST", laterality="R"
        )
    assert refused.value.code == "image.unreadable"


def _dciodvfy_clean(data: bytes, tmp_path: Path) -> None:
    if shutil.which("dciodvfy") is None:
        if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
            pytest.fail("dciodvfy is not installed (installers/test.sh installs it)")
        pytest.skip("dciodvfy not installed")
    path = tmp_path / "checked.dcm"
    path.write_bytes(data)
    checked = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    assert "Error" not in checked.stdout + checked.stderr, checked.stderr


def test_an_mp4_clip_is_kept_as_multiframe_sc_that_says_it_was_lossy(
    services: Services, sonographer: CurrentUser, tmp_path: Path
) -> None:
    patient = _patient(services, sonographer, "9990000018", "Lovelace")
    source = clips.bars(12)
    mp4 = clips.encode_clip(tmp_path / "scan.mp4", source, fps=25)

    image = services.imaging.import_file(
        sonographer, patient.id, mp4, body_part="ANKLE", laterality="L"
    )

    assert (image.frames, image.source, image.study_id is not None) == (12, "imported", True)
    data = services.imaging.image_file(sonographer, image.id)
    ds = dcmread(io.BytesIO(data))
    assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.7.4"
    assert float(ds.FrameTime) == pytest.approx(40.0)
    assert ds.LossyImageCompression == "01"
    assert float(ds.LossyImageCompressionRatio) > 1
    if clips.ENCODER == "libx264":
        assert ds.LossyImageCompressionMethod == "ISO_14496_10"
    assert ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.4.80"
    assert (ds.BodyPartExamined, ds.Laterality) == ("ANKLE", "L")
    # Lossy once, so close to the source rather than equal to it.
    assert np.abs(ds.pixel_array.astype(int) - source.astype(int)).mean() < 12
    _dciodvfy_clean(data, tmp_path)


def test_import_tells_files_apart_by_their_bytes_not_their_names(
    services: Services, sonographer: CurrentUser
) -> None:
    patient = _patient(services, sonographer, "9990000018", "Lovelace")
    with pytest.raises(ValidationError) as unknown:
        services.imaging.import_file(
            sonographer, patient.id, b"%PDF-1.7 not an image", body_part="KNEE", laterality="R"
        )
    assert unknown.value.code == "image.unknown_kind"
    dicom = services.imaging.import_file(
        sonographer, patient.id, _outside_file("9990000018"), body_part="", laterality=""
    )
    assert dicom.source == "imported"
    with pytest.raises(ValidationError) as no_side:
        services.imaging.import_file(
            sonographer, patient.id, _png(), body_part="KNEE", laterality=""
        )
    assert no_side.value.code == "dicom.bad_laterality"
    assert len(services.imaging.studies(sonographer, patient.id)[0].instances) == 1


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(_frame(5)).save(out, format="PNG")
    return out.getvalue()


def test_marks_are_kept_apart_from_the_pixels_and_checked(
    services: Services, sonographer: CurrentUser
) -> None:
    from clinic_app.domains.imaging.dicom.measure import Annotation

    patient = _patient(services, sonographer, "9990000018", "Lovelace")
    image = services.imaging.capture_still(
        sonographer, patient.id, _frame(3), body_part="KNEE", laterality="R"
    )
    before = services.imaging.image_file(sonographer, image.id)
    marks = [
        Annotation("distance", 0, ((4.0, 5.0), (40.0, 5.0))),
        Annotation("text", 0, ((10.0, 20.0),), "effusion"),
    ]
    services.imaging.save_marks(sonographer, image.id, marks)
    assert services.imaging.marks(sonographer, image.id) == marks
    assert services.imaging.image_file(sonographer, image.id) == before
    with pytest.raises(ValidationError):
        services.imaging.save_marks(
            sonographer, image.id, [Annotation("arrow", 3, ((1.0, 1.0), (2.0, 2.0)))]
        )
    assert services.imaging.marks(sonographer, image.id) == marks
    (study,) = services.imaging.studies(sonographer, patient.id)
    assert (study.pacs_state, len(study.instances)) == ("not_sent", 1)


def test_a_teaching_copy_carries_no_identifier_and_warns_about_burned_in_text(
    services: Services, sonographer: CurrentUser, tmp_path: Path
) -> None:
    patient = _patient(services, sonographer, "9990000018", "Lovelace")
    services.imaging.capture_still(
        sonographer, patient.id, _frame(1), body_part="HIP", laterality="L"
    )
    services.imaging.capture_clip(
        sonographer,
        patient.id,
        np.stack([_frame(2), _frame(3)]),
        50.0,
        body_part="HIP",
        laterality="L",
        burned_in=False,
    )
    (study,) = services.imaging.studies(sonographer, patient.id)
    before = [services.imaging.image_file(sonographer, i.id) for i in study.instances]

    copy = services.teaching.copy_study(sonographer, study.id)

    assert copy.pixels_may_identify  # the still's video frame may show the name
    assert copy.pseudonym.startswith("TEACH-")
    assert len(copy.files) == 2
    for name, data in copy.files:
        assert name.startswith(copy.pseudonym)
        for identifier in (b"9990000018", b"LOVELACE", b"19600314", study.study_uid.encode()):
            assert identifier not in data
        ds = dcmread(io.BytesIO(data))
        assert (ds.PatientID, ds.PatientIdentityRemoved) == (copy.pseudonym, "YES")
        _dciodvfy_clean(data, tmp_path)
    # The record's own images are untouched.
    assert [services.imaging.image_file(sonographer, i.id) for i in study.instances] == before


def test_the_steps_of_an_import_that_need_no_store_run_where_the_store_is_refused(
    services: Services, sonographer: CurrentUser
) -> None:
    from PIL import Image

    patient = _patient(services, sonographer, "9990000018", "Lovelace")
    out = io.BytesIO()
    Image.fromarray(_frame(7)).save(out, format="PNG")
    imaging = services.imaging
    with ThreadPoolExecutor(
        max_workers=1, initializer=keep_store_off_this_thread, initargs=("a test's pool",)
    ) as kept_off:
        picture = kept_off.submit(imaging.read_file, out.getvalue()).result()
        assert isinstance(picture, Picture)
        plan = imaging.plan_capture(sonographer, patient.id, body_part="WRIST", laterality="R")
        encoded = kept_off.submit(imaging.encode, plan, picture).result()
        image = imaging.keep(sonographer, encoded)
        received = kept_off.submit(imaging.read_file, _outside_file("9990000018")).result()
        assert isinstance(received, DicomFile)
        as_received = imaging.keep_dicom(sonographer, received, patient_id=patient.id)

    # The grab joins today's study; the file comes with a study of its own.
    kept_ids = {i.id for study in imaging.studies(sonographer, patient.id) for i in study.instances}
    assert kept_ids == {image.id, as_received.id}
    kept = dcmread(io.BytesIO(_dicom_of(services, sonographer, image.attachment_id)))
    assert (kept.PatientID, kept.BodyPartExamined, kept.Laterality) == ("9990000018", "WRIST", "R")
    assert np.array_equal(kept.pixel_array, _frame(7))
    assert "9990000018" not in repr(plan) + repr(encoded)  # no patient details in a repr
