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
    OVERRIDE_REASON_MIN_LENGTH,
    Answer,
    Deadline,
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
    if rule.at_least is not None:
        needed, counted = rule.at_least
        others += [c for c in counted if c != code][: needed - 1 if code in counted else needed]
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


# Per-screen clinical behaviour: tests/core/red_flags/test_vignettes.py.

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
        _run("mscc", "cancer_history", "night_pain"),
        _run("spinal_infection", "fever_or_unwell"),
        _run("cauda_equina", "back_or_leg_pain", "bowel_change"),
    ]
    ordered = [(a.screen_id, a.deadline) for a in required_actions(results)]
    assert ordered == [
        ("cauda_equina", Deadline.IMMEDIATE),
        ("spinal_infection", Deadline.SAME_DAY),
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
        "axial_spondyloarthritis",
        "abdominal_aortic_aneurysm",
    }
    assert _offered(["any_joint"], 30) == {
        "septic_arthritis",
        "inflammatory_arthritis",
        "unstable_fracture",
        "suspected_cancer_2ww",
    }
    assert _offered(["any_joint", "shoulder"], 70) == {
        "septic_arthritis",
        "inflammatory_arthritis",
        "giant_cell_arteritis",
        "polymyalgia_rheumatica",
        "unstable_fracture",
        "suspected_cancer_2ww",
    }
    # A knee is not offered the girdle conditions; a 30-year-old shoulder is not either.
    assert "giant_cell_arteritis" not in _offered(["any_joint", "leg"], 70)
    assert "polymyalgia_rheumatica" not in _offered(["any_joint", "shoulder"], 30)
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
    "derivation": [
        {"statement": "The source says a and b together", "gives": "high"},
        {"statement": "The source says a alone", "gives": "low"},
    ],
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
        (_without("derivation"), "missing_keys"),
        (_variant({"derivation": []}), "no_derivation"),
        (_variant({"derivation": [GOOD["derivation"][0]]}), "rule_not_derived"),
        (
            _variant({"derivation": [*GOOD["derivation"], {"statement": "s", "gives": "zzz"}]}),
            "unknown_derivation_target",
        ),
        (_variant({"derivation": [{"statement": " ", "gives": "high"}]}), "missing_text"),
        (
            _variant({"questions": [*GOOD["questions"], {"shared": "nope"}]}),
            "unknown_shared_question",
        ),
        (
            _variant({"questions": [*GOOD["questions"], {"code": "diabetes", "text": "D?"}]}),
            "shadows_shared_question",
        ),
        (_variant(at_least={"count": 3, "of": ["a", "b"]}), "bad_count"),
        (_variant(at_least={"count": 1, "of": ["a", "zzz"]}), "unknown_question"),
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
