"""What the SR and KOS keep of ours where highdicom builds them: stand-ins, frames, names."""

from __future__ import annotations

from pathlib import Path

from clinic_app.domains.reports.sr import Observer, key_object_selection, scan_report_sr
from tests.core.reports.test_dicom_report import (
    CLINIC,
    CLIP_FRAME,
    STILL,
    VERIFIED,
    _check_with_tools,
    _draft,
    _reread,
    _verified,
)


def test_a_report_of_no_image_lists_no_evidence_and_is_still_valid(tmp_path: Path) -> None:
    report = _draft(measurements=(), key_images=())
    sr = _reread(scan_report_sr(report))
    _check_with_tools(sr, tmp_path / "no-images.dcm")
    # highdicom needs evidence to take the patient from; the stand-in it was given is not kept.
    assert "CurrentRequestedProcedureEvidenceSequence" not in sr
    assert "PertinentOtherEvidenceSequence" not in sr
    assert (sr.PatientID, sr.IssuerOfPatientID) == ("9990000018", "NHS")
    assert sr.StudyInstanceUID == report.study_uid
    assert (sr.StudyID, sr.StudyDate, sr.AccessionNumber) == (
        "US2611251030",
        "20261125",
        "RVS0012345",
    )


def test_the_verification_time_and_identifier_are_the_verifiers() -> None:
    sr = _reread(scan_report_sr(_verified()))
    verifying = sr.VerifyingObserverSequence[0]
    # Not the library's clock and empty identifier: the supervisor's own.
    assert verifying.VerificationDateTime == "20261125160500+0000"
    assert verifying.VerifyingObserverIdentificationCodeSequence[0].CodeValue == "PH123456"
    assert sr.ContentTemplateSequence[0].MappingResourceUID == "1.2.840.10008.8.1.1"
    assert (sr.ContentDate, sr.ContentTime) == ("20261125", "104000")
    assert (sr.InstanceCreationDate, sr.InstanceCreationTime) == ("20261125", "104000")
    assert sr.SeriesNumber == 900


def test_a_one_word_name_is_kept_as_written() -> None:
    """A single family name is valid DICOM; the library's warning about it is not an error."""
    single = Observer("TIA", "T-0077", CLINIC, "Sonographer")
    sr = _reread(scan_report_sr(_draft(author=single, complete=True, verified_at=VERIFIED)))
    assert str(sr.AuthorObserverSequence[0].PersonName) == "TIA"
    assert str(sr.VerifyingObserverSequence[0].VerifyingObserverName) == "TIA"
    names = [str(i.PersonName) for i in sr.ContentSequence if i.ValueType == "PNAME"]
    assert names == ["TIA"]


def test_the_key_image_selection_keeps_frames_issuer_and_language(tmp_path: Path) -> None:
    report = _verified(key_images=(STILL, CLIP_FRAME))
    kos = _reread(key_object_selection(report, "113004", series_uid=None))
    _check_with_tools(kos, tmp_path / "kos.dcm")
    images = [i.ReferencedSOPSequence[0] for i in kos.ContentSequence if i.ValueType == "IMAGE"]
    frames = [
        int(i.ReferencedFrameNumber) if "ReferencedFrameNumber" in i else None for i in images
    ]
    assert frames == [None, 7]
    assert kos.IssuerOfPatientID == "NHS"
    assert kos.ContentTemplateSequence[0].MappingResourceUID == "1.2.840.10008.8.1.1"
    first = kos.ContentSequence[0]
    assert (first.RelationshipType, first.ConceptNameCodeSequence[0].CodeValue) == (
        "HAS CONCEPT MOD",
        "121049",
    )
    assert kos.SeriesNumber == 901
    assert kos.InstanceNumber == report.instance_number
