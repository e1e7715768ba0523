"""The assessment's lists: MSK working diagnoses (with SNOMED CT ids) and coded medicines."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from clinic_app.domains.assessments import rules
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.resource_files import read_json

FILE = "msk_working_diagnoses.json"

#: Body chart parts (side-free) a diagnosis may be linked to, plus "widespread".
PARTS = frozenset(
    {
        "head",
        "cervical_spine",
        "chest",
        "abdomen",
        "thoracic_spine",
        "lumbar_spine",
        "shoulder",
        "upper_arm",
        "elbow",
        "forearm",
        "wrist_hand",
        "hip",
        "buttock",
        "thigh",
        "knee",
        "lower_leg",
        "ankle_foot",
        "widespread",
    }
)

_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")
_SCTID = re.compile(r"[1-9][0-9]{5,17}")
# A concept id's partition (second and third digits from the right): 00 for a concept in
# the international core, 10 for a concept in a national or local extension.
_CONCEPT_PARTITIONS = frozenset({"00", "10"})

# The Verhoeff dihedral-group tables that SNOMED CT uses for its check digit.
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)


def is_concept_id(value: str) -> bool:
    """True if ``value`` is shaped like a SNOMED CT concept id and its check digit holds."""
    if not _SCTID.fullmatch(value) or value[-3:-1] not in _CONCEPT_PARTITIONS:
        return False
    check = 0
    for position, digit in enumerate(reversed(value)):
        check = _D[check][_P[position % 8][int(digit)]]
    return check == 0


@dataclass(frozen=True)
class Diagnosis:
    """One entry of the list.

    Attributes:
        code: the project's own stable code, stored with the assessment.
        label: plain clinical English, as a clinician picks it.
        parts: body chart parts (side-free) it is usually found in; "widespread" for none.
        snomed_ct_id: the SNOMED CT concept id, or None where none is shipped.
        snomed_ct_term: the concept's term as found in the cited source, or None.
    """

    code: str
    label: str
    parts: frozenset[str]
    snomed_ct_id: str | None = None
    snomed_ct_term: str | None = None


@dataclass(frozen=True)
class DiagnosisList:
    """The validated list with its provenance."""

    source: str
    licence: str
    version: str
    diagnoses: tuple[Diagnosis, ...]
    notes: str = ""

    def get(self, code: str) -> Diagnosis | None:
        """The entry with ``code``, or None."""
        return next((d for d in self.diagnoses if d.code == code), None)

    def for_regions(self, region_codes: list[str]) -> tuple[Diagnosis, ...]:
        """Every diagnosis, those linked to the chosen chart regions first (list order kept).

        Region codes are the body chart's (``right_knee``); the side is ignored.
        """
        parts = chart_parts(region_codes)
        first = tuple(d for d in self.diagnoses if d.parts & parts)
        return first + tuple(d for d in self.diagnoses if not d.parts & parts)


def chart_parts(region_codes: list[str]) -> frozenset[str]:
    """The side-free parts of body chart region codes: ``right_knee`` -> ``knee``."""
    return frozenset(code.removeprefix("right_").removeprefix("left_") for code in region_codes)


def _invalid(reason: str, **params: Any) -> ClinicError:
    return ClinicError("content.invalid", file=FILE, reason=reason, **params)


def _text(data: dict[str, Any], key: str, **where: Any) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _invalid("missing_text", key=key, **where)
    return value


def _snomed(raw: object, index: int) -> tuple[str, str]:
    if not isinstance(raw, dict) or not {"id", "term", "source"} <= set(raw):
        raise _invalid("bad_snomed_ct", index=index)
    if unknown := set(raw) - {"id", "term", "source", "confirm"}:
        raise _invalid("unknown_keys", index=index, keys=sorted(unknown))
    concept = raw["id"]
    if not isinstance(concept, str) or not is_concept_id(concept):
        raise _invalid("bad_concept_id", index=index)
    _text(raw, "source", index=index)
    return concept, _text(raw, "term", index=index)


def _diagnosis(raw: object, index: int) -> Diagnosis:
    if not isinstance(raw, dict):
        raise _invalid("bad_diagnosis", index=index)
    if unknown := set(raw) - {"code", "label", "parts", "snomed_ct"}:
        raise _invalid("unknown_keys", index=index, keys=sorted(unknown))
    code = raw.get("code")
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise _invalid("bad_code", index=index)
    parts = raw.get("parts")
    if not isinstance(parts, list) or not parts or not set(parts) <= PARTS:
        raise _invalid("bad_parts", index=index)
    concept, term = _snomed(raw["snomed_ct"], index) if "snomed_ct" in raw else (None, None)
    return Diagnosis(
        code=code,
        label=_text(raw, "label", index=index),
        parts=frozenset(parts),
        snomed_ct_id=concept,
        snomed_ct_term=term,
    )


def parse_diagnoses(data: object) -> DiagnosisList:
    """Check the shape of the decoded list.

    Raises:
        ClinicError: ``content.invalid`` (params ``file``, ``reason``, and ``index``,
            ``key`` or ``keys`` where they help), e.g. reason ``bad_concept_id`` for an id
            whose check digit fails, ``duplicate`` for a code or id listed twice.
    """
    if not isinstance(data, dict):
        raise _invalid("not_an_object")
    if unknown := set(data) - {"source", "licence", "version", "notes", "diagnoses"}:
        raise _invalid("unknown_keys", keys=sorted(unknown))
    raw = data.get("diagnoses")
    if not isinstance(raw, list) or not raw:
        raise _invalid("diagnoses_not_a_list")
    diagnoses = tuple(_diagnosis(item, index) for index, item in enumerate(raw))
    codes = [d.code for d in diagnoses]
    concepts = [d.snomed_ct_id for d in diagnoses if d.snomed_ct_id]
    if len(set(codes)) != len(codes) or len(set(concepts)) != len(concepts):
        raise _invalid("duplicate")
    return DiagnosisList(
        source=_text(data, "source"),
        licence=_text(data, "licence"),
        version=_text(data, "version"),
        diagnoses=diagnoses,
        notes=_text(data, "notes") if "notes" in data else "",
    )


@cache
def working_diagnoses() -> DiagnosisList:
    """The curated list shipped with the app (cached after the first call)."""
    return parse_diagnoses(read_json("diagnoses", "msk_working_diagnoses"))


# ---------------------------------------------------------------- medicines and their classes

MEDICINES_FILE = "bnf_classes.json"
_SEPARATORS = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class MedicineClass:
    """A class of medicines as the BNF names it.

    Attributes:
        code: the project's stable code, stored with each medicine (``"opioid"``).
        name: the class in plain clinical English.
        review: whether a patient taking it is flagged for review.
        bnf_chapter: the BNF chapter the class sits in.
        bnf_section: the BNF section (or treatment summary) that names the class.
    """

    code: str
    name: str
    review: bool
    bnf_chapter: str
    bnf_section: str


@dataclass(frozen=True)
class Medicine:
    """One medicine: its name, other names it is known by, and its classes."""

    name: str
    also: tuple[str, ...]
    classes: tuple[str, ...]


def _words(text: str) -> str:
    """Lower case, hyphens dropped, every other separator one space: how names are compared."""
    return _SEPARATORS.sub(" ", text.lower().replace("-", "")).strip()


def _forms(names: tuple[str, ...]) -> set[str]:
    """Each name as compared, hyphenated ones also spaced: "co-codamol" and "co codamol"."""
    return {_words(name) for name in names} | {
        _SEPARATORS.sub(" ", name.lower()).strip() for name in names
    }


@dataclass(frozen=True)
class MedicineList:
    """The coded list of medicines, with its provenance."""

    source: str
    licence: str
    version: str
    classes: tuple[MedicineClass, ...]
    medicines: tuple[Medicine, ...]
    notes: str = ""

    def medicine_class(self, code: str) -> MedicineClass | None:
        """The class with ``code``, or None."""
        return next((c for c in self.classes if c.code == code), None)

    def recognise(self, text: str) -> tuple[Medicine, ...]:
        """The medicines named in ``text``, ignoring case, hyphens, strength and dose."""
        typed = f" {_words(text)} "
        return tuple(
            medicine
            for medicine in self.medicines
            if any(f" {form} " in typed for form in _forms((medicine.name, *medicine.also)))
        )

    def classify(self, text: str) -> tuple[str, ...]:
        """The class codes of the medicines named in ``text``, in the list's class order."""
        found = {code for medicine in self.recognise(text) for code in medicine.classes}
        return tuple(c.code for c in self.classes if c.code in found)


def _medicines_invalid(reason: str, **params: Any) -> ClinicError:
    return ClinicError("content.invalid", file=MEDICINES_FILE, reason=reason, **params)


def _medicine_class(raw: object, index: int) -> MedicineClass:
    if not isinstance(raw, dict) or set(raw) != {"code", "name", "review", "bnf"}:
        raise _medicines_invalid("bad_class", index=index)
    bnf = raw["bnf"]
    code = raw["code"]
    if not isinstance(bnf, dict) or set(bnf) != {"chapter", "section"}:
        raise _medicines_invalid("bad_bnf", index=index)
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise _medicines_invalid("bad_code", index=index)
    if not isinstance(raw["review"], bool):
        raise _medicines_invalid("bad_review", index=index)
    return MedicineClass(
        code=code,
        name=_medicine_text(raw, "name", index),
        review=raw["review"],
        bnf_chapter=_medicine_text(bnf, "chapter", index),
        bnf_section=_medicine_text(bnf, "section", index),
    )


def _medicine_text(data: dict[str, Any], key: str, index: int) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not _words(value):
        raise _medicines_invalid("missing_text", key=key, index=index)
    return value


def _medicine(raw: object, index: int, codes: set[str]) -> Medicine:
    if not isinstance(raw, dict) or not {"name", "classes"} <= set(raw):
        raise _medicines_invalid("bad_medicine", index=index)
    if unknown := set(raw) - {"name", "classes", "also"}:
        raise _medicines_invalid("unknown_keys", index=index, keys=sorted(unknown))
    also = raw.get("also", [])
    classes = raw["classes"]
    if not isinstance(also, list) or not all(isinstance(a, str) and _words(a) for a in also):
        raise _medicines_invalid("bad_also", index=index)
    if not isinstance(classes, list) or not classes or not set(classes) <= codes:
        raise _medicines_invalid("bad_classes", index=index)
    return Medicine(_medicine_text(raw, "name", index), tuple(also), tuple(classes))


def parse_medicines(data: object) -> MedicineList:
    """Check the shape of the decoded medicines list.

    Raises:
        ClinicError: ``content.invalid`` (params ``file``, ``reason``, and ``index`` or
            ``key`` where they help), e.g. reason ``bad_classes`` for a medicine naming a
            class the list does not define, ``duplicate_name`` for a name listed twice.
    """
    if not isinstance(data, dict):
        raise _medicines_invalid("not_an_object")
    top = {"source", "licence", "version", "notes", "classes", "medicines"}
    if unknown := set(data) - top:
        raise _medicines_invalid("unknown_keys", keys=sorted(unknown))
    raw_classes, raw_medicines = data.get("classes"), data.get("medicines")
    if not isinstance(raw_classes, list) or not isinstance(raw_medicines, list):
        raise _medicines_invalid("not_a_list")
    classes = tuple(_medicine_class(raw, index) for index, raw in enumerate(raw_classes))
    codes = {c.code for c in classes}
    medicines = tuple(_medicine(raw, index, codes) for index, raw in enumerate(raw_medicines))
    names = [_words(n) for m in medicines for n in (m.name, *m.also)]
    if len(codes) != len(classes) or len(set(names)) != len(names):
        raise _medicines_invalid("duplicate_name")
    return MedicineList(
        source=_text(data, "source"),
        licence=_text(data, "licence"),
        version=_text(data, "version"),
        classes=classes,
        medicines=medicines,
        notes=_text(data, "notes") if "notes" in data else "",
    )


@cache
def medicine_list() -> MedicineList:
    """The coded medicines list shipped with the app (cached after the first call)."""
    return parse_medicines(read_json("medicines", "bnf_classes"))


# ---------------------------------------------------------------- the medicines review

REVIEW_FILE = "review_outcomes.json"


@dataclass(frozen=True)
class ReviewOutcome:
    """What came of reviewing an opioid or a gabapentinoid with the patient.

    Attributes:
        code: the stable code stored with the assessment (``"reduce_or_stop"``).
        label: the outcome in plain words, as the clinician picks it.
    """

    code: str
    label: str


def parse_review_outcomes(data: object) -> tuple[ReviewOutcome, ...]:
    """Check the shape of the decoded outcomes list.

    Raises:
        ClinicError: ``content.invalid`` (params ``file``, ``reason``, and ``index`` where
            it helps), e.g. reason ``duplicate`` for a code listed twice.
    """

    def invalid(reason: str, **params: Any) -> ClinicError:
        return ClinicError("content.invalid", file=REVIEW_FILE, reason=reason, **params)

    if not isinstance(data, dict) or not isinstance(data.get("outcomes"), list):
        raise invalid("not_an_object")
    if unknown := set(data) - {"source", "licence", "version", "outcomes"}:
        raise invalid("unknown_keys", keys=sorted(unknown))
    outcomes = []
    for index, raw in enumerate(data["outcomes"]):
        if not isinstance(raw, dict) or set(raw) != {"code", "label"}:
            raise invalid("bad_outcome", index=index)
        code, words = raw["code"], raw["label"]
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            raise invalid("bad_code", index=index)
        if not isinstance(words, str) or not words.strip():
            raise invalid("missing_text", key="label", index=index)
        outcomes.append(ReviewOutcome(code, words))
    if not outcomes or len({o.code for o in outcomes}) != len(outcomes):
        raise invalid("duplicate")
    return tuple(outcomes)


@cache
def review_outcomes() -> tuple[ReviewOutcome, ...]:
    """The medicines review's outcomes shipped with the app, in the order offered."""
    return parse_review_outcomes(read_json("medicines", "review_outcomes"))


def check_content(content: Mapping[str, object]) -> dict[str, Any]:
    """Check an assessment as :func:`rules.check_content`, each medicine classed by the list.

    The medicines review's outcome must be one of :func:`review_outcomes`.

    Raises:
        FormErrors: as :func:`clinic_app.domains.assessments.rules.check_content`.
    """
    return rules.check_content(
        content,
        classify=medicine_list().classify,
        outcomes=frozenset(outcome.code for outcome in review_outcomes()),
    )
