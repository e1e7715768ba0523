"""What the app writes into the headers of the images it makes, checked field by field.

Each case is one a PACS administrator found wrong: times in UTC with no offset while the
worklist speaks local time; study date, time and ID differing between images of one study;
the operator's name reversed; UIDs under pydicom's root instead of the app's 2.25 form;
"not known" sex written as O (other); imported pictures said to be digitised video.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from pydicom import dcmread

from clinic_app.container import Services
from clinic_app.domains.imaging.dicom.capture import CaptureContext, clip, still
from clinic_app.domains.imaging.dicom.names import dicom_sex, person_name
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ValidationError
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput
from tests.support.capture_context import capture_context

PASSWORD = "correct horse battery"


@pytest.fixture
def london() -> Iterator[None]:
    """The clinic's clock on UK time (so summer moments are an hour ahead of UTC)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/London"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def _context(**changes: object) -> CaptureContext:
    """A summer morning's capture, in UTC."""
    return capture_context(**{"when": datetime(2026, 7, 1, 9, 15, 30, tzinfo=UTC), **changes})


def _frame(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 80, (48, 64, 3), dtype=np.uint8)


def test_times_are_local_with_their_offset_and_the_study_keeps_its_own(london: None) -> None:
    began = datetime(2026, 7, 1, 8, 50, 0, tzinfo=UTC)
    ds = still(_frame(1), _context(study_started=began))
    # 09:15:30 UTC is 10:15:30 in a British summer: written as the clinic's clock shows it.
    assert (ds.ContentDate, ds.ContentTime[:6]) == ("20260701", "101530")
    assert ds.TimezoneOffsetFromUTC == "+0100"
    assert (ds.InstanceCreationDate, ds.InstanceCreationTime) == ("20260701", "101530")
    # The study's date, time and ID are when it began, not when this image was taken.
    assert (ds.StudyDate, ds.StudyTime, ds.StudyID) == ("20260701", "095000", "US2607010950")
    winter = still(_frame(1), _context(when=datetime(2026, 12, 1, 9, 0, tzinfo=UTC)))
    assert (winter.ContentTime[:6], winter.TimezoneOffsetFromUTC) == ("090000", "+0000")


def test_uids_stay_in_the_apps_own_form_after_compression() -> None:
    for ds in (still(_frame(2), _context()), clip(np.stack([_frame(3)] * 2), 40, _context())):
        assert ds.SOPInstanceUID.startswith("2.25."), ds.SOPInstanceUID
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID


def test_sex_not_known_is_left_empty_and_indeterminate_is_other(tmp_path: Path) -> None:
    assert [dicom_sex(code) for code in ("1", "2", "9", "X", None)] == ["M", "F", "O", "", ""]
    ds = still(_frame(4), _context(sex=""))
    assert ds.PatientSex == ""
    with pytest.raises(ValidationError):
        still(_frame(4), _context(sex="U"))
    if shutil.which("dciodvfy"):
        path = tmp_path / "unknown-sex.dcm"
        ds.save_as(path, enforce_file_format=True)
        checked = subprocess.run(
            ["dciodvfy", str(path)], capture_output=True, text=True, check=False
        )
        assert "Error" not in checked.stdout + checked.stderr


def test_operator_names_are_family_first_without_titles_or_roles() -> None:
    assert person_name("Tom Okafor") == "OKAFOR^Tom"
    assert person_name("Dr Ann Marie Lee (Lead sonographer)") == "LEE^Ann Marie"
    assert person_name("Prof. Singh") == "SINGH"


def test_conversion_type_says_how_the_pixels_were_made() -> None:
    assert still(_frame(5), _context()).ConversionType == "DV"
    assert still(_frame(5), _context(conversion_type="WSD")).ConversionType == "WSD"
    with pytest.raises(ValidationError):
        still(_frame(5), _context(conversion_type="XX"))


@pytest.fixture
def sonographer(services: Services) -> CurrentUser:
    services.users.add(
        SYSTEM,
        username="ann",
        display_name="Dr Ann Lee (Lead)",
        role=Role.SONOGRAPHER,
        password=PASSWORD,
    )
    return services.auth.login("ann", PASSWORD)


def test_images_of_one_study_agree_and_imports_say_workstation(
    services: Services, sonographer: CurrentUser
) -> None:
    from PIL import Image

    patient = services.patients.register(
        sonographer,
        PatientInput(
            given_name="Grace",
            family_name="Hopper",
            date_of_birth="1956-12-09",
            sex="X",
            nhs_number="9990000026",
        ),
    )
    grabbed = services.imaging.capture_still(
        sonographer, patient.id, _frame(6), body_part="KNEE", laterality="L"
    )
    time.sleep(1.1)  # a second later, still the same encounter's study
    picture = io.BytesIO()
    Image.fromarray(_frame(7)).save(picture, format="PNG")
    imported = services.imaging.import_picture(
        sonographer, patient.id, picture.getvalue(), body_part="KNEE", laterality="R"
    )
    read = [
        dcmread(io.BytesIO(services.attachments.read(sonographer, view.attachment_id)))
        for view in (grabbed, imported)
    ]
    assert grabbed.study_id == imported.study_id
    assert read[0].StudyInstanceUID == read[1].StudyInstanceUID
    assert (read[0].StudyDate, read[0].StudyTime, read[0].StudyID) == (
        read[1].StudyDate,
        read[1].StudyTime,
        read[1].StudyID,
    )
    assert read[0].ContentTime != read[1].ContentTime
    assert (read[0].ConversionType, read[1].ConversionType) == ("DV", "WSD")
    assert str(read[0].OperatorsName) == "LEE^Ann"
    assert [ds.PatientSex for ds in read] == ["", ""]
    assert all(ds.SOPInstanceUID.startswith("2.25.") for ds in read)
