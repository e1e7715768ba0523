"""The shockwave content shipped in resources/shockwave, checked when it is loaded.

The indications (each with its NICE guidance, year and the governance it asks for), the
contraindications (absolute or relative, each with its source), the side effects recorded and
the cited defaults of the service's ESWT settings. Every file is checked against its schema
(pydantic, unknown keys refused) and then against what a schema cannot say: every id is used
once and every requirement an indication names is one the file defines. A broken file raises
``content.invalid`` naming the file and the field: the app never guesses a range.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic import ValidationError as SchemaError

from clinic_app.domains.shockwave.rules import EswtRules
from clinic_app.kernel.errors import ClinicError, ValidationError
from clinic_app.kernel.resource_files import read_json

FOLDER = "shockwave"
#: The service setting (``service_setting.key``) holding what a service changed of the rules.
SETTING = "eswt_rules"

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Guidance = Annotated[str, StringConstraints(pattern=r"^IPG[0-9]{1,4}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _once(ids: list[str], where: str) -> None:
    seen: set[str] = set()
    for value in ids:
        if value in seen:
            raise ValueError(f"{where}: {value!r} is used twice")
        seen.add(value)


class Requirement(_Model):
    """What a guidance's special arrangements ask to be recorded (ticked before a session)."""

    id: Id
    words: Text
    source: Text


class Indication(_Model):
    """One condition ESWT is given for, with the NICE guidance on it."""

    id: Id
    title: Text
    guidance: Guidance
    year: int = Field(ge=2000, le=2100)
    #: False while the year (and the guidance's wording) was not read from the guidance itself.
    year_verified: bool
    arrangements: Literal["special", "standard"]
    requires: tuple[Id, ...]
    #: Injection targets (resources/injections/targets.json) at the site this treats.
    injection_targets: tuple[Id, ...] = ()
    source: Text


class SideEffect(_Model):
    """A side effect recorded after a session."""

    id: Id
    words: Text
    source: Text


class Indications(_Model):
    """Every indication, the governance requirements and the side effects, by id."""

    version: Text
    source: Text
    licence: Text
    requirements: tuple[Requirement, ...] = Field(min_length=1)
    indications: tuple[Indication, ...] = Field(min_length=1)
    local_anaesthetic_note: Text
    side_effects: tuple[SideEffect, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Indications:
        _once([r.id for r in self.requirements], "requirements")
        _once([i.id for i in self.indications], "indications")
        _once([s.id for s in self.side_effects], "side_effects")
        known = {r.id for r in self.requirements}
        for indication in self.indications:
            for requirement in indication.requires:
                if requirement not in known:
                    raise ValueError(f"{indication.id}: unknown requirement {requirement!r}")
        return self

    def indication(self, indication_id: str | None) -> Indication | None:
        """The indication with this id, or None."""
        return next((i for i in self.indications if i.id == indication_id), None)

    @property
    def side_effect_ids(self) -> tuple[str, ...]:
        """The side effects' ids, in order."""
        return tuple(s.id for s in self.side_effects)


class Contraindication(_Model):
    """A contraindication asked before the course: absolute (a stop) or relative (a warning)."""

    id: Id
    question: Text
    kind: Literal["absolute", "relative"]
    source: Text


class Contraindications(_Model):
    """The contraindications, in the order they are asked."""

    version: Text
    source: Text
    licence: Text
    items: tuple[Contraindication, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Contraindications:
        _once([i.id for i in self.items], "items")
        return self

    @property
    def ids(self) -> tuple[str, ...]:
        """The items' ids, in order."""
        return tuple(i.id for i in self.items)

    def of_kind(self, kind: str) -> frozenset[str]:
        """The ids of the absolute or of the relative contraindications."""
        return frozenset(i.id for i in self.items if i.kind == kind)


@dataclass(frozen=True)
class ShockwaveContent:
    """All the shipped shockwave content, checked together."""

    indications: Indications
    contraindications: Contraindications


_M = TypeVar("_M", bound=BaseModel)


def _parse(model: type[_M], data: object, file: str) -> _M:
    try:
        return model.model_validate(data)
    except SchemaError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "file"
        raise ClinicError("content.invalid", file=file, reason=first["msg"], field=field) from error


def parse_content(indications: object, contraindications: object) -> ShockwaveContent:
    """Check the two content files (decoded JSON) and give them typed.

    Raises:
        ClinicError: ``content.invalid`` (``file``, ``reason``, ``field``) for the first problem.
    """
    return ShockwaveContent(
        indications=_parse(Indications, indications, "indications.json"),
        contraindications=_parse(Contraindications, contraindications, "contraindications.json"),
    )


@cache
def shockwave_content() -> ShockwaveContent:
    """The shipped content, read and checked once."""
    return parse_content(read_json(FOLDER, "indications"), read_json(FOLDER, "contraindications"))


# ---------------------------------------------------------------- the service's settings

_CITATION = ("source", "licence", "version", "derivation")
#: Each setting's name, whether it may be a decimal, and the most it may be (the least is 1).
_LIMITS: Mapping[str, tuple[bool, float]] = {
    "pressure_bar_low": (True, 10),
    "pressure_bar_high": (True, 10),
    "frequency_hz_low": (True, 100),
    "frequency_hz_high": (True, 100),
    "pulses_low": (False, 20000),
    "pulses_high": (False, 20000),
    "sessions_low": (False, 20),
    "sessions_high": (False, 20),
    "interval_days": (False, 90),
    "device_service_interval_months": (False, 60),
    "steroid_window_weeks": (False, 52),
}
#: Settings with no cited default: null until the service sets them.
_UNSET_ALLOWED = frozenset({"device_service_interval_months", "steroid_window_weeks"})
_PAIRS = (
    ("pressure_bar_low", "pressure_bar_high"),
    ("frequency_hz_low", "frequency_hz_high"),
    ("pulses_low", "pulses_high"),
    ("sessions_low", "sessions_high"),
)
_NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)?$")


def _value(value: object, name: str) -> float | None:
    if value is None and name in _UNSET_ALLOWED:
        return None
    decimal, most = _LIMITS[name]
    kinds: tuple[type, ...] = (int, float) if decimal else (int,)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise ValidationError("eswt.setting_out_of_range", field=name, most=most)
    number = float(value)  # type: ignore[arg-type]
    if not 1 <= number <= most:
        raise ValidationError("eswt.setting_out_of_range", field=name, most=most)
    return number


def _rules(values: Mapping[str, object]) -> EswtRules:
    found = {name: _value(values.get(name), name) for name in _LIMITS}
    checked = {name: value for name, value in found.items() if value is not None}
    for low, high in _PAIRS:
        if checked[low] > checked[high]:
            raise ValidationError("eswt.setting_range_reversed", field=low, high=high)
    whole = {name: int(value) for name, value in checked.items()}
    return EswtRules(
        pressure_bar_low=checked["pressure_bar_low"],
        pressure_bar_high=checked["pressure_bar_high"],
        frequency_hz_low=checked["frequency_hz_low"],
        frequency_hz_high=checked["frequency_hz_high"],
        pulses_low=whole["pulses_low"],
        pulses_high=whole["pulses_high"],
        sessions_low=whole["sessions_low"],
        sessions_high=whole["sessions_high"],
        interval_days=whole["interval_days"],
        device_service_interval_months=whole.get("device_service_interval_months"),
        steroid_window_weeks=whole.get("steroid_window_weeks"),
    )


def parse_settings(data: object) -> EswtRules:
    """Check the shipped defaults: their citation and each value.

    Raises:
        ClinicError: ``content.invalid`` for a file that is not the rules with their citation.
    """
    file = "settings.json"
    if not isinstance(data, dict):
        raise ClinicError("content.invalid", file=file, reason="not_an_object")
    for key in _CITATION:
        if not data.get(key):
            raise ClinicError("content.invalid", file=file, reason="missing", field=key)
    unknown = set(data) - set(_CITATION) - set(_LIMITS)
    if unknown:
        raise ClinicError("content.invalid", file=file, reason="unknown_key", field=min(unknown))
    try:
        return _rules(data)
    except ValidationError as error:
        raise ClinicError(
            "content.invalid", file=file, reason="bad_value", field=error.field
        ) from error


@cache
def shipped_rules() -> EswtRules:
    """The rules as shipped, with their cited defaults."""
    return parse_settings(read_json(FOLDER, "settings"))


def rule_fields() -> tuple[str, ...]:
    """The names of the values a service may set."""
    return tuple(_LIMITS)


def rule_values(rules: EswtRules) -> dict[str, Any]:
    """The rules' values by name."""
    return {name: getattr(rules, name) for name in _LIMITS}


def rules_with(stored: Mapping[str, object]) -> EswtRules:
    """The shipped rules with what the service changed (``stored``, the setting's value).

    Raises:
        ValidationError: ``eswt.setting_out_of_range`` (field: the value's name),
            ``eswt.setting_range_reversed`` (a low above its high).
    """
    merged: dict[str, object] = dict(rule_values(shipped_rules()))
    merged.update({k: v for k, v in stored.items() if k in _LIMITS})
    return _rules(merged)


def changed_rules(stored: Mapping[str, object], field: str, value: object) -> dict[str, object]:
    """The setting's value after setting ``field``; only what differs from the shipped rules.

    Raises:
        KeyError: for a value the rules do not have (see :func:`rule_fields`).
        ValidationError: as :func:`rules_with`.
    """
    if field not in _LIMITS:
        raise KeyError(field)
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        text = value.strip()
        value = float(text) if "." in text else int(text)
    merged = {k: v for k, v in stored.items() if k in _LIMITS}
    merged[field] = value
    shipped = rule_values(shipped_rules())
    return {k: v for k, v in rule_values(rules_with(merged)).items() if v != shipped[k]}
