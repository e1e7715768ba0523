"""Small numbers leaving the service: counts 1 to 4 shown as "<5", and what is made of them."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from clinic_app.figures.results import NO_DATA, OK, TOO_FEW, FigureRow, Figures, TargetView
from clinic_app.figures.suppression import suppress, suppress_row
from clinic_app.kernel.errors import ClinicError


def row(numerator: int | None, denominator: int | None, value: float | None) -> FigureRow:
    status = OK if value is not None else NO_DATA
    return FigureRow("k", "Label", numerator, denominator, value, status)


def test_counts_one_to_four_are_shown_as_under_five_and_so_is_their_share() -> None:
    assert suppress_row(row(1, 10, 0.1)) == FigureRow("k", "Label", "<5", 10, "<5", OK)
    assert suppress_row(row(4, 4, 1.0)) == FigureRow("k", "Label", "<5", "<5", "<5", OK)
    assert suppress_row(row(6, 3, 2.0)).denominator == "<5"


def test_zero_and_five_or_more_are_shown() -> None:
    assert suppress_row(row(0, 10, 0.0)) == row(0, 10, 0.0)
    assert suppress_row(row(5, 5, 1.0)) == row(5, 5, 1.0)
    assert suppress_row(row(None, 0, None)) == row(None, 0, None)


def test_a_share_over_a_small_denominator_is_hidden_even_with_a_zero_numerator() -> None:
    assert suppress_row(row(0, 3, 0.0)) == FigureRow("k", "Label", 0, "<5", "<5", OK)


def test_a_count_s_value_goes_with_its_count() -> None:
    counted = FigureRow("knee_joint", "knee_joint", 2, None, 2.0, OK)

    assert suppress_row(counted) == FigureRow("knee_joint", "knee_joint", "<5", None, "<5", OK)


def test_a_row_with_no_figure_keeps_none() -> None:
    too_few = FigureRow("k", "Label", 1, 2, None, TOO_FEW)

    assert suppress_row(too_few) == FigureRow("k", "Label", "<5", "<5", None, TOO_FEW)


def test_suppressed_figures_say_so_in_their_json() -> None:
    figures = Figures(
        measure="did_not_attend_rate",
        title="Care contacts not attended",
        unit="share",
        kind="share",
        first=date(2027, 1, 1),
        last=date(2027, 1, 1),
        breakdown="all",
        clinician_id=uuid.UUID(int=1),
        status=OK,
        rows=(row(2, 9, 2 / 9),),
    )

    shown = suppress(figures).to_json()

    assert shown["suppressed"] is True
    assert shown["rows"] == [
        {
            "key": "k",
            "label": "Label",
            "numerator": "<5",
            "denominator": 9,
            "value": "<5",
            "status": "ok",
        }
    ]
    assert (shown["first"], shown["clinician_id"]) == ("2027-01", str(uuid.UUID(int=1)))


def test_figures_read_back_from_their_json_are_the_same_suppressed_or_not() -> None:
    figures = Figures(
        measure="did_not_attend_rate",
        title="Care contacts not attended",
        unit="share",
        kind="share",
        first=date(2027, 1, 1),
        last=date(2027, 2, 1),
        breakdown="month",
        clinician_id=None,
        status="ok",
        rows=(
            FigureRow("2027-01", "January 2027", 3, 40, 0.075, "ok"),
            FigureRow("2027-02", "February 2027", 12, 50, 0.24, "ok"),
        ),
        target=TargetView(0.1, "at_most", "A cited clause"),
    )

    assert Figures.from_json(figures.to_json()) == figures
    assert Figures.from_json(suppress(figures).to_json()) == suppress(figures)
    with pytest.raises(ClinicError):
        Figures.from_json({"measure": "x"})
