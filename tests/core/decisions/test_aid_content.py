"""Decision aids are checked at load: a sound aid is offered, a broken one is refused by name."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from clinic_app.domains.decisions.content import (
    AidCatalogue,
    AidProblem,
    DecisionAid,
    decision_aid,
    decision_aids,
    icon_array,
    in_100_words,
    parse_aid,
)
from clinic_app.kernel.errors import NotFound

AIDS = Path(__file__).parent / "aids"
GOOD = AIDS / "good"
BROKEN = AIDS / "broken"


def _sample() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOOD / "sample_aid.json").read_text(encoding="utf-8"))
    return data


def _refusals(catalogue: AidCatalogue, file: str) -> list[AidProblem]:
    return [problem for problem in catalogue.refused if problem.file == file]


def test_the_sample_aid_is_offered_with_everything_it_says() -> None:
    catalogue = decision_aids(GOOD)

    assert catalogue.refused == ()
    assert [aid.id for aid in catalogue.offered] == ["sample_aid"]
    aid = catalogue.offered[0]
    assert aid.version == "1.0"
    assert aid.written == date(2026, 1, 10)
    assert aid.option_ids == ("self_management", "injection", "scan", "not_now")
    assert aid.option("injection").leads_to == "injection"
    assert [outcome.per_100 for outcome in aid.option("injection").outcomes] == [50, 10, 5]
    assert catalogue.get("sample_aid") is aid
    assert catalogue.get("nothing") is None


@pytest.mark.parametrize(
    ("file", "field", "code"),
    [
        ("number_over_100.json", "options[1].outcomes[2].per_100", "number_out_of_range"),
        ("exclusive_over_100.json", "options[1].outcomes", "exclusive_over_100"),
        ("unknown_source.json", "options[0].outcomes[0].source", "unknown_source"),
        ("review_before_written.json", "review_by", "review_not_after_written"),
        ("no_not_now.json", "options", "no_not_now"),
        ("row_not_answered.json", "options[2].answers.time_off", "row_not_answered"),
        ("unknown_key.json", "options[0].dose", "schema"),
        ("wrong_id.json", "id", "id_not_file_name"),
        ("not_json.json", "", "not_json"),
    ],
)
def test_a_broken_aid_is_refused_naming_its_file_and_field(
    file: str, field: str, code: str
) -> None:
    catalogue = decision_aids(BROKEN)

    problems = _refusals(catalogue, file)

    assert (field, code) in [(problem.field, problem.code) for problem in problems]
    assert all(problem.reason for problem in problems)
    assert file.removesuffix(".json") not in [aid.id for aid in catalogue.offered]


def test_every_broken_file_is_refused_and_none_is_offered() -> None:
    catalogue = decision_aids(BROKEN)

    assert catalogue.offered == ()
    assert {problem.file for problem in catalogue.refused} == {
        path.name for path in BROKEN.glob("*.json")
    }


def test_a_negative_number_and_a_missing_source_list_are_refused() -> None:
    data = _sample()
    data["options"][0]["outcomes"][0]["per_100"] = -1
    del data["sources"]

    result = parse_aid("sample_aid.json", json.dumps(data))

    assert isinstance(result, list)
    assert ("sources", "schema") in [(problem.field, problem.code) for problem in result]
    data["sources"] = _sample()["sources"]
    result = parse_aid("sample_aid.json", json.dumps(data))
    assert isinstance(result, list)
    assert [(p.field, p.code) for p in result] == [
        ("options[0].outcomes[0].per_100", "number_out_of_range")
    ]


def test_a_review_date_equal_to_the_written_date_is_refused() -> None:
    data = _sample()
    data["review_by"] = data["written"]

    result = parse_aid("sample_aid.json", json.dumps(data))

    assert isinstance(result, list)
    assert [problem.code for problem in result] == ["review_not_after_written"]


def test_two_self_management_options_are_refused() -> None:
    data = _sample()
    data["options"][2]["kind"] = "self_management"

    result = parse_aid("sample_aid.json", json.dumps(data))

    assert isinstance(result, list)
    assert ("options", "no_self_management") in [(p.field, p.code) for p in result]


def test_a_number_given_as_text_is_refused() -> None:
    data = _sample()
    data["options"][1]["outcomes"][0]["per_100"] = "50"

    result = parse_aid("sample_aid.json", json.dumps(data))

    assert isinstance(result, list)
    assert [(p.field, p.code) for p in result] == [("options[1].outcomes[0].per_100", "schema")]


@pytest.mark.parametrize(
    "decision", ["condition", "injection", "imaging", "surgical_referral", "eswt"]
)
def test_an_aid_may_be_about_a_condition_or_any_record_a_decision_leads_to(
    decision: str,
) -> None:
    data = _sample()
    data["decision"] = decision
    data["options"][1]["leads_to"] = "eswt"

    result = parse_aid("sample_aid.json", json.dumps(data))

    assert isinstance(result, DecisionAid)
    assert result.decision == decision
    assert result.option("injection").leads_to == "eswt"


def test_an_aid_about_an_unknown_decision_is_refused() -> None:
    data = _sample()
    data["decision"] = "massage"

    result = parse_aid("sample_aid.json", json.dumps(data))

    assert isinstance(result, list)
    assert [(p.field, p.code, p.kind) for p in result] == [("decision", "schema", "literal_error")]


def test_exclusive_outcomes_adding_to_exactly_100_are_allowed() -> None:
    data = _sample()
    data["options"][1]["outcomes"][0]["per_100"] = 90

    result = parse_aid("sample_aid.json", json.dumps(data))

    assert isinstance(result, DecisionAid)


def test_a_missing_folder_offers_nothing(tmp_path: Path) -> None:
    catalogue = decision_aids(tmp_path / "nowhere")

    assert catalogue == AidCatalogue((), ())


def test_due_for_review_lists_aids_on_or_past_their_date(tmp_path: Path) -> None:
    for aid_id, review_by in (("late_aid", "2026-03-01"), ("fresh_aid", "2030-01-01")):
        data = _sample()
        data["id"] = aid_id
        data["review_by"] = review_by
        (tmp_path / f"{aid_id}.json").write_text(json.dumps(data), encoding="utf-8")
    catalogue = decision_aids(tmp_path)

    assert catalogue.due_for_review(date(2026, 2, 28)) == []
    assert [aid.id for aid in catalogue.due_for_review(date(2026, 3, 1))] == ["late_aid"]
    assert [aid.id for aid in catalogue.due_for_review(date(2031, 1, 1))] == [
        "late_aid",
        "fresh_aid",
    ]


def test_an_unknown_aid_is_not_found() -> None:
    with pytest.raises(NotFound) as raised:
        decision_aid("no_such_aid")

    assert raised.value.code == "decision.unknown_aid"


@pytest.mark.parametrize("per_100", [0, 1, 37, 99, 100])
def test_an_icon_array_fills_that_many_cells_first(per_100: int) -> None:
    array = icon_array(per_100)

    assert (array.columns, array.rows, array.filled) == (10, 10, per_100)
    assert len(array.cells) == 100
    assert sum(array.cells) == per_100
    assert all(array.cells[:per_100])
    assert not any(array.cells[per_100:])


@pytest.mark.parametrize("per_100", [-1, 101])
def test_an_icon_array_needs_a_number_in_100(per_100: int) -> None:
    with pytest.raises(ValueError, match=r"0\.\.100"):
        icon_array(per_100)


def test_the_number_is_written_out() -> None:
    assert in_100_words(40, "have less pain") == "40 in 100 people have less pain"
    assert in_100_words(3, " need a second operation ") == "3 in 100 people need a second operation"
