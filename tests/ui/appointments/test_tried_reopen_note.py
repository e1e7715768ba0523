"""A seen patient's row opened again after their note is signed: the signed note is shown,
and no empty draft is left behind to be listed as unsigned."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.ui.appointments.conftest import Day
from tests.ui.appointments.test_day_list import choose, day_screen
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, type_into, wait_idle
from ui.app import MainWindow
from ui.domains.contacts.note.screens import ContactNoteScreen

CTRL = Qt.KeyboardModifier.ControlModifier


def _enter_on(qtbot: QtBot, window: MainWindow, patient_hex: str) -> ContactNoteScreen:
    screen = day_screen(qtbot, window)
    choose(qtbot, screen, patient_hex)
    qtbot.keyClick(screen.view.table, Qt.Key.Key_Return)
    note = window.screen_by_id("contact_note")
    assert isinstance(note, ContactNoteScreen)
    qtbot.waitUntil(lambda: window.showing(note), timeout=WAIT_MS)
    wait_idle(window)
    return note


def test_the_row_of_a_signed_note_opens_that_note_again(
    qtbot: QtBot, clinic: Services, window: MainWindow, day: Day
) -> None:
    patient = day.patients[1]
    window.resize(1366, 768)
    sign_in(qtbot, window, CLINICIAN)
    note = _enter_on(qtbot, window, patient.id.hex)
    type_into(qtbot, note.view.boxes["subjective"], "Knee better.")
    type_into(qtbot, note.view.boxes["plan"], "Review in four weeks.")
    type_into(qtbot, note.view.password, demo_password(CLINICIAN))
    qtbot.keyClick(note.view.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: note.view_model.is_signed, timeout=WAIT_MS)
    signed = note.view_model.note
    assert signed is not None
    wait_idle(window)

    qtbot.keyClick(window, Qt.Key.Key_D, CTRL)
    note = _enter_on(qtbot, window, patient.id.hex)

    assert note.view_model.note is not None
    assert note.view_model.note.id == signed.id
    assert note.view_model.is_signed
    assert note.view.boxes["subjective"].toPlainText() == "Knee better."
    stored = clinic.contact_notes.for_patient(day.clinician, patient.id)
    assert [(n.id, n.status) for n in stored] == [(signed.id, "signed")]
    qtbot.keyClick(window, Qt.Key.Key_D, CTRL)
    screen = day_screen(qtbot, window)
    entry = next(e for e in screen.view_model.entries if e.appointment.patient_id == patient.id)
    assert "Contact note" not in entry.needs.unsigned
