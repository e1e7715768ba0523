"""The letters' resources load, carry their sources, and print as the headings say."""

from __future__ import annotations

import json
import subprocess
from importlib import resources

from clinic_app.domains.letters.content import TARGET_KEYS, prsb_headings, shipped_targets
from clinic_app.domains.letters.pdf import letter_pdf
from tests.bench.bench_letter import discharge_letter

MANDATORY = {
    "patient_demographics",
    "gp_practice",
    "attendance_details",
    "clinical_summary",
    "allergies",
    "person_completing_record",
}


def test_the_headings_file_is_sourced_and_its_mandatory_headings_come_first() -> None:
    data = json.loads((resources.files("resources") / "letters" / "headings.json").read_text())
    assert data["source"]
    assert data["licence"]
    headings = prsb_headings()
    assert {h.key for h in headings if h.mandatory} == MANDATORY
    assert [h.mandatory for h in headings[: len(MANDATORY)]] == [True] * len(MANDATORY)
    assert {h.key: h.snomed for h in headings}["allergies"] == "886921000000105"
    assert len({h.snomed for h in headings}) == len(headings)


def test_every_target_has_a_source_and_a_default() -> None:
    targets = shipped_targets()
    assert set(targets) == set(TARGET_KEYS)
    assert targets["discharge_working_days"].value == 5
    assert targets["onward_referral_notice_days"].value == 7
    assert all(target.source for target in targets.values())


def _text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def test_a_two_page_discharge_letter_prints_every_mandatory_heading_and_the_facts() -> None:
    pdf = letter_pdf(discharge_letter())
    words = _text(pdf)

    for heading in prsb_headings():
        if heading.mandatory:
            assert heading.title in words, heading.title
    assert "Page 2 of 2" in words
    assert "batch AB1234" in words
    assert "MSK-HQ: 22 at the start, 34 now (+12)" in words
    assert pdf == letter_pdf(discharge_letter())  # the same letter, the same bytes


def test_large_print_is_larger() -> None:
    standard = letter_pdf(discharge_letter())
    large = letter_pdf(discharge_letter(large_print=True))
    assert large.count(b"/Type /Page") > standard.count(b"/Type /Page")
