"""The icon array on screen: as many filled figures as the number, filled first, with words."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from tests.support import pictures
from ui.domains.decisions.consultation.icon_array import (
    BENEFIT_COLOUR,
    RISK_COLOUR,
    IconArrayView,
    IconGrid,
)


def _coloured_cells(image: QImage, colour: str, side: int) -> list[bool]:
    """For each of the 100 cells, whether its centre column holds the figure's colour."""
    wanted = QColor(colour)
    cell = side / 10
    found: list[bool] = []
    for index in range(100):
        row, column = divmod(index, 10)
        x = int(column * cell + cell / 2)
        hits = 0
        for step in range(int(cell)):
            y = int(row * cell + step)
            pixel = image.pixelColor(x, y)
            if (
                abs(pixel.red() - wanted.red()) < 40
                and abs(pixel.green() - wanted.green()) < 40
                and abs(pixel.blue() - wanted.blue()) < 40
            ):
                hits += 1
        found.append(hits > cell * 0.3)
    return found


@pytest.mark.parametrize(
    ("per_100", "kind"), [(0, "benefit"), (40, "benefit"), (7, "risk"), (100, "risk")]
)
def test_the_filled_figures_are_the_number_from_the_top_left(
    qtbot: QtBot, per_100: int, kind: str
) -> None:
    view = IconArrayView(per_100, "have less pain", kind, "after 3 months")
    qtbot.addWidget(view)
    view.set_side(200)
    view.resize(520, 220)
    view.show()
    qtbot.waitExposed(view)
    image = view.grid.grab().toImage()
    colour = RISK_COLOUR if kind == "risk" else BENEFIT_COLOUR
    cells = _coloured_cells(image, colour, 200)
    assert sum(cells) == per_100
    assert cells == [True] * per_100 + [False] * (100 - per_100)
    words = f"{per_100} in 100 people have less pain"
    assert view.sentence == words
    # Heard with its time frame, as the words and the time frame are read on screen.
    assert view.accessibleName() == f"{words}, after 3 months"
    assert view.grid.accessibleName() == f"{words}, after 3 months"
    assert view.grid.accessibleDescription() == (
        f"A picture of 100 people, {per_100} of them coloured in."
    )
    assert view.time_frame.text() == "after 3 months"
    pictures.keep(view, f"icon_array_{kind}_{per_100}.png")


def test_the_drawing_scales_with_the_widget(qtbot: QtBot) -> None:
    grid = IconGrid()
    qtbot.addWidget(grid)
    view = IconArrayView(25, "feel better")
    qtbot.addWidget(view)
    grid.show_array(view.grid.array, BENEFIT_COLOUR)
    for side in (120, 300):
        grid.resize(side, side)
        image = grid.grab().toImage()
        assert sum(_coloured_cells(image, BENEFIT_COLOUR, side)) == 25
