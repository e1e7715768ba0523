"""The score chart: draws with and without a minimal important change band, never fakes a score."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.domains.questionnaires.content import questionnaire
from ui.common import theme
from ui.common.score_chart import ScoreChart, short_date

# Screenshots for a person to look at, only when asked for: ONESTOP_SHOTS=folder pytest ...
SHOTS = Path(os.environ["ONESTOP_SHOTS"]) if os.environ.get("ONESTOP_SHOTS") else None


def _keep(image: QImage, name: str) -> None:
    """Save a screenshot for a person to look at, when ONESTOP_SHOTS names a folder."""
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        image.save(str(SHOTS / name))


def _chart(qtbot: QtBot) -> ScoreChart:
    theme.apply_theme(QApplication.instance())  # type: ignore[arg-type]
    chart = ScoreChart()
    qtbot.addWidget(chart)
    chart.resize(640, 340)
    chart.show()
    qtbot.waitExposed(chart)
    return chart


def _colours(image: QImage) -> set[int]:
    return {
        image.pixel(QPoint(x, y))
        for x in range(0, image.width(), 3)
        for y in range(0, image.height(), 3)
    }


def _has_band(image: QImage) -> bool:
    """Whether a wide area is the band's colour: NHS blue at 12 % over white."""
    blue = QColor(theme.NHS_BLUE)
    wanted = [round(255 * 0.88 + part * 0.12) for part in (blue.red(), blue.green(), blue.blue())]
    matches = 0
    for pixel in (
        image.pixel(QPoint(x, y))
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
    ):
        colour = QColor(pixel)
        got = (colour.red(), colour.green(), colour.blue())
        matches += all(abs(a - b) <= 2 for a, b in zip(got, wanted, strict=True))
    return matches > 500


def test_scores_with_the_minimal_important_change_band(qtbot: QtBot) -> None:
    chart = _chart(qtbot)
    definition = questionnaire("msk_hq")
    assert definition.minimal_important_change is not None
    chart.set_series(
        definition,
        [(date(2025, 1, 6), 28), (date(2025, 2, 3), None), (date(2025, 3, 3), 35)],
    )
    image = chart.grab().toImage()
    _keep(image, "score_chart_msk_hq.png")

    assert len(_colours(image)) > 20
    assert _has_band(image)
    assert chart.baseline() == (date(2025, 1, 6), 28)
    assert chart.incomplete_count() == 1
    assert "03-Feb-25: incomplete" in chart.accessibleDescription()


def test_scores_without_a_band_when_the_questionnaire_has_none(qtbot: QtBot) -> None:
    chart = _chart(qtbot)
    definition = questionnaire("pain_nrs")
    assert definition.minimal_important_change is None
    chart.set_series(definition, [(date(2025, 1, 6), 8), (date(2025, 3, 3), 3)])
    image = chart.grab().toImage()
    _keep(image, "score_chart_pain_nrs.png")

    assert len(_colours(image)) > 20
    assert not _has_band(image)


def test_an_incomplete_response_is_a_hollow_marker_on_the_bottom_edge(qtbot: QtBot) -> None:
    chart = _chart(qtbot)
    chart.set_series(questionnaire("pain_nrs"), [(date(2025, 1, 6), None)])
    image = chart.grab().toImage()
    assert chart.baseline() is None
    # Nothing solid blue: no scored point or line is drawn for it.
    blue = QColor(theme.NHS_BLUE).rgb()
    assert blue not in _colours(image)
    assert len(_colours(image)) > 5


def test_empty_state(qtbot: QtBot) -> None:
    chart = _chart(qtbot)
    chart.set_series(questionnaire("pain_nrs"), [])
    assert chart.empty_text() == "No scores recorded yet."
    assert short_date(date(2025, 3, 5)) == "05-Mar-25"
