"""On a laptop's screen the red-flag questions fit their page: nothing cut off on the right."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, wait_idle
from tests.ui.red_flags.test_actions_window import _open
from ui.app import SCREEN_SIZE, MainWindow


@pytest.mark.parametrize("size", [(1366, 768), SCREEN_SIZE], ids=["1366x768", "opening size"])
def test_every_question_fits_the_page(
    qtbot: QtBot, signed_in: MainWindow, seeded_patient: PatientSummary, size: tuple[int, int]
) -> None:
    window = signed_in
    window.resize(*size)
    _open(qtbot, window, seeded_patient)
    qtbot.keyClick(
        window,
        Qt.Key.Key_R,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    flags = window.screen_by_id("red_flags")
    view = flags.view
    qtbot.waitUntil(lambda: view.question_rows != {}, timeout=WAIT_MS)
    if "cauda_equina" not in flags.view_model.chosen:
        flags.view_model.add_screen("cauda_equina")
    wait_idle(window)
    QApplication.processEvents()

    if shots := os.environ.get("ONESTOP_SCREENSHOTS"):
        window.grab().save(os.path.join(shots, f"red_flags_{size[0]}.png"))
    body = view.scroll_area.widget()
    viewport = view.scroll_area.viewport()
    assert body.width() <= viewport.width()
    # Every question's words and answers lie inside what the page shows.
    for row in view.question_rows.values():
        right = row.mapTo(body, row.rect().topRight()).x()
        assert right <= viewport.width()
