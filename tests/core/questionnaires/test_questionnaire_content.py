"""Questionnaire files and wording packs: provenance, no licensed wording shipped, packs checked."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from clinic_app.domains.questionnaires.content import (
    ALL_QUESTIONNAIRES,
    MAX_DOMAIN_LENGTH,
    WordingPack,
    WordingSource,
    introduction,
    load_wording_pack,
    merge_wording,
    parse_questionnaire,
    parse_wording_pack,
    questionnaire,
)
from clinic_app.domains.questionnaires.rules import QuestionnaireDefinition, Wording
from clinic_app.kernel.errors import ClinicError, NotFound, ValidationError

LICENSED = ("msk_hq", "start_back", "pseq")
TEST_PACK = Path(__file__).parent / "wording_packs" / "msk_hq_synthetic.json"
WORDING_KEYS = {"text", "label", "min_label", "max_label"}


def _raw(qid: str) -> dict[str, Any]:
    text = (resources.files("resources") / "questionnaires" / f"{qid}.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def _strings_and_keys(node: object) -> tuple[list[str], set[str]]:
    strings: list[str] = []
    keys: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            keys.add(key)
            if key == "source":  # a citation, not questionnaire wording
                continue
            inner, inner_keys = _strings_and_keys(value)
            strings += inner
            keys |= inner_keys
    elif isinstance(node, list):
        for value in node:
            inner, inner_keys = _strings_and_keys(value)
            strings += inner
            keys |= inner_keys
    elif isinstance(node, str):
        strings.append(node)
    return strings, keys


def _looks_like_wording(text: str) -> bool:
    return len(text) > MAX_DOMAIN_LENGTH or text.rstrip().endswith(("?", ".", ":"))


# ---------------------------------------------------------------- shipped definitions


@pytest.mark.parametrize("qid", ALL_QUESTIONNAIRES)
def test_every_definition_loads_with_provenance(qid: str) -> None:
    definition = questionnaire(qid)
    assert definition.id == qid
    for text in (definition.title, definition.version, definition.source, definition.licence):
        assert text.strip()
    assert definition.items
    assert all(item.domain.strip() for item in definition.items)


def test_every_shipped_file_is_listed() -> None:
    folder = resources.files("resources") / "questionnaires"
    files = {
        entry.name[: -len(".json")] for entry in folder.iterdir() if entry.name.endswith(".json")
    }
    assert files == set(ALL_QUESTIONNAIRES)


def test_definitions_are_cached_and_unknown_ids_not_found() -> None:
    assert questionnaire("msk_hq") is questionnaire("msk_hq")
    with pytest.raises(NotFound) as caught:
        questionnaire("../reference/specialty")
    assert caught.value.code == "content.unknown_questionnaire"


@pytest.mark.parametrize("qid", LICENSED)
def test_licensed_definitions_ship_no_question_or_answer_wording(qid: str) -> None:
    definition = questionnaire(qid)
    assert definition.wording is Wording.LICENSED_PACK
    raw = _raw(qid)
    assert raw["wording"] == "licensed-pack"
    strings, keys = _strings_and_keys([raw["title"], raw["items"], raw["scoring"]])
    assert not keys & WORDING_KEYS
    assert [text for text in strings if _looks_like_wording(text)] == []
    for item in definition.items:
        assert item.text is None
        assert all(option.label is None for option in item.options)


def test_pain_score_ships_its_own_wording() -> None:
    definition = questionnaire("pain_nrs")
    assert definition.wording is Wording.SHIPPED
    (item,) = definition.items
    assert item.text
    assert item.scale is not None
    assert (item.scale.minimum, item.scale.maximum) == (0, 10)
    assert item.scale.min_label
    assert item.scale.max_label


def test_msk_hq_structure_is_as_cited() -> None:
    definition = questionnaire("msk_hq")
    assert "e012331" in definition.source
    assert definition.recall_period == "P14D"
    assert len(definition.scored_items) == 14
    assert all(item.values() == (0, 1, 2, 3, 4) for item in definition.scored_items)
    (extra,) = [item for item in definition.items if not item.scored]
    assert extra.values() == tuple(range(8))
    mic = definition.minimal_important_change
    assert mic is not None
    assert mic.value == 5.5
    assert mic.source.strip()


def test_start_back_and_pseq_cite_their_papers() -> None:
    start_back, pseq = questionnaire("start_back"), questionnaire("pseq")
    assert "Hill JC" in start_back.source
    assert "2008" in start_back.source
    assert [g.id for g in start_back.groups] == ["low", "medium", "high"]
    assert [s.items for s in start_back.subscales] == [tuple(f"sb_0{n}" for n in range(5, 10))]
    assert "Nicholas" in pseq.source
    assert "2007" in pseq.source
    assert all(item.values() == tuple(range(7)) for item in pseq.items)
    # Nothing uncited is encoded: no cut-offs or minimal important change for these two.
    assert pseq.groups == ()
    assert pseq.minimal_important_change is None
    assert start_back.minimal_important_change is None


# ---------------------------------------------------------------- malformed definitions


def _set(path: str, value: object) -> Any:
    def change(document: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node: Any = document
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return change


@pytest.mark.parametrize(
    ("qid", "change", "reason"),
    [
        ("msk_hq", _set("id", "other"), "id_mismatch"),
        ("msk_hq", _set("wording", "borrowed"), "unknown_wording"),
        ("msk_hq", _set("recall_period", "two weeks"), "bad_recall_period"),
        ("msk_hq", _set("items/0/text", "A question?"), "wording_in_licensed_definition"),
        ("msk_hq", _set("items/0/options/0/label", "Answer"), "wording_in_licensed_definition"),
        ("msk_hq", _set("items/0/domain", "x" * 61), "text_too_long"),
        ("msk_hq", _set("items/0/code", "Item 1"), "bad_code"),
        ("msk_hq", _set("items/1/code", "mskhq_01"), "duplicate_code"),
        ("msk_hq", _set("items/0/range", {"min": 0, "max": 4}), "bad_answers"),
        ("msk_hq", _set("items/0/options/1/value", 0), "options_not_ascending"),
        ("msk_hq", _set("items/0/options/4/score", 0), "scores_not_monotonic"),
        ("msk_hq", _set("items/0/options/0/value", True), "not_a_whole_number"),
        ("msk_hq", _set("items/0/scored", "yes"), "not_a_bool"),
        ("msk_hq", _set("items/0/extra", 1), "unknown_keys"),
        ("msk_hq", _set("scoring/max", 55), "range_mismatch"),
        ("msk_hq", _set("scoring/method", "mean"), "unknown_method"),
        ("msk_hq", _set("scoring/missing", "prorate"), "unknown_missing_rule"),
        (
            "msk_hq",
            _set("scoring/minimal_important_change/value", -1),
            "bad_minimal_important_change",
        ),
        ("start_back", _set("scoring/groups/0/when/0/max", 4), "groups_overlap"),
        ("start_back", _set("scoring/groups/0/when/0/max", 2), "groups_leave_gap"),
        ("start_back", _set("scoring/groups/1/when/0/score", "mood"), "bad_group"),
        ("start_back", _set("scoring/subscales/0/items/0", "sb_99"), "bad_subscale"),
        ("pain_nrs", _set("items/0/text", None), "missing_text"),
    ],
)
def test_malformed_definitions_are_refused(qid: str, change: Any, reason: str) -> None:
    document = copy.deepcopy(_raw(qid))
    change(document)
    with pytest.raises(ClinicError) as caught:
        parse_questionnaire(qid, document)
    assert caught.value.code == "content.invalid"
    assert caught.value.params["file"] == f"{qid}.json"
    assert caught.value.params["reason"] == reason


def test_shipped_wording_is_required_where_nothing_is_licensed() -> None:
    document = copy.deepcopy(_raw("pain_nrs"))
    del document["items"][0]["text"]
    with pytest.raises(ClinicError) as caught:
        parse_questionnaire("pain_nrs", document)
    assert caught.value.params["reason"] == "missing_wording"


# ---------------------------------------------------------------- wording packs


def _pack_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(TEST_PACK.read_text(encoding="utf-8"))
    return document


def _pack_code(document: object, definition: QuestionnaireDefinition | None = None) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_wording_pack(document, definition)
    assert caught.value.field == "wording_pack"
    return caught.value.code


def test_synthetic_pack_loads_from_a_path_and_from_text() -> None:
    from_path = load_wording_pack(TEST_PACK)
    from_text = load_wording_pack(TEST_PACK.read_text(encoding="utf-8"))
    assert from_path == from_text
    assert isinstance(from_path, WordingPack)
    assert from_path.questionnaire_id == "msk_hq"
    assert from_path.version == questionnaire("msk_hq").version
    assert from_path.licence_holder
    assert from_path.licence_reference
    assert from_path.items["mskhq_01"].options[4] == "Item 1 option 4 (test pack)"


def test_merged_items_show_the_pack_wording() -> None:
    definition = questionnaire("msk_hq")
    items = merge_wording(definition, load_wording_pack(TEST_PACK))
    assert [item.code for item in items] == [item.code for item in definition.items]
    assert {item.wording for item in items} == {WordingSource.LICENSED_PACK}
    first = items[0]
    assert first.text == "Item 1 text (test pack)"
    assert [option.value for option in first.options] == [0, 1, 2, 3, 4]
    assert first.options[0].label == "Item 1 option 0 (test pack)"
    activity = items[-1]
    assert (activity.minimum, activity.maximum) == (0, 7)
    assert activity.min_label == "Fewest days (test pack)"


@pytest.mark.parametrize("qid", LICENSED)
def test_without_a_pack_the_domains_stand_in_and_are_marked(qid: str) -> None:
    definition = questionnaire(qid)
    items = merge_wording(definition)
    assert {item.wording for item in items} == {WordingSource.DOMAIN_FALLBACK}
    direction = definition.direction
    assert direction is not None
    for shown, item in zip(items, definition.items, strict=True):
        assert shown.text == item.domain
        if item.scale is not None:
            assert shown.options == ()
            continue
        # Bare values, the two ends named by which way is better, so none is scored backwards.
        values = item.values()
        expected = [str(value) for value in values]
        expected[0] = f"{values[0]} ({direction.low})"
        expected[-1] = f"{values[-1]} ({direction.high})"
        assert [option.label for option in shown.options] == expected


def test_msk_hq_names_its_direction_and_each_topic_at_both_ends() -> None:
    definition = questionnaire("msk_hq")
    assert definition.direction is not None
    assert (definition.direction.low, definition.direction.high) == ("worst", "best")
    assert "Hill 2016" in definition.anchors_source
    assert "2 weeks" in definition.introduction
    for shown in merge_wording(definition):
        if not shown.scored:
            assert shown.direction is None
            continue
        assert shown.direction == definition.direction
        assert shown.anchors is not None
        assert shown.anchors.low != shown.anchors.high
        # 4 is best: the highest option is the one named best.
        assert shown.options[-1].label == "4 (best)"
        assert shown.options[0].label == "0 (worst)"


def test_the_introduction_is_the_packs_when_it_has_one_else_our_own() -> None:
    definition = questionnaire("msk_hq")
    pack = load_wording_pack(TEST_PACK)
    assert introduction(definition, pack) == "Introduction text (test pack)"
    assert introduction(definition) == definition.introduction
    assert introduction(questionnaire("pseq")) == ""


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda doc: doc["items"][0].update(anchors={"low": "x"}), "missing_keys"),
        (lambda doc: doc.pop("anchors"), "anchors_without_source"),
        (lambda doc: doc["anchors"].pop("source"), "missing_keys"),
        (
            lambda doc: doc["items"][0].update(anchors={"low": "x" * 81, "high": "y"}),
            "text_too_long",
        ),
    ],
)
def test_anchors_are_checked_when_the_file_loads(
    change: Callable[[dict[str, Any]], object], reason: str
) -> None:
    document = _raw("msk_hq")
    change(document)
    with pytest.raises(ClinicError) as caught:
        parse_questionnaire("msk_hq", document)
    assert caught.value.params["reason"] == reason


def test_pain_score_shows_its_own_wording() -> None:
    (item,) = merge_wording(questionnaire("pain_nrs"))
    assert item.wording is WordingSource.SHIPPED
    assert item.text == questionnaire("pain_nrs").items[0].text
    assert (item.minimum, item.maximum) == (0, 10)
    assert item.min_label
    assert item.max_label


def _without(document: dict[str, Any], code: str) -> dict[str, Any]:
    del document["items"][code]
    return document


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: {**d, "version": "2"}, "wording_pack.wrong_version"),
        (lambda d: _without(d, "mskhq_05"), "wording_pack.missing_items"),
        (lambda d: _without(d, "mskhq_activity_days"), "wording_pack.missing_items"),
        (
            lambda d: {**d, "items": {**d["items"], "mskhq_15": {"text": "x"}}},
            "wording_pack.extra_items",
        ),
        (lambda d: {**d, "questionnaire": "eq5d"}, "wording_pack.unknown_questionnaire"),
        (lambda d: {**d, "questionnaire": "pain_nrs", "version": "1"}, "wording_pack.not_needed"),
        (lambda d: {k: v for k, v in d.items() if k != "licence"}, "wording_pack.invalid"),
        (lambda d: {**d, "licence": {"holder": "x", "reference": " "}}, "wording_pack.invalid"),
        (lambda d: {**d, "items": []}, "wording_pack.invalid"),
        (lambda d: {**d, "extra": 1}, "wording_pack.invalid"),
    ],
)
def test_unfit_packs_are_refused(change: Any, code: str) -> None:
    assert _pack_code(change(_pack_document())) == code


def test_missing_and_extra_items_are_named() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_wording_pack(_without(_pack_document(), "mskhq_05"))
    assert caught.value.params["items"] == ["mskhq_05"]
    with pytest.raises(ValidationError) as caught:
        parse_wording_pack(_pack_document(), questionnaire("start_back"))
    assert caught.value.code == "wording_pack.wrong_questionnaire"


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"0": "a", "1": "b", "2": "c", "3": "d"}, "wording_pack.missing_options"),
        ({str(v): "a" for v in range(6)}, "wording_pack.extra_options"),
        ({"0": "a", "1": "b", "2": "c", "3": "d", "four": "e"}, "wording_pack.invalid"),
        ({"0": "a", "1": "b", "2": "c", "3": "d", "4": ""}, "wording_pack.invalid"),
    ],
)
def test_option_labels_must_match_the_answer_values(options: dict[str, str], code: str) -> None:
    document = _pack_document()
    document["items"]["mskhq_03"]["options"] = options
    assert _pack_code(document) == code


def test_range_labels_belong_only_to_number_items() -> None:
    document = _pack_document()
    document["items"]["mskhq_03"]["min_label"] = "x"
    assert _pack_code(document) == "wording_pack.range_labels_on_options_item"


def test_unreadable_or_broken_packs_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        load_wording_pack(tmp_path / "absent.json")
    assert caught.value.code == "wording_pack.unreadable"
    with pytest.raises(ValidationError) as caught:
        load_wording_pack("{not json")
    assert caught.value.code == "wording_pack.not_json"
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"text": "caf\xe9"}')
    with pytest.raises(ValidationError) as caught:
        load_wording_pack(latin)
    assert caught.value.code == "wording_pack.not_utf8"


def test_merge_refuses_a_pack_for_another_version_or_questionnaire() -> None:
    pack = load_wording_pack(TEST_PACK)
    newer = replace(questionnaire("msk_hq"), version="2")
    with pytest.raises(ValidationError) as caught:
        merge_wording(newer, pack)
    assert caught.value.code == "wording_pack.wrong_version"
    with pytest.raises(ValidationError) as caught:
        merge_wording(questionnaire("pseq"), pack)
    assert caught.value.code == "wording_pack.wrong_questionnaire"
