"""The letters' data from resources/letters: the PRSB headings and the service's targets."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from clinic_app.domains.letters.rules import Heading
from clinic_app.kernel.errors import ClinicError

FOLDER = "letters"

#: The targets a service may set for itself, each with a cited default in targets.json.
TARGET_KEYS = (
    "discharge_working_days",
    "onward_referral_notice_days",
    "emergency_onward_notice_days",
    "patient_letter_grade",
)


def _read(name: str) -> dict[str, Any]:
    data = json.loads((resources.files("resources") / FOLDER / name).read_text("utf-8"))
    if not isinstance(data, dict):
        raise ClinicError("letters.bad_resource", file=name)
    return data


@cache
def prsb_headings() -> tuple[Heading, ...]:
    """The PRSB outpatient-letter headings in order, mandatory ones first.

    Raises:
        ClinicError: ``letters.bad_resource`` for a file that is not as described.
    """
    data = _read("headings.json")
    headings: list[Heading] = []
    try:
        for entry in data["headings"]:
            heading = Heading(
                key=str(entry["key"]),
                title=str(entry["title"]),
                snomed=str(entry["snomed"]),
                mandatory=bool(entry["mandatory"]),
                empty=str(entry["empty"]),
                shown_empty=bool(entry.get("shown_empty", False)),
            )
            if not heading.snomed.isdigit() or not heading.empty.strip():
                raise ClinicError("letters.bad_resource", file="headings.json")
            headings.append(heading)
    except (KeyError, TypeError) as error:
        raise ClinicError("letters.bad_resource", file="headings.json") from error
    if len({h.key for h in headings}) != len(headings):
        raise ClinicError("letters.bad_resource", file="headings.json")
    return tuple(headings)


@dataclass(frozen=True)
class Target:
    """A target with its cited default."""

    value: int
    source: str


@cache
def shipped_targets() -> Mapping[str, Target]:
    """The targets as shipped, each with its source.

    Raises:
        ClinicError: ``letters.bad_resource`` for a missing or unsourced target.
    """
    data = _read("targets.json").get("targets")
    if not isinstance(data, dict):
        raise ClinicError("letters.bad_resource", file="targets.json")
    targets: dict[str, Target] = {}
    for key in TARGET_KEYS:
        entry = data.get(key)
        if (
            not isinstance(entry, dict)
            or isinstance(entry.get("value"), bool)
            or not isinstance(entry.get("value"), int)
            or entry["value"] < 0
            or not str(entry.get("source") or "").strip()
        ):
            raise ClinicError("letters.bad_resource", file="targets.json", target=key)
        targets[key] = Target(int(entry["value"]), str(entry["source"]))
    return MappingProxyType(targets)
