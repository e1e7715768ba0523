"""An addendum being written on a signed contact note is its writer's draft of that note: kept
through opening another patient and switching user, never shown under another patient or user."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.core.contacts.booked import seen_today
from tests.ui.conftest import CLINICIAN, SUPERVISOR, WAIT_MS, switch_user_to, type_into, wait_idle
from tests.ui.contacts.test_contact_note_screen import PASSWORD, _open, _two, _write
from ui.app import MainWindow

WORDS = "Phoned: pain settled after the session."


def test_an_unsent_addendum_stays_with_its_note_and_its_writer(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    user = window.session.require_user()
    patient, other = _two(clinic, window)
    screen = _open(window, clinic, patient, seen_today(clinic, user, patient))
    view, vm = screen.view, screen.view_model
    _write(qtbot, screen)
    type_into(qtbot, view.password, PASSWORD)
    with qtbot.waitSignal(vm.signed, timeout=WAIT_MS):
        qtbot.mouseClick(view.sign_button, Qt.MouseButton.LeftButton)
    note = vm.note
    assert note is not None
    type_into(qtbot, view.addendum_text, WORDS)

    # Another patient: an empty box. Back to the note: the words as they were left.
    _open(window, clinic, other, seen_today(clinic, user, other))
    assert WORDS not in view.addendum_text.toPlainText()
    _open(window, clinic, patient, note.id)
    qtbot.waitUntil(lambda: view.addendum_text.toPlainText() == WORDS, timeout=WAIT_MS)

    # Another user never sees them; the writer does, and adding them ends the draft.
    switch_user_to(qtbot, window, SUPERVISOR)
    _open(window, clinic, patient, note.id)
    wait_idle(window)
    assert view.addendum_text.toPlainText() == ""
    switch_user_to(qtbot, window, CLINICIAN)
    _open(window, clinic, patient, note.id)
    qtbot.waitUntil(lambda: view.addendum_text.toPlainText() == WORDS, timeout=WAIT_MS)
    type_into(qtbot, view.addendum_password, PASSWORD)
    with qtbot.waitSignal(vm.addendum_added, timeout=WAIT_MS):
        qtbot.mouseClick(view.addendum_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert [a.text for a in clinic.contact_notes.get(user, note.id).addenda] == [WORDS]
    assert clinic.drafts.load(user, "contact_note.addendum", str(note.id)) is None
