"""Every printed page names its patient twice over: name and date of birth, NHS number too."""

from __future__ import annotations

from datetime import date

from clinic_app.kernel.pdf_kit import PrintedRecord, PrintedSection, patient_words, record_pdf
from tests.support.printed import page_words, pages_missing

BORN = date(1950, 4, 1)


def _record(nhs_number: str) -> PrintedRecord:
    long_words = "The patient walked to the shops and back without stopping. " * 40
    return PrintedRecord(
        title="Contact note",
        patient_name="SMITH, John",
        identity=(),
        status="Status: signed",
        sections=tuple(PrintedSection(f"Part {n}", long_words) for n in range(6)),
        sign_off=(),
        final=True,
        date_of_birth=BORN,
        nhs_number=nhs_number,
    )


def test_the_words_are_name_date_of_birth_and_the_nhs_number_when_known() -> None:
    assert patient_words("SMITH, John", BORN, "") == "SMITH, John  Born 1 April 1950"
    assert (
        patient_words("SMITH, John", BORN, "999 000 0018")
        == "SMITH, John  Born 1 April 1950  NHS 999 000 0018"
    )


def test_a_patient_with_no_nhs_number_has_their_date_of_birth_on_every_page() -> None:
    pdf = record_pdf(_record(""))

    assert len(page_words(pdf)) > 1
    assert pages_missing(pdf, "SMITH, John", "Born 1 April 1950") == []


def test_a_patient_with_an_nhs_number_has_both_on_every_page() -> None:
    pdf = record_pdf(_record("999 000 0018"))

    assert len(page_words(pdf)) > 1
    assert pages_missing(pdf, "SMITH, John", "Born 1 April 1950", "NHS 999 000 0018") == []
