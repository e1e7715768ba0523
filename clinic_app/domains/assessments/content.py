"""The curated list of MSK working diagnoses, with SNOMED CT concept ids where shipped."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

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
