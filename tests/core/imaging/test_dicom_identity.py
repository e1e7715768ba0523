"""The record's identity written into an object, its original values kept (PS3.3 C.12.1)."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset

from clinic_app.domains.imaging.dicom.identity import RecordIdentity, relabel
from tests.support.us_image import ScanSubject, us_image

WHEN = datetime(2026, 12, 4, 10, 30, tzinfo=UTC)


def _identity(ds: Dataset, **changes: str) -> RecordIdentity:
    values = {
        "nhs_number": "9990000042",
        "patient_name": "Ó BRIAIN^Siobhán",
        "birth_date": "19600314",
        "sex": "F",
        "study_uid": str(ds.StudyInstanceUID),
        "accession": "OS000000000001",
        "study_id": "US2612041030",
        "study_date": "20261204",
        "study_time": "103000",
    }
    return RecordIdentity(**(values | changes))


def _round_trip(ds: Dataset) -> Dataset:
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return dcmread(io.BytesIO(out.getvalue()))


def test_an_object_already_under_the_record_is_left_alone() -> None:
    ds = us_image(subject=ScanSubject(nhs_number="9990000042", family_name="LOVELACE"))
    identity = RecordIdentity(
        nhs_number="9990000042",
        patient_name="LOVELACE^Ada",
        birth_date="19600314",
        sex="F",
        study_uid=str(ds.StudyInstanceUID),
        accession="",
        study_id="X",
        study_date="20000101",
        study_time="000000",
    )
    before = _round_trip(ds)
    assert relabel(ds, identity, WHEN) is False
    assert "OriginalAttributesSequence" not in ds
    assert ds.StudyDate == before.StudyDate  # a study's own object keeps its study header


def test_a_name_in_another_character_set_is_written_in_utf8_and_the_old_one_kept(
    tmp_path: Path,
) -> None:
    ds = us_image(subject=ScanSubject(nhs_number="US-1", family_name="MULLER", given_name="Jo"))
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.OperatorsName = "Ndiaye^Aïssatou"  # Latin-1 text elsewhere must survive
    ds = _round_trip(ds)
    study_date = ds.StudyDate
    assert relabel(ds, _identity(ds, study_uid="2.25.1234"), WHEN) is True
    held = _round_trip(ds)
    assert held.SpecificCharacterSet == "ISO_IR 192"
    assert str(held.PatientName) == "Ó BRIAIN^Siobhán"
    assert str(held.OperatorsName) == "Ndiaye^Aïssatou"
    (item,) = held.OriginalAttributesSequence
    assert item.AttributeModificationDateTime == "20261204103000+0000"
    (before,) = item.ModifiedAttributesSequence
    assert before.SpecificCharacterSet == "ISO_IR 100"
    assert (before.PatientID, str(before.PatientName)) == ("US-1", "MULLER^Jo")
    assert before.StudyDate == study_date
    assert held.StudyDate == "20261204"
    assert held.StudyInstanceUID == "2.25.1234"
    if shutil.which("dciodvfy") is not None:
        path = tmp_path / "relabelled.dcm"
        held.save_as(path, enforce_file_format=True)
        checked = subprocess.run(
            ["dciodvfy", str(path)], capture_output=True, text=True, check=False
        )
        errors = [
            line for line in (checked.stdout + checked.stderr).splitlines() if "Error" in line
        ]
        assert errors == []


def test_a_second_correction_adds_an_item_and_keeps_the_first() -> None:
    ds = us_image(subject=ScanSubject(nhs_number="US-1"))
    relabel(ds, _identity(ds), WHEN)
    relabel(ds, _identity(ds, nhs_number="9990000050", patient_name="BYRON^Ada"), WHEN)
    first, second = ds.OriginalAttributesSequence
    assert first.ModifiedAttributesSequence[0].PatientID == "US-1"
    assert second.ModifiedAttributesSequence[0].PatientID == "9990000042"
    assert ds.PatientID == "9990000050"


@pytest.mark.parametrize("absent", ["IssuerOfPatientID", "AccessionNumber"])
def test_an_attribute_that_was_absent_is_listed_empty(absent: str) -> None:
    ds = us_image(subject=ScanSubject(nhs_number="US-1"))
    if absent in ds:
        delattr(ds, absent)
    relabel(ds, _identity(ds, study_uid="2.25.99"), WHEN)
    (before,) = ds.OriginalAttributesSequence[0].ModifiedAttributesSequence
    assert absent in before
    assert not before[absent].value
