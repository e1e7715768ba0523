"""A clinician's morning worked from the keyboard alone: the list starts on its first row,
each step's key acts on the chosen row only, Escape leaves a dialog with nothing recorded and
the keyboard back in the list."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.appointments.conftest import Day
from tests.ui.appointments.test_day_list import day_screen
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, wait_idle
from ui.app import MainWindow
from ui.domains.appointments.day.screens import DayScreen

ALT = Qt.KeyboardModifier.AltModifier
#: A button's key clicks it after its pressed look has shown.
ANIMATED_CLICK_MS = 250


def _focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "the keyboard is nowhere"
    return widget


def _press(qtbot: QtBot, window: MainWindow, key: Qt.Key, modifier=ALT) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(_focused(), key, modifier)
    qtbot.wait(ANIMATED_CLICK_MS)
    wait_idle(window)


def _status(clinic: Services, day: Day, index: int) -> str:
    return clinic.appointments.get(day.clinician, day.mine[index].id).status


def _chosen_id(screen: DayScreen) -> object:
    entry = screen.view.chosen()
    return entry.appointment.id if entry is not None else None


def test_the_day_is_worked_without_the_mouse(
    qtbot: QtBot, clinic: Services, window: MainWindow, day: Day
) -> None:
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    sign_in(qtbot, window, CLINICIAN)
    screen = day_screen(qtbot, window)
    table = screen.view.table

    # Straight after sign-in the list has the keyboard, on its first (09:00) appointment.
    assert _focused() is table
    assert _chosen_id(screen) == day.mine[1].id

    # Alt+A arrived, Alt+R in the room: that row only.
    _press(qtbot, window, Qt.Key.Key_A)
    assert _status(clinic, day, 1) == "arrived"
    _press(qtbot, window, Qt.Key.Key_R)
    assert _status(clinic, day, 1) == "in_room"
    assert [_status(clinic, day, i) for i in (0, 2, 3)] == ["booked"] * 3

    # Enter opens that patient's note; Ctrl+D comes back to the list, on the same row.
    _press(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier)
    note = window.screen_by_id("contact_note")
    qtbot.waitUntil(lambda: window.showing(note), timeout=WAIT_MS)
    assert window.context.patient is not None
    assert window.context.patient.id == day.patients[1].id
    _press(qtbot, window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.showing(screen), timeout=WAIT_MS)
    wait_idle(window)
    assert _chosen_id(screen) == day.mine[1].id

    # Alt+E: seen. (Alt+S is the Session menu's and must not open it instead.)
    table.setFocus(Qt.FocusReason.OtherFocusReason)
    _press(qtbot, window, Qt.Key.Key_E)
    assert QApplication.activePopupWidget() is None
    assert _status(clinic, day, 1) == "finished"

    # Down to 09:30; Alt+N asks; Escape records nothing and gives the keyboard back.
    qtbot.keyClick(_focused(), Qt.Key.Key_Down)
    assert _chosen_id(screen) == day.mine[3].id
    _press(qtbot, window, Qt.Key.Key_N)
    qtbot.waitUntil(lambda: screen.view.dna_dialog is not None, timeout=WAIT_MS)
    _press(qtbot, window, Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier)
    assert screen.view.dna_dialog is None
    assert _status(clinic, day, 3) == "booked"
    assert _focused() is table
    assert _chosen_id(screen) == day.mine[3].id

    # Alt+N again and Enter (the dialog's default): recorded for 09:30 alone.
    _press(qtbot, window, Qt.Key.Key_N)
    qtbot.waitUntil(lambda: screen.view.dna_dialog is not None, timeout=WAIT_MS)
    dialog = screen.view.dna_dialog
    assert dialog is not None
    if dialog.decision_box.isVisible():
        dialog.keep_open.setChecked(True)
    _press(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier)
    qtbot.waitUntil(lambda: _status(clinic, day, 3) == "dna", timeout=WAIT_MS)
    wait_idle(window)
    assert [_status(clinic, day, i) for i in (0, 1, 2)] == ["booked", "finished", "booked"]
    assert _focused() is table
