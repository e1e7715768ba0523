"""Names, sex, study IDs and times as DICOM writes them, from what the record holds.

No pydicom here: the functions only shape text, so any domain may use them without loading it.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

_TITLES = {"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor"}


def person_name(display_name: str) -> str:
    """A DICOM person name (``FAMILY^Given``) from a display name like "Dr Ann Lee (Lead)"."""
    words = [w for w in re.sub(r"\(.*?\)", " ", display_name).split() if w]
    while len(words) > 1 and words[0].lower().rstrip(".") in _TITLES:
        words.pop(0)
    if not words:
        return "UNKNOWN"
    family, given = words[-1], " ".join(words[:-1])
    return f"{family.upper()}^{given}" if given else family.upper()


#: The record's sex (NHS Data Dictionary PERSON STATED GENDER CODE) as DICOM Patient's Sex:
#: male, female, indeterminate as O (other). "Not known" has no DICOM value: Patient's Sex is
#: Type 2, so it is left empty rather than written as O, which would say something else.
_DICOM_SEX = {"1": "M", "2": "F", "9": "O"}


def dicom_sex(code: str | None) -> str:
    """Patient's Sex (0010,0040) for the record's code: ``M``, ``F``, ``O`` or empty."""
    return _DICOM_SEX.get(code or "", "")


def local_time(moment: datetime) -> datetime:
    """A moment in the clinic's local time, as the worklist and every object write it.

    A naive moment is taken as already local. Objects carry the Timezone Offset From UTC of
    the moment too, so the PACS can place them.
    """
    return moment.astimezone() if moment.tzinfo is not None else moment


def study_id(started: datetime) -> str:
    """A study's Study ID (SH, 16 characters): the modality and when, locally, it began."""
    return f"US{local_time(started):%y%m%d%H%M}"


#: The namespace of series UIDs the app derives for objects moved into another study.
_MOVED_SERIES = uuid.UUID("5d0b8f62-4a1e-4c55-9c1e-6a7f3e2b9d41")


def moved_series_uid(series_uid: str, study_uid: str) -> str:
    """The Series Instance UID an object takes when it joins another study.

    A series belongs to one study, so an object moved into another study (an orphan a person
    assigns) cannot keep its series: objects of one scanner series assigned to two patients
    would otherwise share a series across two patients' studies. The new UID is derived from
    the old series and the new study (a name-based UUID in the 2.25 form, PS3.5 B.2), so the
    objects of one series moved into one study stay one series, and sending again gives the
    same UID.
    """
    return f"2.25.{uuid.uuid5(_MOVED_SERIES, f'{series_uid}|{study_uid}').int}"


#: Issuer of Patient ID (0010,0021) for a patient the record has no NHS number for: the
#: Patient ID is then the record's own identifier, which only this service issues.
LOCAL_ISSUER = "OneStop MSK"
