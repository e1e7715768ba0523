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

highdicom builds both documents (``ComprehensiveSR``, ``KeyObjectSelectionDocument``), their
UIDs' places, the evidence and predecessor references and the content items; TID 2000 has no
template class there, so its sections are put together here from highdicom's content items.
What highdicom does not express is added with pydicom after it has built the document: the
Author Observer, Participant (ATTEST) and Coding Scheme Identification Sequences; the
verifier's identifier and verification time (the library leaves the one empty and stamps its
own clock on the other); the DCMR Mapping Resource UID; Content Date and Time in local time
with their offset; Issuer of Patient ID on the KOS; and in the KOS the Document Title Modifier,
the language and the frame of a multi-frame image. highdicom lets a VERIFIED and PARTIAL
document through, so the check against it stays ours. It takes the patient and study from the
evidence: a report that refers to no image gives it a stand-in of its study, then lists none.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO

from highdicom.ko import KeyObjectSelection, KeyObjectSelectionDocument
from highdicom.sr import (
    CodeContentItem,
    CodedConcept,
    ComprehensiveSR,
    ContainerContentItem,
    ContentItem,
    ContentSequence,
    ImageContentItem,
    NumContentItem,
    ObserverContext,
    PersonObserverIdentifyingAttributes,
    TextContentItem,
)
from pydicom.dataset import Dataset
from pydicom.sr.coding import Code
from pydicom.uid import RE_VALID_UID, ComprehensiveSRStorage

from clinic_app.domains.imaging.dicom.capture import new_uid
from clinic_app.domains.imaging.dicom.names import local_time
from clinic_app.kernel.errors import ValidationError
from clinic_app.records.registry import record_type
from clinic_app.records.sections import Section, SectionKind

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
_MANUFACTURER = "OneStop MSK"

_TITLE = Code("18748-4", "LN", "Diagnostic Imaging Report")  # CID 7000
_LANGUAGE = Code("121049", "DCM", "Language of Content Item and Descendants")  # TID 1204
_EN_GB = Code("en-GB", "RFC5646", "English (GB)")  # CID 5000
_PERSON = Code("121006", "DCM", "Person")
_PERFORMING = Code("121094", "DCM", "Performing")  # CID 7453
# Section headings (CID 7001) and the narrative item each holds (CID 7002, TID 2002) are
# declared with the scan report's sections (``clinic_app.domains.reports.rules``). TID 2000 puts
# the measurements and the key images that illustrate the findings in the findings section.
_EVIDENCE_SECTION = "findings"
#: The verifier's comment on a verified version (DCM 121106, "Comment").
_COMMENT = Code("121106", "DCM", "Comment")
_BEST_ILLUSTRATION = Code("121080", "DCM", "Best illustration of finding")  # CID 7003
_SOURCE_OF_MEASUREMENT = Code("121112", "DCM", "Source of Measurement")  # CID 7003
# A measured length between two points: CID 7470 (Linear Measurement) has both SCT "Length"
# and DCM "Distance"; "Distance" is defined by DICOM itself as between two points, which is
# what a calliper on an ultrasound image gives.
_DISTANCE = Code("121206", "DCM", "Distance")
_LABEL = Code("121050", "DCM", "Equivalent Meaning of Concept Name")  # TID 1210
_MM = Code("mm", "UCUM", "mm")
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
    """The patient as in the record; ``sex`` is M, F, O or empty (not known).

    ``nhs_number`` is the Patient ID, issued by ``issuer``: the NHS number (issuer ``NHS``),
    or for a patient without one the record's own identifier under the app's local issuer.
    """

    nhs_number: str
    family_name: str
    given_name: str
    birth_date: date
    sex: str
    issuer: str = "NHS"


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
    #: What the verifier agreed and added in their own words (a verified version only).
    verifier_words: str = ""
    #: The study's date and time as its images carry them (DA, TM), over ``study_started``.
    study_date_time: tuple[str, str] | None = None

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
    refs = [*report.key_images, *(m.image for m in report.measurements)]
    with _names_as_recorded():
        root = ContainerContentItem(_TITLE, is_content_continuous=False, template_id="2000")
        root.ContentSequence = ContentSequence([*_context(report.author), *_sections(report)])
        sr = _comprehensive_sr(report, root, refs, verifier)
    if not refs:
        del sr.CurrentRequestedProcedureEvidenceSequence
    if verifier is not None and report.verified_at is not None:
        # The library stamps its own clock and leaves the verifier's identifier empty.
        verifying = sr.VerifyingObserverSequence[0]
        verifying.VerificationDateTime = _datetime(report.verified_at)
        verifying.VerifyingObserverIdentificationCodeSequence = [_person_code(verifier)]
        attest = _identified_person(verifier)
        attest.ParticipationType = "ATTEST"
        attest.ParticipationDateTime = _datetime(report.verified_at)
        sr.ParticipantSequence = [attest]
    sr.AuthorObserverSequence = [_identified_person(report.author)]
    sr.CodingSchemeIdentificationSequence = [_local_scheme()]
    return _finish(sr, report)


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
    images = [_instance(report, ref) for ref in report.key_images]
    with _names_as_recorded():
        kos = _kos(report, title_code, images, description, series_uid)
    # TID 2010's title modifier and language come before the observer; the library offers
    # neither, nor a frame of a multi-frame image.
    modifiers = [_language()]
    if rejection_reason is not None:
        reason = Code(rejection_reason, "DCM", REJECTION_REASONS[rejection_reason])
        modifiers.insert(0, CodeContentItem(_TITLE_MODIFIER, reason, "HAS CONCEPT MOD"))
    kos.ContentSequence = [*modifiers, *kos.ContentSequence]
    referenced = (item for item in kos.ContentSequence if item.ValueType == "IMAGE")
    for item, ref in zip(referenced, report.key_images, strict=True):
        if ref.frame is not None:
            item.ReferencedSOPSequence[0].ReferencedFrameNumber = ref.frame
    return _finish(kos, report)


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


def _comprehensive_sr(
    report: ScanReport, root: ContainerContentItem, refs: list[ImageRef], verifier: Observer | None
) -> ComprehensiveSR:
    return ComprehensiveSR(
        # highdicom takes the patient and study from the evidence, so a report that refers to
        # no image is given its study alone, and that stand-in is not listed as evidence.
        evidence=[_instance(report, ref) for ref in refs] or [_instance(report, None)],
        content=root,
        series_instance_uid=report.series_uid or new_uid(),
        series_number=REPORT_SERIES_NUMBER,
        sop_instance_uid=new_uid(),
        instance_number=report.instance_number,
        manufacturer=_MANUFACTURER,
        is_complete=report.complete,
        is_final=verifier is not None,
        is_verified=verifier is not None,
        institution_name=report.institution or None,
        verifying_observer_name=verifier.name if verifier else None,
        verifying_organization=verifier.organisation if verifier else None,
        requested_procedures=_request(report),
        previous_versions=[_instance(report, report.predecessor)] if report.predecessor else None,
    )


@contextmanager
def _names_as_recorded() -> Iterator[None]:
    """A one-word name (``TIA``) is a valid family name: highdicom only warns that it is rare."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", "The string .* is unlikely to represent the intended person name", UserWarning
        )
        yield


def _kos(
    report: ScanReport,
    title_code: str,
    images: list[Dataset],
    description: str,
    series_uid: str | None,
) -> KeyObjectSelectionDocument:
    content = KeyObjectSelection(
        Code(title_code, "DCM", KOS_TITLES[title_code]),
        images,
        observer_person_context=_observer(report.author),
        description=description.strip() or None,
    )
    return KeyObjectSelectionDocument(
        evidence=images,
        content=content,
        series_instance_uid=series_uid or new_uid(),
        series_number=KEY_IMAGES_SERIES_NUMBER,
        sop_instance_uid=new_uid(),
        instance_number=report.instance_number,
        manufacturer=_MANUFACTURER,
        institution_name=report.institution or None,
        requested_procedures=_request(report),
    )


def _instance(report: ScanReport, ref: ImageRef | None) -> Dataset:
    """A referenced instance as highdicom wants its evidence: UIDs, patient and study."""
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"
    patient = report.patient
    ds.PatientName = f"{patient.family_name.upper()}^{patient.given_name}"
    ds.PatientID = patient.nhs_number
    ds.IssuerOfPatientID = patient.issuer
    ds.PatientBirthDate = patient.birth_date.strftime("%Y%m%d")
    ds.PatientSex = patient.sex
    ds.StudyInstanceUID = report.study_uid
    started = local_time(report.study_started) if report.study_started else None
    ds.StudyDate = started.strftime("%Y%m%d") if started else ""
    ds.StudyTime = started.strftime("%H%M%S") if started else ""
    if report.study_date_time is not None:
        ds.StudyDate, ds.StudyTime = report.study_date_time
    ds.ReferringPhysicianName = ""
    ds.StudyID = report.study_id
    ds.AccessionNumber = report.accession
    if ref is not None:
        ds.SOPClassUID = ref.sop_class_uid
        ds.SOPInstanceUID = ref.sop_instance_uid
        ds.SeriesInstanceUID = ref.series_uid
        # highdicom's KOS refers to an instance with Rows and Columns as an IMAGE.
        ds.Rows = ds.Columns = 0
    else:
        ds.SOPClassUID = ComprehensiveSRStorage
        ds.SOPInstanceUID = ds.SeriesInstanceUID = new_uid()
    return ds


def _finish(ds: Dataset, report: ScanReport) -> Dataset:
    """What the library leaves to us: local content time, the issuer, the DCMR UID."""
    ds.IssuerOfPatientID = report.patient.issuer  # the KOS does not copy it from the evidence
    written = local_time(report.written_at)
    ds.ContentDate = written.strftime("%Y%m%d")
    ds.ContentTime = written.strftime("%H%M%S")
    ds.InstanceCreationDate, ds.InstanceCreationTime = ds.ContentDate, ds.ContentTime
    offset = written.strftime("%z")
    if offset:
        ds.TimezoneOffsetFromUTC = offset
    ds.ContentTemplateSequence[0].MappingResourceUID = _DCMR_UID
    return ds


def _request(report: ScanReport) -> list[Dataset] | None:
    """The request the accession number stands for, which the report answers."""
    if not report.accession:
        return None
    request = Dataset()
    request.StudyInstanceUID = report.study_uid
    request.ReferencedStudySequence = []
    request.AccessionNumber = report.accession
    request.PlacerOrderNumberImagingServiceRequest = ""
    request.FillerOrderNumberImagingServiceRequest = ""
    request.RequestedProcedureID = ""
    request.RequestedProcedureDescription = ""
    request.RequestedProcedureCodeSequence = []
    return [request]


def _person_code(observer: Observer) -> Dataset:
    family, _, rest = observer.name.partition("^")
    given = rest.split("^")[0]
    code = CodedConcept(observer.identifier, LOCAL_CODING_SCHEME, f"{given} {family}".strip()[:64])
    return code


def _local_scheme() -> Dataset:
    """Says what the clinic's own coding scheme is (SOP Common, PS3.3 C.12.1)."""
    scheme = Dataset()
    scheme.CodingSchemeDesignator = LOCAL_CODING_SCHEME
    scheme.CodingSchemeName = "OneStop MSK clinician identifiers"
    scheme.CodingSchemeResponsibleOrganization = "OneStop MSK"
    return scheme


def _identified_person(observer: Observer) -> Dataset:
    """An Author Observer or Participant item (PS3.3 C.17.2): highdicom makes neither."""
    item = Dataset()
    item.ObserverType = "PSN"
    item.PersonName = observer.name
    item.PersonIdentificationCodeSequence = [_person_code(observer)]
    item.InstitutionName = observer.organisation
    item.InstitutionCodeSequence = []
    return item


def _datetime(when: datetime) -> str:
    local = local_time(when)
    return local.strftime("%Y%m%d%H%M%S") + local.strftime("%z")


# ------------------------------------------------------------------ content tree


def _language() -> CodeContentItem:
    return CodeContentItem(_LANGUAGE, _EN_GB, "HAS CONCEPT MOD")  # TID 1204


def _observer(author: Observer) -> ObserverContext:
    """The author as the person observer performing the procedure (TID 1002, 1003)."""
    return ObserverContext(
        observer_type=CodedConcept.from_code(_PERSON),
        observer_identifying_attributes=PersonObserverIdentifyingAttributes(
            name=author.name,
            organization_name=author.organisation,
            role_in_organization=role_code(author.role),
            role_in_procedure=_PERFORMING,
        ),
    )


def _context(author: Observer) -> list[ContentItem]:
    return [_language(), *_observer(author)]


def _sections(report: ScanReport) -> list[ContainerContentItem]:
    sections = []
    for section in _sections_of_report():
        if section.sr_heading is None:
            continue
        title, item = (Code(c.value, c.scheme, c.meaning) for c in section.sr_heading)
        text = report.text(section.key).strip()
        content: list[ContentItem] = [TextContentItem(item, text, "CONTAINS")] if text else []
        if section.key == _EVIDENCE_SECTION:
            content.extend(_measurement(m) for m in report.measurements)
            content.extend(_image("CONTAINS", _BEST_ILLUSTRATION, r) for r in report.key_images)
        if content:
            container = ContainerContentItem(title, False, relationship_type="CONTAINS")
            container.ContentSequence = ContentSequence(content)
            sections.append(container)
    words = report.verifier_words.strip()
    if words:
        # The verifier's agreement and own words are part of what was verified: a reader of
        # the archived report learns where the supervisor differed, as on the printed one.
        container = ContainerContentItem(_COMMENT, False, relationship_type="CONTAINS")
        container.ContentSequence = ContentSequence([TextContentItem(_COMMENT, words, "CONTAINS")])
        sections.append(container)
    return sections


def _measurement(measurement: ReportMeasurement) -> NumContentItem:
    num = NumContentItem(_DISTANCE, measurement.mm, _MM, relationship_type="CONTAINS")
    num.ContentSequence = ContentSequence(
        [
            TextContentItem(_LABEL, measurement.label.strip(), "HAS CONCEPT MOD"),
            _image("INFERRED FROM", _SOURCE_OF_MEASUREMENT, measurement.image),
        ]
    )
    return num


def _image(relationship: str, concept: Code, ref: ImageRef) -> ImageContentItem:
    return ImageContentItem(
        concept,
        ref.sop_class_uid,
        ref.sop_instance_uid,
        referenced_frame_numbers=ref.frame,
        relationship_type=relationship,
    )
