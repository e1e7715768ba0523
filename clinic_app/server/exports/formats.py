"""Field formats as the data dictionaries write them (``an..20``, ``n10``, dates) and checks."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time

from clinic_app.domains.assessments.content import is_concept_id
from clinic_app.kernel.errors import ValidationError
from clinic_app.people.demographics import validate_postcode
from clinic_app.people.nhs_number import is_valid as is_valid_nhs_number

_SIZED = re.compile(r"^(an|n)(\.\.)?([1-9][0-9]*)$")
# Printable ASCII only: identifiers and codes, never words typed by a person.
_PLAIN = re.compile(r"^[\x20-\x7e]*$")
_DIGITS = re.compile(r"^[0-9]*$")
_NAMED = ("date", "time", "nhs_number", "snomed", "postcode")


def is_known(form: str) -> bool:
    """True for a format this module can check."""
    return form in _NAMED or _SIZED.fullmatch(form) is not None


def _sized(form: str) -> Callable[[str], bool]:
    match = _SIZED.fullmatch(form)
    if match is None:
        raise ValueError(form)
    kind, up_to, size = match.group(1), match.group(2) is not None, int(match.group(3))
    pattern = _DIGITS if kind == "n" else _PLAIN

    def fits(value: str) -> bool:
        length_ok = 1 <= len(value) <= size if up_to else len(value) == size
        return length_ok and pattern.fullmatch(value) is not None

    return fits


def _iso(parse: Callable[[str], object], sample: str) -> Callable[[str], bool]:
    """A check for an ISO 8601 date or time written exactly as long as ``sample``."""

    def fits(value: str) -> bool:
        if len(value) != len(sample):
            return False
        try:
            parse(value)
        except ValueError:
            return False
        return True

    return fits


def _nhs_number(value: str) -> bool:
    return len(value) == 10 and value.isascii() and value.isdigit() and is_valid_nhs_number(value)


def _snomed(value: str) -> bool:
    return 6 <= len(value) <= 18 and is_concept_id(value)


def _postcode(value: str) -> bool:
    try:
        return validate_postcode(value) == value and len(value) <= 8
    except ValidationError:
        return False


_CHECKS: dict[str, Callable[[str], bool]] = {
    "date": _iso(date.fromisoformat, "2027-01-31"),
    "time": _iso(time.fromisoformat, "09:30:00"),
    "nhs_number": _nhs_number,
    "snomed": _snomed,
    "postcode": _postcode,
}


def fits(form: str, value: str) -> bool:
    """True when a non-empty ``value`` has the shape ``form`` asks for.

    ``an..N``: 1 to N printable characters; ``anN``: exactly N; ``n..N`` and ``nN`` the same
    in digits; ``date`` CCYY-MM-DD; ``time`` hh:mm:ss; ``nhs_number`` ten digits whose
    Modulus 11 check digit holds (the 999 test range is valid); ``snomed`` a SNOMED CT
    concept id (6 to 18 digits, Verhoeff check); ``postcode`` a UK postcode as written.

    Raises:
        ValueError: for a format it does not know.
    """
    check = _CHECKS.get(form)
    if check is None:
        check = _sized(form)
    return check(value)
