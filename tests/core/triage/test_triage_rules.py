"""Waiting-time targets: which apply, their due dates, states, worklist order and overrides."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime
from importlib import resources
from typing import Any

import pytest

from clinic_app.domains.triage.content import (
    MAX_AMOUNT,
    ServiceRules,
    parse_waiting_times,
    waiting_times,
    with_overrides,
)
from clinic_app.domains.triage.rules import (
    PRIORITIES,
    ClockStart,
    ClockStop,
    NearThresholds,
    ReferralFacts,
    TargetRule,
    TargetState,
    TargetStatus,
    Tier,
    Unit,
    most_pressing,
    target_status,
    target_statuses,
    worklist_key,
)
from clinic_app.kernel.errors import ClinicError, FormErrors, NotFound, ValidationError
from clinic_app.kernel.reference import parse_code_list

TRIAGE = "triage_urgent_priority_tier2"
TRIAGE_ALL = "triage_all_referrals"
PRIORITY_APPOINTMENT = "appointment_priority"
ROUTINE_APPOINTMENT = "appointment_routine"
RETURN = "return_incomplete"

# Monday 10 March 2025: no bank holiday within four weeks either side.
MONDAY = date(2025, 3, 10)


def _raw(folder: str, name: str) -> Any:
    path = resources.files("resources") / folder / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _facts(
    priority: str = "routine",
    tier: Tier | None = Tier.TIER_1,
    received: date = MONDAY,
    **later: Any,
) -> ReferralFacts:
    return ReferralFacts(received=received, priority=priority, tier=tier, **later)


def _by_rule(
    facts: ReferralFacts, today: date, rules: ServiceRules | None = None
) -> dict[str, TargetStatus]:
    chosen = rules or waiting_times()
    statuses = target_statuses(facts, chosen.rules, chosen.near, today)
    return {status.rule.rule_id: status for status in statuses}


# ---------------------------------------------------------------- the shipped files


def test_waiting_times_load_with_provenance() -> None:
    rules = waiting_times()
    assert rules.source.strip()
    assert rules.licence.strip()
    assert rules.version.strip()
    assert "not a clinical number" in rules.near_source
    assert waiting_times() is rules


def test_every_rule_has_a_source_and_label() -> None:
    for rule in waiting_times().rules:
        assert rule.source.strip(), rule.rule_id
        assert rule.label.strip(), rule.rule_id


def test_defaults_are_the_cited_amounts() -> None:
    rules = waiting_times()
    expected = {
        TRIAGE: (Unit.WORKING_DAYS, 3, True),
        TRIAGE_ALL: (Unit.WORKING_DAYS, 2, False),
        PRIORITY_APPOINTMENT: (Unit.CALENDAR_DAYS, 14, True),
        ROUTINE_APPOINTMENT: (Unit.CALENDAR_DAYS, 28, True),
        RETURN: (Unit.WORKING_DAYS, 5, True),
    }
    assert {rule.rule_id for rule in rules.rules} == set(expected)
    for rule_id, (unit, amount, active) in expected.items():
        rule = rules.rule(rule_id)
        assert (rule.unit, rule.amount, rule.active) == (unit, amount, active)
        assert str(amount) in rule.source
    assert rules.near == NearThresholds(working_days=1, calendar_days=3)


def test_unknown_rule_id_is_not_found() -> None:
    with pytest.raises(NotFound) as caught:
        waiting_times().rule("no_such_rule")
    assert caught.value.code == "service_rules.unknown_rule"


@pytest.mark.parametrize("name", ["referral_priority", "triage_outcome"])
def test_new_reference_lists_have_the_shape_of_the_others(name: str) -> None:
    raw = _raw("reference", name)
    assert set(raw) <= {"source", "licence", "version", "notes", "codes"}
    codes = parse_code_list(name, raw)
    assert codes.source.strip()
    assert codes.licence.strip()


def test_priorities_match_the_reference_list_in_order() -> None:
    codes = parse_code_list("referral_priority", _raw("reference", "referral_priority"))
    assert tuple(entry.code for entry in codes.codes) == PRIORITIES


def test_triage_outcomes_name_every_outcome_of_the_specification() -> None:
    codes = parse_code_list("triage_outcome", _raw("reference", "triage_outcome")).codes_set()
    assert codes == {
        "appointment",
        "appointment_after_diagnostics",
        "onward_referral",
        "signpost",
        "return_to_referrer",
        "emergency_onward_referral",
    }
    for rule in waiting_times().rules:
        assert rule.outcomes <= codes


# ---------------------------------------------------------------- which targets apply


@pytest.mark.parametrize(
    ("priority", "tier", "expected"),
    [
        ("urgent", Tier.TIER_1, {TRIAGE, RETURN}),
        ("urgent", Tier.TIER_2, {TRIAGE, RETURN}),
        ("priority", Tier.TIER_1, {TRIAGE, PRIORITY_APPOINTMENT, RETURN}),
        ("priority", Tier.TIER_2, {TRIAGE, PRIORITY_APPOINTMENT, RETURN}),
        ("routine", Tier.TIER_1, {ROUTINE_APPOINTMENT, RETURN}),
        ("routine", Tier.TIER_2, {TRIAGE, ROUTINE_APPOINTMENT, RETURN}),
        ("routine", None, {ROUTINE_APPOINTMENT, RETURN}),
    ],
)
def test_targets_for_each_priority_and_tier(
    priority: str, tier: Tier | None, expected: set[str]
) -> None:
    assert set(_by_rule(_facts(priority, tier), MONDAY)) == expected


def test_due_dates_across_easter_2025() -> None:
    # Thursday 17 April is day 0; Good Friday and Easter Monday do not count.
    statuses = _by_rule(_facts("priority", Tier.TIER_2, received=date(2025, 4, 17)), MONDAY)
    assert statuses[TRIAGE].due == date(2025, 4, 24)
    assert statuses[RETURN].due == date(2025, 4, 28)
    assert statuses[PRIORITY_APPOINTMENT].due == date(2025, 5, 1)
    routine = _by_rule(_facts("routine", received=date(2025, 4, 17)), MONDAY)
    assert routine[ROUTINE_APPOINTMENT].due == date(2025, 5, 15)


def test_referral_received_on_a_saturday_counts_from_monday() -> None:
    saturday = date(2025, 3, 8)
    statuses = _by_rule(_facts("urgent", received=saturday), saturday)
    assert statuses[TRIAGE].clock_started == saturday
    assert statuses[TRIAGE].due == date(2025, 3, 13)
    assert statuses[TRIAGE].days_left == 3


def test_the_alternative_rule_is_off_until_switched_on() -> None:
    assert TRIAGE_ALL not in _by_rule(_facts("routine"), MONDAY)
    switched = with_overrides(waiting_times(), active={TRIAGE_ALL: True})
    status = _by_rule(_facts("routine"), MONDAY, switched)[TRIAGE_ALL]
    assert status.due == date(2025, 3, 12)


# ---------------------------------------------------------------- states at the boundaries


@pytest.mark.parametrize(
    ("today", "days_left", "state"),
    [
        (date(2025, 3, 10), 3, TargetState.OK),
        (date(2025, 3, 11), 2, TargetState.OK),
        (date(2025, 3, 12), 1, TargetState.NEAR),
        (date(2025, 3, 13), 0, TargetState.DUE_TODAY),
        (date(2025, 3, 14), -1, TargetState.OVERDUE),
        # Saturday belongs to Monday, two working days after the due Thursday.
        (date(2025, 3, 15), -2, TargetState.OVERDUE),
        (date(2025, 3, 17), -2, TargetState.OVERDUE),
    ],
)
def test_working_day_target_states(today: date, days_left: int, state: TargetState) -> None:
    status = _by_rule(_facts("urgent"), today)[TRIAGE]
    assert status.due == date(2025, 3, 13)
    assert (status.days_left, status.state) == (days_left, state)
    assert status.is_open


def test_on_a_weekend_a_target_due_on_monday_is_due_today() -> None:
    # Received Wednesday 5 March: due Monday 10 March.
    status = _by_rule(_facts("urgent", received=date(2025, 3, 5)), date(2025, 3, 8))[TRIAGE]
    assert status.due == MONDAY
    assert (status.days_left, status.state) == (0, TargetState.DUE_TODAY)


@pytest.mark.parametrize(
    ("today", "days_left", "state"),
    [
        (date(2025, 4, 3), 4, TargetState.OK),
        (date(2025, 4, 4), 3, TargetState.NEAR),
        (date(2025, 4, 6), 1, TargetState.NEAR),
        (date(2025, 4, 7), 0, TargetState.DUE_TODAY),
        (date(2025, 4, 8), -1, TargetState.OVERDUE),
    ],
)
def test_calendar_day_target_states(today: date, days_left: int, state: TargetState) -> None:
    status = _by_rule(_facts("routine"), today)[ROUTINE_APPOINTMENT]
    assert status.due == date(2025, 4, 7)
    assert (status.days_left, status.state) == (days_left, state)


@pytest.mark.parametrize(
    ("triaged", "days_left", "state"),
    [
        (date(2025, 3, 12), 1, TargetState.MET),
        (date(2025, 3, 13), 0, TargetState.MET),
        (date(2025, 3, 14), -1, TargetState.MISSED),
    ],
)
def test_triage_target_met_or_missed(triaged: date, days_left: int, state: TargetState) -> None:
    facts = _facts("urgent", triaged=triaged, outcome="appointment")
    status = _by_rule(facts, date(2025, 6, 1))[TRIAGE]
    assert (status.days_left, status.state, status.stopped) == (days_left, state, triaged)
    assert not status.is_open


@pytest.mark.parametrize(
    ("offered", "state"),
    [(date(2025, 3, 24), TargetState.MET), (date(2025, 3, 25), TargetState.MISSED)],
)
def test_priority_appointment_met_or_missed(offered: date, state: TargetState) -> None:
    facts = _facts(
        "priority",
        triaged=date(2025, 3, 11),
        outcome="appointment_after_diagnostics",
        appointment_offered=offered,
    )
    status = _by_rule(facts, date(2025, 6, 1))[PRIORITY_APPOINTMENT]
    assert status.due == date(2025, 3, 24)
    assert status.state is state


def test_near_thresholds_follow_the_service_setting() -> None:
    quieter = with_overrides(waiting_times(), near={"working_days": 0, "calendar_days": 0})
    assert _by_rule(_facts("urgent"), date(2025, 3, 12), quieter)[TRIAGE].state is TargetState.OK
    wider = with_overrides(waiting_times(), near={"working_days": 2})
    assert _by_rule(_facts("urgent"), date(2025, 3, 11), wider)[TRIAGE].state is TargetState.NEAR
    assert wider.near.calendar_days == 3


# ---------------------------------------------------------------- outcomes close targets


def test_signposting_leaves_only_the_triage_target() -> None:
    facts = _facts("priority", triaged=date(2025, 3, 11), outcome="signpost")
    statuses = _by_rule(facts, date(2025, 3, 20))
    assert set(statuses) == {TRIAGE}
    assert statuses[TRIAGE].state is TargetState.MET


@pytest.mark.parametrize(
    ("returned", "state"),
    [(date(2025, 3, 17), TargetState.MET), (date(2025, 3, 18), TargetState.MISSED)],
)
def test_return_to_referrer_is_measured_by_the_triage_date(
    returned: date, state: TargetState
) -> None:
    facts = _facts("routine", triaged=returned, outcome="return_to_referrer")
    statuses = _by_rule(facts, date(2025, 4, 1))
    assert set(statuses) == {RETURN}
    assert statuses[RETURN].due == date(2025, 3, 17)
    assert statuses[RETURN].state is state


def test_an_appointment_outcome_keeps_the_appointment_clock_running() -> None:
    facts = _facts("routine", triaged=date(2025, 3, 12), outcome="appointment")
    statuses = _by_rule(facts, date(2025, 4, 4))
    assert set(statuses) == {ROUTINE_APPOINTMENT}
    assert statuses[ROUTINE_APPOINTMENT].state is TargetState.NEAR


def test_a_clock_that_starts_at_triage_waits_for_it() -> None:
    rule = TargetRule(
        rule_id="example_after_triage",
        label="Example",
        priorities=frozenset({"routine"}),
        tiers=frozenset(),
        clock_start=ClockStart.TRIAGED,
        clock_stop=ClockStop.APPOINTMENT_OFFERED,
        unit=Unit.CALENDAR_DAYS,
        amount=10,
        source="test",
    )
    near = NearThresholds(working_days=1, calendar_days=3)
    assert target_status(rule, _facts(), near, MONDAY) is None
    triaged = _facts(triaged=date(2025, 3, 12), outcome="appointment")
    status = target_status(rule, triaged, near, date(2025, 3, 12))
    assert status is not None
    assert (status.clock_started, status.due, status.days_left) == (
        date(2025, 3, 12),
        date(2025, 3, 22),
        10,
    )


# ---------------------------------------------------------------- the worklist


def _key(facts: ReferralFacts, today: date) -> tuple[date, int, date]:
    rules = waiting_times()
    return worklist_key(facts, target_statuses(facts, rules.rules, rules.near, today))


def test_worklist_orders_by_due_date_then_priority_then_received() -> None:
    today = date(2025, 3, 14)
    urgent_tier1 = _facts("urgent", received=date(2025, 3, 10))  # triage due 13 March
    routine_tier2 = _facts("routine", Tier.TIER_2, received=date(2025, 3, 10))  # same due
    routine_tier1 = _facts("routine", received=date(2025, 3, 3))  # return due 10 March
    later_urgent = _facts("urgent", received=date(2025, 3, 11))  # triage due 14 March
    closed = _facts(
        "routine", received=date(2025, 3, 3), triaged=date(2025, 3, 4), outcome="signpost"
    )
    ordered = sorted(
        [closed, later_urgent, routine_tier2, urgent_tier1, routine_tier1],
        key=lambda facts: _key(facts, today),
    )
    assert ordered == [routine_tier1, urgent_tier1, routine_tier2, later_urgent, closed]
    assert _key(closed, today)[0] == date.max


def test_worklist_breaks_a_tie_by_received_date() -> None:
    # Saturday 8 and Monday 10 March both count from Monday: triage due Thursday 13 March.
    saturday = _facts("routine", Tier.TIER_2, received=date(2025, 3, 8))
    monday = _facts("routine", Tier.TIER_2, received=MONDAY)
    today = date(2025, 3, 11)
    assert _key(saturday, today)[:2] == _key(monday, today)[:2] == (date(2025, 3, 13), 2)
    assert _key(saturday, today) < _key(monday, today)


def test_most_pressing_ignores_closed_targets() -> None:
    facts = _facts("priority", triaged=date(2025, 3, 11), outcome="appointment")
    statuses = _by_rule(facts, date(2025, 3, 20))
    pressing = most_pressing(statuses.values())
    assert pressing is not None
    assert pressing.rule.rule_id == PRIORITY_APPOINTMENT
    assert pressing.days_left == 4
    assert most_pressing([statuses[TRIAGE]]) is None


# ---------------------------------------------------------------- referral facts


@pytest.mark.parametrize(
    ("arguments", "code", "field"),
    [
        ({"priority": "soon"}, "triage.unknown_priority", "priority"),
        ({"triaged": date(2025, 3, 11)}, "triage.outcome_required", "outcome"),
        ({"outcome": "signpost"}, "triage.outcome_without_date", "triaged"),
        (
            {"triaged": date(2025, 3, 9), "outcome": "signpost"},
            "triage.before_received",
            "triaged",
        ),
        (
            {"appointment_offered": date(2025, 3, 1)},
            "triage.before_received",
            "appointment_offered",
        ),
        ({"received": datetime(2025, 3, 10, 9, 30)}, "triage.not_a_date", "received"),
    ],
)
def test_referral_facts_are_checked(arguments: dict[str, Any], code: str, field: str) -> None:
    values: dict[str, Any] = {"received": MONDAY, "priority": "routine", "tier": Tier.TIER_1}
    with pytest.raises(ValidationError) as caught:
        ReferralFacts(**(values | arguments))
    assert (caught.value.code, caught.value.field) == (code, field)


# ---------------------------------------------------------------- a service's own amounts


def test_overrides_change_amounts_and_leave_the_defaults_alone() -> None:
    defaults = waiting_times()
    local = with_overrides(defaults, {TRIAGE: 2, ROUTINE_APPOINTMENT: 35})
    assert local.rule(TRIAGE).amount == 2
    assert local.rule(ROUTINE_APPOINTMENT).amount == 35
    assert defaults.rule(TRIAGE).amount == 3
    assert local.rule(TRIAGE).source == defaults.rule(TRIAGE).source
    assert _by_rule(_facts("urgent"), MONDAY, local)[TRIAGE].due == date(2025, 3, 12)


def test_overrides_accept_the_limits() -> None:
    local = with_overrides(
        waiting_times(),
        {TRIAGE: MAX_AMOUNT[Unit.WORKING_DAYS], ROUTINE_APPOINTMENT: 1},
        near={"calendar_days": MAX_AMOUNT[Unit.CALENDAR_DAYS], "working_days": 0},
    )
    assert local.rule(TRIAGE).amount == MAX_AMOUNT[Unit.WORKING_DAYS]
    assert local.near == NearThresholds(working_days=0, calendar_days=365)


@pytest.mark.parametrize(
    ("amounts", "active", "near", "code", "field"),
    [
        ({"no_such_rule": 3}, {}, {}, "service_rules.unknown_rule", "no_such_rule.amount"),
        ({}, {"no_such_rule": True}, {}, "service_rules.unknown_rule", "no_such_rule.active"),
        ({TRIAGE: 0}, {}, {}, "service_rules.out_of_range", f"{TRIAGE}.amount"),
        ({TRIAGE: -2}, {}, {}, "service_rules.out_of_range", f"{TRIAGE}.amount"),
        ({TRIAGE: 66}, {}, {}, "service_rules.out_of_range", f"{TRIAGE}.amount"),
        (
            {ROUTINE_APPOINTMENT: 366},
            {},
            {},
            "service_rules.out_of_range",
            f"{ROUTINE_APPOINTMENT}.amount",
        ),
        ({TRIAGE: True}, {}, {}, "service_rules.not_a_whole_number", f"{TRIAGE}.amount"),
        ({TRIAGE: 2.5}, {}, {}, "service_rules.not_a_whole_number", f"{TRIAGE}.amount"),
        ({TRIAGE: "3"}, {}, {}, "service_rules.not_a_whole_number", f"{TRIAGE}.amount"),
        ({}, {TRIAGE_ALL: "yes"}, {}, "service_rules.not_yes_or_no", f"{TRIAGE_ALL}.active"),
        ({}, {}, {"weeks": 1}, "service_rules.unknown_unit", "near.weeks"),
        ({}, {}, {"working_days": -1}, "service_rules.out_of_range", "near.working_days"),
    ],
)
def test_bad_overrides_are_refused(
    amounts: dict[str, object],
    active: dict[str, object],
    near: dict[str, object],
    code: str,
    field: str,
) -> None:
    with pytest.raises(FormErrors) as caught:
        with_overrides(waiting_times(), amounts, active=active, near=near)
    assert [(error.code, error.field) for error in caught.value.errors] == [(code, field)]


def test_every_bad_override_is_reported_at_once() -> None:
    with pytest.raises(FormErrors) as caught:
        with_overrides(
            waiting_times(),
            {TRIAGE: 0, "no_such_rule": 1},
            active={TRIAGE: "on"},
            near={"working_days": 1000},
        )
    fields = {error.field for error in caught.value.errors}
    assert fields == {
        f"{TRIAGE}.amount",
        f"{TRIAGE}.active",
        "no_such_rule.amount",
        "near.working_days",
    }


# ---------------------------------------------------------------- file shape


PRIORITY_CODES = frozenset(PRIORITIES)
OUTCOME_CODES = frozenset({"appointment", "appointment_after_diagnostics", "return_to_referrer"})
_DELETE = object()


def _parse(document: object) -> ServiceRules:
    return parse_waiting_times(document, priorities=PRIORITY_CODES, outcomes=OUTCOME_CODES)


def _good() -> dict[str, Any]:
    return copy.deepcopy(_raw("service_rules", "waiting_times"))


def test_the_shipped_document_parses_on_its_own() -> None:
    rules = _parse(_good())
    assert rules == waiting_times()


def _edit(path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    document = _good()
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return document


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        (("extra",), 1, "unknown_keys"),
        (("rules",), _DELETE, "missing_keys"),
        (("licence",), " ", "missing_text"),
        (("rules",), [], "rules_not_a_list"),
        (("near",), [], "bad_near"),
        (("near", "working_days"), -1, "bad_amount"),
        (("near", "source"), _DELETE, "missing_keys"),
        (("rules", 0), "rule", "bad_rule"),
        (("rules", 0, "source"), _DELETE, "missing_keys"),
        (("rules", 0, "source"), "", "missing_text"),
        (("rules", 0, "colour"), "red", "unknown_keys"),
        (("rules", 0, "id"), "Triage First", "bad_id"),
        (("rules", 1, "id"), TRIAGE, "duplicate_id"),
        (("rules", 0, "amount"), 0, "bad_amount"),
        (("rules", 0, "amount"), True, "bad_amount"),
        (("rules", 0, "amount"), 3.0, "bad_amount"),
        (("rules", 0, "amount"), 66, "bad_amount"),
        (("rules", 0, "unit"), "weeks", "bad_choice"),
        (("rules", 0, "clock_start"), "booked", "bad_choice"),
        (("rules", 0, "clock_start"), "triaged", "clock_stops_where_it_starts"),
        (("rules", 0, "active"), "yes", "bad_active"),
        (("rules", 0, "applies_to"), [], "bad_applies_to"),
        (("rules", 0, "applies_to", "priorities"), ["soon"], "bad_codes"),
        (("rules", 0, "applies_to", "priorities"), ["urgent", "urgent"], "bad_codes"),
        (("rules", 0, "applies_to", "tiers"), ["tier_3"], "bad_codes"),
        (("rules", 0, "applies_to", "tiers"), _DELETE, "missing_keys"),
        (("rules", 0, "applies_to"), {"priorities": [], "tiers": []}, "covers_nothing"),
        (("rules", 2, "outcomes"), ["discharged"], "bad_codes"),
        (("rules", 2, "outcomes"), "appointment", "bad_codes"),
    ],
)
def test_bad_shapes_are_reported(path: tuple[str | int, ...], value: object, reason: str) -> None:
    with pytest.raises(ClinicError) as caught:
        _parse(_edit(path, value))
    assert caught.value.code == "content.invalid"
    assert caught.value.params["file"] == "waiting_times.json"
    assert caught.value.params["reason"] == reason


def test_a_document_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ClinicError) as caught:
        _parse([])
    assert caught.value.params["reason"] == "not_an_object"
