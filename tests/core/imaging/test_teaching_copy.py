"""Teaching copies of a reported study, and of real scanners' files, checked byte by byte."""

from __future__ import annotations

import copy
import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.tag import BaseTag

from clinic_app.container import Services
from clinic_app.domains.imaging.dicom.anonymise import (
    DUMMY_CONTENT_TEXT,
    DUMMY_DATE,
    DUMMY_DATETIME,
    DUMMY_TIME,
    Export,
    anonymise,
    basic_profile,
    is_well_known,
    resolve,
)
from clinic_app.domains.imaging.dicom.capture import still
from clinic_app.domains.imaging.dicom.measure import Annotation
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.resource_files import read_json
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput
from tests.core.imaging.test_dicom_anonymise import _context, _frame
from tests.support.us_image import ScanSubject, us_image

PASSWORD = "correct horse battery"
NHS, FAMILY, GIVEN, BORN = "9990000018", "Quillfeather", "Ottoline", "1958-02-27"
FINDINGS = "Small suprapatellar effusion. Medial meniscus extrusion 3 mm."
SUPERVISOR_WORDS = "Agree with the trainee; extrusion is borderline."
DCMR = "1.2.840.10008.8.1.1"
DESCRIPTION = "Right knee, query meniscal tear"


def _dciodvfy_errors(data: bytes, tmp_path: Path) -> list[str]:
    if shutil.which("dciodvfy") is None:
        if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
            pytest.fail("dciodvfy is not installed (installers/test.sh installs it)")
        pytest.skip("dciodvfy not installed")
    path = tmp_path / "checked.dcm"
    path.write_bytes(data)
    checked = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True, check=False)
    lines = (checked.stdout + checked.stderr).splitlines()
    return [line for line in lines if line.startswith("Error")]


def _dsrdump(data: bytes, tmp_path: Path) -> str:
    """The report as dcmtk's dsrdump reads it (it must parse)."""
    if shutil.which("dsrdump") is None:
        if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
            pytest.fail("dsrdump is not installed (installers/test.sh installs dcmtk)")
        pytest.skip("dsrdump not installed")
    path = tmp_path / "report.dcm"
    path.write_bytes(data)
    shown = subprocess.run(["dsrdump", str(path)], capture_output=True, text=True, check=False)
    assert shown.returncode == 0, shown.stderr
    return shown.stdout


def _items(ds: Dataset) -> Iterator[Dataset]:
    """The dataset and every item of every sequence in it, at any depth."""
    yield ds
    for element in ds:
        if element.VR == "SQ":
            for item in element.value:
                yield from _items(item)


def _values(ds: Dataset, keyword: str) -> list[str]:
    return [str(item.get(keyword)) for item in _items(ds) if keyword in item]


def _user(services: Services, name: str, display: str, role: Role, **more: str) -> CurrentUser:
    services.users.add(
        SYSTEM,
        username=name,
        display_name=display,
        role=role,
        password=PASSWORD,
        professional_body="HCPC",
        **more,  # type: ignore[arg-type]
    )
    return services.auth.login(name, PASSWORD)


@pytest.fixture
def reported(services: Services) -> tuple[CurrentUser, object]:
    """A study a trainee scanned and reported and a supervisor verified: images, SR and KOS."""
    supervisor = _user(
        services, "swexford", "Samira Wexford", Role.SUPERVISOR, registration_number="RA771234"
    )
    trainee = _user(
        services,
        "tbramley",
        "Tobias Bramley",
        Role.TRAINEE,
        supervisor="swexford",
        registration_number="PH449051",
    )
    patient = services.patients.register(
        trainee,
        PatientInput(
            given_name=GIVEN, family_name=FAMILY, date_of_birth=BORN, sex="2", nhs_number=NHS
        ),
    )
    # Booked on the scanner worklist first, so the study has an accession number.
    services.imaging.plan_scan(trainee, patient.id, DESCRIPTION)
    rng = np.random.default_rng(5)
    image = services.imaging.capture_still(
        trainee,
        patient.id,
        rng.integers(0, 90, (48, 64, 3), dtype=np.uint8),
        body_part="KNEE",
        laterality="R",
    )
    services.imaging.capture_clip(
        trainee,
        patient.id,
        rng.integers(0, 90, (3, 48, 64, 3), dtype=np.uint8),
        25.0,
        body_part="KNEE",
        laterality="R",
        burned_in=False,
    )
    # A calibrated image from the scanner, with a distance drawn on it: the report's mm.
    (planned,) = services.imaging.studies(trainee, patient.id)
    scanned = us_image(
        subject=ScanSubject(NHS, FAMILY.upper(), GIVEN, date.fromisoformat(BORN), "F"),
        study_uid=planned.study_uid,
        accession=planned.accession or "",
        body_part="KNEE",
        laterality="R",
    )
    buffer = io.BytesIO()
    scanned.save_as(buffer, enforce_file_format=True)
    calibrated = services.imaging.import_dicom(trainee, buffer.getvalue(), patient_id=patient.id)
    mark = Annotation("distance", 0, ((150.0, 60.0), (150.0, 160.0)), "Meniscal extrusion")
    services.imaging.save_marks(trainee, calibrated.id, [mark])
    reports = services.reports
    report = reports.start(trainee, image.study_id)  # type: ignore[arg-type]
    content = {
        "history": f"Knee pain since a fall at {FAMILY}'s farm.",
        "findings": FINDINGS,
        "impression": "Findings in keeping with medial compartment degeneration.",
        "recommendations": "Continue physiotherapy.",
        "body_region": "Knee",
        "key_images": [str(image.id)],
        "measurements": [
            {
                "label": "Meniscal extrusion",
                "mm": 10.0,
                "instance_id": str(calibrated.id),
                "frame": 0,
            }
        ],
    }
    reports.save(trainee, report.id, content)
    reports.submit(trainee, report.id)
    reports.verify(
        supervisor,
        report.id,
        PASSWORD,
        supervision_mode="present",
        agreement="agree",
        supervisor_words=SUPERVISOR_WORDS,
    )
    (study,) = services.imaging.studies(trainee, patient.id)
    assert sorted(i.source for i in study.instances) == [
        "grabbed",
        "grabbed",
        "imported",
        "report",
        "report",
    ]
    return trainee, study


def test_a_reported_study_copied_for_teaching_names_no_one_and_still_hangs_together(
    services: Services, reported: tuple[CurrentUser, object], tmp_path: Path
) -> None:
    trainee, study = reported
    originals = [
        dcmread(io.BytesIO(services.imaging.image_file(trainee, i.id)))
        for i in study.instances  # type: ignore[attr-defined]
    ]
    sr = next(ds for ds in originals if ds.Modality == "SR")
    assert sr.VerificationFlag == "VERIFIED"
    accession = str(sr.AccessionNumber)
    assert accession  # the report answers a request: the number is inside a sequence too
    assert accession in _values(sr, "AccessionNumber")[1:]
    identifying = {
        NHS,
        FAMILY,
        FAMILY.upper(),
        GIVEN,
        BORN.replace("-", ""),
        accession,
        "Wexford",
        "WEXFORD",
        "Bramley",
        "BRAMLEY",
        "swexford",
        "tbramley",
        "RA771234",  # the clinicians' registration numbers (their codes in the SR)
        "PH449051",
        FINDINGS,
        SUPERVISOR_WORDS,
        "Meniscal extrusion",  # free text, even harmless, goes
        DESCRIPTION,  # descriptions go (no Clean Descriptors option)
        str(sr.VerifyingObserverSequence[0].VerificationDateTime),
        str(sr.ContentDate),
        str(sr.StudyDate),
    }
    for ds in originals:
        identifying |= {str(ds.StudyInstanceUID), str(ds.SeriesInstanceUID), str(ds.SOPInstanceUID)}

    teaching = services.teaching.copy_study(trainee, study.id)  # type: ignore[attr-defined]

    assert len(teaching.files) == len(originals)
    assert teaching.reports == 2  # the SR and the KOS go in, cleaned
    assert teaching.pixels_may_identify  # the still, grabbed from video, may show a name
    copies = [dcmread(io.BytesIO(data)) for _, data in teaching.files]
    for (name, data), ds in zip(teaching.files, copies, strict=True):
        leaked = sorted(text for text in identifying if text.encode() in data)
        assert leaked == [], (name, leaked)
        assert _dciodvfy_errors(data, tmp_path) == [], name
        assert (ds.PatientID, ds.PatientName, ds.PatientIdentityRemoved) == (
            teaching.pseudonym,
            teaching.pseudonym,
            "YES",
        )
        assert ds.LongitudinalTemporalInformationModified == "REMOVED"
        assert [c.CodeValue for c in ds.DeidentificationMethodCodeSequence] == [
            "113100",
            "113104",
        ]
        for item in _items(ds):
            assert not any(element.tag.is_private for element in item)
            for element in item:  # no date or time survives: each is a dummy or empty
                if element.VR in {"DA", "TM", "DT"} and element.value:
                    assert element.value in {DUMMY_DATE, DUMMY_TIME, DUMMY_DATETIME}, element
        assert "InstanceCreationDate" not in ds or ds.InstanceCreationDate == DUMMY_DATE

    # One new study; every reference between the copied objects still finds its object.
    assert len({ds.StudyInstanceUID for ds in copies}) == 1
    held = {ds.SOPInstanceUID for ds in copies}
    series = {ds.SeriesInstanceUID for ds in copies}
    for ds in copies:
        for uid in _values(ds, "ReferencedSOPInstanceUID"):
            assert uid in held
        for uid in _values(ds, "SeriesInstanceUID"):
            assert uid in series
        assert set(_values(ds, "StudyInstanceUID")) == {copies[0].StudyInstanceUID}
    # Classes, syntaxes, schemes and the DCMR mapping resource are the standard's: unchanged.
    for ds, original in zip(copies, originals, strict=True):
        assert ds.SOPClassUID == original.SOPClassUID
        assert ds.file_meta.TransferSyntaxUID == original.file_meta.TransferSyntaxUID
        for keyword in ("ReferencedSOPClassUID", "MappingResourceUID", "CodingSchemeUID"):
            assert sorted(_values(ds, keyword)) == sorted(_values(original, keyword))
    copied_sr = next(ds for ds in copies if ds.Modality == "SR")
    copied_kos = next(ds for ds in copies if ds.Modality == "KO")
    for document in (copied_sr, copied_kos):
        assert _values(document, "MappingResourceUID") == [DCMR]
    # The report is still a verified report, with its structure, codes and measurement.
    (sr_file,) = (
        data for (_, data), ds in zip(teaching.files, copies, strict=True) if ds is copied_sr
    )
    assert DUMMY_CONTENT_TEXT in _dsrdump(sr_file, tmp_path)
    assert (copied_sr.CompletionFlag, copied_sr.VerificationFlag) == ("COMPLETE", "VERIFIED")
    assert "AuthorObserverSequence" not in copied_sr
    assert set(_values(copied_sr, "TextValue")) == {DUMMY_CONTENT_TEXT}
    assert [float(v) for v in _values(copied_sr, "NumericValue")] == [10.0]
    people = set(_codes_of_people(sr))
    assert people  # the original names its observers by code too
    method = {"113100", "113104"}  # what the copy adds: how it was de-identified
    assert set(_values(copied_sr, "CodeValue")) - method == set(_values(sr, "CodeValue")) - people
    # The record's own objects are unchanged.
    again = [services.imaging.image_file(trainee, i.id) for i in study.instances]  # type: ignore[attr-defined]
    assert [dcmread(io.BytesIO(data)).PatientID for data in again] == [NHS] * len(originals)


def _codes_of_people(ds: Dataset) -> list[str]:
    """Code values that identify people (observer codes), which the copy leaves out."""
    return [
        str(code.CodeValue)
        for sequence in ("AuthorObserverSequence", "VerifyingObserverSequence")
        for item in ds.get(sequence, [])
        for code in _items(item)
        if "CodeValue" in code
    ]


def test_the_table_is_the_standards_with_the_chosen_options() -> None:
    document = read_json("deidentification", "basic_profile")
    assert isinstance(document, dict)
    assert "PS3.15" in document["source"]
    assert "Table E.1-1" in document["source"]
    assert document["licence"]
    assert document["version"] == "2024b"
    codes = {"D", "Z", "X", "K", "C", "U", "X/Z", "X/D", "Z/D", "X/Z/D", "X/Z/U*"}
    for row in document["attributes"]:
        assert row["basic"] in codes, row
        assert set(row.get("options", {})) <= set(document["options"]), row
        assert set(row.get("options", {}).values()) <= {"K", "C"}, row
    profile = basic_profile()
    assert len(profile.exact) > 600  # every row of PS3.15 Table E.1-1, not a hand-picked few
    for tag, action in {
        0x00100010: "Z",  # Patient's Name
        0x00100020: "D",  # Patient ID (Z/D)
        0x00080050: "Z",  # Accession Number
        0x00080023: "D",  # Content Date (Z/D): an SR must have one
        0x00080012: "D",  # Instance Creation Date (X/D)
        0x0040A730: "C",  # Content Sequence: Clean Structured Content
        0x0040A078: "X",  # Author Observer Sequence
        0x0040A075: "D",  # Verifying Observer Name
        0x00081140: "U",  # Referenced Image Sequence (X/Z/U*)
        0x00081155: "U",  # Referenced SOP Instance UID
        0x00080090: "Z",  # Referring Physician's Name
    }.items():
        assert profile.action(BaseTag(tag)) == action, hex(tag)
    assert profile.action(BaseTag(0x60023000)) == "X"  # overlay data, any overlay group
    assert profile.action(BaseTag(0x00091001)) == "X"  # private
    assert profile.action(BaseTag(0x00080016)) is None  # SOP Class UID: not the table's
    assert profile.action(BaseTag(0x00080118)) is None  # Mapping Resource UID


@pytest.mark.parametrize(
    ("basic", "options", "chosen", "action"),
    [
        ("X", {}, set(), "X"),
        ("X/Z", {}, set(), "X/Z"),
        ("X/D", {}, set(), "D"),
        ("X/Z/D", {}, set(), "D"),
        ("X/Z/U*", {}, set(), "U"),
        ("D", {"clean_structured_content": "C"}, {"clean_structured_content"}, "C"),
        ("D", {"clean_structured_content": "C"}, set(), "D"),
        ("X/D", {"retain_longitudinal_full_dates": "K"}, {"clean_structured_content"}, "D"),
    ],
)
def test_one_action_per_attribute(
    basic: str, options: dict[str, str], chosen: set[str], action: str
) -> None:
    assert resolve(basic, options, chosen) == action


@pytest.mark.parametrize(
    ("uid", "known"),
    [
        (DCMR, True),  # a mapping resource
        ("1.2.840.10008.5.1.4.1.1.88.33", True),  # Comprehensive SR Storage
        ("1.2.840.10008.1.2.4.70", True),  # JPEG Lossless
        ("2.16.840.1.113883.6.1", True),  # LOINC, a coding scheme outside the DICOM root
        ("1.2.840.113619.2.1.1.322987881.621.736170080.681", False),  # a scanner's instance
        ("2.25.330401829361432745116391547458263349000", False),
    ],
)
def test_well_known_uids_are_told_apart_from_instances(uid: str, known: bool) -> None:
    assert is_well_known(uid) is known
    export = Export("TEACH-0003")
    assert (export.uid(uid) == uid) is known
    assert export.uid(uid) == export.uid(uid)  # the same replacement every time


def _real_file(name: str) -> Path:
    try:
        import data_store  # noqa: F401 - pydicom-data: real scanners' files (dev)
    except ImportError:
        if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
            pytest.fail("pydicom-data is not installed (it is a dev dependency)")
        pytest.skip("pydicom-data not installed")
    from pydicom.data import get_testdata_file

    path = get_testdata_file(name)
    assert path is not None, name
    return Path(str(path))


@pytest.mark.parametrize(
    "name",
    [
        "JPGLosslessP14SV1_1s_1f_8b.dcm",  # Philips, JPEG Lossless: private attributes
        "US1_UNCR.dcm",  # GE: an instance creation date and a station name
        "color3d_jpeg_baseline.dcm",  # SonoSite cine: private XML in a text attribute
    ],
)
def test_a_real_scanners_file_copied_for_teaching(name: str, tmp_path: Path) -> None:
    path = _real_file(name)
    original = dcmread(path)
    identifying = {
        str(original.get(keyword) or "")
        for keyword in (
            "PatientName",
            "PatientID",
            "PatientBirthDate",
            "StudyDate",
            "InstanceCreationDate",
            "InstitutionName",
            "StationName",
            "DeviceSerialNumber",
            "ReferringPhysicianName",
            "AccessionNumber",
            "StudyInstanceUID",
            "SOPInstanceUID",
        )
    } - {""}
    assert len(identifying) >= 4  # a name, the UIDs, a date at least
    assert any(element.tag.is_private for element in original) == (name != "US1_UNCR.dcm")

    copied = anonymise(original, Export("TEACH-0004")).dataset
    out = io.BytesIO()
    copied.save_as(out, enforce_file_format=True)
    data = out.getvalue()

    header = copy.deepcopy(copied)
    del header.PixelData
    out = io.BytesIO()
    header.save_as(out, enforce_file_format=True)
    # A short ID ("204") turns up by chance among pixel bytes and in new random UIDs: it is
    # looked for as a value; longer ones anywhere in the bytes outside the pixels.
    short = {text for text in identifying if len(text) < 8}
    assert sorted(text for text in identifying - short if text.encode() in out.getvalue()) == []
    for item in _items(copied):
        for element in item:
            assert element.VR == "UI" or str(element.value) not in short, element
    for item in _items(copied):
        assert not any(element.tag.is_private for element in item)
    assert copied.get("InstanceCreationDate") in {None, DUMMY_DATE}
    assert (copied.SOPClassUID, copied.file_meta.TransferSyntaxUID) == (
        original.SOPClassUID,
        original.file_meta.TransferSyntaxUID,
    )
    assert copied.Manufacturer == original.Manufacturer  # the maker and model stay
    assert copied.PixelData == original.PixelData  # the pictures are not touched
    # The copy adds no error of its own to what the scanner sent.
    before = set(_dciodvfy_errors(path.read_bytes(), tmp_path))
    after = set(_dciodvfy_errors(data, tmp_path))
    assert after <= before, after - before


def test_headers_kept_for_audit_and_private_data_in_sequences_do_not_follow(
    tmp_path: Path,
) -> None:
    """An object assigned to a record keeps its old header (Original Attributes Sequence)."""
    ds = still(_frame(), _context())
    earlier = Dataset()
    earlier.PatientID = "9990000026"  # the label the scanner had put on it
    earlier.PatientName = "ELSEWHERE^Hester"
    original = Dataset()
    original.ModifiedAttributesSequence = [earlier]
    original.AttributeModificationDateTime = "20261204101500"
    original.ModifyingSystem = "OneStop MSK"
    original.ReasonForTheAttributeModification = "CORRECT"
    ds.OriginalAttributesSequence = [original]
    item = Dataset()
    item.private_block(0x0029, "ACME SCANNER", create=True).add_new(0x01, "LO", "Hester's knee")
    item.ReferencedSOPClassUID = ds.SOPClassUID
    item.ReferencedSOPInstanceUID = ds.SOPInstanceUID
    ds.ReferencedImageSequence = [item]

    copied = anonymise(ds, Export("TEACH-0005")).dataset
    out = io.BytesIO()
    copied.save_as(out, enforce_file_format=True)
    data = out.getvalue()

    for text in ("9990000026", "ELSEWHERE", "Hester", "ACME SCANNER", "20261204101500"):
        assert text.encode() not in data, text
    assert "OriginalAttributesSequence" not in copied
    (reference,) = copied.ReferencedImageSequence  # X/Z/U*: kept, its UIDs the copy's own
    assert reference.ReferencedSOPInstanceUID == copied.SOPInstanceUID
    assert reference.ReferencedSOPClassUID == ds.SOPClassUID
    assert _dciodvfy_errors(data, tmp_path) == []
