"""The care-plan content shipped in resources/care_plans, checked when it is loaded.

The safety nets (warning signs and what to do, for the patient's own copy), the support
services a plan may name, and the cited defaults of the service's PIFU settings. A broken
file raises ``content.invalid`` naming the file and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as SchemaError

from clinic_app.domains.care_plans.rules import PifuRules
from clinic_app.kernel.errors import ClinicError, ValidationError
from clinic_app.kernel.resource_files import read_json

FOLDER = "care_plans"
#: The service setting (``service_setting.key``) holding what a service changed of the rules.
SETTING = "care_plan_rules"

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SafetyNet(_Model):
    """Warning signs that need help at once, and what the patient does about them."""

    id: Id
    title: Text
    applies_to: Text = Field(alias="for")
    about: Text
    signs: tuple[Text, ...]
    do: tuple[Text, ...]


class SafetyNets(_Model):
    """The safety nets a clinician may add to a plan, with their source."""

    source: Text
    licence: Text
    version: Text
    derivation: Text
    safety_nets: tuple[SafetyNet, ...]

    def get(self, net_id: str) -> SafetyNet | None:
        """The safety net called ``net_id``, if shipped."""
        return next((net for net in self.safety_nets if net.id == net_id), None)


class SupportService(_Model):
    """A national service a plan may point the patient to."""

    id: Id
    kind: Literal["nhs", "voluntary", "social_prescribing", "work"]
    name: Text


class SupportServices(_Model):
    """The support services offered from a list (a clinician may also write their own)."""

    source: Text
    licence: Text
    version: Text
    derivation: Text
    services: tuple[SupportService, ...]

    def get(self, service_id: str) -> SupportService | None:
        """The service called ``service_id``, if listed."""
        return next((s for s in self.services if s.id == service_id), None)


_M = TypeVar("_M", bound=BaseModel)


def _parse(model: type[_M], data: object, file: str) -> _M:
    try:
        parsed = model.model_validate(data)
    except SchemaError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "file"
        raise ClinicError("content.invalid", file=file, reason=first["msg"], field=field) from error
    return parsed


def _unique(ids: list[str], file: str) -> None:
    if len(set(ids)) != len(ids):
        raise ClinicError("content.invalid", file=file, reason="id_used_twice")


def parse_safety_nets(data: object) -> SafetyNets:
    """Check the safety nets (decoded JSON).

    Raises:
        ClinicError: ``content.invalid`` (``file``, ``reason``, ``field``).
    """
    nets = _parse(SafetyNets, data, "safety_nets.json")
    _unique([net.id for net in nets.safety_nets], "safety_nets.json")
    return nets


def parse_support_services(data: object) -> SupportServices:
    """Check the support services (decoded JSON).

    Raises:
        ClinicError: ``content.invalid`` (``file``, ``reason``, ``field``).
    """
    services = _parse(SupportServices, data, "support_services.json")
    _unique([service.id for service in services.services], "support_services.json")
    return services


@cache
def safety_nets() -> SafetyNets:
    """The shipped safety nets, read and checked once."""
    return parse_safety_nets(read_json(FOLDER, "safety_nets"))


@cache
def support_services() -> SupportServices:
    """The shipped support services, read and checked once."""
    return parse_support_services(read_json(FOLDER, "support_services"))


# ---------------------------------------------------------------- the service's settings

_CITATION = ("source", "licence", "version", "derivation")
#: Each setting and the least and most it may be (whole numbers).
_LIMITS: Mapping[str, tuple[int, int]] = {
    "pifu_min_months": (1, 24),
    "pifu_max_months": (1, 24),
    "pifu_default_months": (1, 24),
    "lapse_warning_days": (0, 90),
}


def _value(value: object, field: str) -> int:
    low, high = _LIMITS[field]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError("care_plan.setting_out_of_range", field=field, least=low, most=high)
    return value


def _rules(values: Mapping[str, object]) -> PifuRules:
    rules = PifuRules(
        min_months=_value(values.get("pifu_min_months"), "pifu_min_months"),
        max_months=_value(values.get("pifu_max_months"), "pifu_max_months"),
        default_months=_value(values.get("pifu_default_months"), "pifu_default_months"),
        lapse_warning_days=_value(values.get("lapse_warning_days"), "lapse_warning_days"),
    )
    if rules.min_months > rules.max_months:
        raise ValidationError("care_plan.setting_out_of_range", field="pifu_min_months")
    if not rules.min_months <= rules.default_months <= rules.max_months:
        raise ValidationError("care_plan.setting_out_of_range", field="pifu_default_months")
    return rules


def parse_settings(data: object) -> PifuRules:
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
def shipped_rules() -> PifuRules:
    """The PIFU settings as shipped, with their cited defaults."""
    return parse_settings(read_json(FOLDER, "settings"))


def rule_values(rules: PifuRules) -> dict[str, int]:
    """The settings by their stored names."""
    return {
        "pifu_min_months": rules.min_months,
        "pifu_max_months": rules.max_months,
        "pifu_default_months": rules.default_months,
        "lapse_warning_days": rules.lapse_warning_days,
    }


def rules_with(stored: Mapping[str, object]) -> PifuRules:
    """The shipped settings with what the service changed (``stored``, the setting's value).

    Raises:
        ValidationError: ``care_plan.setting_out_of_range`` (field: the value's name).
    """
    merged: dict[str, object] = dict(rule_values(shipped_rules()))
    merged.update({k: v for k, v in stored.items() if k in _LIMITS})
    return _rules(merged)


def rule_fields() -> tuple[str, ...]:
    """The names of the values a service may set."""
    return tuple(_LIMITS)


def changed_rules(stored: Mapping[str, object], field: str, value: object) -> dict[str, object]:
    """The setting's value after setting ``field``; only what differs from the shipped rules.

    ``value`` may be the text typed ("3"), read as a whole number.

    Raises:
        KeyError: for a value the settings do not have (see :func:`rule_fields`).
        ValidationError: as :func:`rules_with`.
    """
    if field not in _LIMITS:
        raise KeyError(field)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    merged = {k: v for k, v in stored.items() if k in _LIMITS}
    merged[field] = value
    shipped = rule_values(shipped_rules())
    return {k: v for k, v in rule_values(rules_with(merged)).items() if v != shipped[k]}
