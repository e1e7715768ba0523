"""Teaching copies, de-identified by the DICOM Basic Application Level Confidentiality Profile.

What is done to each attribute comes from PS3.15 Table E.1-1 itself, kept as data in
``resources/deidentification/basic_profile.json`` (edition and source cited there), and it is
applied at every depth: inside every sequence item, the SR content tree and the referenced-
instance sequences included. Private attributes are removed wherever they are.

Options, chosen for a teaching file (a case shown to learners, away from the record):

- **Clean Structured Content: yes.** Reports (SR) and key-image notes (KOS) go into the copy,
  because the coded findings, measurements and which images were chosen are what teaches. Their
  content tree is kept but cleaned: every free-text value is replaced by a fixed dummy (free
  text can name anyone, and no program can be sure it found every name), person names, dates and
  times by dummies, UIDs as everywhere else. Author and participant sequences are removed; the
  verifier's name, organisation and time become dummies, so a verified report stays a valid
  verified report without saying who verified it or when.
- **Retain Longitudinal Temporal Information: no** (neither full nor modified dates). A teaching
  case needs no calendar: every date and time the table names is emptied, removed or (where the
  object must have one, such as an SR's Content Date) set to the dummy 20000101 / 000000, and
  Longitudinal Temporal Information Modified says ``REMOVED``. A scanner's Instance Creation
  Date goes the same way. Timing inside a clip (frame time) is not a date and is kept.
- **Retain Device Identity: no.** Station name and device serial number are replaced; the maker
  and model (not identifying, and useful to a learner) are kept, as the profile allows.
- **Retain Patient Characteristics, Institution Identity, UIDs, Safe Private: no.** Sex, age,
  size and weight go; the clinic's name goes; every instance UID is replaced; all private
  attributes are removed.
- **Clean Descriptors: no.** Descriptions and comments are removed; body part and laterality,
  which say what the image is of, are not in the table and stay.
- **Clean Graphics: no.** Overlays and curves are removed.
- **Clean Pixel Data: no** — it cannot be done by a program with certainty: a frame grabbed from
  a scanner's screen may show the patient's name, so the caller is told whenever Burned In
  Annotation is not an explicit ``NO``.

Where the table offers a choice (``X/Z``, ``X/D``, ``Z/D``, ``X/Z/D``, ``X/Z/U*``) the copy takes
the choice that keeps the object valid whatever its type in that IOD: an empty value for
``X/Z`` (a sequence with items is removed, an empty one left empty), a dummy for anything
with ``D``, replaced UIDs for ``U*``. A dummy carries nothing about the patient. An attribute
to be removed (``X``) that is already empty is left empty: it holds nothing, and the IOD may
need it present (a report's Requested Procedure ID, Type 2 inside Referenced Request Sequence).
UIDs are replaced consistently within one copy, so an SR still points at its images;
a UID that is well known (anything under the DICOM root 1.2.840.10008 or HL7's arc for code
systems 2.16.840.1.113883.6, or registered in the standard: SOP classes, transfer syntaxes,
coding schemes, mapping resources such as DCMR) and
attributes that name a class or a scheme are never changed.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.multival import MultiValue
from pydicom.tag import BaseTag
from pydicom.uid import UID

from clinic_app.domains.imaging.dicom.capture import new_uid
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.resource_files import read_json

#: The options of PS3.15 E.3 this copy applies (see the module docstring for why).
OPTIONS = frozenset({"clean_structured_content"})
#: Codes of CID 7050 for what was done (PS3.16): the profile, and each option applied.
METHOD_CODES = (
    ("113100", "Basic Application Confidentiality Profile"),
    ("113104", "Clean Structured Content Option"),
)
DUMMY_DATE, DUMMY_TIME, DUMMY_DATETIME = "20000101", "000000", "20000101000000"
#: What a dummy text, name or code string says (short enough for every text VR).
DUMMY_TEXT = "REMOVED"
#: What every free-text value of an SR or KOS content tree becomes.
DUMMY_CONTENT_TEXT = "Removed from the teaching copy"

#: Attributes whose UIDs name a kind of thing (a class, a syntax, a scheme), never an instance.
_CLASS_UID_KEYWORDS = frozenset(
    {
        "SOPClassUID",
        "ReferencedSOPClassUID",
        "MediaStorageSOPClassUID",
        "ReferencedSOPClassUIDInFile",
        "TransferSyntaxUID",
        "ReferencedTransferSyntaxUIDInFile",
        "CodingSchemeUID",
        "MappingResourceUID",
        "ContextUID",
        "ContextGroupExtensionCreatorUID",
        "RelatedGeneralSOPClassUID",
        "OriginalSpecializedSOPClassUID",
        "SOPClassesInStudy",
        "ImplementationClassUID",
        "PrivateRecordUID",
    }
)
_DICOM_ROOT = "1.2.840.10008."
#: HL7's arc for external code systems: the UIDs of LOINC, SNOMED CT, UCUM and the other
#: coding schemes PS3.16 registers outside the DICOM root live under it.
_CODE_SYSTEMS_ROOT = "2.16.840.1.113883.6."
_ACTIONS = frozenset({"D", "Z", "X", "K", "C", "U", "X/Z"})
_SEQUENCES_OF_CONTENT = frozenset({"ContentSequence", "AcquisitionContextSequence"})


@dataclass
class Export:
    """One anonymised export: UIDs are replaced the same way for every object in it."""

    pseudonym: str
    uids: dict[str, str] = field(default_factory=dict)

    def uid(self, old: str) -> UID:
        """The replacement of ``old`` in this export (a well-known UID is its own)."""
        if is_well_known(old):
            return UID(old)
        if old not in self.uids:
            self.uids[old] = str(new_uid())
        return UID(self.uids[old])


@dataclass(frozen=True)
class Anonymised:
    """An anonymised copy, and whether its pixels may still show who the patient is."""

    dataset: Dataset
    pixels_may_identify: bool


@dataclass(frozen=True)
class Profile:
    """PS3.15 Table E.1-1 with the chosen options: one action per attribute.

    The actions are the table's D, Z, X, K, C and U, and ``X/Z``: a value is emptied, while a
    sequence that has items is removed (emptied, a sequence the IOD makes optional would be
    invalid; one it requires empty is left as it came).
    """

    exact: dict[int, str]
    #: Repeating groups (``60XX3000``): (mask, value, action).
    masked: tuple[tuple[int, int, str], ...]
    private: str

    def action(self, tag: BaseTag) -> str | None:
        """What to do with ``tag``; None when the table does not name it."""
        if tag.is_private:
            return self.private
        if tag in self.exact:
            return self.exact[tag]
        for mask, value, action in self.masked:
            if tag & mask == value:
                return action
        return None


def resolve(basic: str, options: dict[str, str], chosen: Iterable[str] = OPTIONS) -> str:
    """The one action for an attribute: a chosen option's, else the profile's, made single.

    A choice such as ``X/Z/D`` keeps the object valid whatever the attribute's type: a dummy
    where ``D`` is offered, replaced UIDs where ``U`` is, else an empty value where ``Z`` is.
    """
    for option in sorted(chosen):
        if option in options:
            basic = options[option]
            break
    choices = basic.replace("*", "").split("/")
    if choices == ["X", "Z"]:
        return "X/Z"  # emptied, or for a sequence with items, removed (see Profile.action)
    for preferred in ("U", "D", "Z"):
        if len(choices) > 1 and preferred in choices:
            return preferred
    return choices[0]


@functools.cache
def basic_profile() -> Profile:
    """The table from ``resources/deidentification/basic_profile.json``, options applied.

    Raises:
        ClinicError: ``content.invalid`` when the file is missing or holds an unknown action.
    """
    document = read_json("deidentification", "basic_profile")
    if not isinstance(document, dict) or not isinstance(document.get("attributes"), list):
        raise ClinicError("content.invalid", file="basic_profile.json", reason="shape")
    exact: dict[int, str] = {}
    masked: list[tuple[int, int, str]] = []
    private = "X"
    for row in document["attributes"]:
        action = resolve(str(row["basic"]), dict(row.get("options", {})))
        if action not in _ACTIONS:
            raise ClinicError("content.invalid", file="basic_profile.json", reason=row["tag"])
        tag = str(row["tag"])
        if tag == "private":
            private = action
        elif "X" in tag:
            mask = int("".join("0" if c == "X" else "F" for c in tag), 16)
            masked.append((mask, int(tag.replace("X", "0"), 16), action))
        else:
            exact[int(tag, 16)] = action
    return Profile(exact, tuple(masked), private)


def is_well_known(uid: str) -> bool:
    """Whether ``uid`` is the standard's own (its root, or registered: classes, schemes...).

    Coding schemes outside the DICOM root (LOINC, SNOMED CT, UCUM) are known by HL7's arc.
    """
    return uid.startswith((_DICOM_ROOT, _CODE_SYSTEMS_ROOT)) or bool(UID(uid).type)


_DUMMIES: dict[str, object] = {
    "DA": DUMMY_DATE,
    "TM": DUMMY_TIME,
    "DT": DUMMY_DATETIME,
    "IS": "0",
    "DS": "0",
    "AS": "000Y",
    **dict.fromkeys(("US", "SS", "UL", "SL", "FL", "FD", "UV", "SV"), 0),
}


def _dummy(element: DataElement) -> object:
    """A value of the element's VR that says nothing (action D)."""
    return _DUMMIES.get(element.VR, DUMMY_TEXT)


def _new_uids(value: object, export: Export) -> object:
    if isinstance(value, MultiValue | list):
        return [export.uid(str(v)) for v in value if v]
    return export.uid(str(value)) if value else value


class _Cleaner:
    """Walks one object, applying the profile at every depth."""

    def __init__(self, profile: Profile, export: Export) -> None:
        self._profile = profile
        self._export = export

    def clean(self, ds: Dataset, *, in_content: bool = False) -> None:
        for element in list(ds):
            tag = BaseTag(element.tag)
            action = self._profile.action(tag)
            if tag.is_private and action == "X":
                del ds[tag]  # empty or not, a private sequence or not
            elif element.VR == "SQ":
                self._sequence(ds, element, action, in_content=in_content)
            elif action is None:
                self._unlisted(element, in_content=in_content)
            elif action == "X" and element.is_empty:
                continue  # holds nothing; an IOD may need it there, empty (Type 2)
            elif action == "X" or (action in {"D", "C"} and element.VR in {"OB", "OW", "UN"}):
                del ds[tag]
            elif action in {"Z", "X/Z"}:
                element.value = None
            elif action in {"D", "C"} and element.VR != "UI":
                element.value = _dummy(element)
            elif action != "K":  # U, or a dummy for a UID: a replacement UID
                element.value = _new_uids(element.value, self._export)

    def _sequence(
        self, ds: Dataset, element: DataElement, action: str | None, *, in_content: bool
    ) -> None:
        if action in {"X", "X/Z"} and element.value:
            del ds[element.tag]
        elif action in {"X", "Z", "X/Z"}:
            element.value = []
        else:
            inside = in_content or element.keyword in _SEQUENCES_OF_CONTENT
            for item in element.value:
                self.clean(item, in_content=inside)

    def _unlisted(self, element: DataElement, *, in_content: bool) -> None:
        if element.VR == "UI" and element.keyword not in _CLASS_UID_KEYWORDS:
            element.value = _new_uids(element.value, self._export)
        elif in_content and element.keyword == "TextValue":
            element.value = DUMMY_CONTENT_TEXT


def _method_codes() -> list[Dataset]:
    codes = []
    for value, meaning in METHOD_CODES:
        code = Dataset()
        code.CodeValue = value
        code.CodingSchemeDesignator = "DCM"
        code.CodeMeaning = meaning
        codes.append(code)
    return codes


def anonymise(source: Dataset, export: Export) -> Anonymised:
    """A de-identified copy of ``source`` (which is left unchanged).

    Args:
        source: the object as kept in the record.
        export: the export it belongs to (its pseudonym and UID map).
    """
    ds = copy.deepcopy(source)  # the record's own object must not change
    _Cleaner(basic_profile(), export).clean(ds)
    ds.PatientID = export.pseudonym
    ds.PatientName = export.pseudonym  # action Z allows a dummy: the copy's own name
    ds.PatientIdentityRemoved = "YES"
    ds.LongitudinalTemporalInformationModified = "REMOVED"
    ds.DeidentificationMethod = [meaning for _, meaning in METHOD_CODES]
    ds.DeidentificationMethodCodeSequence = _method_codes()
    meta = getattr(source, "file_meta", None)
    if meta is not None:
        # Only what says what the file is: sending and source AE titles stay behind.
        ds.file_meta = FileMetaDataset()
        for keyword, in_dataset in (
            ("MediaStorageSOPClassUID", "SOPClassUID"),
            ("MediaStorageSOPInstanceUID", "SOPInstanceUID"),
        ):
            if in_dataset in ds:
                setattr(ds.file_meta, keyword, ds[in_dataset].value)
            elif keyword in meta:
                setattr(ds.file_meta, keyword, _new_uids(meta[keyword].value, export))
        if "TransferSyntaxUID" in meta:
            ds.file_meta.TransferSyntaxUID = meta.TransferSyntaxUID
    burned_in = str(source.get("BurnedInAnnotation", "") or "").upper()
    return Anonymised(ds, pixels_may_identify=burned_in != "NO")
