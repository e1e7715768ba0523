"""Field formats as the data dictionary writes them, and the NHS number's check digit."""

from __future__ import annotations

import pytest

from clinic_app.server.exports.formats import fits, is_known


@pytest.mark.parametrize(
    ("form", "value", "expected"),
    [
        ("an..20", "A" * 20, True),
        ("an..20", "A" * 21, False),
        ("an2", "02", True),
        ("an2", "2", False),
        ("an1", "X", True),
        ("n..4", "25", True),
        ("n..4", "12345", False),
        ("n..4", "2.5", False),
        ("n1", "7", True),
        ("date", "2027-01-31", True),
        ("date", "2027-02-30", False),
        ("date", "31/01/2027", False),
        ("time", "09:05:00", True),
        ("time", "9:05", False),
        ("nhs_number", "9990000018", True),  # the synthetic 999 range is valid in form
        ("nhs_number", "9990000019", False),  # its check digit does not hold
        ("nhs_number", "999 000 0018", False),  # sent as ten digits, no spaces
        ("snomed", "239873007", True),
        ("snomed", "239873008", False),  # Verhoeff check digit
        ("postcode", "LS1 4AP", True),
        ("postcode", "ls1 4ap", False),
    ],
)
def test_a_value_fits_its_format_or_not(form: str, value: str, expected: bool) -> None:
    assert fits(form, value) is expected


def test_printable_characters_only_in_text_fields() -> None:
    assert not fits("an..20", "line\nbreak")
    assert not fits("an..20", "caf\u00e9")


def test_only_the_dictionarys_formats_are_known() -> None:
    assert all(is_known(form) for form in ("an..20", "n10", "date", "time", "snomed"))
    assert not any(is_known(form) for form in ("text", "an..", "max an20", "n0"))
