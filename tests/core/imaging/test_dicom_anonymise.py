"""Anonymised teaching copies: nothing names the patient, and the pixels are flagged."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest
from pydicom import dcmread

from clinic_app.domains.imaging.dicom.anonymise import Export, anonymise
from clinic_app.domains.imaging.dicom.capture import CaptureContext, clip, new_uid, still

NHS, FAMILY, GIVEN = "9990000018", "Zebedee", "Ottoline"


def _context(**changes: object) -> CaptureContext:
    values: dict[str, object] = {
        "nhs_number": NHS,
        "family_name": FAMILY,
        "given_name": GIVEN,
        "birth_date": date(1961, 7, 4),
        "sex": "F",
        "study_uid": new_uid(),
        "series_uid": new_uid(),
        "body_part": "ELBOW",
        "laterality": "R",
        "operator": "OKAFOR^Tom",
        "when": datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
        "accession": "OS123456789012",
        "institution": "Riverside Community MSK Clinic",
    }
    values.update(changes)
    return CaptureContext(**values)  # type: ignore[arg-type]


def _frame() -> np.ndarray:
    return np.random.default_rng(3).integers(0, 80, (48, 64, 3), dtype=np.uint8)


def _bytes(ds: object) -> bytes:
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)  # type: ignore[attr-defined]
    return out.getvalue()


def test_no_identifier_survives_and_uids_are_replaced_consistently(tmp_path: Path) -> None:
    context = _context()
    first, second = still(_frame(), context), clip(np.stack([_frame()] * 2), 40.0, context)
    export = Export(pseudonym="TEACH-0001")
    copies = [anonymise(first, export), anonymise(second, export)]
    for copy, original in zip(copies, (first, second), strict=True):
        data = _bytes(copy.dataset)
        for identifier in (
            NHS,
            FAMILY.upper(),
            GIVEN,
            "19610704",
            "OKAFOR",
            "Riverside",
            "OS123456789012",
            str(original.SOPInstanceUID),
            str(original.StudyInstanceUID),
        ):
            assert identifier.encode() not in data, identifier
        read = dcmread(io.BytesIO(data))
        assert read.PatientID == "TEACH-0001"
        assert read.PatientIdentityRemoved == "YES"
        assert read.DeidentificationMethodCodeSequence[0].CodeValue == "113100"
        assert np.array_equal(read.pixel_array, original.pixel_array)
        assert copy.pixels_may_identify  # grabbed video may show the name on screen
    # The two stay in one (new) study.
    assert copies[0].dataset.StudyInstanceUID == copies[1].dataset.StudyInstanceUID
    assert first.PatientID == NHS  # the record's own object is unchanged
    if shutil.which("dciodvfy"):
        path = tmp_path / "teaching.dcm"
        path.write_bytes(_bytes(copies[0].dataset))
        checked = subprocess.run(
            ["dciodvfy", str(path)], capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0
        assert "Error" not in checked.stdout + checked.stderr


@pytest.mark.parametrize(("burned_in", "flagged"), [(True, True), (False, False)])
def test_pixels_are_flagged_unless_known_clean(burned_in: bool, flagged: bool) -> None:
    copy = anonymise(still(_frame(), _context(burned_in=burned_in)), Export("TEACH-0002"))
    assert copy.pixels_may_identify is flagged
