"""The PIFU window's arithmetic and the shipped content, at their boundaries."""

from __future__ import annotations

from datetime import date

import pytest

from clinic_app.domains.care_plans.content import (
    parse_safety_nets,
    parse_settings,
    rules_with,
    safety_nets,
    shipped_rules,
    support_services,
)
from clinic_app.domains.care_plans.rules import (
    PifuRules,
    about_to_lapse,
    add_months,
    days_left,
    is_open,
    pifu_ends_on,
    pifu_in_range,
)
from clinic_app.kernel.errors import ClinicError, ValidationError
from clinic_app.kernel.resource_files import read_json

RULES = PifuRules(min_months=1, max_months=6, default_months=6, lapse_warning_days=14)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 15), 6, date(2027, 7, 15)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2027, 8, 31), 1, date(2027, 9, 30)),
        (date(2027, 12, 1), 1, date(2028, 1, 1)),
    ],
)
def test_a_window_ends_whole_calendar_months_later(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected
    assert pifu_ends_on(day, months) == expected


def test_the_allowed_range_includes_both_ends() -> None:
    assert [m for m in range(0, 8) if pifu_in_range(m, RULES)] == [1, 2, 3, 4, 5, 6]


def test_a_window_is_open_on_its_first_and_last_day_and_lapses_within_the_warning_days() -> None:
    starts, ends = date(2027, 1, 1), date(2027, 7, 1)

    assert not is_open(starts, ends, date(2026, 12, 31))
    assert is_open(starts, ends, starts)
    assert is_open(starts, ends, ends)
    assert not is_open(starts, ends, date(2027, 7, 2))
    assert days_left(ends, ends) == 0
    assert not about_to_lapse(ends, date(2027, 6, 16), RULES)  # 15 days left
    assert about_to_lapse(ends, date(2027, 6, 17), RULES)  # 14 days left
    assert about_to_lapse(ends, ends, RULES)
    assert not about_to_lapse(ends, date(2027, 7, 2), RULES)


def test_the_shipped_content_is_cited_and_valid() -> None:
    rules = shipped_rules()
    assert (rules.min_months, rules.max_months, rules.default_months) == (1, 6, 6)
    assert rules.lapse_warning_days == 14
    settings = read_json("care_plans", "settings")
    assert isinstance(settings, dict)
    assert "local" in settings["derivation"]
    net = safety_nets().get("cauda_equina")
    assert net is not None
    assert "GIRFT" in safety_nets().source
    assert "NICE" in safety_nets().source
    assert any("both legs" in sign for sign in net.signs)
    assert any("999" in step for step in net.do)
    kinds = {service.kind for service in support_services().services}
    assert kinds == {"nhs", "voluntary", "social_prescribing", "work"}


def test_a_service_s_own_settings_are_checked() -> None:
    assert rules_with({"pifu_max_months": 2, "pifu_default_months": 2}).max_months == 2
    with pytest.raises(ValidationError) as wider:
        rules_with({"pifu_max_months": 25})
    assert (wider.value.code, wider.value.field) == (
        "care_plan.setting_out_of_range",
        "pifu_max_months",
    )
    with pytest.raises(ValidationError) as default_outside:
        rules_with({"pifu_max_months": 3})
    assert default_outside.value.field == "pifu_default_months"


@pytest.mark.parametrize(
    "broken",
    [
        {"pifu_min_months": 1},
        {
            "source": "s",
            "licence": "l",
            "version": "1",
            "derivation": "d",
            "pifu_min_months": 1,
            "pifu_max_months": 6,
            "pifu_default_months": 6,
            "lapse_warning_days": 14,
            "guess": 3,
        },
    ],
)
def test_a_settings_file_without_its_citation_or_with_unknown_keys_is_refused(
    broken: dict[str, object],
) -> None:
    with pytest.raises(ClinicError) as refused:
        parse_settings(broken)
    assert refused.value.code == "content.invalid"


def test_a_safety_net_with_no_signs_field_is_refused() -> None:
    shipped = read_json("care_plans", "safety_nets")
    assert isinstance(shipped, dict)
    net = dict(shipped["safety_nets"][0])
    del net["signs"]
    with pytest.raises(ClinicError) as refused:
        parse_safety_nets({**shipped, "safety_nets": [net]})
    assert refused.value.code == "content.invalid"
