"""The take-home summary, read back: every option and number of the aid, and the choice."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas

from clinic_app.domains.decisions.content import (
    UNDECIDED,
    DecisionAid,
    decision_aids,
    icon_array,
    in_100_words,
)
from clinic_app.domains.decisions.pdf import (
    BENEFIT_COLOUR,
    IconArrayDrawing,
    TakeHome,
    take_home_pdf,
)
from tests.support import pictures

AIDS = Path(__file__).parent / "aids" / "good"
_BORN = date(1960, 5, 17)


@pytest.fixture
def aid() -> DecisionAid:
    catalogue = decision_aids(AIDS)
    assert catalogue.refused == ()
    [found] = [aid for aid in catalogue.offered if aid.id == "sample_aid"]
    return found


def _words(pdf: bytes, *, layout: bool = False) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext is not installed")
    args = [tool, *(["-layout"] if layout else []), "-", "-"]
    text = subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()
    return re.sub(r"\s+", " ", text)


def _body_heights(pdf: bytes, word: str) -> list[float]:
    """The heights (points) of every printed ``word``, read back from the PDF."""
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext is not installed")
    html = subprocess.run(
        [tool, "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    found = re.findall(
        r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">' + re.escape(word) + "<", html
    )
    return [float(bottom) - float(top) for top, bottom in found]


def _shot(pdf: bytes, name: str) -> None:
    pictures.keep_pdf(pdf, name, resolution=60)


def test_every_option_and_number_and_the_choice_are_printed(aid: DecisionAid) -> None:
    home = TakeHome(
        patient_name="EXAMPLE, Alex",
        nhs_number="999 000 0018",
        date_of_birth=_BORN,
        on=date(2026, 12, 5),
        ratings={"avoid_needles": 9, "quick_relief": 4},
        choice="self_management",
        choice_words="I would rather keep away from needles and try the exercises first.",
        questions="Can I still go swimming?",
        clinician="Priya Shah",
    )
    pdf = take_home_pdf(aid, home)
    words = _words(pdf)
    for option in aid.options:
        assert option.title in words
        for outcome in option.outcomes:
            assert in_100_words(outcome.per_100, outcome.text) in words
    assert "What you chose Looking after it yourself" in words
    assert "I would rather keep away from needles and try the exercises first." in words
    assert "Can I still go swimming?" in words
    # What mattered most, highest first.
    assert words.index("Avoiding needles: 9 out of 10") < words.index(
        "Getting relief quickly: 4 out of 10"
    )
    assert "EXAMPLE, Alex Born 17 May 1960 NHS 999 000 0018" in words
    for source in aid.sources:
        # The year once: added after a citation without it, never after one that gives it.
        year = f"({source.year})"
        if str(source.year) in source.citation:
            assert f"{source.citation} {year}" not in words
        else:
            assert f"{source.citation.rstrip('.')} {year}" in words
    for reading in aid.further_reading:
        assert reading.url in words
    _shot(pdf, "take_home")


def test_not_decided_yet_is_said_so(aid: DecisionAid) -> None:
    home = TakeHome(
        patient_name="EXAMPLE, Alex",
        nhs_number="",
        date_of_birth=_BORN,
        on=date(2026, 12, 5),
        choice=UNDECIDED,
    )
    words = _words(take_home_pdf(aid, home))
    assert "What you chose Not decided yet: you will think about it." in words
    assert "You did not rate what matters to you this time." in words
    # The self-management option is printed, but not as the choice.
    assert "What you chose Looking after it yourself" not in words


def test_large_print_is_larger(aid: DecisionAid) -> None:
    home = TakeHome(
        patient_name="EXAMPLE, Alex", nhs_number="", date_of_birth=_BORN, on=date(2026, 12, 5)
    )
    regular = take_home_pdf(aid, home)
    large = take_home_pdf(aid, home, large_print=True)
    large_words = _words(large)
    for option in aid.options:
        assert option.title in large_words
        for outcome in option.outcomes:
            assert in_100_words(outcome.per_100, outcome.text) in large_words
    smallest_large = min(_body_heights(large, "Exercises"))
    largest_regular = max(_body_heights(regular, "Exercises"))
    assert smallest_large > largest_regular * 1.3
    _shot(large, "take_home_large")


@pytest.mark.parametrize("per_100", [0, 1, 37, 100])
def test_the_printed_icon_array_fills_as_many_figures_as_the_number(per_100: int) -> None:
    out = BytesIO()
    canvas = Canvas(out, pageCompression=0)
    IconArrayDrawing(icon_array(per_100), BENEFIT_COLOUR, 100).drawOn(canvas, 50, 50)
    page = "\n".join(canvas._code)  # the page's drawing operators, before saving
    filled = page.count(canvas._doc.getXObjectName("sdmFigure005eb8") + " Do")
    outline = page.count(canvas._doc.getXObjectName("sdmFigureOutline") + " Do")
    assert (filled, outline) == (per_100, 100 - per_100)
    canvas.save()


@pytest.mark.parametrize("large_print", [False, True])
def test_a_long_name_keeps_its_line_whole_and_the_page_words_move_aside(
    aid: DecisionAid, large_print: bool
) -> None:
    name = "MONTGOMERY-FOTHERINGHAM-WILLIAMSON, Alexandra Josephine Bartholomew"
    home = TakeHome(
        patient_name=name,
        nhs_number="999 000 0018",
        date_of_birth=_BORN,
        on=date(2026, 12, 5),
        choice=UNDECIDED,
    )
    pdf = take_home_pdf(aid, home, large_print=large_print)
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext is not installed")
    pages = (
        subprocess.run([tool, "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
        .stdout.decode()
        .split("\f")
    )
    for number, page in enumerate(p for p in pages if p.strip()):
        lines = [" ".join(line.split()) for line in page.splitlines() if line.strip()]
        named = [line for line in lines if name in line]
        # Head and foot: the whole name, date of birth and NHS number, nothing drawn over them.
        assert len(named) == 2, lines
        whole = f"{name} Born 17 May 1960 NHS 999 000 0018"
        assert all(line.startswith(whole) for line in named), named
        assert any(re.search(r"Page \d+ of \d+", line) for line in lines), number


def test_a_source_is_listed_with_its_year_once() -> None:
    from clinic_app.domains.decisions.content import Source
    from clinic_app.domains.decisions.pdf import _source_line

    dated = Source.model_validate(
        {
            "id": "a",
            "citation": "Someone A. A trial. J Tests. 2013;1:1.",
            "year": 2013,
            "population": "Adults with a sore elbow",
        }
    )
    undated = Source.model_validate(
        {"id": "b", "citation": "A guideline.", "year": 2020, "population": "Adults"}
    )
    assert _source_line(dated) == "Someone A. A trial. J Tests. 2013;1:1. Adults with a sore elbow."
    assert _source_line(undated) == "A guideline (2020). Adults."
