"""Anonymised copies for teaching, after the Basic Application Level Confidentiality Profile.

PS3.15 E.1. Identifying attributes are removed or emptied, dates are emptied, every UID is replaced
(consistently within one export, so a study's images stay together), private attributes
are removed, and the object says how it was de-identified. What the profile cannot do is
clean the pixels: a frame grabbed from a scanner's screen may show the patient's name, so
the caller is told whenever Burned In Annotation is not an explicit ``NO``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.tag import BaseTag
from pydicom.uid import UID

from clinic_app.domains.imaging.dicom.capture import new_uid

#: Attributes removed outright (PS3.15 Table E.1-1 action X), where the app's objects can carry
#: them.
REMOVED = (
    "OtherPatientIDs",
    "OtherPatientIDsSequence",
    "OtherPatientNames",
    "PatientAddress",
    "PatientTelephoneNumbers",
    "PatientBirthTime",
    "PatientAge",
    "PatientSize",
    "PatientWeight",
    "IssuerOfPatientID",
    "InstitutionName",
    "InstitutionAddress",
    "InstitutionalDepartmentName",
    "OperatorsName",
    "PerformingPhysicianName",
    "NameOfPhysiciansReadingStudy",
    "RequestingPhysician",
    "StationName",
    "DeviceSerialNumber",
    "RequestAttributesSequence",
    "ReferencedPatientSequence",
    "ReferencedStudySequence",
    "AdmissionID",
    "StudyDescription",
    "SeriesDescription",
    "ImageComments",
    "RequestedProcedureDescription",
)
#: Attributes kept but emptied (action Z: Type 2, must be present).
EMPTIED = (
    "PatientName",
    "PatientBirthDate",
    "PatientSex",
    "ReferringPhysicianName",
    "AccessionNumber",
    "StudyID",
    "StudyDate",
    "StudyTime",
    "ContentDate",
    "ContentTime",
)
#: Dates of secondary capture and the like (action X/D: removed here).
DATES_REMOVED = (
    "SeriesDate",
    "SeriesTime",
    "AcquisitionDate",
    "AcquisitionTime",
    "AcquisitionDateTime",
    "DateOfSecondaryCapture",
    "TimeOfSecondaryCapture",
)


@dataclass
class Export:
    """One anonymised export: UIDs are replaced the same way for every object in it."""

    pseudonym: str
    uids: dict[str, str] = field(default_factory=dict)

    def uid(self, old: str) -> UID:
        """The replacement of ``old`` in this export."""
        if old not in self.uids:
            self.uids[old] = str(new_uid())
        return UID(self.uids[old])


@dataclass(frozen=True)
class Anonymised:
    """An anonymised copy, and whether its pixels may still show who the patient is."""

    dataset: Dataset
    pixels_may_identify: bool


def _replace_uids(ds: Dataset, export: Export) -> None:
    for element in list(ds):
        if element.VR == "SQ":
            for item in element.value:
                _replace_uids(item, export)
        elif (
            element.VR == "UI"
            and element.keyword
            not in {
                "SOPClassUID",
                "TransferSyntaxUID",
                "ReferencedSOPClassUID",
                "CodingSchemeUID",
            }
            and element.value
        ):
            element.value = export.uid(str(element.value))


def anonymise(source: Dataset, export: Export) -> Anonymised:
    """A de-identified copy of ``source`` (which is left unchanged).

    Args:
        source: the object as kept in the record.
        export: the export it belongs to (its pseudonym and UID map).
    """
    ds = copy.deepcopy(source)  # the record's own object must not change
    if hasattr(source, "file_meta"):
        ds.file_meta = FileMetaDataset(source.file_meta)
    for keyword in REMOVED + DATES_REMOVED:
        if keyword in ds:
            delattr(ds, keyword)
    for keyword in EMPTIED:
        if keyword in ds:
            setattr(ds, keyword, "")
    ds.PatientID = export.pseudonym
    ds.remove_private_tags()
    overlays = [
        element.tag for element in ds if BaseTag(element.tag).group in range(0x6000, 0x6020, 2)
    ]
    for tag in overlays:
        del ds[tag]  # overlays can carry text
    _replace_uids(ds, export)
    if hasattr(ds, "file_meta"):
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethod = "Basic Application Level Confidentiality Profile"
    method = Dataset()
    method.CodeValue = "113100"
    method.CodingSchemeDesignator = "DCM"
    method.CodeMeaning = "Basic Application Confidentiality Profile"
    ds.DeidentificationMethodCodeSequence = [method]
    burned_in = str(source.get("BurnedInAnnotation", "") or "").upper()
    return Anonymised(ds, pixels_may_identify=burned_in != "NO")
