"""The scan report as a Comprehensive SR and its key images as a KOS: valid, and who did what."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.uid import (
    ComprehensiveSRStorage,
    ExplicitVRLittleEndian,
    KeyObjectSelectionDocumentStorage,
    MultiFrameTrueColorSecondaryCaptureImageStorage,
    SecondaryCaptureImageStorage,
)

from clinic_app.domains.imaging.dicom.capture import new_uid
from clinic_app.domains.reports.sr import (
    ImageRef,
    Observer,
    ReportMeasurement,
    ReportPatient,
    ScanReport,
    encode,
    key_object_selection,
    role_code,
    scan_report_sr,
)
from clinic_app.kernel.errors import ValidationError

TOOLS = ("dciodvfy", "dsrdump")
#: The one warning left: dciodvfy knows only the registered coding schemes, and the clinic's
#: identifiers for its people are in a local ("99...") scheme, as PS3.16 allows.
KNOWN_WARNING = "Warning - Unrecognized defined term <99ONESTOPMSK>"

CLINIC = "Riverside Community MSK Clinic"
TRAINEE = Observer("MÜLLER^Anna", "T-0042", CLINIC, "Trainee sonographer")
SUPERVISOR = Observer("OKAFOR^Tom", "PH123456", CLINIC, "Consultant physiotherapist")
WRITTEN = datetime(2026, 11, 25, 10, 40, tzinfo=UTC)
VERIFIED = datetime(2026, 11, 25, 16, 5, tzinfo=UTC)
SERIES = new_uid()
CLIP_SERIES = new_uid()
STILL = ImageRef(SecondaryCaptureImageStorage, new_uid(), SERIES)
OTHER_STILL = ImageRef(SecondaryCaptureImageStorage, new_uid(), SERIES)
CLIP_FRAME = ImageRef(MultiFrameTrueColorSecondaryCaptureImageStorage, new_uid(), CLIP_SERIES, 7)


def _require_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
            pytest.fail(f"DICOM tools missing in CI: {missing}")
        pytest.skip(f"DICOM tools not installed: {missing}")


TEXTS = {
    "history": "Right shoulder pain for 3 months, worse reaching overhead; café owner.",
    "request": "Ultrasound right shoulder: ?rotator cuff tear",
    "findings": "Supraspinatus tendon thickened and hypoechoic. No full-thickness tear.",
    "impression": "Supraspinatus tendinopathy without tear.",
    "recommendations": "Physiotherapy-led loading programme; review in 6 weeks.",
    "addendum": "",
}


def _draft(**changes: object) -> ScanReport:
    """A trainee's draft; a section's text is changed by its key, e.g. ``findings=""``."""
    texts = {**TEXTS, **{key: str(changes.pop(key)) for key in list(changes) if key in TEXTS}}
    report = ScanReport(
        patient=ReportPatient("9990000018", "Ó'Brien", "Siobhán", date(1960, 3, 14), "F"),
        study_uid=new_uid(),
        accession="RVS0012345",
        texts=texts,
        measurements=(
            ReportMeasurement("Supraspinatus tendon thickness", 6.2, STILL),
            ReportMeasurement("Subacromial bursa thickness", 1.85, CLIP_FRAME),
        ),
        key_images=(STILL, OTHER_STILL, CLIP_FRAME),
        author=TRAINEE,
        verifier=None,
        complete=False,
        verified_at=None,
        written_at=WRITTEN,
        predecessor=None,
        institution=CLINIC,
        study_id="US2611251030",
        study_started=datetime(2026, 11, 25, 10, 30, tzinfo=UTC),
    )
    return dataclasses.replace(report, **changes)  # type: ignore[arg-type]


def _verified(**changes: object) -> ScanReport:
    return _draft(complete=True, verifier=SUPERVISOR, verified_at=VERIFIED, **changes)


def _check_with_tools(ds: Dataset, path: Path) -> str:
    """Valid to dciodvfy (no errors, no unexpected warnings); returns dsrdump's rendering."""
    _require_tools()
    path.write_bytes(encode(ds))
    checked = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True, check=False)
    report = checked.stdout + checked.stderr
    assert checked.returncode == 0, report
    assert "Error" not in report, report
    warnings = [line for line in report.splitlines() if line.startswith("Warning")]
    assert all(line.startswith(KNOWN_WARNING) for line in warnings), report
    dumped = subprocess.run(
        ["dsrdump", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dumped.stdout


def _reread(ds: Dataset) -> Dataset:
    read = dcmread(BytesIO(encode(ds)))
    assert read.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
    return read


def _walk(items: Sequence[Dataset]) -> Iterator[Dataset]:
    for item in items:
        yield item
        yield from _walk(item.get("ContentSequence", []))


def _concept(item: Dataset) -> str:
    return str(item.ConceptNameCodeSequence[0].CodeValue)


def _section(ds: Dataset, code: str) -> Dataset:
    found: Dataset = next(item for item in ds.ContentSequence if _concept(item) == code)
    return found


def test_a_trainee_draft_is_partial_unverified_and_preliminary(tmp_path: Path) -> None:
    ds = _draft()
    sr = scan_report_sr(ds)
    dump = _check_with_tools(sr, tmp_path / "draft.dcm")
    assert sr.SOPClassUID == ComprehensiveSRStorage
    assert sr.Modality == "SR"
    assert (sr.CompletionFlag, sr.VerificationFlag, sr.PreliminaryFlag) == (
        "PARTIAL",
        "UNVERIFIED",
        "PRELIMINARY",
    )
    assert sr.AuthorObserverSequence[0].PersonName == "MÜLLER^Anna"
    assert sr.AuthorObserverSequence[0].PersonIdentificationCodeSequence[0].CodeValue == "T-0042"
    assert "VerifyingObserverSequence" not in sr
    assert "ParticipantSequence" not in sr
    assert sr.ConceptNameCodeSequence[0].CodeValue == "18748-4"
    assert sr.ContentTemplateSequence[0].TemplateIdentifier == "2000"
    assert "MÜLLER^Anna" in dump
    assert "Findings" in dump
    assert "Impressions" in dump
    assert "Unverified" in dump or "UNVERIFIED" in dump


def test_a_report_verified_by_a_supervisor_names_both(tmp_path: Path) -> None:
    sr = scan_report_sr(_verified())
    dump = _check_with_tools(sr, tmp_path / "verified.dcm")
    assert (sr.CompletionFlag, sr.VerificationFlag, sr.PreliminaryFlag) == (
        "COMPLETE",
        "VERIFIED",
        "FINAL",
    )
    verifying = sr.VerifyingObserverSequence[0]
    assert verifying.VerifyingObserverName == "OKAFOR^Tom"
    assert verifying.VerifyingOrganization == CLINIC
    assert verifying.VerificationDateTime == "20261125160500+0000"
    assert verifying.VerifyingObserverIdentificationCodeSequence[0].CodeValue == "PH123456"
    assert sr.AuthorObserverSequence[0].PersonName == "MÜLLER^Anna"
    assert sr.ParticipantSequence[0].ParticipationType == "ATTEST"
    assert sr.ParticipantSequence[0].PersonName == "OKAFOR^Tom"
    # The content tree's observer is the one who scanned, performing the procedure.
    names = [item.PersonName for item in _walk(sr.ContentSequence) if item.ValueType == "PNAME"]
    assert names == ["MÜLLER^Anna"]
    assert "OKAFOR^Tom" in dump
    assert "MÜLLER^Anna" in dump
    assert "Findings" in dump
    assert "Impressions" in dump


def test_a_report_signed_alone_is_verified_by_its_author(tmp_path: Path) -> None:
    sonographer = Observer("PATEL^Priya", "AS98765", CLINIC, "Sonographer")
    sr = scan_report_sr(_draft(author=sonographer, complete=True, verified_at=VERIFIED))
    dump = _check_with_tools(sr, tmp_path / "alone.dcm")
    assert (sr.CompletionFlag, sr.VerificationFlag, sr.PreliminaryFlag) == (
        "COMPLETE",
        "VERIFIED",
        "FINAL",
    )
    assert sr.VerifyingObserverSequence[0].VerifyingObserverName == "PATEL^Priya"
    assert sr.AuthorObserverSequence[0].PersonName == "PATEL^Priya"
    assert "PATEL^Priya" in dump


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"verifier": SUPERVISOR, "verified_at": VERIFIED}, "report.verified_needs_complete"),
        ({"verifier": SUPERVISOR}, "report.verified_needs_complete"),
        ({"verified_at": VERIFIED}, "report.verified_needs_complete"),
        ({"complete": True}, "report.verified_needs_time"),
        ({"complete": True, "verifier": SUPERVISOR}, "report.verified_needs_time"),
    ],
)
def test_verified_and_partial_together_is_refused(changes: dict[str, object], code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        scan_report_sr(_draft(**changes))
    assert refused.value.code == code


def test_an_addendum_points_at_the_previous_version_and_is_not_verified(tmp_path: Path) -> None:
    first = scan_report_sr(_verified())
    previous = ImageRef(first.SOPClassUID, first.SOPInstanceUID, first.SeriesInstanceUID)
    addendum = _draft(
        study_uid=first.StudyInstanceUID,
        addendum="Review of the cine: small articular-side partial tear, 4 mm.",
        predecessor=previous,
        series_uid=first.SeriesInstanceUID,
        instance_number=2,
    )
    sr = scan_report_sr(addendum)
    dump = _check_with_tools(sr, tmp_path / "addendum.dcm")
    assert sr.SOPInstanceUID != first.SOPInstanceUID
    assert sr.SeriesInstanceUID == first.SeriesInstanceUID
    predecessor = sr.PredecessorDocumentsSequence[0]
    assert predecessor.StudyInstanceUID == first.StudyInstanceUID
    series = predecessor.ReferencedSeriesSequence[0]
    assert series.SeriesInstanceUID == first.SeriesInstanceUID
    assert series.ReferencedSOPSequence[0].ReferencedSOPInstanceUID == first.SOPInstanceUID
    assert series.ReferencedSOPSequence[0].ReferencedSOPClassUID == ComprehensiveSRStorage
    section = _section(sr, "55107-7")
    assert section.ContentSequence[0].TextValue.startswith("Review of the cine")
    assert "VerifyingObserverSequence" not in sr
    assert (sr.CompletionFlag, sr.VerificationFlag) == ("PARTIAL", "UNVERIFIED")
    assert "Addendum" in dump


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"findings": "  "}, "report.findings_empty"),
        ({"impression": ""}, "report.impression_empty"),
        ({"addendum": "More"}, "report.addendum_needs_predecessor"),
        ({"predecessor": STILL}, "report.addendum_empty"),
        ({"author": dataclasses.replace(TRAINEE, role="Receptionist")}, "report.role_not_coded"),
        ({"author": dataclasses.replace(TRAINEE, identifier="")}, "report.observer_incomplete"),
        ({"key_images": (dataclasses.replace(STILL, frame=0),)}, "report.bad_frame"),
        ({"key_images": (dataclasses.replace(STILL, series_uid="x"),)}, "report.bad_uid"),
        (
            {"measurements": (ReportMeasurement("Tendon", float("nan"), STILL),)},
            "report.bad_measurement",
        ),
        ({"measurements": (ReportMeasurement(" ", 3.0, STILL),)}, "report.bad_measurement"),
    ],
)
def test_an_incomplete_or_inconsistent_report_is_refused(
    changes: dict[str, object], code: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        scan_report_sr(_draft(**changes))
    assert refused.value.code == code


def test_empty_optional_sections_are_left_out() -> None:
    sr = scan_report_sr(_draft(history="", request="", recommendations=""))
    headings = [_concept(item) for item in sr.ContentSequence if item.ValueType == "CONTAINER"]
    assert headings == ["59776-5", "19005-8"]


def test_measurements_and_key_images_round_trip() -> None:
    sr = _reread(scan_report_sr(_verified()))
    findings = _section(sr, "59776-5")
    assert findings.ContentSequence[0].ConceptNameCodeSequence[0].CodeValue == "121071"
    measured = []
    for item in _walk(findings.ContentSequence):
        if item.ValueType != "NUM":
            continue
        value = item.MeasuredValueSequence[0]
        label = next(c for c in item.ContentSequence if c.ValueType == "TEXT").TextValue
        image = next(c for c in item.ContentSequence if c.ValueType == "IMAGE")
        assert image.RelationshipType == "INFERRED FROM"
        assert _concept(image) == "121112"
        sop = image.ReferencedSOPSequence[0]
        frame = int(sop.ReferencedFrameNumber) if "ReferencedFrameNumber" in sop else None
        unit = value.MeasurementUnitsCodeSequence[0]
        assert (unit.CodeValue, unit.CodingSchemeDesignator) == ("mm", "UCUM")
        assert _concept(item) == "121206"
        measured.append((label, float(value.NumericValue), sop.ReferencedSOPInstanceUID, frame))
    assert measured == [
        ("Supraspinatus tendon thickness", 6.2, STILL.sop_instance_uid, None),
        ("Subacromial bursa thickness", 1.85, CLIP_FRAME.sop_instance_uid, 7),
    ]
    keys = [
        item.ReferencedSOPSequence[0]
        for item in findings.ContentSequence
        if item.ValueType == "IMAGE" and _concept(item) == "121080"
    ]
    assert [(k.ReferencedSOPClassUID, k.ReferencedSOPInstanceUID) for k in keys] == [
        (ref.sop_class_uid, ref.sop_instance_uid) for ref in (STILL, OTHER_STILL, CLIP_FRAME)
    ]
    assert int(keys[2].ReferencedFrameNumber) == 7
    evidence = sr.CurrentRequestedProcedureEvidenceSequence[0]
    assert evidence.StudyInstanceUID == sr.StudyInstanceUID
    listed = {
        series.SeriesInstanceUID: [
            sop.ReferencedSOPInstanceUID for sop in series.ReferencedSOPSequence
        ]
        for series in evidence.ReferencedSeriesSequence
    }
    assert listed == {
        SERIES: [STILL.sop_instance_uid, OTHER_STILL.sop_instance_uid],
        CLIP_SERIES: [CLIP_FRAME.sop_instance_uid],
    }
    assert sr.ReferencedRequestSequence[0].AccessionNumber == "RVS0012345"


def test_text_outside_ascii_survives() -> None:
    sr = _reread(scan_report_sr(_verified(findings="Müller's sign négative; café-au-lait macule.")))
    assert sr.SpecificCharacterSet == "ISO_IR 192"
    assert str(sr.PatientName) == "Ó'BRIEN^Siobhán"
    assert str(sr.AuthorObserverSequence[0].PersonName) == "MÜLLER^Anna"
    assert _section(sr, "59776-5").ContentSequence[0].TextValue == (
        "Müller's sign négative; café-au-lait macule."
    )
    history = _section(sr, "11329-0").ContentSequence[0].TextValue
    assert "café" in history


@pytest.mark.parametrize(
    ("title", "reason"),
    [("113000", None), ("113004", None), ("113008", None), ("113001", "111210")],
)
def test_key_images_as_a_key_object_selection(
    tmp_path: Path, title: str, reason: str | None
) -> None:
    report = _verified()
    kos = key_object_selection(
        report, title, rejection_reason=reason, description="Tendon thickening, long axis"
    )
    dump = _check_with_tools(kos, tmp_path / f"kos-{title}.dcm")
    assert kos.SOPClassUID == KeyObjectSelectionDocumentStorage
    assert kos.Modality == "KO"
    assert kos.StudyInstanceUID == report.study_uid
    assert kos.PatientID == "9990000018"
    assert kos.ConceptNameCodeSequence[0].CodeValue == title
    assert kos.ContentTemplateSequence[0].TemplateIdentifier == "2010"
    images = [item for item in kos.ContentSequence if item.ValueType == "IMAGE"]
    assert [i.ReferencedSOPSequence[0].ReferencedSOPInstanceUID for i in images] == [
        ref.sop_instance_uid for ref in report.key_images
    ]
    evidence = kos.CurrentRequestedProcedureEvidenceSequence[0]
    assert len(evidence.ReferencedSeriesSequence) == 2
    modifiers = [
        _concept(i) for i in kos.ContentSequence if i.RelationshipType == "HAS CONCEPT MOD"
    ]
    assert ("113011" in modifiers) == (reason is not None)
    described = [
        i.TextValue
        for i in kos.ContentSequence
        if i.ValueType == "TEXT" and _concept(i) == "113012"
    ]
    assert described == ["Tendon thickening, long axis"]
    assert "MÜLLER^Anna" in dump


@pytest.mark.parametrize(
    ("title", "changes", "reason", "code"),
    [
        ("999999", {}, None, "report.bad_kos_title"),
        ("113000", {}, "111210", "report.bad_rejection_reason"),
        ("113001", {}, "000000", "report.bad_rejection_reason"),
        ("113000", {"key_images": ()}, None, "report.no_key_images"),
    ],
)
def test_a_key_object_selection_that_makes_no_sense_is_refused(
    title: str, changes: dict[str, object], reason: str | None, code: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        key_object_selection(_verified(**changes), title, rejection_reason=reason)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("words", "code"),
    [
        ("Sonographer", "C1954848"),
        ("Trainee sonographer", "C1954848"),
        ("Physiotherapist", "36682004"),
        ("Consultant physiotherapist", "36682004"),
        ("Radiologist", "309343006"),
    ],
)
def test_role_words_become_a_code(words: str, code: str) -> None:
    assert role_code(words).value == code


@pytest.mark.parametrize("words", ["Physician associate", "Podiatrist", ""])
def test_role_words_with_no_fitting_code_are_refused(words: str) -> None:
    with pytest.raises(ValidationError) as refused:
        role_code(words)
    assert refused.value.code == "report.role_not_coded"
