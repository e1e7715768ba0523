"""An exercise added from the keyboard: the new row's name has the keyboard at once, so what
is typed next is the exercise (not more presses of Add exercise)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.appointments.conftest import Day
from tests.ui.appointments.test_day_list import choose, day_screen
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, type_into, wait_idle
from ui.app import MainWindow
from ui.domains.contacts.note.screens import ContactNoteScreen


def test_add_exercise_then_type_names_the_exercise(
    qtbot: QtBot, clinic: Services, window: MainWindow, day: Day
) -> None:
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    sign_in(qtbot, window, CLINICIAN)
    screen = day_screen(qtbot, window)
    patient = day.patients[1]
    choose(qtbot, screen, patient.id.hex)
    qtbot.keyClick(screen.view.table, Qt.Key.Key_Return)
    note = window.screen_by_id("contact_note")
    assert isinstance(note, ContactNoteScreen)
    qtbot.waitUntil(lambda: window.showing(note), timeout=WAIT_MS)
    wait_idle(window)
    view = note.view
    type_into(qtbot, view.boxes["treatment"], "Loading programme.")

    add = view.exercises.add_button
    add.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(add, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: len(view.exercises.rows) == 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.exercises.rows[0].name)
    qtbot.keyClicks(QApplication.focusWidget(), "Sit to stand")

    assert len(view.exercises.rows) == 1
    note.save_now()
    wait_idle(window)
    saved = clinic.contact_notes.for_patient(day.clinician, patient.id)
    assert len(saved) == 1
    assert saved[0].patient_id == patient.id
    assert [e["name"] for e in saved[0].exercises] == ["Sit to stand"]
