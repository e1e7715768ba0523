"""Red-flag engine: each screen's rules, not-asked answers, age limits, overrides, loading."""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic_app.domains.red_flags.content import (
    ALL_SCREENS,
    load_screen,
    red_flag_screen,
    screens_for,
)
from clinic_app.domains.red_flags.rules import (
    AGE,
    OVERRIDE_REASON_MIN_LENGTH,
    Answer,
    Deadline,
    HardStop,
    Level,
    Outcome,
    RecordedAction,
    RedFlagScreen,
    RuleStatus,
    ScreenResult,
    check_resolution,
    evaluate,
    required_actions,
    resolution_is_valid,
)
from clinic_app.kernel.errors import ClinicError, NotFound, ValidationError

OLD_ENOUGH = 80  # above every age condition in the shipped screens
ED = RecordedAction.SAME_DAY_EMERGENCY_DEPARTMENT
REFERRAL = RecordedAction.EMERGENCY_REFERRAL
TWO_WEEK = RecordedAction.TWO_WEEK_WAIT_REFERRAL
OVERRIDE = RecordedAction.CLINICIAN_OVERRIDE


def _answers(screen_id: str, *yes: str, not_asked: tuple[str, ...] = ()) -> dict[str, Answer]:
    """Every question answered no, except those named."""
    screen = red_flag_screen(screen_id)
    assert set(yes) | set(not_asked) <= set(screen.question_codes)
    answers = dict.fromkeys(screen.question_codes, Answer.NO)
    answers.update(dict.fromkeys(yes, Answer.YES))
    answers.update(dict.fromkeys(not_asked, Answer.NOT_ASKED))
    return answers


def _run(screen_id: str, *yes: str, age: int | None = OLD_ENOUGH, **kw: Any) -> ScreenResult:
    return evaluate(red_flag_screen(screen_id), _answers(screen_id, *yes, **kw), age=age)


def _deadlines(result: ScreenResult) -> set[Deadline]:
    return {action.deadline for action in result.actions}


# ---------------------------------------------------------------- every screen


@pytest.mark.parametrize("screen_id", ALL_SCREENS)
def test_all_no_raises_no_flag(screen_id: str) -> None:
    result = _run(screen_id)
    assert result.level is Level.CLEAR
    assert result.complete
    assert not result.fired
    assert not result.actions
    assert not result.needs_resolution
    assert not result.unanswered


@pytest.mark.parametrize("screen_id", ALL_SCREENS)
def test_nothing_asked_is_incomplete_never_clear(screen_id: str) -> None:
    result = evaluate(red_flag_screen(screen_id), {}, age=OLD_ENOUGH)
    assert result.level is Level.INCOMPLETE
    assert result.unanswered == red_flag_screen(screen_id).question_codes
    assert not result.complete


def _trigger_cases() -> list[tuple[str, str, str]]:
    """(screen, rule, question) for every question that can trigger every rule."""
    return [
        (screen_id, rule.rule_id, code)
        for screen_id in ALL_SCREENS
        for rule in red_flag_screen(screen_id).rules
        for code in sorted(rule.question_codes)
    ]


@pytest.mark.parametrize(("screen_id", "rule_id", "code"), _trigger_cases())
def test_not_asked_trigger_leaves_its_rule_open_never_clear(
    screen_id: str, rule_id: str, code: str
) -> None:
    screen = red_flag_screen(screen_id)
    rule = next(r for r in screen.rules if r.rule_id == rule_id)
    # Every other group of the rule is met, so only the unasked question decides it.
    others = [group[0] for group in rule.groups if code not in group]
    result = _run(screen_id, *others, not_asked=(code,))
    status = next(r for r in result.rules if r.rule_id == rule_id)
    assert status.status is RuleStatus.OPEN
    assert code in status.waiting_on
    assert result.level is not Level.CLEAR
    assert code in result.unanswered


def _full_assignments(screen: RedFlagScreen) -> list[dict[str, Answer]]:
    codes = screen.question_codes
    return [
        dict(zip(codes, values, strict=True))
        for values in itertools.product((Answer.YES, Answer.NO), repeat=len(codes))
    ]


@pytest.mark.parametrize("screen_id", ALL_SCREENS)
def test_every_fired_emergency_needs_an_action_that_exists(screen_id: str) -> None:
    screen = red_flag_screen(screen_id)
    emergencies = {r.rule_id for r in screen.rules if r.outcome is Outcome.EMERGENCY}
    for answers in _full_assignments(screen):
        result = evaluate(screen, answers, age=OLD_ENOUGH)
        assert result.complete
        if result.needs_resolution:
            assert result.accepted_actions
        met = {r.rule_id for r in result.rules if r.status is not RuleStatus.NOT_MET}
        if met & emergencies:
            assert result.level is Level.EMERGENCY
            assert result.needs_resolution


@st.composite
def _partial_answers(draw: st.DrawFn) -> tuple[str, dict[str, Answer], int | None]:
    screen_id = draw(st.sampled_from(ALL_SCREENS))
    codes = red_flag_screen(screen_id).question_codes
    values = draw(st.lists(st.sampled_from(list(Answer)), min_size=len(codes), max_size=len(codes)))
    age = draw(st.none() | st.integers(min_value=16, max_value=100))
    return screen_id, dict(zip(codes, values, strict=True)), age


@settings(max_examples=400, deadline=None)
@given(case=_partial_answers(), fill=st.sampled_from([Answer.YES, Answer.NO]))
def test_answering_the_unasked_never_contradicts(
    case: tuple[str, dict[str, Answer], int | None], fill: Answer
) -> None:
    """Clear stays clear and an emergency stays an emergency, whatever the unasked turn out."""
    screen_id, answers, age = case
    screen = red_flag_screen(screen_id)
    partial = evaluate(screen, answers, age=age)
    completed = {
        code: fill if value is Answer.NOT_ASKED else value for code, value in answers.items()
    }
    for known_age in (age,) if age is not None else (16, 59, 60, OLD_ENOUGH):
        full = evaluate(screen, completed, age=known_age)
        if partial.level is Level.CLEAR:
            assert full.level is Level.CLEAR
        if partial.level is Level.EMERGENCY:
            assert full.level is Level.EMERGENCY
            assert set(partial.fired) <= set(full.fired) | {
                r.rule_id for r in full.rules if r.status is RuleStatus.SUPERSEDED
            }


def test_emergency_is_not_lowered_by_unasked_questions() -> None:
    result = _run(
        "cauda_equina",
        "back_or_leg_pain",
        "saddle_numbness",
        not_asked=("bladder_change", "bowel_change", "sexual_dysfunction"),
    )
    assert result.level is Level.EMERGENCY
    assert result.unanswered == ("bladder_change", "bowel_change", "sexual_dysfunction")


# ---------------------------------------------------------------- cauda equina

CES_TRIGGERS = (
    "bladder_change",
    "bowel_change",
    "saddle_numbness",
    "bilateral_leg_symptoms",
    "sexual_dysfunction",
)


@pytest.mark.parametrize("trigger", CES_TRIGGERS)
def test_cauda_equina_trigger_sends_to_emergency_department_today(trigger: str) -> None:
    result = _run("cauda_equina", "back_or_leg_pain", trigger)
    assert result.level is Level.EMERGENCY
    assert result.fired == ("ces_suspected",)
    assert _deadlines(result) == {Deadline.SAME_DAY}
    assert "emergency department" in result.actions[0].text
    assert "24/7 MRI" in result.actions[0].text
    assert result.accepted_actions == {ED}
    assert result.safety_net_card is None


def test_cauda_equina_without_triggers_gives_the_safety_net_card() -> None:
    result = _run("cauda_equina", "back_or_leg_pain")
    assert result.level is Level.ROUTINE_WATCH
    assert result.fired == ("safety_net",)
    assert result.safety_net_card is red_flag_screen("cauda_equina").safety_net_card
    assert [a.deadline for a in result.actions] == [Deadline.THIS_VISIT]
    assert result.actions[0].prints_safety_net_card
    assert not result.needs_resolution


def test_cauda_equina_incomplete_still_gives_the_card() -> None:
    result = _run("cauda_equina", "back_or_leg_pain", not_asked=("saddle_numbness",))
    assert result.level is Level.INCOMPLETE
    assert result.open_rules == ("ces_suspected",)
    assert result.safety_net_card is not None


# ---------------------------------------------------------------- MSCC

MSCC_PAIN = (
    "thoracic_or_neck_pain",
    "progressive_lumbar_pain",
    "severe_unremitting_pain",
    "pain_on_straining",
    "night_pain",
    "localised_tenderness",
)
MSCC_NEURO = ("limb_weakness_or_numbness", "walking_difficulty", "bladder_or_bowel_change")


@pytest.mark.parametrize(("pain", "neuro"), list(itertools.product(MSCC_PAIN, MSCC_NEURO)))
def test_mscc_with_neurology_is_immediate(pain: str, neuro: str) -> None:
    result = _run("mscc", "cancer_history", pain, neuro)
    assert result.level is Level.EMERGENCY
    assert result.fired == ("mscc_suspected",)
    assert [a.deadline for a in result.actions] == [Deadline.IMMEDIATE, Deadline.WITHIN_24_HOURS]
    assert "MSCC coordinator" in result.actions[0].text
    assert REFERRAL in result.accepted_actions


@pytest.mark.parametrize("pain", MSCC_PAIN)
def test_mscc_pain_only_is_urgent_mri_timing_set_by_the_service(pain: str) -> None:
    result = _run("mscc", "cancer_history", pain)
    assert result.level is Level.URGENT
    assert result.fired == ("mscc_pain_only",)
    assert _deadlines(result) == {Deadline.SERVICE_TO_SET}
    assert "MRI" in result.actions[0].text
    assert result.actions[0].note
    assert not result.needs_resolution


def test_mscc_needs_a_cancer_history() -> None:
    assert _run("mscc", *MSCC_PAIN, *MSCC_NEURO).level is Level.CLEAR


def test_mscc_unknown_neurology_keeps_the_emergency_open() -> None:
    result = _run("mscc", "cancer_history", "night_pain", not_asked=MSCC_NEURO)
    assert result.level is Level.INCOMPLETE
    assert result.fired == ("mscc_pain_only",)
    assert result.open_rules == ("mscc_suspected",)


# ---------------------------------------------------------------- spinal infection

INFECTION_TRIGGERS = (
    "fever_or_unwell",
    "injects_drugs",
    "immunosuppression",
    "diabetes",
    "recent_infection_or_spinal_procedure",
)


@pytest.mark.parametrize("trigger", INFECTION_TRIGGERS)
def test_spinal_infection_needs_same_day_medical_assessment(trigger: str) -> None:
    result = _run("spinal_infection", trigger)
    assert result.level is Level.EMERGENCY
    assert result.fired == ("infection_suspected",)
    assert _deadlines(result) == {Deadline.SAME_DAY}
    assert result.accepted_actions == {REFERRAL, ED}


@pytest.mark.parametrize("trigger", INFECTION_TRIGGERS)
def test_spinal_infection_with_neurology_goes_to_emergency_department(trigger: str) -> None:
    result = _run("spinal_infection", trigger, "neurological_deficit")
    assert result.level is Level.EMERGENCY
    assert result.fired == ("infection_with_neurology",)
    assert "emergency department" in result.actions[0].text
    assert result.accepted_actions == {ED}


# ---------------------------------------------------------------- septic arthritis


def test_hot_swollen_restricted_joint_is_same_day_and_stops_steroid_injection() -> None:
    result = _run("septic_arthritis", "hot_swollen_joint", "restricted_movement")
    assert result.level is Level.EMERGENCY
    assert result.fired == ("septic_arthritis_suspected",)
    assert Deadline.SAME_DAY in _deadlines(result)
    assert result.hard_stops == {HardStop.STEROID_INJECTION}
    assert result.accepted_actions == {ED, REFERRAL}


def test_septic_arthritis_with_a_risk_factor_is_still_one_emergency() -> None:
    result = _run("septic_arthritis", "hot_swollen_joint", "restricted_movement", "diabetes")
    assert result.fired == ("septic_arthritis_suspected",)
    assert RuleStatus.SUPERSEDED in {r.status for r in result.rules}


@pytest.mark.parametrize(
    "risk",
    [
        "inflammatory_or_osteoarthritis",
        "joint_replacement",
        "recent_joint_injection",
        "diabetes",
        "injects_drugs",
    ],
)
def test_septic_arthritis_risk_factor_alone_is_noted(risk: str) -> None:
    result = _run("septic_arthritis", risk)
    assert result.level is Level.ROUTINE_WATCH
    assert not result.hard_stops
    assert not result.needs_resolution


# ---------------------------------------------------------------- giant cell arteritis

GCA_FEATURES = ("new_headache", "scalp_tenderness", "jaw_claudication", "pmr_symptoms")


@pytest.mark.parametrize("feature", GCA_FEATURES)
def test_gca_at_50_is_a_same_day_fast_track(feature: str) -> None:
    result = _run("giant_cell_arteritis", feature, age=50)
    assert result.level is Level.EMERGENCY
    assert result.fired == ("gca_suspected",)
    assert _deadlines(result) == {Deadline.SAME_DAY}
    assert "fast-track" in result.actions[0].text
    assert result.accepted_actions == {REFERRAL}


@pytest.mark.parametrize("feature", [*GCA_FEATURES, "visual_symptoms"])
def test_gca_at_49_does_not_fire(feature: str) -> None:
    result = _run("giant_cell_arteritis", feature, age=49)
    assert result.level is Level.CLEAR


def test_gca_visual_symptoms_are_flagged_same_day() -> None:
    result = _run("giant_cell_arteritis", "visual_symptoms", "new_headache", age=50)
    assert result.level is Level.EMERGENCY
    assert result.fired == ("gca_visual_symptoms",)
    assert "visual symptoms" in result.actions[0].text
    assert _deadlines(result) == {Deadline.SAME_DAY}


def test_gca_unknown_age_is_incomplete_and_asks_for_the_age() -> None:
    result = _run("giant_cell_arteritis", "jaw_claudication", age=None)
    assert result.level is Level.INCOMPLETE
    status = next(r for r in result.rules if r.rule_id == "gca_suspected")
    assert status.waiting_on == (AGE,)


# ---------------------------------------------------------------- unstable fracture


@pytest.mark.parametrize(
    ("cause", "sign"),
    list(
        itertools.product(
            [("significant_trauma",), ("deformity",), ("minor_trauma", "osteoporosis")],
            ["suspected_instability", "neurological_signs"],
        )
    ),
)
def test_fracture_with_instability_or_neurology_goes_to_emergency_department(
    cause: tuple[str, ...], sign: str
) -> None:
    result = _run("unstable_fracture", *cause, sign)
    assert result.level is Level.EMERGENCY
    assert _deadlines(result) == {Deadline.SAME_DAY}
    assert result.accepted_actions == {ED}


@pytest.mark.parametrize(
    "cause",
    [
        ("significant_trauma",),
        ("deformity",),
        ("minor_trauma", "osteoporosis"),
        ("minor_trauma", "steroid_use"),
        ("minor_trauma", "older_age"),
    ],
)
def test_suspected_fracture_otherwise_needs_urgent_imaging(cause: tuple[str, ...]) -> None:
    result = _run("unstable_fracture", *cause)
    assert result.level is Level.URGENT
    assert _deadlines(result) == {Deadline.URGENT_IMAGING}
    assert not result.needs_resolution


def test_minor_trauma_without_bone_risk_is_clear() -> None:
    assert _run("unstable_fracture", "minor_trauma").level is Level.CLEAR


# ---------------------------------------------------------------- suspected cancer


@pytest.mark.parametrize("feature", ["persistent_bone_or_back_pain", "unexplained_fracture"])
def test_myeloma_tests_from_60(feature: str) -> None:
    result = _run("suspected_cancer_2ww", feature, age=60)
    assert result.level is Level.URGENT
    assert result.fired == ("possible_myeloma",)
    assert _deadlines(result) == {Deadline.SERVICE_TO_SET}
    for test_name in ("full blood count", "calcium", "ESR", "plasma viscosity", "electrophoresis"):
        assert test_name in result.actions[0].text
    assert _run("suspected_cancer_2ww", feature, age=59).level is Level.CLEAR


def test_sarcoma_on_xray_is_a_two_week_wait_referral() -> None:
    result = _run("suspected_cancer_2ww", "xray_suggests_sarcoma", age=30)
    assert result.level is Level.URGENT
    assert _deadlines(result) == {Deadline.TWO_WEEK_WAIT}
    assert result.accepted_actions == {TWO_WEEK}
    assert resolution_is_valid(result, TWO_WEEK)
    assert not resolution_is_valid(result, ED)


def test_enlarging_lump_needs_urgent_ultrasound() -> None:
    result = _run("suspected_cancer_2ww", "enlarging_soft_tissue_lump", age=30)
    assert result.level is Level.URGENT
    assert _deadlines(result) == {Deadline.URGENT_IMAGING}
    assert "ultrasound" in result.actions[0].text


# ---------------------------------------------------------------- resolution


@pytest.fixture
def ces_emergency() -> ScreenResult:
    return _run("cauda_equina", "back_or_leg_pain", "saddle_numbness")


def _resolution_error(result: ScreenResult, action: Any, reason: str | None = None) -> str:
    with pytest.raises(ValidationError) as caught:
        check_resolution(result, action, reason)
    return caught.value.code


def test_override_needs_a_reason(ces_emergency: ScreenResult) -> None:
    assert _resolution_error(ces_emergency, OVERRIDE) == "red_flags.override_reason_required"
    assert _resolution_error(ces_emergency, OVERRIDE, "   ") == "red_flags.override_reason_required"
    assert not resolution_is_valid(ces_emergency, OVERRIDE, None)


def test_override_reason_has_a_minimum_length(ces_emergency: ScreenResult) -> None:
    assert OVERRIDE_REASON_MIN_LENGTH == 20
    with pytest.raises(ValidationError) as caught:
        check_resolution(ces_emergency, OVERRIDE, "Seen by spinal team")
    assert caught.value.code == "red_flags.override_reason_too_short"
    assert caught.value.field == "reason"
    assert caught.value.params == {"length": 19, "min_length": 20}
    assert resolution_is_valid(ces_emergency, OVERRIDE, "Seen by spinal team.")
    # Padding with spaces does not make a reason longer.
    assert not resolution_is_valid(ces_emergency, OVERRIDE, "Seen   by   spinal   team    ")


def test_override_minimum_is_a_local_setting(ces_emergency: ScreenResult) -> None:
    reason = "Seen by spinal team."
    assert not resolution_is_valid(ces_emergency, OVERRIDE, reason, min_reason_length=40)
    assert resolution_is_valid(ces_emergency, OVERRIDE, "Declined", min_reason_length=5)
    with pytest.raises(ValidationError) as caught:
        check_resolution(ces_emergency, OVERRIDE, reason, min_reason_length=0)
    assert caught.value.code == "red_flags.bad_setting"


def test_named_action_must_be_one_the_rule_accepts(ces_emergency: ScreenResult) -> None:
    assert resolution_is_valid(ces_emergency, ED)
    assert resolution_is_valid(ces_emergency, "same_day_emergency_department")
    with pytest.raises(ValidationError) as caught:
        check_resolution(ces_emergency, TWO_WEEK)
    assert caught.value.code == "red_flags.action_not_accepted"
    assert caught.value.params["accepted"] == ["same_day_emergency_department"]
    assert _resolution_error(ces_emergency, "phone_a_friend") == "red_flags.unknown_action"


def test_nothing_to_resolve_when_no_rule_asks_for_it() -> None:
    clear = _run("cauda_equina")
    assert _resolution_error(clear, ED) == "red_flags.nothing_to_resolve"
    urgent_tests = _run("suspected_cancer_2ww", "unexplained_fracture")
    assert _resolution_error(urgent_tests, OVERRIDE, "x" * 30) == "red_flags.nothing_to_resolve"


def test_required_actions_put_the_most_serious_and_pressing_first() -> None:
    results = [
        _run("suspected_cancer_2ww", "enlarging_soft_tissue_lump"),
        _run("cauda_equina", "back_or_leg_pain", "bowel_change"),
        _run("mscc", "cancer_history", "night_pain", "walking_difficulty"),
    ]
    ordered = [(a.screen_id, a.deadline) for a in required_actions(results)]
    assert ordered == [
        ("mscc", Deadline.IMMEDIATE),
        ("cauda_equina", Deadline.SAME_DAY),
        ("mscc", Deadline.WITHIN_24_HOURS),
        ("suspected_cancer_2ww", Deadline.URGENT_IMAGING),
    ]
    assert required_actions([]) == ()


# ---------------------------------------------------------------- answer checks


def test_answers_to_unknown_questions_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        evaluate(red_flag_screen("cauda_equina"), {"night_pain": Answer.YES})
    assert caught.value.code == "red_flags.unknown_question"
    assert caught.value.field == "night_pain"


def test_answer_values_are_checked() -> None:
    screen = red_flag_screen("cauda_equina")
    assert evaluate(screen, {"back_or_leg_pain": "yes"}).fired == ("safety_net",)  # type: ignore[dict-item]
    with pytest.raises(ValidationError) as caught:
        evaluate(screen, {"back_or_leg_pain": "maybe"})  # type: ignore[dict-item]
    assert caught.value.code == "red_flags.bad_answer"


def test_negative_age_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        evaluate(red_flag_screen("giant_cell_arteritis"), {}, age=-1)
    assert caught.value.code == "red_flags.bad_age"


# ---------------------------------------------------------------- offering screens


def _offered(regions: list[str], age: int | None) -> set[str]:
    return {screen.screen_id for screen in screens_for(regions, age)}


def test_screens_offered_by_region_and_age() -> None:
    assert _offered(["lumbar_spine"], 45) == {
        "cauda_equina",
        "mscc",
        "spinal_infection",
        "unstable_fracture",
        "suspected_cancer_2ww",
    }
    assert _offered(["any_joint"], 30) == {
        "septic_arthritis",
        "unstable_fracture",
        "suspected_cancer_2ww",
    }
    assert "giant_cell_arteritis" not in _offered(["head"], 49)
    assert "giant_cell_arteritis" in _offered(["head"], 50)
    assert "giant_cell_arteritis" in _offered(["head"], None)


def test_unknown_region_is_refused() -> None:
    for region in ("elbow", "any"):
        with pytest.raises(ValidationError) as caught:
            screens_for([region], 40)
        assert caught.value.code == "red_flags.unknown_region"


def test_unknown_screen_is_not_found() -> None:
    with pytest.raises(NotFound) as caught:
        red_flag_screen("../reference/specialty")
    assert caught.value.code == "content.unknown_screen"
    assert red_flag_screen("mscc") is red_flag_screen("mscc")


# ---------------------------------------------------------------- loading malformed files

GOOD: dict[str, Any] = {
    "id": "sample",
    "title": "Sample",
    "version": "1",
    "source": "A cited source",
    "licence": "Project's own wording; facts from a cited source",
    "applies_when": {"regions": ["lumbar_spine"]},
    "questions": [
        {"code": "a", "text": "A?"},
        {"code": "b", "text": "B?"},
    ],
    "rules": [
        {
            "id": "high",
            "if_any_yes": ["a"],
            "and_any_yes": ["b"],
            "outcome": "emergency",
            "actions": [{"text": "Go now", "deadline": "same_day"}],
            "resolve_with": ["same_day_emergency_department"],
        },
        {
            "id": "low",
            "if_any_yes": ["a"],
            "outcome": "urgent",
            "actions": [{"text": "Scan", "deadline": "service_to_set", "note": "why"}],
            "superseded_by": ["high"],
        },
    ],
}
CARD = {"title": "T", "intro": "I", "warning_signs": ["w"], "what_to_do": ["d"]}


def _variant(change: Mapping[str, Any] | None = None, **rule: Any) -> dict[str, Any]:
    """GOOD with top-level keys replaced, and keys of the first rule replaced."""
    document = copy.deepcopy(GOOD)
    document.update(copy.deepcopy(dict(change or {})))
    document["rules"][0].update(rule)
    return document


def _without(key: str) -> dict[str, Any]:
    return {k: v for k, v in copy.deepcopy(GOOD).items() if k != key}


def _write(folder: Path, document: object, name: str = "sample.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_good_sample_loads(tmp_path: Path) -> None:
    screen = load_screen(_write(tmp_path, GOOD))
    assert screen.screen_id == "sample"
    result = evaluate(screen, {"a": Answer.YES, "b": Answer.YES})
    assert result.fired == ("high",)


_LOW_FIRST = [GOOD["rules"][1], {**GOOD["rules"][0]}]
_PRINTING = [{"text": "Give card", "deadline": "this_visit", "prints": "safety_net_card"}]


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ([], "not_an_object"),
        (_without("source"), "missing_keys"),
        (_variant({"source": "  "}), "missing_text"),
        (_variant({"licence": ""}), "missing_text"),
        (_variant({"extra": 1}), "unknown_keys"),
        (_variant({"id": "other"}), "id_mismatch"),
        (_variant({"applies_when": {"regions": ["elbow"]}}), "unknown_region"),
        (_variant({"applies_when": {"regions": ["head"], "min_age": True}}), "bad_age"),
        (_variant({"applies_when": {"regions": ["head"], "min_age": "50"}}), "bad_age"),
        (_variant({"questions": []}), "no_questions"),
        (_variant({"questions": [{"code": "a", "text": "A?"}] * 2}), "duplicate_question"),
        (_variant({"questions": [{"code": "age", "text": "Age?"}]}), "bad_question_code"),
        (
            _variant({"questions": [*GOOD["questions"], {"code": "c", "text": "C?"}]}),
            "unused_question",
        ),
        (_variant(if_any_yes=["zzz"]), "unknown_question"),
        (_variant(and_any_yes=[]), "bad_list"),
        (_variant(outcome="catastrophe"), "unknown_outcome"),
        (_variant(actions=[]), "no_actions"),
        (_variant(actions=[{"text": "Go", "deadline": "next_tuesday"}]), "unknown_deadline"),
        (_variant(actions=[{"text": "Go", "deadline": "service_to_set"}]), "note_required"),
        (_variant(resolve_with=[]), "resolution_required"),
        (_variant(resolve_with=["phone_call"]), "unknown_resolution"),
        (_variant(resolve_with=["clinician_override"]), "override_always_allowed"),
        (_variant(resolve_with="same_day_emergency_department"), "bad_list"),
        (_variant(hard_stops=["surgery"]), "unknown_hard_stop"),
        (_variant(superseded_by=["high"]), "bad_superseded_by"),
        (_variant({"rules": _LOW_FIRST}), "bad_superseded_by"),
        (_variant(outcome="routine_watch"), "bad_superseded_by"),
        (_variant({"rules": [GOOD["rules"][0]] * 2}), "duplicate_rule"),
        (_variant(actions=_PRINTING), "bad_prints"),
        (_variant({"safety_net_card": CARD}), "card_never_printed"),
        (_variant({"safety_net_card": {**CARD, "what_to_do": []}}), "missing_text"),
    ],
)
def test_malformed_definitions_are_refused(tmp_path: Path, document: object, reason: str) -> None:
    with pytest.raises(ClinicError) as caught:
        load_screen(_write(tmp_path, document))
    assert caught.value.code == "content.invalid"
    assert caught.value.params["file"] == "sample.json"
    assert caught.value.params["reason"] == reason


def test_unknown_question_in_a_rule_is_named(tmp_path: Path) -> None:
    with pytest.raises(ClinicError) as caught:
        load_screen(_write(tmp_path, _variant(and_any_yes=["b", "nope"])))
    assert caught.value.params["rule"] == "high"
    assert caught.value.params["question"] == "nope"


def test_card_that_is_printed_loads(tmp_path: Path) -> None:
    document = _variant({"safety_net_card": CARD})
    document["rules"][1]["actions"] = _PRINTING
    screen = load_screen(_write(tmp_path, document))
    assert screen.safety_net_card is not None
    result = evaluate(screen, {"a": Answer.YES, "b": Answer.NOT_ASKED})
    assert result.level is Level.INCOMPLETE
    assert result.safety_net_card is screen.safety_net_card


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    cases = {
        "missing": tmp_path / "absent.json",
        "not_json": tmp_path / "broken.json",
        "not_utf8": tmp_path / "latin.json",
    }
    cases["not_json"].write_text("{", encoding="utf-8")
    cases["not_utf8"].write_bytes(b'{"title": "caf\xe9"}')
    for reason, path in cases.items():
        with pytest.raises(ClinicError) as caught:
            load_screen(path)
        assert caught.value.params["reason"] == reason
