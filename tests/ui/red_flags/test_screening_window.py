"""Through the window: a low back pain patient screened once, the emergency, its action form."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QRadioButton, QWidget
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.domains.red_flags.rules import Answer
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, search_for, wait_idle
from ui.app import MainWindow

CES = "cauda_equina"
SHORTCUT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _open(qtbot: QtBot, window: MainWindow, patient: PatientSummary) -> None:
    window.screen_by_id("search").view_model.choose_patient(patient.id)
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("patient").view, timeout=WAIT_MS
    )
    wait_idle(window)


def _click(qtbot: QtBot, scroll: object, button: QWidget) -> None:
    scroll.ensureWidgetVisible(button)  # type: ignore[attr-defined]
    qtbot.wait(10)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _shots() -> Path:
    folder = os.environ.get("ONESTOP_SCREENSHOTS")
    return Path(folder) if folder else Path(tempfile.mkdtemp(prefix="red-flag-screening-"))


def test_a_low_back_pain_patient_is_screened_once_and_the_emergency_opens_its_action_form(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = signed_in
    window.resize(1366, 740)
    _open(qtbot, window, seeded_patient)
    # The assessment's body chart: lower back.
    qtbot.keyClick(window, Qt.Key.Key_A, SHORTCUT)
    wait_idle(window)
    window.screen_by_id("assessment").view.body_chart.toggle("lumbar_spine")
    qtbot.keyClick(window, Qt.Key.Key_R, SHORTCUT)
    flags = window.screen_by_id("red_flags")
    assert window.pages.currentWidget() is flags.page
    view = flags.view
    qtbot.waitUntil(lambda: CES in view.outcome_rows, timeout=WAIT_MS)
    wait_idle(window)
    assert {CES, "mscc", "spinal_infection"} <= set(flags.view_model.chosen)
    assert len(view.findChildren(QRadioButton, "bladder_change_yes")) == 1
    hint = flags.page.minimumSizeHint()
    assert hint.width() <= 1366
    assert hint.height() <= 700

    for code in ("saddle_numbness", "bladder_change"):
        _click(qtbot, view.scroll_area, view.question_rows[code].buttons[Answer.YES])
    assert view.live_emergency.isVisibleTo(view)
    shots = _shots()
    view.scroll_area.verticalScrollBar().setValue(0)
    wait_idle(window)
    window.grab().save(str(shots / "red_flag_screening_live.png"))

    qtbot.mouseClick(view.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(view.banners) == 1, timeout=WAIT_MS)
    wait_idle(window)
    qtbot.wait(50)
    window.grab().save(str(shots / "red_flag_screening_recorded.png"))
    user = window.session.user
    assert user is not None
    (owed,) = clinic.red_flags.unresolved(user, seeded_patient.id)
    assert owed.screen_id == CES

    qtbot.mouseClick(view.banners[0].record_action_button, Qt.MouseButton.LeftButton)
    actions = window.screen_by_id("red_flag_actions")
    assert window.pages.currentWidget() is actions.page
    qtbot.waitUntil(lambda: owed.id in actions.view.forms, timeout=WAIT_MS)
    wait_idle(window)
    window.grab().save(str(shots / "red_flag_screening_action_form.png"))

    # Another patient: the screening page is blank for them, with no banner of the first.
    other = next(p for p in search_for(qtbot, window, "999") if p.id != seeded_patient.id)
    _open(qtbot, window, other)
    assert view.question_rows == {}  # cleared as soon as the patient changed
    window.open_screen("red_flags")
    qtbot.waitUntil(lambda: bool(view.question_rows), timeout=WAIT_MS)
    wait_idle(window)
    assert flags.view_model.patient_id == other.id
    assert set(view.answers().values()) <= {Answer.NOT_ASKED.value}
    assert view.banners == []
    print(shots)
