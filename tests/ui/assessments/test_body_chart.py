"""The body chart: the patient's left and right, mouse and keyboard selection, red-flag regions."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QFocusEvent, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.domains.red_flags.rules import BODY_REGIONS
from ui.common import theme
from ui.common.body_chart import (
    BACK,
    FRONT,
    RED_FLAG_REGIONS,
    REGION_NAMES,
    BodyChart,
    red_flag_regions,
)

# Screenshots for a person to look at, only when asked for: ONESTOP_SHOTS=folder pytest ...
SHOTS = Path(os.environ["ONESTOP_SHOTS"]) if os.environ.get("ONESTOP_SHOTS") else None


def _keep(image: QImage, name: str) -> None:
    """Save a screenshot for a person to look at, when ONESTOP_SHOTS names a folder."""
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        image.save(str(SHOTS / name))


def _chart(qtbot: QtBot) -> BodyChart:
    theme.apply_theme(QApplication.instance())  # type: ignore[arg-type]
    chart = BodyChart()
    qtbot.addWidget(chart)
    chart.resize(640, 700)
    chart.show()
    qtbot.waitExposed(chart)
    return chart


def _where(chart: BodyChart, view: str, code: str) -> QPoint:
    spot = next(s for s in chart.hotspots() if s.view == view and s.code == code)
    centre = spot.path.boundingRect().center()
    # The centre of a curved shape can fall outside it; step towards a point inside.
    if not spot.path.contains(centre):
        centre = spot.path.pointAtPercent(0.0) * 0.5 + centre * 0.5
    return chart.to_widget(centre).toPoint()


def test_clicking_a_region_selects_it_and_says_so(qtbot: QtBot) -> None:
    chart = _chart(qtbot)
    with qtbot.waitSignal(chart.selection_changed) as changed:
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=_where(chart, FRONT, "left_knee"))
    assert changed.args == [["left_knee"]]
    assert chart.selection() == ["left_knee"]
    assert "Left knee" in chart.accessibleDescription()

    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=_where(chart, BACK, "left_knee"))
    assert chart.selection() == []


def test_the_patients_right_shoulder_is_on_the_viewers_left_from_the_front(qtbot: QtBot) -> None:
    chart = _chart(qtbot)
    front_middle = chart.to_widget(QPointF(100, 0)).x()
    back_middle = chart.to_widget(QPointF(340, 0)).x()

    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(int(front_middle - 50), 200))
    assert chart.selection() == ["right_shoulder"]
    chart.set_selection([])
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(int(back_middle - 50), 200))
    assert chart.selection() == ["left_shoulder"]


def test_the_keyboard_moves_a_focus_ring_and_space_toggles(qtbot: QtBot) -> None:
    chart = _chart(qtbot)
    assert chart.focusPolicy() == Qt.FocusPolicy.StrongFocus
    # What Tab delivers; sent directly because the offscreen platform may not activate windows.
    QApplication.sendEvent(chart, QFocusEvent(QEvent.Type.FocusIn, Qt.FocusReason.TabFocusReason))
    assert chart.focused_region() == (FRONT, "head")
    qtbot.keyClick(chart, Qt.Key.Key_Down)
    assert chart.focused_region() == (FRONT, "cervical_spine")
    qtbot.keyClick(chart, Qt.Key.Key_Space)
    assert chart.selection() == ["cervical_spine"]
    # Right arrow walks across the front figure and on to the back one.
    for _ in range(8):
        qtbot.keyClick(chart, Qt.Key.Key_Right)
        if (chart.focused_region() or ("", ""))[0] == BACK:
            break
    view, code = chart.focused_region() or ("", "")
    assert view == BACK
    qtbot.keyClick(chart, Qt.Key.Key_Return)
    assert code in chart.selection()
    qtbot.keyClick(chart, Qt.Key.Key_Space)
    assert chart.selection() == ["cervical_spine"]


def test_every_region_falls_under_red_flag_regions_the_core_knows() -> None:
    assert set(RED_FLAG_REGIONS) == set(REGION_NAMES)
    for code, regions in RED_FLAG_REGIONS.items():
        assert regions, code
        assert regions <= BODY_REGIONS, code
    assert red_flag_regions(["lumbar_spine", "left_knee"]) == {"lumbar_spine", "leg", "any_joint"}


def test_every_region_can_be_clicked_on_some_view(qtbot: QtBot) -> None:
    chart = _chart(qtbot)
    shown = {spot.code for spot in chart.hotspots() if not spot.path.isEmpty()}
    assert shown == set(REGION_NAMES)


def test_screenshot_with_regions_selected(qtbot: QtBot) -> None:
    chart = _chart(qtbot)
    chart.set_selection(["right_shoulder", "left_knee", "lumbar_spine", "right_wrist_hand"])
    image = chart.grab().toImage()
    assert image.format() != QImage.Format.Format_Invalid
    _keep(image, "body_chart.png")
