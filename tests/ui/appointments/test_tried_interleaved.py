"""Two patients and two users interleaved through a morning: every action reaches only the
patient it names, read back from the store after each step."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.domains.red_flags.content import red_flag_screen
from tests.ui.appointments.conftest import Day
from tests.ui.appointments.test_day_list import choose, day_screen
from tests.ui.conftest import CLINICIAN, SUPERVISOR, WAIT_MS, sign_in, type_into, wait_idle
from ui.app import MainWindow
from ui.domains.contacts.note.screens import ContactNoteScreen

CTRL = Qt.KeyboardModifier.ControlModifier


def _open_row(qtbot: QtBot, window: MainWindow, patient_hex: str) -> ContactNoteScreen:
    screen = day_screen(qtbot, window)
    choose(qtbot, screen, patient_hex)
    qtbot.keyClick(screen.view.table, Qt.Key.Key_Return)
    note = window.screen_by_id("contact_note")
    assert isinstance(note, ContactNoteScreen)
    qtbot.waitUntil(lambda: window.showing(note), timeout=WAIT_MS)
    wait_idle(window)
    return note


def test_two_users_and_two_patients_interleaved_with_a_non_attendance_asked_about(
    qtbot: QtBot, clinic: Services, window: MainWindow, day: Day
) -> None:
    first, flagged, theirs = day.patients[1], day.patients[3], day.patients[4]
    codes = red_flag_screen("cauda_equina").question_codes
    clinic.red_flags.record(day.clinician, flagged.id, "cauda_equina", dict.fromkeys(codes, "yes"))
    window.resize(1366, 768)
    sign_in(qtbot, window, CLINICIAN)

    # The first patient's note, typed into, then straight back to the list.
    note = _open_row(qtbot, window, first.id.hex)
    assert window.context.patient is not None
    assert window.context.patient.id == first.id
    type_into(qtbot, note.view.boxes["subjective"], "Better on stairs.")
    qtbot.keyClick(window, Qt.Key.Key_D, CTRL)
    screen = day_screen(qtbot, window)

    # Did not attend asked for the flagged patient: the dialog names them by NHS number.
    choose(qtbot, screen, flagged.id.hex)
    qtbot.mouseClick(screen.view.step_buttons["dna"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.view.dna_dialog is not None, timeout=WAIT_MS)
    dialog = screen.view.dna_dialog
    assert dialog is not None
    assert flagged.family_name.upper() in dialog.question.text()
    assert flagged.nhs_number is not None
    shown_digits = "".join(ch for ch in dialog.question.text() if ch.isdigit())
    assert flagged.nhs_number in shown_digits
    assert dialog.emergency_box.isVisible()
    type_into(qtbot, dialog.action, "Phoned: sent to the emergency department.")

    # The user is switched with the dialog open: nothing is recorded for anyone.
    window.switch_user()
    wait_idle(window)
    assert screen.view.dna_dialog is None
    assert clinic.appointments.get(day.clinician, day.mine[3].id).status == "booked"
    assert not clinic.appointments.contacts(day.clinician, flagged.id)
    # What the first user typed was kept, on the first patient's draft, as theirs.
    drafts = clinic.contact_notes.for_patient(day.clinician, first.id)
    assert [(d.content.get("subjective"), d.created_by) for d in drafts] == [
        ("Better on stairs.", day.clinician.id)
    ]

    # The second clinician's own day: their patient's note, nothing of the first's.
    sign_in(qtbot, window, SUPERVISOR)
    assert window.context.patient is None
    note = _open_row(qtbot, window, theirs.id.hex)
    assert window.context.patient is not None
    assert window.context.patient.id == theirs.id
    assert note.view.boxes["subjective"].toPlainText() == ""
    type_into(qtbot, note.view.boxes["subjective"], "Shoulder stiff.")
    window.switch_user()
    wait_idle(window)

    # Back to the first clinician: their draft for the first patient, as they left it.
    sign_in(qtbot, window, CLINICIAN)
    note = _open_row(qtbot, window, first.id.hex)
    assert window.context.patient is not None
    assert window.context.patient.id == first.id
    assert note.view.boxes["subjective"].toPlainText() == "Better on stairs."
    theirs_notes = clinic.contact_notes.for_patient(day.clinician, theirs.id)
    assert [(n.content.get("subjective"), n.created_by) for n in theirs_notes] == [
        ("Shoulder stiff.", day.other.id)
    ]
    assert len(clinic.contact_notes.for_patient(day.clinician, first.id)) == 1
    assert not clinic.contact_notes.for_patient(day.clinician, flagged.id)
