"""Red-flag screen files: every shipped screen loads, is attributed and is well formed."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from clinic_app.domains.red_flags.content import (
    ALL_SCREENS,
    SHARED_QUESTIONS_FILE,
    red_flag_screen,
)
from clinic_app.domains.red_flags.rules import Deadline, Outcome, RedFlagScreen


@pytest.fixture(params=ALL_SCREENS)
def screen(request: pytest.FixtureRequest) -> RedFlagScreen:
    return red_flag_screen(request.param)


def test_every_shipped_file_is_listed() -> None:
    folder = resources.files("resources") / "red_flags"
    shipped = {
        item.name.removesuffix(".json") for item in folder.iterdir() if item.name.endswith(".json")
    }
    assert shipped == {*ALL_SCREENS, SHARED_QUESTIONS_FILE.removesuffix(".json")}


def test_screen_loads_with_provenance(screen: RedFlagScreen) -> None:
    assert screen.screen_id in ALL_SCREENS
    assert screen.title.strip()
    assert screen.version.strip()
    assert screen.source.strip()
    assert screen.licence.startswith("Project's own wording; facts from ")


def test_question_codes_are_unique_and_worded(screen: RedFlagScreen) -> None:
    codes = screen.question_codes
    assert len(codes) == len(set(codes))
    for question in screen.questions:
        assert question.text.strip().endswith("?"), question.code


def test_rules_use_only_the_screens_questions_and_every_question_is_used(
    screen: RedFlagScreen,
) -> None:
    asked = set(screen.question_codes)
    used: set[str] = set()
    for rule in screen.rules:
        assert rule.question_codes <= asked, rule.rule_id
        used |= rule.question_codes
    assert used == asked


def test_rule_ids_unique_and_every_rule_has_an_action(screen: RedFlagScreen) -> None:
    ids = [rule.rule_id for rule in screen.rules]
    assert len(ids) == len(set(ids))
    for rule in screen.rules:
        assert rule.actions
        assert all(action.text.strip() for action in rule.actions)


def test_every_emergency_names_how_it_is_resolved(screen: RedFlagScreen) -> None:
    for rule in screen.rules:
        if rule.outcome is Outcome.EMERGENCY:
            assert rule.resolve_with, rule.rule_id


def test_timings_left_to_the_service_say_why(screen: RedFlagScreen) -> None:
    for rule in screen.rules:
        for action in rule.actions:
            if action.deadline is Deadline.SERVICE_TO_SET:
                assert action.note.strip(), rule.rule_id


def test_a_24_hour_deadline_appears_only_where_it_is_cited() -> None:
    using = {
        screen_id
        for screen_id in ALL_SCREENS
        for rule in red_flag_screen(screen_id).rules
        for action in rule.actions
        if action.deadline is Deadline.WITHIN_24_HOURS
    }
    assert using == {"mscc"}
    assert "NG234" in red_flag_screen("mscc").source


def test_mscc_pain_only_contacts_the_coordinator_within_24_hours() -> None:
    rule = next(r for r in red_flag_screen("mscc").rules if r.rule_id == "mscc_pain_only")
    assert [action.deadline for action in rule.actions] == [Deadline.WITHIN_24_HOURS]
    assert "MSCC coordinator" in rule.actions[0].text


def test_cauda_equina_has_a_safety_net_card() -> None:
    card = red_flag_screen("cauda_equina").safety_net_card
    assert card is not None
    assert card.title.strip()
    assert card.intro.strip()
    assert len(card.warning_signs) >= 5
    advice = " ".join(card.what_to_do)
    assert "call 999 or go to the nearest emergency department" in advice
    assert "NHS 111" in advice


def test_safety_net_card_has_no_other_phone_numbers() -> None:
    card = red_flag_screen("cauda_equina").safety_net_card
    assert card is not None
    text = " ".join([card.title, card.intro, *card.warning_signs, *card.what_to_do])
    assert set(re.findall(r"\d+", text)) <= {"999", "111"}


def test_only_cauda_equina_prints_a_card() -> None:
    with_card = {s for s in ALL_SCREENS if red_flag_screen(s).safety_net_card is not None}
    assert with_card == {"cauda_equina"}


def test_age_conditions_are_the_cited_ones() -> None:
    assert red_flag_screen("giant_cell_arteritis").applies_when.min_age == 50
    assert {rule.min_age for rule in red_flag_screen("giant_cell_arteritis").rules} == {50}
    cancer = {rule.rule_id: rule.min_age for rule in red_flag_screen("suspected_cancer_2ww").rules}
    assert cancer == {
        "possible_myeloma": 60,
        "back_pain_with_weight_loss": 60,
        "possible_bone_sarcoma": None,
        "enlarging_lump": None,
    }
    assert red_flag_screen("polymyalgia_rheumatica").applies_when.min_age == 50
