"""The scan report as a DICOM Comprehensive SR (PS3.16 TID 2000), and its key images as a KOS.

Who wrote and who verified a report, and how far it has got, map onto the SR Document General
module (PS3.3 C.17.2) like this:

==========================  ==========  ============  ===========  ==========================
state                       Completion  Verification  Preliminary  Verifying Observer
==========================  ==========  ============  ===========  ==========================
draft, or a trainee's       PARTIAL     UNVERIFIED    PRELIMINARY  none
report awaiting review
verified by a supervisor    COMPLETE    VERIFIED      FINAL        the supervisor
signed alone                COMPLETE    VERIFIED      FINAL        the author
==========================  ==========  ============  ===========  ==========================

In DICOM, VERIFIED means a named person attested the content. A practitioner who reports alone
is both the author and the one who attests, so a complete report with no separate verifier is
verified by its author. Anything that would be VERIFIED and PARTIAL is refused: it cannot be
expressed here. The author (who scanned and wrote) is always in the Author Observer Sequence
and, as the person observer performing the procedure, in the content tree (TID 1002/1003).

An addendum is a new instance: its Predecessor Documents Sequence points at the previous
version, it carries an Addendum section, and its verification is its own (the caller passes the
verifier of the addendum, never the one of the previous version).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sr.coding import Code
from pydicom.uid import (
    RE_VALID_UID,
    ComprehensiveSRStorage,
    ExplicitVRLittleEndian,
    KeyObjectSelectionDocumentStorage,
)
from pydicom.valuerep import DSfloat

from clinic_app.domains.imaging.dicom.capture import new_uid
from clinic_app.domains.imaging.dicom.names import local_time
from clinic_app.kernel.errors import ValidationError
from clinic_app.records.registry import record_type
from clinic_app.records.sections import Concept, Section, SectionKind

__all__ = [
    "KOS_TITLES",
    "LOCAL_CODING_SCHEME",
    "REJECTION_REASONS",
    "ImageRef",
    "Observer",
    "ReportMeasurement",
    "ReportPatient",
    "ScanReport",
    "encode",
    "key_object_selection",
    "role_code",
    "scan_report_sr",
]

#: Coding scheme of the identifiers the clinic gives its people ("99...": local, PS3.3 8.2).
LOCAL_CODING_SCHEME = "99ONESTOPMSK"
#: Series numbers of a report's SR and KOS. Every version of a report joins its first
#: version's series (the caller passes that series' UID), numbered by Instance Number.
REPORT_SERIES_NUMBER = 900
KEY_IMAGES_SERIES_NUMBER = 901
_DCMR_UID = "1.2.840.10008.8.1.1"  # DICOM Content Mapping Resource (PS3.16)

_TITLE = Code("18748-4", "LN", "Diagnostic Imaging Report")  # CID 7000
_LANGUAGE = Code("121049", "DCM", "Language of Content Item and Descendants")  # TID 1204
_EN_GB = Code("en-GB", "RFC5646", "English (GB)")  # CID 5000
_OBSERVER_TYPE = Code("121005", "DCM", "Observer Type")  # TID 1002
_PERSON = Code("121006", "DCM", "Person")
_OBSERVER_NAME = Code("121008", "DCM", "Person Observer Name")  # TID 1003
_OBSERVER_ORG = Code("121009", "DCM", "Person Observer's Organization Name")
_OBSERVER_ORG_ROLE = Code("121010", "DCM", "Person Observer's Role in the Organization")
_OBSERVER_PROC_ROLE = Code("121011", "DCM", "Person Observer's Role in this Procedure")
_PERFORMING = Code("121094", "DCM", "Performing")  # CID 7453
# Section headings (CID 7001) and the narrative item each holds (CID 7002, TID 2002) are
# declared with the scan report's sections (``clinic_app.domains.reports.rules``). TID 2000 puts
# the measurements and the key images that illustrate the findings in the findings section.
_EVIDENCE_SECTION = "findings"
_BEST_ILLUSTRATION = Code("121080", "DCM", "Best illustration of finding")  # CID 7003
_SOURCE_OF_MEASUREMENT = Code("121112", "DCM", "Source of Measurement")  # CID 7003
# A measured length between two points: CID 7470 (Linear Measurement) has both SCT "Length"
# and DCM "Distance"; "Distance" is defined by DICOM itself as between two points, which is
# what a calliper on an ultrasound image gives.
_DISTANCE = Code("121206", "DCM", "Distance")
_LABEL = Code("121050", "DCM", "Equivalent Meaning of Concept Name")  # TID 1210
_MM = Code("mm", "UCUM", "mm")
_KEY_OBJECT_DESCRIPTION = Code("113012", "DCM", "Key Object Description")  # TID 2010
_TITLE_MODIFIER = Code("113011", "DCM", "Document Title Modifier")

#: Document titles a key image selection may have (PS3.16 CID 7010), by code value.
KOS_TITLES: dict[str, str] = {
    "113000": "Of Interest",
    "113001": "Rejected for Quality Reasons",
    "113002": "For Referring Provider",
    "113003": "For Surgery",
    "113004": "For Teaching",
    "113005": "For Conference",
    "113006": "For Therapy",
    "113007": "For Patient",
    "113008": "For Peer Review",
    "113009": "For Research",
    "113013": "Best In Set",
    "113020": "For Report Attachment",
}
#: Why images were rejected for quality (PS3.16 CID 7011), by code value: the reasons that can
#: apply to ultrasound (not the exposure, grid and detector ones of X-ray).
REJECTION_REASONS: dict[str, str] = {
    "111207": "Image artifact(s)",
    "111209": "Positioning",
    "111210": "Motion blur",
    "111213": "No image",
    "111215": "Artifact(s) other than grid or detector artifact",
    "111218": "Software failure",
    "111219": "Inappropriate image processing",
    "111220": "Other failure",
    "111221": "Unknown failure",
}

# Role words to Person Observer's Role in the Organization (CID 7452), first match wins.
# CID 7452 has Sonographer (UMLS) but no physiotherapist; it is extensible, so a
# physiotherapist is coded with the SNOMED CT occupation 36682004. Grades ("trainee",
# "consultant", "advanced") are not coded: CID 7452's Consultant is a medical consultant, and a
# trainee's status shows in who verified the report. Words with no match, or matched to None
# (a physician associate is not a physician), are refused rather than guessed.
_ROLES: tuple[tuple[tuple[str, ...], Code | None], ...] = (
    (("physician associate", "physician assistant"), None),
    (("sonologist",), Code("121092", "DCM", "Sonologist")),
    (("sonographer",), Code("C1954848", "UMLS", "Sonographer")),
    (("physiotherapist", "physical therapist"), Code("36682004", "SCT", "Physiotherapist")),
    (("radiographer",), Code("159016003", "SCT", "Radiologic Technologist")),
    (("nurse",), Code("106292003", "SCT", "Nurse")),
    (("surgeon",), Code("304292004", "SCT", "Surgeon")),
    (("radiologist", "physician"), Code("309343006", "SCT", "Physician")),
    (("doctor", "medical practitioner"), Code("158965000", "SCT", "Medical Practitioner")),
)


@dataclass(frozen=True)
class Observer:
    """A person in the report: who wrote it, or who verified it.

    Attributes:
        name: a DICOM person name, ``FAMILY^Given``.
        identifier: the professional registration number, or a local id (the clinic's own
            coding scheme, :data:`LOCAL_CODING_SCHEME`).
        organisation: e.g. "Riverside Community MSK Clinic".
        role: the role in the organisation in words, e.g. "Trainee sonographer".
    """

    name: str
    identifier: str
    organisation: str
    role: str


@dataclass(frozen=True)
class ImageRef:
    """An image (or the previous SR) the report refers to, in the report's study.

    Attributes:
        frame: the 1-based frame of a multi-frame image when the finding is one frame.
    """

    sop_class_uid: str
    sop_instance_uid: str
    series_uid: str
    frame: int | None = None


@dataclass(frozen=True)
class ReportMeasurement:
    """A calibrated distance in mm, e.g. "Supraspinatus tendon thickness", and its image."""

    label: str
    mm: float
    image: ImageRef


@dataclass(frozen=True)
class ReportPatient:
    """The patient as in the record; ``sex`` is M, F, O or empty (not known)."""

    nhs_number: str
    family_name: str
    given_name: str
    birth_date: date
    sex: str


@dataclass(frozen=True)
class ScanReport:
    """One version of a scan report, ready to be made into DICOM.

    Attributes:
        texts: the text of each section by its key (history, request, findings, impression,
            recommendations, addendum, and any other the scan report declares); empty
            sections are left out, but the required ones (findings, impression) must be
            written, and an addendum is required exactly when there is a predecessor.
        measurements: calibrated distances, each with the image it was measured on.
        key_images: the images that best show the findings.
        author: who scanned and wrote it.
        verifier: the supervisor who verified it; None while unverified or when signed alone.
        complete: False for a draft or a report awaiting review.
        verified_at: when it was verified (or signed alone); required when complete.
        written_at: when the content was written (Content Date and Time).
        predecessor: the previous version's SR, for an addendum.
        series_uid: the SR's own series (a new one if None).
        study_id, study_started: the study's ID and start as in its images, when known.
    """

    patient: ReportPatient
    study_uid: str
    accession: str
    texts: Mapping[str, str]
    measurements: tuple[ReportMeasurement, ...]
    key_images: tuple[ImageRef, ...]
    author: Observer
    verifier: Observer | None
    complete: bool
    verified_at: datetime | None
    written_at: datetime
    predecessor: ImageRef | None
    institution: str = ""
    series_uid: str | None = None
    instance_number: int = 1
    study_id: str = ""
    study_started: datetime | None = None

    def text(self, key: str) -> str:
        """The text of the section ``key`` ("" when it has none)."""
        return str(self.texts.get(key) or "")

    @property
    def addendum(self) -> str:
        """The words of its addendum sections ("" for a first version)."""
        return "\n\n".join(
            self.text(section.key) for section in _sections_of_report() if section.amendment
        ).strip()


def _sections_of_report() -> tuple[Section, ...]:
    return record_type("scan_report").sections


def role_code(role: str) -> Code:
    """The CID 7452 code for role words such as "Trainee sonographer".

    Raises:
        ValidationError: ``report.role_not_coded`` when no code fits the words.
    """
    words = role.casefold()
    for keys, code in _ROLES:
        if any(key in words for key in keys):
            if code is None:
                break
            return code
    raise ValidationError("report.role_not_coded", field="role")


def scan_report_sr(report: ScanReport) -> Dataset:
    """The report as a Comprehensive SR (PS3.3 A.35.3) following TID 2000.

    Raises:
        ValidationError: ``report.findings_empty``, ``report.impression_empty``,
            ``report.verified_needs_complete``, ``report.verified_needs_time``,
            ``report.addendum_empty``, ``report.addendum_needs_predecessor``,
            ``report.role_not_coded``, ``report.observer_incomplete``,
            ``report.observer_too_long``, ``report.bad_uid``,
            ``report.bad_frame``, ``report.bad_measurement`` or ``dicom.bad_sex``.
    """
    _check_report(report)
    # A complete report with no separate verifier was signed alone: its author attests it.
    verifier = report.verifier
    if verifier is None and report.complete:
        verifier = report.author
    ds = _header(report, ComprehensiveSRStorage, "SR", report.series_uid, REPORT_SERIES_NUMBER)
    ds.CompletionFlag = "COMPLETE" if report.complete else "PARTIAL"
    ds.VerificationFlag = "UNVERIFIED" if verifier is None else "VERIFIED"
    ds.PreliminaryFlag = "PRELIMINARY" if verifier is None else "FINAL"
    ds.AuthorObserverSequence = [_identified_person(report.author)]
    ds.CodingSchemeIdentificationSequence = [_local_scheme()]
    if verifier is not None and report.verified_at is not None:
        ds.VerifyingObserverSequence = [_verifying_observer(verifier, report.verified_at)]
        attest = _identified_person(verifier)
        attest.ParticipationType = "ATTEST"
        attest.ParticipationDateTime = _datetime(report.verified_at)
        ds.ParticipantSequence = [attest]
    if report.predecessor is not None:
        ds.PredecessorDocumentsSequence = _evidence(report.study_uid, [report.predecessor])
    _request_and_evidence(ds, report, [*report.key_images, *(m.image for m in report.measurements)])
    ds.PerformedProcedureCodeSequence = []
    _root(ds, _TITLE, "2000")
    ds.ContentSequence = [*_context(report.author), *_sections(report)]
    return ds


def key_object_selection(
    report: ScanReport,
    title_code: str = "113000",
    *,
    rejection_reason: str | None = None,
    description: str = "",
    series_uid: str | None = None,
) -> Dataset:
    """The report's key images as a Key Object Selection Document (PS3.3 A.35.4, TID 2010).

    Args:
        report: gives the patient, study, author and the key images.
        title_code: the document title, a code value from :data:`KOS_TITLES` (CID 7010).
        rejection_reason: for "Rejected for Quality Reasons", a code value from
            :data:`REJECTION_REASONS` (CID 7011), given as the Document Title Modifier.
        description: a note on why these images were selected (Key Object Description).
        series_uid: the selection's own series (a new one if None).

    Raises:
        ValidationError: ``report.bad_kos_title``, ``report.bad_rejection_reason``,
            ``report.no_key_images``, ``report.bad_uid``, ``report.bad_frame``,
            ``report.role_not_coded`` or ``dicom.bad_sex``.
    """
    if title_code not in KOS_TITLES:
        raise ValidationError("report.bad_kos_title", field="title_code")
    if rejection_reason is not None and (
        title_code != "113001" or rejection_reason not in REJECTION_REASONS
    ):
        raise ValidationError("report.bad_rejection_reason", field="rejection_reason")
    if not report.key_images:
        raise ValidationError("report.no_key_images", field="key_images")
    _check_refs(report.study_uid, report.key_images)
    _check_uids("series_uid", series_uid)
    _check_patient(report.patient)
    ds = _header(
        report, KeyObjectSelectionDocumentStorage, "KO", series_uid, KEY_IMAGES_SERIES_NUMBER
    )
    _request_and_evidence(ds, report, report.key_images, always=True)
    _root(ds, Code(title_code, "DCM", KOS_TITLES[title_code]), "2010")
    content: list[Dataset] = []
    if rejection_reason is not None:
        reason = Code(rejection_reason, "DCM", REJECTION_REASONS[rejection_reason])
        content.append(_coded("HAS CONCEPT MOD", _TITLE_MODIFIER, reason))
    content.extend(_context(report.author))
    if description.strip():
        content.append(_text("CONTAINS", _KEY_OBJECT_DESCRIPTION, description.strip()))
    content.extend(_image("CONTAINS", None, ref) for ref in report.key_images)
    ds.ContentSequence = content
    return ds


def encode(ds: Dataset) -> bytes:
    """A report or key image selection as a DICOM file's bytes (Explicit VR Little Endian)."""
    buffer = BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


# ------------------------------------------------------------------ checks


def _check_report(report: ScanReport) -> None:
    _check_patient(report.patient)
    for section in _sections_of_report():
        if (
            section.required
            and section.kind is SectionKind.TEXT
            and not report.text(section.key).strip()
        ):
            raise ValidationError(f"report.{section.key}_empty", field=section.key)
    if not report.complete and (report.verifier is not None or report.verified_at is not None):
        raise ValidationError("report.verified_needs_complete", field="complete")
    if report.complete and report.verified_at is None:
        raise ValidationError("report.verified_needs_time", field="verified_at")
    if report.predecessor is not None and not report.addendum:
        raise ValidationError("report.addendum_empty", field="addendum")
    if report.predecessor is None and report.addendum:
        raise ValidationError("report.addendum_needs_predecessor", field="addendum")
    _check_observer(report.author, "author")
    if report.verifier is not None:
        _check_observer(report.verifier, "verifier")
    for measurement in report.measurements:
        if not measurement.label.strip() or not (
            math.isfinite(measurement.mm) and measurement.mm > 0
        ):
            raise ValidationError("report.bad_measurement", field="measurements")
    refs = [*report.key_images, *(m.image for m in report.measurements)]
    _check_refs(report.study_uid, refs + ([report.predecessor] if report.predecessor else []))
    _check_uids("series_uid", report.series_uid)


def _check_patient(patient: ReportPatient) -> None:
    if patient.sex not in {"M", "F", "O", ""}:
        raise ValidationError("dicom.bad_sex", field="sex")


def _check_observer(observer: Observer, field: str) -> None:
    if not (observer.name.split("^")[0].strip() and observer.identifier.strip()):
        raise ValidationError("report.observer_incomplete", field=field)
    if not observer.organisation.strip():
        raise ValidationError("report.observer_incomplete", field=field)
    # Verifying Organization and Institution Name are LO: 64 characters at most.
    if len(observer.organisation) > 64:
        raise ValidationError("report.observer_too_long", field=field)
    role_code(observer.role)


def _check_uids(field: str, *uids: str | None) -> None:
    if not all(uid is None or (len(uid) <= 64 and re.fullmatch(RE_VALID_UID, uid)) for uid in uids):
        raise ValidationError("report.bad_uid", field=field)


def _check_refs(study_uid: str, refs: Iterable[ImageRef]) -> None:
    _check_uids("study_uid", study_uid)
    for ref in refs:
        _check_uids("images", ref.sop_class_uid, ref.sop_instance_uid, ref.series_uid)
        if ref.frame is not None and ref.frame < 1:
            raise ValidationError("report.bad_frame", field="images")


# ------------------------------------------------------------------ header


def _header(
    report: ScanReport, sop_class: str, modality: str, series_uid: str | None, number: int
) -> Dataset:
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = new_uid()
    patient = report.patient
    ds.PatientName = f"{patient.family_name.upper()}^{patient.given_name}"
    ds.PatientID = patient.nhs_number
    ds.IssuerOfPatientID = "NHS"
    ds.PatientBirthDate = patient.birth_date.strftime("%Y%m%d")
    ds.PatientSex = patient.sex
    ds.StudyInstanceUID = report.study_uid
    started = local_time(report.study_started) if report.study_started else None
    ds.StudyDate = started.strftime("%Y%m%d") if started else ""
    ds.StudyTime = started.strftime("%H%M%S") if started else ""
    ds.ReferringPhysicianName = ""
    ds.StudyID = report.study_id
    ds.AccessionNumber = report.accession
    ds.Modality = modality
    ds.SeriesInstanceUID = series_uid or new_uid()
    ds.SeriesNumber = number
    ds.ReferencedPerformedProcedureStepSequence = []
    ds.Manufacturer = "OneStop MSK"
    if report.institution:
        ds.InstitutionName = report.institution
    ds.InstanceNumber = report.instance_number
    written = local_time(report.written_at)
    ds.ContentDate = written.strftime("%Y%m%d")
    ds.ContentTime = written.strftime("%H%M%S")
    offset = written.strftime("%z")
    if offset:
        ds.TimezoneOffsetFromUTC = offset
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return ds


def _request_and_evidence(
    ds: Dataset, report: ScanReport, refs: Sequence[ImageRef], *, always: bool = False
) -> None:
    if report.accession:
        # The report answers the request that the accession number stands for.
        request = Dataset()
        request.StudyInstanceUID = report.study_uid
        request.ReferencedStudySequence = []
        request.AccessionNumber = report.accession
        request.PlacerOrderNumberImagingServiceRequest = ""
        request.FillerOrderNumberImagingServiceRequest = ""
        request.RequestedProcedureID = ""
        request.RequestedProcedureDescription = ""
        request.RequestedProcedureCodeSequence = []
        ds.ReferencedRequestSequence = [request]
    if refs or always:
        ds.CurrentRequestedProcedureEvidenceSequence = _evidence(report.study_uid, refs)


def _evidence(study_uid: str, refs: Iterable[ImageRef]) -> list[Dataset]:
    """A Hierarchical SOP Instance Reference (study, series, instances), each instance once."""
    series: dict[str, dict[str, str]] = {}
    for ref in refs:
        series.setdefault(ref.series_uid, {})[ref.sop_instance_uid] = ref.sop_class_uid
    study = Dataset()
    study.StudyInstanceUID = study_uid
    study.ReferencedSeriesSequence = []
    for series_uid, instances in series.items():
        item = Dataset()
        item.SeriesInstanceUID = series_uid
        item.ReferencedSOPSequence = []
        for instance_uid, class_uid in instances.items():
            sop = Dataset()
            sop.ReferencedSOPClassUID = class_uid
            sop.ReferencedSOPInstanceUID = instance_uid
            item.ReferencedSOPSequence.append(sop)
        study.ReferencedSeriesSequence.append(item)
    return [study]


def _person_code(observer: Observer) -> Dataset:
    family, _, rest = observer.name.partition("^")
    given = rest.split("^")[0]
    return _code_dataset(
        Code(observer.identifier, LOCAL_CODING_SCHEME, f"{given} {family}".strip()[:64])
    )


def _local_scheme() -> Dataset:
    """Says what the clinic's own coding scheme is (SOP Common, PS3.3 C.12.1)."""
    scheme = Dataset()
    scheme.CodingSchemeDesignator = LOCAL_CODING_SCHEME
    scheme.CodingSchemeName = "OneStop MSK clinician identifiers"
    scheme.CodingSchemeResponsibleOrganization = "OneStop MSK"
    return scheme


def _identified_person(observer: Observer) -> Dataset:
    item = Dataset()
    item.ObserverType = "PSN"
    item.PersonName = observer.name
    item.PersonIdentificationCodeSequence = [_person_code(observer)]
    item.InstitutionName = observer.organisation
    item.InstitutionCodeSequence = []
    return item


def _verifying_observer(observer: Observer, when: datetime) -> Dataset:
    item = Dataset()
    item.VerifyingObserverName = observer.name
    item.VerifyingObserverIdentificationCodeSequence = [_person_code(observer)]
    item.VerifyingOrganization = observer.organisation
    item.VerificationDateTime = _datetime(when)
    return item


def _datetime(when: datetime) -> str:
    local = local_time(when)
    return local.strftime("%Y%m%d%H%M%S") + local.strftime("%z")


# ------------------------------------------------------------------ content tree


def _root(ds: Dataset, title: Code, template: str) -> None:
    ds.ValueType = "CONTAINER"
    ds.ConceptNameCodeSequence = [_code_dataset(title)]
    ds.ContinuityOfContent = "SEPARATE"
    used = Dataset()
    used.MappingResource = "DCMR"
    used.MappingResourceUID = _DCMR_UID
    used.TemplateIdentifier = template
    ds.ContentTemplateSequence = [used]


def _context(author: Observer) -> list[Dataset]:
    """Language (TID 1204) and the author as the person observer performing (TID 1002)."""
    return [
        _coded("HAS CONCEPT MOD", _LANGUAGE, _EN_GB),
        _coded("HAS OBS CONTEXT", _OBSERVER_TYPE, _PERSON),
        _item("HAS OBS CONTEXT", "PNAME", _OBSERVER_NAME, PersonName=author.name),
        _text("HAS OBS CONTEXT", _OBSERVER_ORG, author.organisation),
        _coded("HAS OBS CONTEXT", _OBSERVER_ORG_ROLE, role_code(author.role)),
        _coded("HAS OBS CONTEXT", _OBSERVER_PROC_ROLE, _PERFORMING),
    ]


def _sections(report: ScanReport) -> list[Dataset]:
    sections = []
    for section in _sections_of_report():
        if section.sr_heading is None:
            continue
        container = _section(section.sr_heading, report.text(section.key))
        if section.key == _EVIDENCE_SECTION:
            container.ContentSequence.extend(_measurement(m) for m in report.measurements)
            container.ContentSequence.extend(
                _image("CONTAINS", _BEST_ILLUSTRATION, ref) for ref in report.key_images
            )
        sections.append(container)
    return [section for section in sections if section.ContentSequence]


def _section(heading: tuple[Concept, Concept], text: str) -> Dataset:
    title, item = (Code(c.value, c.scheme, c.meaning) for c in heading)
    container = _item("CONTAINS", "CONTAINER", title, ContinuityOfContent="SEPARATE")
    container.ContentSequence = [_text("CONTAINS", item, text)] if text.strip() else []
    return container


def _measurement(measurement: ReportMeasurement) -> Dataset:
    value = Dataset()
    value.NumericValue = DSfloat(measurement.mm, auto_format=True)
    value.MeasurementUnitsCodeSequence = [_code_dataset(_MM)]
    num = _item("CONTAINS", "NUM", _DISTANCE, MeasuredValueSequence=[value])
    num.ContentSequence = [
        _text("HAS CONCEPT MOD", _LABEL, measurement.label.strip()),
        _image("INFERRED FROM", _SOURCE_OF_MEASUREMENT, measurement.image),
    ]
    return num


def _image(relationship: str, concept: Code | None, ref: ImageRef) -> Dataset:
    sop = Dataset()
    sop.ReferencedSOPClassUID = ref.sop_class_uid
    sop.ReferencedSOPInstanceUID = ref.sop_instance_uid
    if ref.frame is not None:
        sop.ReferencedFrameNumber = ref.frame
    return _item(relationship, "IMAGE", concept, ReferencedSOPSequence=[sop])


def _text(relationship: str, concept: Code, text: str) -> Dataset:
    return _item(relationship, "TEXT", concept, TextValue=text)


def _coded(relationship: str, concept: Code, value: Code) -> Dataset:
    return _item(relationship, "CODE", concept, ConceptCodeSequence=[_code_dataset(value)])


def _item(relationship: str, value_type: str, concept: Code | None, **values: object) -> Dataset:
    item = Dataset()
    item.RelationshipType = relationship
    item.ValueType = value_type
    if concept is not None:
        item.ConceptNameCodeSequence = [_code_dataset(concept)]
    for keyword, value in values.items():
        setattr(item, keyword, value)
    return item


def _code_dataset(code: Code) -> Dataset:
    item = Dataset()
    # Code Value is SH (16 characters); longer values go in Long Code Value (PS3.3 8.1).
    if len(code.value) > 16:
        item.LongCodeValue = code.value
    else:
        item.CodeValue = code.value
    item.CodingSchemeDesignator = code.scheme_designator
    item.CodeMeaning = code.meaning
    return item
