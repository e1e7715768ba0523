"""Reference code lists: every shipped file loads, is attributed and is well formed."""

from __future__ import annotations

import pytest

from clinic_app.kernel.errors import ClinicError, NotFound
from clinic_app.kernel.reference import ALL_LISTS, CodeList, code_list, parse_code_list


@pytest.mark.parametrize("name", ALL_LISTS)
def test_every_list_loads_with_provenance(name: str) -> None:
    codes = code_list(name)
    assert isinstance(codes, CodeList)
    assert codes.name == name
    assert codes.source.strip()
    assert codes.licence.strip()
    assert codes.version.strip()


@pytest.mark.parametrize("name", ALL_LISTS)
def test_codes_are_unique_and_labels_present(name: str) -> None:
    codes = code_list(name)
    assert codes.codes
    values = [entry.code for entry in codes.codes]
    assert len(values) == len(set(values))
    assert codes.codes_set() == frozenset(values)
    for entry in codes.codes:
        assert entry.label.strip()
        assert codes.label_for(entry.code) == entry.label


def test_lists_are_cached() -> None:
    assert code_list("ethnic_category") is code_list("ethnic_category")


def test_unknown_code_has_no_label() -> None:
    assert code_list("ethnic_category").label_for("no-such-code") is None


def test_national_codes_match_the_data_dictionary() -> None:
    assert code_list("ethnic_category").codes_set() == frozenset([*"ABCDEFGHJKLMNPRS", "Z", "99"])
    assert code_list("person_stated_gender").codes_set() == frozenset({"1", "2", "9", "X"})
    assert "bfi" in code_list("interpreter_language").codes_set()


def test_unknown_list_name_is_not_found() -> None:
    with pytest.raises(NotFound) as caught:
        code_list("../pyproject")
    assert caught.value.code == "content.unknown_list"


GOOD = {"source": "s", "licence": "l", "version": "1", "codes": [{"code": "a", "label": "A"}]}


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ([], "not_an_object"),
        ({**GOOD, "extra": 1}, "unknown_keys"),
        ({**GOOD, "source": " "}, "missing_text"),
        ({k: v for k, v in GOOD.items() if k != "licence"}, "missing_text"),
        ({**GOOD, "codes": []}, "codes_not_a_list"),
        ({**GOOD, "codes": [{"code": "a"}]}, "bad_entry"),
        ({**GOOD, "codes": [{"code": 1, "label": "A"}]}, "bad_code"),
        ({**GOOD, "codes": [{"code": "a", "label": ""}]}, "bad_label"),
        (
            {**GOOD, "codes": [{"code": "a", "label": "A"}, {"code": "a", "label": "B"}]},
            "duplicate_code",
        ),
    ],
)
def test_bad_shapes_are_reported(document: object, reason: str) -> None:
    with pytest.raises(ClinicError) as caught:
        parse_code_list("sample", document)
    assert caught.value.code == "content.invalid"
    assert caught.value.params["file"] == "sample.json"
    assert caught.value.params["reason"] == reason


def test_duplicate_code_is_named() -> None:
    document = {**GOOD, "codes": [{"code": "a", "label": "A"}, {"code": "a", "label": "B"}]}
    with pytest.raises(ClinicError) as caught:
        parse_code_list("sample", document)
    assert caught.value.params["duplicate"] == "a"
