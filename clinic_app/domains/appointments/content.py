"""The non-attendance rule shipped in resources/appointments, and a service's own over it."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from clinic_app.domains.appointments.rules import DnaRule
from clinic_app.kernel.errors import ClinicError, ValidationError
from clinic_app.kernel.resource_files import read_json

FOLDER = "appointments"
NAME = "dna_rule"
#: The service setting (``service_setting.key``) holding what a service changed of the rule.
SETTING = "dna_rule"
#: The most non-attendances the rule may wait for before offering discharge.
MOST = 10

_CITATION = ("source", "licence", "version", "what_the_sources_say", "derivation")
_FIELDS = ("offer_discharge_after", "consecutive", "first_new_patient_dna_counts")


def _invalid(reason: str, **params: Any) -> ClinicError:
    return ClinicError("content.invalid", file=f"{NAME}.json", reason=reason, **params)


def _whole(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MOST:
        raise ValidationError("appointment.dna_rule_number", field=field, most=MOST)
    return value


def _flag(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError("appointment.dna_rule_flag", field=field)
    return value


def parse_dna_rule(data: object) -> DnaRule:
    """Check the shipped rule: its citation (source, derivation) and its three values.

    Raises:
        ClinicError: ``content.invalid`` for a file that is not the rule with its citation.
    """
    if not isinstance(data, dict):
        raise _invalid("not_an_object")
    for key in _CITATION:
        if not data.get(key):
            raise _invalid("missing", key=key)
    unknown = set(data) - set(_CITATION) - set(_FIELDS)
    if unknown:
        raise _invalid("unknown_key", key=sorted(unknown)[0])
    try:
        return _rule(data)
    except ValidationError as error:
        raise _invalid("bad_value", key=error.field) from error


def _rule(values: Mapping[str, object]) -> DnaRule:
    return DnaRule(
        offer_discharge_after=_whole(values.get("offer_discharge_after"), "offer_discharge_after"),
        consecutive=_flag(values.get("consecutive"), "consecutive"),
        first_new_patient_dna_counts=_flag(
            values.get("first_new_patient_dna_counts"), "first_new_patient_dna_counts"
        ),
    )


@cache
def shipped_dna_rule() -> DnaRule:
    """The rule as shipped, with its cited default."""
    return parse_dna_rule(read_json(FOLDER, NAME))


def dna_rule_with(stored: Mapping[str, object]) -> DnaRule:
    """The shipped rule with what the service changed (``stored``, the setting's value).

    Raises:
        ValidationError: ``appointment.dna_rule_number`` or ``appointment.dna_rule_flag``
            (field: the value's name) for a stored value that is not one.
    """
    shipped = shipped_dna_rule()
    merged: dict[str, object] = {
        "offer_discharge_after": shipped.offer_discharge_after,
        "consecutive": shipped.consecutive,
        "first_new_patient_dna_counts": shipped.first_new_patient_dna_counts,
    }
    merged.update({k: v for k, v in stored.items() if k in _FIELDS})
    return _rule(merged)


def dna_rule_fields() -> tuple[str, ...]:
    """The names of the rule's values a service may set."""
    return _FIELDS


def dna_rule_values(rule: DnaRule) -> dict[str, object]:
    """The rule's values by name."""
    return {name: getattr(rule, name) for name in _FIELDS}


def changed_dna_rule(stored: Mapping[str, object], field: str, value: object) -> dict[str, object]:
    """The setting's value after setting ``field``; only what differs from the shipped rule.

    Raises:
        KeyError: for a value the rule does not have (see :func:`dna_rule_fields`).
        ValidationError: as :func:`dna_rule_with`.
    """
    if field not in _FIELDS:
        raise KeyError(field)
    merged = {k: v for k, v in stored.items() if k in _FIELDS}
    merged[field] = value
    rule = dna_rule_with(merged)
    shipped = dna_rule_values(shipped_dna_rule())
    return {k: v for k, v in dna_rule_values(rule).items() if v != shipped[k]}
