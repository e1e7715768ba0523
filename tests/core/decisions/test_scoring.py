"""CollaboRATE's top box and SDM-Q-9's 0-100 score, and CollaboRATE's shipped items."""

from __future__ import annotations

import pytest

from clinic_app.domains.decisions.content import collaborate
from clinic_app.domains.decisions.rules import (
    collaborate_complete,
    collaborate_top_box,
    sdm_q9_score,
)


@pytest.mark.parametrize(
    ("items", "top_box"),
    [
        ((9, 9, 9), True),
        ((9, 9, 8), False),
        ((0, 0, 0), False),
        ((8, 9, 9), False),
        ((9, None, 9), None),
        ((9, 9), None),
        (None, None),
    ],
)
def test_collaborate_is_top_box_only_when_all_three_are_nine(
    items: tuple[int | None, ...] | None, top_box: bool | None
) -> None:
    assert collaborate_top_box(items) is top_box
    assert collaborate_complete(items) is (top_box is not None)


@pytest.mark.parametrize(
    ("items", "score"),
    [
        ((5,) * 9, 100.0),
        ((0,) * 9, 0.0),
        ((1,) * 9, 20.0),
        ((5, 4, 3, 2, 1, 0, 5, 4, 3), 27 * 20 / 9),
        ((5, 5, 5, 5, 5, 5, 5, 5, None), None),
        ((5,) * 8, None),
        (None, None),
    ],
)
def test_sdm_q9_is_the_raw_sum_times_20_over_9_and_incomplete_with_an_item_missing(
    items: tuple[int | None, ...] | None, score: float | None
) -> None:
    result = sdm_q9_score(items)

    if score is None:
        assert result is None
    else:
        assert result == pytest.approx(score)


def test_collaborate_ships_its_three_items_with_their_source() -> None:
    measure = collaborate()

    assert [item.code for item in measure.items] == ["understand", "listen", "include"]
    assert all(item.text.startswith("How much effort was made") for item in measure.items)
    assert (measure.scale.min, measure.scale.max) == (0, 9)
    assert "Elwyn" in measure.source
    assert "2013" in measure.source
    assert "Creative Commons" in measure.licence
