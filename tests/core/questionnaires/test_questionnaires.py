"""Questionnaire scoring: item boundaries, missing items, risk groups and important change."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic_app.domains.questionnaires.content import ALL_QUESTIONNAIRES, questionnaire
from clinic_app.domains.questionnaires.rules import (
    ImportantChange,
    MinimalImportantChange,
    QuestionnaireDefinition,
    QuestionnaireResult,
    change_is_important,
    check_answer,
    group_for,
    score,
)
from clinic_app.kernel.errors import ClinicError, ValidationError

MSK_HQ = questionnaire("msk_hq")
START_BACK = questionnaire("start_back")
PSEQ = questionnaire("pseq")
PAIN_NRS = questionnaire("pain_nrs")

ITEM_CASES = [(qid, item.code) for qid in ALL_QUESTIONNAIRES for item in questionnaire(qid).items]
SCORED_CASES = [
    (qid, item.code) for qid in ALL_QUESTIONNAIRES for item in questionnaire(qid).scored_items
]


def _all(definition: QuestionnaireDefinition, pick: int) -> dict[str, int | None]:
    """Every item answered with its lowest (pick=0) or highest (pick=-1) value."""
    return {item.code: item.values()[pick] for item in definition.items}


def _start_back(*agreed: int, bother: int = 0) -> dict[str, int | None]:
    answers: dict[str, int | None] = {f"sb_{n:02d}": int(n in agreed) for n in range(1, 9)}
    answers["sb_09"] = bother
    return answers


def _refused(definition: QuestionnaireDefinition, answers: dict[str, object]) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        score(definition, answers)  # type: ignore[arg-type]
    return caught.value


# ---------------------------------------------------------------- totals and item boundaries


@pytest.mark.parametrize("qid", ALL_QUESTIONNAIRES)
def test_lowest_and_highest_answers_give_the_end_totals(qid: str) -> None:
    definition = questionnaire(qid)
    assert score(definition, _all(definition, 0)).total == definition.min_total
    assert score(definition, _all(definition, -1)).total == definition.max_total


def test_declared_ranges_are_the_cited_ones() -> None:
    assert (MSK_HQ.min_total, MSK_HQ.max_total, MSK_HQ.higher_is_better) == (0, 56, True)
    assert (START_BACK.min_total, START_BACK.max_total) == (0, 9)
    assert (PSEQ.min_total, PSEQ.max_total, PSEQ.higher_is_better) == (0, 60, True)
    assert (PAIN_NRS.min_total, PAIN_NRS.max_total, PAIN_NRS.higher_is_better) == (0, 10, False)


@pytest.mark.parametrize(("qid", "code"), SCORED_CASES)
def test_each_item_moves_the_total_by_its_own_range(qid: str, code: str) -> None:
    definition = questionnaire(qid)
    item = definition.item(code)
    low = score(definition, {**_all(definition, 0), code: item.values()[0]}).total
    high = score(definition, {**_all(definition, 0), code: item.values()[-1]}).total
    points = [item.points(value) for value in item.values()]
    assert low == definition.min_total
    assert high == definition.min_total + max(points) - min(points)


@pytest.mark.parametrize(("qid", "code"), ITEM_CASES)
def test_answers_just_outside_an_item_are_refused(qid: str, code: str) -> None:
    definition = questionnaire(qid)
    values = definition.item(code).values()
    for value in (values[0], values[-1]):
        check_answer(definition, code, value)
    for value in (values[0] - 1, values[-1] + 1):
        error = _refused(definition, {**_all(definition, 0), code: value})
        assert error.code == "questionnaire.answer_out_of_range"
        assert error.field == code
        assert error.params["value"] == value


@pytest.mark.parametrize("value", [True, 1.0, "1", [1]])
def test_answers_that_are_not_whole_numbers_are_refused(value: object) -> None:
    error = _refused(MSK_HQ, {**_all(MSK_HQ, 0), "mskhq_01": value})
    assert error.code == "questionnaire.answer_out_of_range"
    assert "value" not in error.params  # only numbers are echoed back


@pytest.mark.parametrize("value", [0, None])
def test_unknown_items_are_refused(value: int | None) -> None:
    error = _refused(MSK_HQ, {**_all(MSK_HQ, 0), "mskhq_99": value})
    assert error.code == "questionnaire.unknown_item"
    assert error.field == "mskhq_99"
    with pytest.raises(ValidationError) as caught:
        check_answer(PSEQ, "mskhq_01", 1)
    assert caught.value.code == "questionnaire.unknown_item"


def test_msk_hq_items_score_their_value_with_four_best() -> None:
    for value in range(5):
        answers = {**_all(MSK_HQ, 0), "mskhq_07": value}
        assert score(MSK_HQ, answers).total == value


# ---------------------------------------------------------------- missing items


@pytest.mark.parametrize(("qid", "code"), SCORED_CASES)
@pytest.mark.parametrize("how", ["absent", "none"])
def test_any_missing_scored_item_makes_the_result_incomplete(qid: str, code: str, how: str) -> None:
    definition = questionnaire(qid)
    answers = _all(definition, -1)
    if how == "absent":
        del answers[code]
    else:
        answers[code] = None
    result = score(definition, answers)
    assert not result.complete
    assert result.total is None
    assert result.group is None
    assert dict(result.subscales) == {}
    assert result.missing_items == (code,)


def test_nothing_answered_lists_every_scored_item_in_order() -> None:
    result = score(START_BACK, {})
    assert result.missing_items == tuple(item.code for item in START_BACK.items)


def test_msk_hq_activity_item_is_unscored_and_never_blocks_a_total() -> None:
    answers = _all(MSK_HQ, -1)
    del answers["mskhq_activity_days"]
    result = score(MSK_HQ, answers)
    assert result.complete
    assert result.total == 56
    assert dict(result.unscored) == {}
    for days in range(8):
        result = score(MSK_HQ, {**answers, "mskhq_activity_days": days})
        assert result.total == 56
        assert dict(result.unscored) == {"mskhq_activity_days": days}
    incomplete = score(MSK_HQ, {"mskhq_activity_days": 3})
    assert dict(incomplete.unscored) == {"mskhq_activity_days": 3}
    assert "mskhq_activity_days" not in incomplete.missing_items


# ---------------------------------------------------------------- STarT Back groups


@pytest.mark.parametrize(
    ("answers", "total", "distress", "group"),
    [
        (_start_back(), 0, 0, "low"),
        (_start_back(1, 2, 3), 3, 0, "low"),
        (_start_back(1, 2, 3, 4), 4, 0, "medium"),
        (_start_back(5, 6, 7), 3, 3, "low"),
        (_start_back(1, 5, 6, 7), 4, 3, "medium"),
        (_start_back(5, 6, 7, 8), 4, 4, "high"),
        (_start_back(5, 6, 7, bother=3), 4, 4, "high"),
        (_start_back(1, 2, 3, 4, 5, 6, 7), 7, 3, "medium"),
        (_start_back(1, 2, 3, 4, 5, 6, 7, 8, bother=4), 9, 5, "high"),
    ],
)
def test_start_back_group_boundaries(
    answers: dict[str, int | None], total: int, distress: int, group: str
) -> None:
    result = score(START_BACK, answers)
    assert result.total == total
    assert dict(result.subscales) == {"distress": distress}
    assert result.group == group


@pytest.mark.parametrize(("bother", "points"), [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1)])
def test_start_back_item_nine_scores_only_its_top_two_answers(bother: int, points: int) -> None:
    result = score(START_BACK, _start_back(bother=bother))
    assert result.total == points
    assert result.subscales["distress"] == points


def test_start_back_agree_disagree_items_take_only_zero_or_one() -> None:
    error = _refused(START_BACK, {**_start_back(), "sb_03": 2})
    assert error.code == "questionnaire.answer_out_of_range"


# ---------------------------------------------------------------- minimal important change


def _msk_hq_total(total: int) -> QuestionnaireResult:
    answers: dict[str, int | None] = {}
    remaining = total
    for item in MSK_HQ.scored_items:
        value = min(4, remaining)
        answers[item.code] = value
        remaining -= value
    result = score(MSK_HQ, answers)
    assert result.total == total
    return result


@pytest.mark.parametrize(
    ("baseline", "follow_up", "expected"),
    [
        (20, 26, ImportantChange.IMPROVED),
        (20, 25, None),
        (20, 20, None),
        (20, 15, None),
        (20, 14, ImportantChange.WORSENED),
        (0, 56, ImportantChange.IMPROVED),
        (56, 0, ImportantChange.WORSENED),
    ],
)
def test_msk_hq_change_against_five_and_a_half_points(
    baseline: int, follow_up: int, expected: ImportantChange | None
) -> None:
    assert MSK_HQ.minimal_important_change is not None
    assert MSK_HQ.minimal_important_change.value == 5.5
    verdict = change_is_important(_msk_hq_total(baseline), _msk_hq_total(follow_up), MSK_HQ)
    assert verdict is expected


def test_a_change_equal_to_the_minimal_important_change_counts() -> None:
    whole = replace(MSK_HQ, minimal_important_change=MinimalImportantChange(5, "synthetic"))
    assert change_is_important(_msk_hq_total(10), _msk_hq_total(15), whole) is (
        ImportantChange.IMPROVED
    )
    assert change_is_important(_msk_hq_total(15), _msk_hq_total(10), whole) is (
        ImportantChange.WORSENED
    )


@pytest.mark.parametrize(
    ("baseline", "follow_up", "expected"),
    [
        (7, 5, ImportantChange.IMPROVED),
        (7, 6, None),
        (5, 7, ImportantChange.WORSENED),
        (6, 7, None),
    ],
)
def test_change_when_lower_is_better(
    baseline: int, follow_up: int, expected: ImportantChange | None
) -> None:
    # A synthetic threshold: the shipped pain score cites no minimal important change.
    pain = replace(PAIN_NRS, minimal_important_change=MinimalImportantChange(2, "synthetic"))
    verdict = change_is_important(
        score(pain, {"pain_now": baseline}), score(pain, {"pain_now": follow_up}), pain
    )
    assert verdict is expected


def test_change_needs_a_cited_minimal_important_change() -> None:
    result = score(PAIN_NRS, {"pain_now": 3})
    with pytest.raises(ClinicError) as caught:
        change_is_important(result, result, PAIN_NRS)
    assert caught.value.code == "questionnaire.no_minimal_important_change"


def test_change_refuses_incomplete_or_foreign_results() -> None:
    complete = _msk_hq_total(30)
    with pytest.raises(ValidationError) as caught:
        change_is_important(complete, score(MSK_HQ, {}), MSK_HQ)
    assert caught.value.code == "questionnaire.incomplete"
    with pytest.raises(ValidationError) as caught:
        change_is_important(score(PSEQ, _all(PSEQ, 0)), complete, MSK_HQ)
    assert caught.value.code == "questionnaire.wrong_questionnaire"


# ---------------------------------------------------------------- properties


def complete_answers(definition: QuestionnaireDefinition) -> st.SearchStrategy[dict[str, int]]:
    return st.fixed_dictionaries(
        {item.code: st.sampled_from(item.values()) for item in definition.items}
    )


definitions = st.sampled_from([questionnaire(qid) for qid in ALL_QUESTIONNAIRES])


@given(st.data(), definitions)
def test_a_complete_answer_set_always_scores_within_range(
    data: st.DataObject, definition: QuestionnaireDefinition
) -> None:
    result = score(definition, data.draw(complete_answers(definition)))
    assert result.complete
    assert result.missing_items == ()
    assert result.total is not None
    assert definition.min_total <= result.total <= definition.max_total
    assert (result.group is None) == (not definition.groups)


@given(st.data(), definitions)
def test_raising_one_answer_never_lowers_the_total(
    data: st.DataObject, definition: QuestionnaireDefinition
) -> None:
    answers = data.draw(complete_answers(definition))
    item = data.draw(st.sampled_from(definition.items))
    values = item.values()
    position = values.index(answers[item.code])
    if position + 1 < len(values):
        before = score(definition, answers).total
        after = score(definition, {**answers, item.code: values[position + 1]}).total
        assert before is not None
        assert after is not None
        assert after >= before


@given(st.data(), definitions)
def test_subscales_never_exceed_the_total(
    data: st.DataObject, definition: QuestionnaireDefinition
) -> None:
    result = score(definition, data.draw(complete_answers(definition)))
    assert result.total is not None
    assert set(result.subscales) == {subscale.id for subscale in definition.subscales}
    for value in result.subscales.values():
        assert 0 <= value <= result.total


@given(complete_answers(START_BACK))
def test_start_back_group_follows_total_and_distress_only(answers: dict[str, int]) -> None:
    result = score(START_BACK, answers)
    assert result.total is not None
    distress = result.subscales["distress"]
    assert result.group == group_for(START_BACK, result.total, {"distress": distress})
    if result.total <= 3:
        expected = "low"
    elif distress <= 3:
        expected = "medium"
    else:
        expected = "high"
    assert result.group == expected


@given(st.data(), definitions)
def test_dropping_any_scored_answers_leaves_no_total(
    data: st.DataObject, definition: QuestionnaireDefinition
) -> None:
    answers: dict[str, int | None] = dict(data.draw(complete_answers(definition)))
    scored = [item.code for item in definition.scored_items]
    dropped = data.draw(st.sets(st.sampled_from(scored), min_size=1))
    for code in dropped:
        answers[code] = None
    result = score(definition, answers)
    assert not result.complete
    assert result.total is None
    assert result.group is None
    assert set(result.missing_items) == dropped


@given(complete_answers(MSK_HQ), complete_answers(MSK_HQ))
def test_important_change_matches_the_difference_in_both_directions(
    first: dict[str, int], second: dict[str, int]
) -> None:
    baseline, follow_up = score(MSK_HQ, first), score(MSK_HQ, second)
    assert baseline.total is not None
    assert follow_up.total is not None
    difference = follow_up.total - baseline.total
    verdict = change_is_important(baseline, follow_up, MSK_HQ)
    reverse = change_is_important(follow_up, baseline, MSK_HQ)
    if difference >= 5.5:
        assert (verdict, reverse) == (ImportantChange.IMPROVED, ImportantChange.WORSENED)
    elif difference <= -5.5:
        assert (verdict, reverse) == (ImportantChange.WORSENED, ImportantChange.IMPROVED)
    else:
        assert (verdict, reverse) == (None, None)
