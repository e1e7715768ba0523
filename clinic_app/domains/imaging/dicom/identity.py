"""An object's header corrected to the record it belongs to, the original values kept.

When a person says whose an object is (an orphan assigned, a file with other labels imported
into a record), the object must leave the app under that record's patient and study. The
values it arrived with are kept inside it, in the Original Attributes Sequence (0400,0561),
as PS3.3 C.12.1 (SOP Common module) describes for a correction: one item with the
modification time, the modifying system, the reason ``CORRECT`` and, in its Modified
Attributes Sequence, every attribute as it was before (an attribute that was absent is
listed empty). The SOP Instance UID is kept: the pixels and the acquisition are the same;
only who and which study they belong to is corrected (as IHE's Patient Information
Reconciliation does). An object moved into another study takes a series of that study
(:func:`~clinic_app.domains.imaging.dicom.names.moved_series_uid`), the one the record
keeps for it, so the app's own report references it as the PACS holds it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime

from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from clinic_app.domains.imaging.dicom.names import moved_series_uid

MODIFYING_SYSTEM = "OneStop MSK"
#: Reason for the Attribute Modification (0400,0565): the values were wrong and are corrected.
REASON = "CORRECT"

# Identifiers of someone else that must not travel with a corrected patient: removed, and
# kept with the original values.
_OTHER_PATIENT = ("OtherPatientIDsSequence", "OtherPatientNames", "PatientAge")
# The request of another study (its accession and procedure) is not this study's.
_OTHER_STUDY = ("RequestAttributesSequence",)


@dataclass(frozen=True)
class RecordIdentity:
    """Who an object is of and which study it belongs to, as the record says.

    Attributes:
        nhs_number: the Patient ID (issuer NHS).
        patient_name: a DICOM person name (``FAMILY^Given``).
        birth_date: DICOM DA (``YYYYMMDD``), or "" when unknown.
        sex: M, F or O.
        study_uid, accession, study_id, study_date, study_time: the study's header, the same
            for every object of the study.
    """

    nhs_number: str
    patient_name: str
    birth_date: str
    sex: str
    study_uid: str
    accession: str
    study_id: str
    study_date: str
    study_time: str

    def patient_values(self) -> dict[str, str]:
        """The Patient module's identifying attributes."""
        return {
            "PatientID": self.nhs_number,
            "IssuerOfPatientID": "NHS",
            "PatientName": self.patient_name,
            "PatientBirthDate": self.birth_date,
            "PatientSex": self.sex,
        }

    def study_values(self) -> dict[str, str]:
        """The General Study module's identifying attributes."""
        return {
            "StudyInstanceUID": self.study_uid,
            "AccessionNumber": self.accession,
            "StudyID": self.study_id,
            "StudyDate": self.study_date,
            "StudyTime": self.study_time,
        }


def _value(ds: Dataset, keyword: str) -> str:
    return str(ds.get(keyword, "") or "")


def relabel(
    ds: Dataset, identity: RecordIdentity, when: datetime, series_uid: str | None = None
) -> bool:
    """Write the record's patient and study into ``ds`` where they differ, keeping the old.

    The study's Date, Time, ID and accession are rewritten only when the object comes from
    another study (a study's own objects keep their own). ``series_uid`` is the series the
    record keeps the object in; an object from another study never keeps its own series (a
    series is of one study), so without a different one from the record it takes the derived
    one. ``when`` is when the correction was made (the assignment), so sending the same object
    again gives the same bytes.

    Returns:
        True when anything changed (an item was added to the Original Attributes Sequence).
    """
    wanted = identity.patient_values()
    patient_changed = any(_value(ds, k) != v for k, v in wanted.items() if k != "IssuerOfPatientID")
    removed: tuple[str, ...] = _OTHER_PATIENT if patient_changed else ()
    own_series = _value(ds, "SeriesInstanceUID")
    series = series_uid or own_series
    if _value(ds, "StudyInstanceUID") != identity.study_uid:
        wanted |= identity.study_values()
        if series == own_series:
            series = moved_series_uid(own_series, identity.study_uid)
        removed += _OTHER_STUDY
    if series != own_series:
        wanted["SeriesInstanceUID"] = series
    changed = [k for k, v in wanted.items() if k not in ds or _value(ds, k) != v]
    dropped = [k for k in removed if k in ds]
    if not changed and not dropped:
        return False
    before = Dataset()
    for keyword in changed + dropped:
        if keyword in ds:
            before[keyword] = copy.deepcopy(ds[keyword])
        else:
            setattr(before, keyword, "")
    if not all(value.isascii() for value in wanted.values()):
        # The name needs UTF-8: text is decoded with the file's own character set first.
        ds.decode()
        if "SpecificCharacterSet" in ds:
            before.SpecificCharacterSet = ds.SpecificCharacterSet
        ds.SpecificCharacterSet = "ISO_IR 192"
    for keyword in changed:
        setattr(ds, keyword, wanted[keyword])
    for keyword in dropped:
        delattr(ds, keyword)
    item = Dataset()
    item.ModifiedAttributesSequence = Sequence([before])
    item.AttributeModificationDateTime = when.astimezone(UTC).strftime("%Y%m%d%H%M%S+0000")
    item.ModifyingSystem = MODIFYING_SYSTEM
    item.SourceOfPreviousValues = ""
    item.ReasonForTheAttributeModification = REASON
    history = list(ds.get("OriginalAttributesSequence", []))
    ds.OriginalAttributesSequence = Sequence([*history, item])
    return True
