"""A clinician's morning, end to end: the day list, a follow-up's note written and signed, back
to the list, and a patient who did not come."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.ui.appointments.conftest import Day
from tests.ui.appointments.test_day_list import choose, day_screen, shown_status
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, type_into, wait_idle
from ui.app import MainWindow
from ui.domains.appointments.day.screens import DayScreen
from ui.domains.contacts.note.screens import ContactNoteScreen


def _did_not_attend(qtbot: QtBot, window: MainWindow, screen: DayScreen, patient: str) -> None:
    """Did not attend for the row of ``patient``, through its dialog (no emergency here)."""
    choose(qtbot, screen, patient)
    qtbot.mouseClick(screen.view.step_buttons["dna"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.view.dna_dialog is not None, timeout=WAIT_MS)
    dialog = screen.view.dna_dialog
    assert dialog is not None
    assert not dialog.emergency_box.isVisible()
    if dialog.decision_box.isVisible():
        qtbot.mouseClick(dialog.keep_open, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown_status(screen, patient) == "Did not attend", timeout=WAIT_MS)
    wait_idle(window)


def test_a_morning_from_the_day_list_through_a_signed_note_to_a_non_attendance(
    qtbot: QtBot, clinic: Services, window: MainWindow, day: Day
) -> None:
    window.resize(1366, 728)
    sign_in(qtbot, window, CLINICIAN)
    screen = day_screen(qtbot, window)
    seen, missing = day.patients[1], day.patients[3]
    follow_up = day.mine[1]

    # The 09:00 follow-up arrives and comes in.
    choose(qtbot, screen, seen.id.hex)
    for step in ("arrive", "call_in"):
        qtbot.mouseClick(screen.view.step_buttons[step], Qt.MouseButton.LeftButton)
        wait_idle(window)
    qtbot.waitUntil(lambda: shown_status(screen, seen.id.hex) == "In room", timeout=WAIT_MS)

    # Enter: the patient's contact note for this appointment, the banner naming them.
    qtbot.keyClick(screen.view.table, Qt.Key.Key_Return)
    note = window.screen_by_id("contact_note")
    assert isinstance(note, ContactNoteScreen)
    qtbot.waitUntil(lambda: window.showing(note), timeout=WAIT_MS)
    wait_idle(window)
    assert window.context.patient is not None
    assert window.context.patient.id == seen.id
    view = note.view
    type_into(qtbot, view.boxes["subjective"], "Knee better; stairs still sore.")
    type_into(qtbot, view.boxes["objective"], "Flexion 120, no effusion.")
    type_into(qtbot, view.boxes["treatment"], "Progressed loading.")
    type_into(qtbot, view.boxes["plan"], "Review in four weeks.")
    type_into(qtbot, view.password, demo_password(CLINICIAN))
    with qtbot.waitSignal(note.view_model.signed, timeout=WAIT_MS):
        qtbot.keyClick(view.password, Qt.Key.Key_Return)
    wait_idle(window)
    assert note.view_model.is_signed

    # Back to the list (Ctrl+D): the visit is finished there.
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.showing(screen), timeout=WAIT_MS)
    wait_idle(window)
    choose(qtbot, screen, seen.id.hex)
    qtbot.mouseClick(screen.view.step_buttons["finish"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown_status(screen, seen.id.hex) == "Seen", timeout=WAIT_MS)
    assert clinic.appointments.get(day.clinician, follow_up.id).status == "finished"
    entry = next(e for e in screen.view_model.entries if e.appointment.patient_id == seen.id)
    assert "Contact note" not in entry.needs.unsigned

    # The 09:30 patient did not come.
    _did_not_attend(qtbot, window, screen, missing.id.hex)
    assert clinic.appointments.get(day.clinician, day.mine[3].id).status == "dna"
    outcomes = {c.outcome for c in clinic.appointments.contacts(day.clinician, missing.id)}
    assert outcomes == {"did_not_attend"}
    # Everyone else on the list is as they were.
    assert clinic.appointments.get(day.clinician, day.mine[0].id).status == "booked"
    assert clinic.appointments.get(day.clinician, day.mine[2].id).status == "booked"
