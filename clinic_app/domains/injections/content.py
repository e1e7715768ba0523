"""The injection content shipped in resources/injections, checked when it is loaded.

The formulary (each product's strength and the dose ranges its SmPC gives, cited), the
targets and their size classes, the consent risks, the contraindication checklist and the
cited defaults of the service's injection settings. Every file is checked against its schema
(pydantic, unknown keys refused) and then against what a schema cannot say: every id is used
once, every target's size class is one the formulary knows, every range is cited and ordered.
A broken file raises ``content.invalid`` naming the file and the field: the app never guesses
a dose.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic import ValidationError as SchemaError

from clinic_app.domains.injections.rules import SIZE_CLASSES, InjectionRules
from clinic_app.kernel.errors import ClinicError, ValidationError
from clinic_app.kernel.resource_files import read_json

FOLDER = "injections"
#: The service setting (``service_setting.key``) holding what a service changed of the rules.
SETTING = "injection_rules"

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
SizeClass = Literal["small_joint", "medium_joint", "large_joint", "soft_tissue"]
Positive = Annotated[float, Field(gt=0, le=1000)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DoseRange(_Model):
    """The dose an SmPC gives for one size of target, in mg of the product's main substance."""

    min_mg: Positive
    max_mg: Positive
    cite: Text

    @model_validator(mode="after")
    def _ordered(self) -> DoseRange:
        if self.min_mg > self.max_mg:
            raise ValueError("min_mg is above max_mg")
        return self


class Product(_Model):
    """One product of the formulary (a corticosteroid or a local anaesthetic).

    It names no pack codes (GTINs): those differ by supplier and pack size, and the service
    lead links the ones its stock carries (``service.pack_codes``).
    """

    id: Id
    name: Text
    kind: Literal["corticosteroid", "local_anaesthetic"]
    substance: Text
    strength_mg_per_ml: Positive
    local_anaesthetic_mg_per_ml: Positive | None = None
    #: The local anaesthetic it holds alongside the steroid (a steroid with lidocaine).
    local_anaesthetic: Text | None = None
    doses: dict[SizeClass, DoseRange] = Field(default_factory=dict)
    max_single_dose_mg: Positive | None = None
    max_cite: Text | None = None

    @model_validator(mode="after")
    def _cited(self) -> Product:
        if self.kind == "corticosteroid" and not self.doses:
            raise ValueError("a corticosteroid needs its dose ranges")
        if self.kind == "local_anaesthetic" and (
            self.max_single_dose_mg is None or self.max_cite is None
        ):
            raise ValueError("a local anaesthetic needs its cited maximum single dose")
        if (self.max_single_dose_mg is None) != (self.max_cite is None):
            raise ValueError("a maximum dose needs its citation, and a citation its maximum")
        if (self.local_anaesthetic is None) != (self.local_anaesthetic_mg_per_ml is None):
            raise ValueError("a local anaesthetic in the vial needs its name and its strength")
        return self

    @property
    def anaesthetic(self) -> str | None:
        """The local anaesthetic it is, or holds alongside a steroid; None for neither."""
        if self.kind == "local_anaesthetic":
            return self.substance
        return self.local_anaesthetic

    def dose_range(self, size_class: str) -> DoseRange | None:
        """The cited range for targets of ``size_class``, or None when the SmPC gives none."""
        for size, cited in self.doses.items():
            if size == size_class:
                return cited
        return None

    @property
    def is_steroid(self) -> bool:
        """True for a corticosteroid (alone or with a local anaesthetic in the same vial)."""
        return self.kind == "corticosteroid"


class Formulary(_Model):
    """Every product the service may record, by id."""

    version: Text
    source: Text
    licence: Text
    size_classes: tuple[SizeClass, ...]
    products: tuple[Product, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Formulary:
        _once([p.id for p in self.products], "products")
        if set(self.size_classes) != set(SIZE_CLASSES):
            raise ValueError("size_classes are not the four the record knows")
        return self

    def product(self, product_id: str) -> Product | None:
        """The product with this id, or None."""
        return next((p for p in self.products if p.id == product_id), None)


class Target(_Model):
    """Where an injection goes: its size class and the volume no one injects there."""

    id: Id
    title: Text
    size_class: SizeClass
    advanced: bool
    implausible_above_ml: Positive
    typical_max_ml: Positive | None = None


class Targets(_Model):
    """Every target, by id."""

    version: Text
    source: Text
    licence: Text
    implausible_volume_derivation: Text
    targets: tuple[Target, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Targets:
        _once([t.id for t in self.targets], "targets")
        return self

    def target(self, target_id: str) -> Target | None:
        """The target with this id, or None."""
        return next((t for t in self.targets if t.id == target_id), None)


class ConsentRisk(_Model):
    """A risk talked through before consent, in plain words, with its source."""

    id: Id
    words: Text
    source: Text


class ConsentRisks(_Model):
    """The risks to discuss, in the order they are offered."""

    version: Text
    source: Text
    licence: Text
    risks: tuple[ConsentRisk, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> ConsentRisks:
        _once([r.id for r in self.risks], "risks")
        return self

    @property
    def ids(self) -> tuple[str, ...]:
        """The risks' ids, in order."""
        return tuple(r.id for r in self.risks)


class ChecklistItem(_Model):
    """A contraindication or caution asked before injecting: a hard stop or a warning."""

    id: Id
    question: Text
    kind: Literal["hard_stop", "warning"]
    stops_when: Literal["yes"]
    source: Text


class Checklist(_Model):
    """The checklist, in the order it is asked."""

    version: Text
    source: Text
    licence: Text
    items: tuple[ChecklistItem, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Checklist:
        _once([i.id for i in self.items], "items")
        return self

    @property
    def ids(self) -> tuple[str, ...]:
        """The items' ids, in order."""
        return tuple(i.id for i in self.items)


def _once(ids: list[str], where: str) -> None:
    seen: set[str] = set()
    for value in ids:
        if value in seen:
            raise ValueError(f"{where}: {value!r} is used twice")
        seen.add(value)


@dataclass(frozen=True)
class InjectionContent:
    """All the shipped injection content, checked together."""

    formulary: Formulary
    targets: Targets
    consent_risks: ConsentRisks
    checklist: Checklist


def _invalid(file: str, error: SchemaError | ValueError) -> ClinicError:
    if isinstance(error, SchemaError):
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "file"
        return ClinicError("content.invalid", file=file, reason=first["msg"], field=field)
    return ClinicError("content.invalid", file=file, reason=str(error))


_M = TypeVar("_M", bound=BaseModel)


def _parse(model: type[_M], data: object, file: str) -> _M:
    try:
        return model.model_validate(data)
    except SchemaError as error:
        raise _invalid(file, error) from error


def parse_content(
    formulary: object, targets: object, consent_risks: object, checklist: object
) -> InjectionContent:
    """Check the four content files together (decoded JSON) and give them typed.

    Raises:
        ClinicError: ``content.invalid`` (``file``, ``reason``, ``field``) for the first
            problem found.
    """
    checked = InjectionContent(
        formulary=_parse(Formulary, formulary, "formulary.json"),
        targets=_parse(Targets, targets, "targets.json"),
        consent_risks=_parse(ConsentRisks, consent_risks, "consent_risks.json"),
        checklist=_parse(Checklist, checklist, "checklist.json"),
    )
    known = set(checked.formulary.size_classes)
    for target in checked.targets.targets:
        if target.size_class not in known:
            raise ClinicError(
                "content.invalid", file="targets.json", reason="unknown_size_class", field=target.id
            )
    return checked


@cache
def injection_content() -> InjectionContent:
    """The shipped content, read and checked once."""
    return parse_content(
        read_json(FOLDER, "formulary"),
        read_json(FOLDER, "targets"),
        read_json(FOLDER, "consent_risks"),
        read_json(FOLDER, "checklist"),
    )


# ---------------------------------------------------------------- the service's settings

_CITATION = ("source", "licence", "version", "derivation")
#: Each setting's name and the most it may be (the least is 1, whole numbers only).
_LIMITS: Mapping[str, int] = {
    "repeat_interval_weeks": 104,
    "same_site_per_year": 12,
    "warfarin_inr_below": 10,
    "warfarin_inr_max_age_hours": 168,
    "replacement_planned_within_months": 24,
}
_NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)?$")


#: The one value that may be a decimal (an INR limit of 3.5, say); the others are whole.
_DECIMAL = "warfarin_inr_below"


def _value(value: object, field: str) -> float:
    kinds: tuple[type, ...] = (int, float) if field == _DECIMAL else (int,)
    if (
        isinstance(value, bool) or not isinstance(value, kinds) or not 1 <= value <= _LIMITS[field]  # type: ignore[operator]
    ):
        raise ValidationError("injection.setting_out_of_range", field=field, most=_LIMITS[field])
    return value  # type: ignore[return-value]


def _rules(values: Mapping[str, object]) -> InjectionRules:
    return InjectionRules(
        repeat_interval_weeks=int(
            _value(values.get("repeat_interval_weeks"), "repeat_interval_weeks")
        ),
        same_site_per_year=int(_value(values.get("same_site_per_year"), "same_site_per_year")),
        warfarin_inr_below=_value(values.get(_DECIMAL), _DECIMAL),
        warfarin_inr_max_age_hours=int(
            _value(values.get("warfarin_inr_max_age_hours"), "warfarin_inr_max_age_hours")
        ),
        replacement_planned_within_months=int(
            _value(
                values.get("replacement_planned_within_months"),
                "replacement_planned_within_months",
            )
        ),
    )


def parse_settings(data: object) -> InjectionRules:
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
def shipped_rules() -> InjectionRules:
    """The rules as shipped, with their cited defaults."""
    return parse_settings(read_json(FOLDER, "settings"))


def rules_with(stored: Mapping[str, object]) -> InjectionRules:
    """The shipped rules with what the service changed (``stored``, the setting's value).

    Raises:
        ValidationError: ``injection.setting_out_of_range`` (field: the value's name).
    """
    merged: dict[str, object] = dict(rule_values(shipped_rules()))
    merged.update({k: v for k, v in stored.items() if k in _LIMITS})
    return _rules(merged)


def loosest_rules() -> InjectionRules:
    """The rules, of all a service may set, under which the fewest warnings are raised.

    A record pushed as signed was checked on its device under the settings that device held
    then, which the server cannot know (a laptop offline while the service lead changed them
    holds the old ones). What warns under these warns under any settings a device can hold.
    """
    return InjectionRules(
        repeat_interval_weeks=1,
        same_site_per_year=_LIMITS["same_site_per_year"],
        warfarin_inr_below=_LIMITS["warfarin_inr_below"],
        warfarin_inr_max_age_hours=_LIMITS["warfarin_inr_max_age_hours"],
        replacement_planned_within_months=1,
    )


def rule_fields() -> tuple[str, ...]:
    """The names of the values a service may set."""
    return tuple(_LIMITS)


def rule_values(rules: InjectionRules) -> dict[str, Any]:
    """The rules' values by name."""
    return {name: getattr(rules, name) for name in _LIMITS}


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
