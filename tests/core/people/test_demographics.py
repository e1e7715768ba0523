"""Demographics: age (including leap-day births), date of birth, postcode and names."""

from __future__ import annotations

from datetime import date

import pytest

from clinic_app.kernel.errors import ValidationError
from clinic_app.people.demographics import (
    age_on,
    format_age,
    normalise_name,
    validate_date_of_birth,
    validate_postcode,
)


@pytest.mark.parametrize(
    ("born", "on", "years"),
    [
        (date(1978, 6, 15), date(2025, 6, 14), 46),
        (date(1978, 6, 15), date(2025, 6, 15), 47),
        (date(1978, 6, 15), date(2025, 12, 31), 47),
        (date(2025, 1, 1), date(2025, 1, 1), 0),
        (date(1999, 12, 31), date(2000, 1, 1), 0),
    ],
)
def test_age_in_completed_years(born: date, on: date, years: int) -> None:
    assert age_on(born, on) == years


@pytest.mark.parametrize(
    ("on", "years"),
    [
        (date(2005, 2, 28), 16),  # common year: not yet 17 on 28 February
        (date(2005, 3, 1), 17),  # ... but 17 on 1 March
        (date(2008, 2, 28), 19),  # leap year: the birthday is 29 February itself
        (date(2008, 2, 29), 20),
        (date(2008, 3, 1), 20),
    ],
)
def test_leap_day_birth_counts_from_first_of_march_in_common_years(on: date, years: int) -> None:
    assert age_on(date(1988, 2, 29), on) == years


def test_age_before_birth_is_an_error() -> None:
    with pytest.raises(ValidationError) as caught:
        age_on(date(2020, 5, 1), date(2020, 4, 30))
    assert caught.value.code == "date_of_birth.future"


def test_format_age() -> None:
    assert format_age(47) == "47y"
    assert format_age(0) == "0y"
    with pytest.raises(ValidationError) as caught:
        format_age(-1)
    assert caught.value.code == "age.negative"


def test_date_of_birth_today_or_in_the_past_is_accepted() -> None:
    today = date(2025, 3, 10)
    validate_date_of_birth(today, today)
    validate_date_of_birth(date(1894, 3, 11), today)  # 130, a day short of 131


@pytest.mark.parametrize(
    ("born", "code"),
    [
        (date(2025, 3, 11), "date_of_birth.future"),
        (date(1894, 3, 10), "date_of_birth.too_old"),
    ],
)
def test_implausible_date_of_birth(born: date, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_date_of_birth(born, date(2025, 3, 10))
    assert caught.value.code == code
    assert caught.value.field == "date_of_birth"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ls1 4ap", "LS1 4AP"),
        ("LS14AP", "LS1 4AP"),
        ("  sw1a  1aa ", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("b33 8th", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("W1A 0AX", "W1A 0AX"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("gir0aa", "GIR 0AA"),
    ],
)
def test_postcode_is_normalised(text: str, expected: str) -> None:
    assert validate_postcode(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "LS1", "4AP", "LS1 4A", "LS1 A4P", "1LS 4AP", "LS1-4AP", "ABC1 4AP", "LS1 44P"],
)
def test_postcode_with_the_wrong_shape_is_rejected(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_postcode(text)
    assert caught.value.code == "postcode.invalid"
    assert caught.value.field == "postcode"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Mary  ", "Mary"),
        ("Mary   Jane", "Mary Jane"),
        ("O'Brien", "O'Brien"),
        ("O\u2019Brien", "O\u2019Brien"),
        ("Smith-Jones", "Smith-Jones"),
        ("St. John", "St. John"),
        ("Zoë", "Zoë"),
        ("Siân\tLlewelyn", "Siân Llewelyn"),
        ("Ó Súilleabháin", "Ó Súilleabháin"),
        ("Zoe\u0308", "Zoë"),  # decomposed accent is composed
    ],
)
def test_names_are_tidied(text: str, expected: str) -> None:
    assert normalise_name(text, "given_name") == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "name.empty"),
        ("   \t", "name.empty"),
        ("A" * 101, "name.too_long"),
        ("R2D2", "name.characters"),
        ("Smith, John", "name.characters"),
        ("Smith_", "name.characters"),
        ("<b>", "name.characters"),
        ("- . '", "name.characters"),
    ],
)
def test_bad_names_are_rejected_with_the_field(text: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        normalise_name(text, "family_name")
    assert caught.value.code == code
    assert caught.value.field == "family_name"


def test_name_at_the_limit_is_accepted_and_over_reports_lengths() -> None:
    assert normalise_name("A" * 100, "family_name") == "A" * 100
    with pytest.raises(ValidationError) as caught:
        normalise_name("A" * 101, "family_name")
    assert caught.value.params == {"length": 101, "max_length": 100}
