"""The pure checks of a session, at the edges of every range."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta

import pytest

from clinic_app.domains.shockwave.content import rules_with, shipped_rules
from clinic_app.domains.shockwave.rules import (
    Checks,
    CourseFacts,
    DeviceFacts,
    EswtRules,
    PastSteroid,
    SessionDraft,
    check_session,
    device_overdue,
    service_unchecked,
    session_value_problems,
)

TODAY = date(2027, 3, 10)
RADIAL = DeviceFacts(uuid.uuid4(), "radial", TODAY - timedelta(days=30))
COURSE = CourseFacts(
    indication="calcific_shoulder",
    planned_sessions=3,
    governance={"nice_information_given": True, "audit_entered": True},
    required_governance=("nice_information_given", "audit_entered"),
    contraindications={},
    absolute=frozenset({"infection", "pregnancy", "tumour_in_field"}),
    relative=frozenset({"implants", "coagulopathy"}),
    injection_targets=("subacromial_space",),
    side="right",
)
SESSION = SessionDraft(
    record_id=None,
    number=1,
    performed_on=TODAY,
    pressure_bar=2.5,
    frequency_hz=10,
    pulses=2000,
)


#: A service that has set the two settings that ship unset (test values: each service sets its own).
CONFIGURED = rules_with({"device_service_interval_months": 12, "steroid_window_weeks": 6})


def _check(
    draft: SessionDraft = SESSION,
    course: CourseFacts = COURSE,
    device: DeviceFacts | None = RADIAL,
    earlier: tuple[date, ...] = (),
    steroids: tuple[PastSteroid, ...] = (),
    *,
    rules: EswtRules | None = None,
    today: date = TODAY,
) -> Checks:
    return check_session(
        draft,
        course=course,
        device=device,
        earlier=earlier,
        steroids=steroids,
        rules=rules or CONFIGURED,
        today=today,
    )


def test_a_typical_session_neither_stops_nor_warns() -> None:
    assert _check() == Checks()


@pytest.mark.parametrize(
    ("bar", "warns"), [(1.5, False), (4.0, False), (1.4, True), (4.1, True), (2.0, False)]
)
def test_pressure_warns_only_outside_its_typical_range(bar: float, warns: bool) -> None:
    found = _check(replace(SESSION, pressure_bar=bar)).warning_codes
    assert ("pressure_out_of_range" in found) is warns


@pytest.mark.parametrize(
    ("pulses", "hz", "warned"),
    [
        (2000, 8, set()),
        (3000, 15, set()),
        (1999, 8, {"pulses_out_of_range"}),
        (3001, 15.5, {"pulses_out_of_range", "frequency_out_of_range"}),
    ],
)
def test_pulses_and_frequency_at_their_edges(pulses: int, hz: float, warned: set[str]) -> None:
    assert _check(replace(SESSION, pulses=pulses, frequency_hz=hz)).warning_codes == warned


def test_a_focused_session_is_checked_by_hand_for_its_energy() -> None:
    focused = DeviceFacts(uuid.uuid4(), "focused", TODAY)
    draft = replace(SESSION, pressure_bar=None, energy_mj_mm2=0.2)
    assert _check(draft, device=focused).warning_codes == {"no_typical_energy"}


def test_impossible_values_are_refused_with_the_field_named() -> None:
    draft = replace(
        SESSION,
        number=4,
        performed_on=TODAY + timedelta(days=1),
        pulses=-1,
        pressure_bar=0,
        frequency_hz=0,
        pain_during=-1,
        energy_mj_mm2=0.1,
    )
    found = {
        (p.code, p.field)
        for p in session_value_problems(draft, device_kind="radial", planned=3, today=TODAY)
    }
    assert found == {
        ("eswt.session_beyond_plan", "number"),
        ("eswt.session_in_future", "performed_on"),
        ("eswt.pulses_out_of_bounds", "pulses"),
        ("eswt.pressure_out_of_bounds", "pressure_bar"),
        ("eswt.frequency_out_of_bounds", "frequency_hz"),
        ("eswt.pain_out_of_range", "pain_during"),
        ("eswt.wrong_measure", "energy_mj_mm2"),
    }
    # Session N of N and today itself are fine.
    last = replace(SESSION, number=3)
    assert session_value_problems(last, device_kind="radial", planned=3, today=TODAY) == []


def test_hard_stops_absolute_contraindications_governance_a_future_day_and_n_above_n() -> None:
    course = replace(
        COURSE,
        contraindications={"infection": "yes", "implants": "yes"},
        governance={"nice_information_given": True},
    )
    checks = _check(replace(SESSION, number=4, performed_on=TODAY + timedelta(days=1)), course)
    assert {(s.code, s.field) for s in checks.hard_stops} == {
        ("eswt.absolute_contraindication", "contraindications.infection"),
        ("eswt.governance_not_ticked", "governance.audit_entered"),
        ("eswt.session_in_future", "performed_on"),
        ("eswt.session_beyond_plan", "number"),
    }
    assert "relative_contraindication.implants" in checks.warning_codes


def test_the_service_interval_and_the_steroid_window_ship_unset() -> None:
    rules = shipped_rules()
    assert rules.device_service_interval_months is None
    assert rules.steroid_window_weeks is None


def test_a_device_is_overdue_the_day_after_its_interval() -> None:
    # A service that set 12 months (a test value: the interval is each service's to set).
    rules = rules_with({"device_service_interval_months": 12})
    serviced = DeviceFacts(uuid.uuid4(), "radial", date(2026, 3, 10))
    due = date(2027, 3, 10)
    assert not device_overdue(serviced, due, rules)
    assert device_overdue(serviced, due + timedelta(days=1), rules)
    assert device_overdue(replace(serviced, last_service_on=None), due, rules)
    late = due + timedelta(days=1)
    checks = _check(replace(SESSION, performed_on=late), device=serviced, today=late, rules=rules)
    assert "device_overdue" in checks.warning_codes


def test_with_no_interval_set_a_serviced_device_is_unchecked_and_an_unserviced_one_warns() -> None:
    rules = shipped_rules()
    serviced = DeviceFacts(uuid.uuid4(), "radial", date(2020, 3, 10))
    assert not device_overdue(serviced, TODAY, rules)
    assert service_unchecked(serviced, rules)
    assert "device_service_unchecked" in _check(device=serviced, rules=rules).warning_codes
    never = replace(serviced, last_service_on=None)
    assert not service_unchecked(never, rules)
    assert "device_never_serviced" in _check(device=never, rules=rules).warning_codes


def test_a_steroid_at_the_site_within_the_window_warns() -> None:
    weeks = 6  # a service that set six weeks (a test value: the window is each service's to set)
    rules = rules_with({"device_service_interval_months": 12, "steroid_window_weeks": weeks})
    inside = PastSteroid(TODAY - timedelta(days=weeks * 7 - 1), "subacromial_space", "right")
    edge = replace(inside, performed_on=TODAY - timedelta(days=weeks * 7))
    other_side = replace(inside, side="left")
    other_site = replace(inside, target="knee_joint")

    assert "recent_steroid" in _check(steroids=(inside,), rules=rules).warning_codes
    assert _check(steroids=(edge, other_side, other_site), rules=rules).warning_codes == frozenset()


def test_with_no_window_set_the_latest_steroid_at_the_site_is_told_with_its_age() -> None:
    old = PastSteroid(TODAY - timedelta(days=900), "subacromial_space", "right")
    newer = replace(old, performed_on=TODAY - timedelta(days=100))
    other_side = replace(old, side="left", performed_on=TODAY - timedelta(days=3))
    unset = shipped_rules()
    checks = _check(steroids=(old, newer, other_side), device=None, rules=unset)
    [warning] = [w for w in checks.warnings if w.code == "steroid_here_no_window"]
    assert warning.params == {"days": 100}
    assert _check(steroids=(other_side,), device=None, rules=unset).warning_codes == frozenset()


def test_sessions_closer_than_the_interval_warn() -> None:
    days = shipped_rules().interval_days
    assert "too_soon" in _check(earlier=(TODAY - timedelta(days=days - 1),)).warning_codes
    assert _check(earlier=(TODAY - timedelta(days=days),)).warning_codes == frozenset()
