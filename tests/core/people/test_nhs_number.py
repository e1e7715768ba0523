"""NHS number: Modulus 11 check digit, parsing, display and synthetic test numbers."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from clinic_app.kernel.errors import ValidationError
from clinic_app.people import nhs_number
from clinic_app.people.nhs_number import (
    check_digit,
    format_nhs_number,
    is_test_range,
    is_valid,
    looks_like_nhs_number_query,
    normalise,
    synthetic_numbers,
)

# Worked by hand (weights 10..2 on the first nine digits):
#   999 000 001 -> 90+81+72+2*1 = 245; 245 mod 11 = 3; 11-3 = 8           -> 999 000 0018
#   999 000 005 -> 243+2*5 = 253; 253 mod 11 = 0; 11-0 = 11 -> 0           -> 999 000 0050
#   999 876 543 -> 243+56+42+30+20+12+6 = 409; 409 mod 11 = 2; 11-2 = 9    -> 999 876 5439
#   999 123 456 -> 243+7+12+15+16+15+12 = 320; 320 mod 11 = 1; 11-1 = 10   -> no valid number
VALID = ("9990000018", "9990000050", "9998765439")
REMAINDER_TEN_PREFIX = "999123456"

digits_text = st.text(alphabet="0123456789", min_size=9, max_size=9)


def _code_of(text: str) -> str:
    with pytest.raises(ValidationError) as caught:
        normalise(text)
    assert caught.value.field == "nhs_number"
    return caught.value.code


@pytest.mark.parametrize("number", VALID)
def test_hand_worked_numbers_are_valid(number: str) -> None:
    assert normalise(number) == number
    assert is_valid(number)


def test_check_digit_from_remainder_eleven_is_zero() -> None:
    assert check_digit("999000005") == 0


def test_check_digit_is_none_when_remainder_gives_ten() -> None:
    assert check_digit(REMAINDER_TEN_PREFIX) is None


@pytest.mark.parametrize("last", "0123456789")
def test_remainder_ten_is_unusable_whatever_the_last_digit(last: str) -> None:
    assert _code_of(REMAINDER_TEN_PREFIX + last) == "nhs_number.unusable_check"


@pytest.mark.parametrize("number", ["9990000017", "9990000051", "9998765430"])
def test_wrong_check_digit(number: str) -> None:
    assert _code_of(number) == "nhs_number.check_digit"
    assert not is_valid(number)


@pytest.mark.parametrize(("text", "length"), [("999000001", 9), ("99900000180", 11)])
def test_wrong_length_reports_length(text: str, length: int) -> None:
    with pytest.raises(ValidationError) as caught:
        normalise(text)
    assert caught.value.code == "nhs_number.length"
    assert caught.value.params["length"] == length


@pytest.mark.parametrize("digit", "0123456789")
def test_repeated_digit_is_rejected_though_the_arithmetic_passes(digit: str) -> None:
    number = digit * 10
    assert check_digit(number[:9]) == int(digit)
    assert _code_of(number) == "nhs_number.repeated_digit"


@pytest.mark.parametrize(
    "text",
    ["999 000 0018", "999-000-0018", "  9990000018\t", "999 0000018", "999 - 000 - 0018"],
)
def test_spaces_and_hyphens_between_groups_are_accepted(text: str) -> None:
    assert normalise(text) == "9990000018"


@pytest.mark.parametrize(
    "text",
    ["999O000018", "999.000.0018", "-9990000018", "9990000018-", "999_000_0018", "٩٩٩0000018"],
)
def test_anything_but_digits_and_separators_is_rejected(text: str) -> None:
    assert _code_of(text) == "nhs_number.not_digits"


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty(text: str) -> None:
    assert _code_of(text) == "nhs_number.empty"


def test_check_digit_rejects_bad_input() -> None:
    with pytest.raises(ValidationError) as caught:
        check_digit("99900001")
    assert caught.value.code == "nhs_number.length"
    with pytest.raises(ValidationError) as caught:
        check_digit("99900000x")
    assert caught.value.code == "nhs_number.not_digits"


@pytest.mark.parametrize("text", ["9990000018", "999 000 0018", "999-000-0018"])
def test_format_groups_three_three_four(text: str) -> None:
    assert format_nhs_number(text) == "999 000 0018"


def test_format_rejects_wrong_length() -> None:
    with pytest.raises(ValidationError) as caught:
        format_nhs_number("99900000")
    assert caught.value.code == "nhs_number.length"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("9990000018", True), ("999 000 0018", True), ("1234567890", False), ("999", False)],
)
def test_test_range(text: str, expected: bool) -> None:
    # 1234567890 has remainder 10, so it can never be a real person's number.
    assert is_test_range(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("999", "999"),
        ("999 000", "999000"),
        (" 999 000 0018 ", "9990000018"),
        ("999-000", "999000"),
        ("99", None),
        ("99900000181", None),
        ("smith", None),
        ("999a", None),
        ("", None),
    ],
)
def test_search_query_recognises_partial_numbers(text: str, expected: str | None) -> None:
    assert looks_like_nhs_number_query(text) == expected


def test_synthetic_numbers_are_deterministic_and_batches_follow_on() -> None:
    first = list(synthetic_numbers(20))
    assert first == list(synthetic_numbers(20))
    assert first[:2] == ["9990000018", "9990000026"]
    assert list(synthetic_numbers(10, start=10)) == first[10:]


def test_synthetic_numbers_rejects_negative_arguments() -> None:
    with pytest.raises(ValidationError) as caught:
        synthetic_numbers(-1)
    assert caught.value.code == "nhs_number.synthetic_arguments"


def test_synthetic_numbers_reports_an_exhausted_range(monkeypatch: pytest.MonkeyPatch) -> None:
    def short_range() -> Iterator[str]:
        yield from VALID

    monkeypatch.setattr(nhs_number, "_all_test_range_numbers", short_range)
    batch = synthetic_numbers(5, start=1)
    assert list(islice(batch, 2)) == list(VALID[1:])
    with pytest.raises(ValidationError) as caught:
        next(batch)
    assert caught.value.code == "nhs_number.test_range_exhausted"
    assert caught.value.params["available"] == 2


@settings(database=None)
@given(count=st.integers(0, 60), start=st.integers(0, 20_000))
def test_every_synthetic_number_is_valid_distinct_and_in_the_test_range(
    count: int, start: int
) -> None:
    numbers = list(synthetic_numbers(count, start=start))
    assert len(numbers) == count
    assert len(set(numbers)) == count
    for number in numbers:
        assert is_valid(number)
        assert is_test_range(number)


def test_every_weight_times_every_digit_change_is_nonzero_mod_11() -> None:
    # Why a single changed digit is always caught: the check digit carries weight 1, so a
    # valid number has weighted sum 0 mod 11; changing one digit adds weight * delta with
    # weight in 1..10 and delta in -9..9 (not 0), never a multiple of the prime 11.
    assert all((weight * delta) % 11 for weight in range(1, 11) for delta in range(-9, 10) if delta)


@settings(database=None)
@given(
    first_nine=digits_text, position=st.integers(0, 9), replacement=st.sampled_from("0123456789")
)
def test_changing_any_single_digit_makes_a_valid_number_invalid(
    first_nine: str, position: int, replacement: str
) -> None:
    check = check_digit(first_nine)
    assume(check is not None)
    number = f"{first_nine}{check}"
    assume(len(set(number)) > 1)
    assume(number[position] != replacement)
    assert is_valid(number)
    changed = number[:position] + replacement + number[position + 1 :]
    assert not is_valid(changed)


@settings(database=None)
@given(first_nine=digits_text, position=st.integers(0, 8))
def test_swapping_two_neighbouring_digits_makes_a_valid_number_invalid(
    first_nine: str, position: int
) -> None:
    check = check_digit(first_nine)
    assume(check is not None)
    number = f"{first_nine}{check}"
    assume(number[position] != number[position + 1])
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    assert not is_valid(swapped)
