"""Waiting-time targets from resources/service_rules, and a service's own amounts over them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, TypeVar

from clinic_app.domains.triage.rules import (
    ClockStart,
    ClockStop,
    NearThresholds,
    TargetRule,
    Tier,
    Unit,
)
from clinic_app.kernel.errors import ClinicError, FormErrors, NotFound, ValidationError
from clinic_app.kernel.reference import parse_code_list
from clinic_app.kernel.resource_files import read_json

FILE = "waiting_times.json"

#: Largest amount accepted for a target or a near threshold, per unit: limits that catch
#: a mistyped setting (about three months of working days, one year of calendar days),
#: not clinical numbers.
MAX_AMOUNT: Mapping[Unit, int] = {Unit.WORKING_DAYS: 65, Unit.CALENDAR_DAYS: 365}

_Choice = TypeVar("_Choice", Unit, ClockStart, ClockStop)

_ID = re.compile(r"[a-z][a-z0-9_]*")
_TOP_TEXT = ("source", "licence", "version")
_TOP_REQUIRED = frozenset({*_TOP_TEXT, "near", "rules"})
_NEAR_KEYS = frozenset({"working_days", "calendar_days", "source"})
_RULE_REQUIRED = frozenset(
    {"id", "label", "applies_to", "clock_start", "clock_stop", "unit", "amount", "active", "source"}
)
_RULE_OPTIONAL = frozenset({"outcomes", "notes"})
_APPLIES_KEYS = frozenset({"priorities", "tiers"})


@dataclass(frozen=True)
class ServiceRules:
    """The waiting-time targets a service works to, with their provenance.

    Attributes:
        source: where the targets come from.
        licence: the licence the file is used under.
        version: the version of the file as shipped.
        near: how close to due an open target is highlighted (a local display setting).
        near_source: where the near thresholds come from.
        rules: every rule, active or not, in the file's order.
        notes: anything a maintainer should know ("" if nothing).
    """

    source: str
    licence: str
    version: str
    near: NearThresholds
    near_source: str
    rules: tuple[TargetRule, ...]
    notes: str = ""

    @property
    def active_rules(self) -> tuple[TargetRule, ...]:
        """The rules the service works to."""
        return tuple(rule for rule in self.rules if rule.active)

    def rule(self, rule_id: str) -> TargetRule:
        """One rule by its id.

        Raises:
            NotFound: ``service_rules.unknown_rule`` (param ``rule``).
        """
        for rule in self.rules:
            if rule.rule_id == rule_id:
                return rule
        raise NotFound("service_rules.unknown_rule", rule=rule_id)


def _invalid(reason: str, **params: Any) -> ClinicError:
    return ClinicError("content.invalid", file=FILE, reason=reason, **params)


def _object(value: object, reason: str, **params: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _invalid(reason, **params)
    return value


def _keys(data: dict[str, Any], required: frozenset[str], optional: frozenset[str]) -> None:
    present = set(data)
    if present - required - optional:
        raise _invalid("unknown_keys", keys=sorted(present - required - optional))
    if required - present:
        raise _invalid("missing_keys", keys=sorted(required - present))


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _invalid("missing_text", key=key)
    return value


def _whole_number(value: object) -> int | None:
    # bool is an int to Python, but "true" is never an amount.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _amount(value: object, unit: Unit, minimum: int, **params: Any) -> int:
    amount = _whole_number(value)
    if amount is None or not minimum <= amount <= MAX_AMOUNT[unit]:
        raise _invalid("bad_amount", **params)
    return amount


def _codes(value: object, known: frozenset[str], key: str, index: int) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise _invalid("bad_codes", key=key, index=index)
    unknown = sorted(set(value) - known)
    if unknown or len(set(value)) != len(value):
        raise _invalid("bad_codes", key=key, index=index, unknown=unknown)
    return frozenset(value)


def _choice(kind: type[_Choice], value: object, key: str, index: int) -> _Choice:
    for member in kind:
        if value == member.value:
            return member
    raise _invalid("bad_choice", key=key, index=index)


@dataclass(frozen=True)
class _Vocabulary:
    priorities: frozenset[str]
    outcomes: frozenset[str]


def _parse_rule(raw: object, index: int, known: _Vocabulary) -> TargetRule:
    data = _object(raw, "bad_rule", index=index)
    _keys(data, _RULE_REQUIRED, _RULE_OPTIONAL)
    rule_id = data["id"]
    if not isinstance(rule_id, str) or not _ID.fullmatch(rule_id):
        raise _invalid("bad_id", index=index)
    applies = _object(data["applies_to"], "bad_applies_to", index=index)
    _keys(applies, _APPLIES_KEYS, frozenset())
    priorities = _codes(applies["priorities"], known.priorities, "priorities", index)
    tiers = _codes(applies["tiers"], frozenset(Tier), "tiers", index)
    if not priorities and not tiers:
        raise _invalid("covers_nothing", index=index)
    clock_start = _choice(ClockStart, data["clock_start"], "clock_start", index)
    clock_stop = _choice(ClockStop, data["clock_stop"], "clock_stop", index)
    if clock_start.value == clock_stop.value:
        raise _invalid("clock_stops_where_it_starts", index=index)
    unit = _choice(Unit, data["unit"], "unit", index)
    if not isinstance(data["active"], bool):
        raise _invalid("bad_active", index=index)
    return TargetRule(
        rule_id=rule_id,
        label=_text(data, "label"),
        priorities=priorities,
        tiers=frozenset(Tier(tier) for tier in tiers),
        clock_start=clock_start,
        clock_stop=clock_stop,
        unit=unit,
        amount=_amount(data["amount"], unit, 1, key="amount", index=index),
        source=_text(data, "source"),
        active=data["active"],
        outcomes=_codes(data.get("outcomes", []), known.outcomes, "outcomes", index),
        notes=_text(data, "notes") if "notes" in data else "",
    )


def _parse_near(raw: object) -> tuple[NearThresholds, str]:
    data = _object(raw, "bad_near")
    _keys(data, _NEAR_KEYS, frozenset())
    near = NearThresholds(
        working_days=_amount(data["working_days"], Unit.WORKING_DAYS, 0, key="near"),
        calendar_days=_amount(data["calendar_days"], Unit.CALENDAR_DAYS, 0, key="near"),
    )
    return near, _text(data, "source")


def parse_waiting_times(
    data: object, *, priorities: frozenset[str], outcomes: frozenset[str]
) -> ServiceRules:
    """Check the shape of a decoded waiting-times document and build the rules.

    Args:
        data: the decoded JSON document.
        priorities: the referral priority codes a rule may name.
        outcomes: the triage outcome codes a rule may name.

    Returns:
        The validated rules.

    Raises:
        ClinicError: ``content.invalid`` with params ``file`` and ``reason`` (plus ``key``,
            ``keys``, ``index``, ``unknown`` or ``duplicate`` where they help).
    """
    document = _object(data, "not_an_object")
    _keys(document, _TOP_REQUIRED, frozenset({"notes"}))
    source, licence, version = (_text(document, key) for key in _TOP_TEXT)
    near, near_source = _parse_near(document["near"])
    raw_rules = document["rules"]
    if not isinstance(raw_rules, list) or not raw_rules:
        raise _invalid("rules_not_a_list")
    known = _Vocabulary(priorities=priorities, outcomes=outcomes)
    rules = tuple(_parse_rule(raw, index, known) for index, raw in enumerate(raw_rules))
    seen: set[str] = set()
    for rule in rules:
        if rule.rule_id in seen:
            raise _invalid("duplicate_id", duplicate=rule.rule_id)
        seen.add(rule.rule_id)
    return ServiceRules(
        source=source,
        licence=licence,
        version=version,
        near=near,
        near_source=near_source,
        rules=rules,
        notes=_text(document, "notes") if "notes" in document else "",
    )


def _reference_codes(name: str) -> frozenset[str]:
    return parse_code_list(name, read_json("reference", name)).codes_set()


@cache
def waiting_times() -> ServiceRules:
    """Load the waiting-time targets shipped with the app (cached after the first call).

    Priorities and triage outcomes named by the rules are checked against the
    ``referral_priority`` and ``triage_outcome`` reference lists.

    Returns:
        The validated rules with the cited default amounts.

    Raises:
        ClinicError: ``content.invalid`` (params ``file``, ``reason``) when a file is
            missing, is not UTF-8 JSON or has the wrong shape.
    """
    return parse_waiting_times(
        read_json("service_rules", "waiting_times"),
        priorities=_reference_codes("referral_priority"),
        outcomes=_reference_codes("triage_outcome"),
    )


def _checked_amount(value: object, unit: Unit, minimum: int, field: str) -> int:
    amount = _whole_number(value)
    if amount is None:
        raise ValidationError("service_rules.not_a_whole_number", field=field)
    if not minimum <= amount <= MAX_AMOUNT[unit]:
        raise ValidationError(
            "service_rules.out_of_range",
            field=field,
            value=amount,
            minimum=minimum,
            maximum=MAX_AMOUNT[unit],
        )
    return amount


def _overridden_rule(
    rule: TargetRule,
    amounts: Mapping[str, object],
    active: Mapping[str, object],
    errors: list[ValidationError],
) -> TargetRule:
    """The rule with a service's amount and on/off switch; problems go into ``errors``."""
    changed = rule
    if rule.rule_id in amounts:
        field = f"{rule.rule_id}.amount"
        try:
            amount = _checked_amount(amounts[rule.rule_id], rule.unit, 1, field)
        except ValidationError as error:
            errors.append(error)
        else:
            changed = replace(changed, amount=amount)
    if rule.rule_id in active:
        switch = active[rule.rule_id]
        if isinstance(switch, bool):
            changed = replace(changed, active=switch)
        else:
            field = f"{rule.rule_id}.active"
            errors.append(ValidationError("service_rules.not_yes_or_no", field=field))
    return changed


def _overridden_near(
    near: NearThresholds, settings: Mapping[str, object], errors: list[ValidationError]
) -> NearThresholds:
    """The near thresholds with a service's own values; problems go into ``errors``."""
    values = {unit: near.for_unit(unit) for unit in Unit}
    for key, value in settings.items():
        unit = next((unit for unit in Unit if unit.value == key), None)
        if unit is None:
            errors.append(ValidationError("service_rules.unknown_unit", field=f"near.{key}"))
            continue
        try:
            values[unit] = _checked_amount(value, unit, 0, f"near.{key}")
        except ValidationError as error:
            errors.append(error)
    return NearThresholds(
        working_days=values[Unit.WORKING_DAYS], calendar_days=values[Unit.CALENDAR_DAYS]
    )


def with_overrides(
    rules: ServiceRules,
    amounts: Mapping[str, object] | None = None,
    *,
    active: Mapping[str, object] | None = None,
    near: Mapping[str, object] | None = None,
) -> ServiceRules:
    """The rules with a service's own settings in place of the shipped defaults.

    Values are typed ``object`` because they come from a settings file or form and are
    checked here: amounts must be whole numbers from 1 to :data:`MAX_AMOUNT` for the rule's
    unit, near thresholds from 0 to the same limit, and on/off switches true or false.

    Args:
        rules: the rules to start from, usually :func:`waiting_times`.
        amounts: new amount by rule id, e.g. ``{"triage_urgent_priority_tier2": 2}``.
        active: whether each named rule is switched on, e.g. ``{"triage_all_referrals": True}``.
        near: new near thresholds by unit, e.g. ``{"working_days": 2}``.

    Returns:
        New rules; ``rules`` itself is unchanged.

    Raises:
        FormErrors: one ValidationError per bad setting, with codes
            ``service_rules.unknown_rule`` (param ``rule``), ``service_rules.not_a_whole_number``,
            ``service_rules.out_of_range`` (params ``value``, ``minimum``, ``maximum``),
            ``service_rules.not_yes_or_no`` or ``service_rules.unknown_unit``; fields are
            ``"<rule id>.amount"``, ``"<rule id>.active"`` or ``"near.<unit>"``.
    """
    amounts, active = amounts or {}, active or {}
    known = {rule.rule_id for rule in rules.rules}
    errors = [
        ValidationError("service_rules.unknown_rule", field=f"{rule_id}.{setting}", rule=rule_id)
        for setting, settings in (("amount", amounts), ("active", active))
        for rule_id in settings
        if rule_id not in known
    ]
    changed = tuple(_overridden_rule(rule, amounts, active, errors) for rule in rules.rules)
    new_near = _overridden_near(rules.near, near or {}, errors)
    if errors:
        raise FormErrors(errors)
    return replace(rules, rules=changed, near=new_near)
