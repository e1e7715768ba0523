"""A PDF asked for just before the screen locks is never offered over the lock screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.core.contacts.booked import seen_today
from tests.ui.conftest import type_into, wait_idle
from tests.ui.late_answers import Gate, settle
from ui.app import MainWindow, WindowState
from ui.domains.contacts.note.screens import ContactNoteScreen


def test_a_contact_note_pdf_answered_while_locked_is_not_offered_over_the_lock_screen(
    qtbot: QtBot,
    clinic: Services,
    signed_in: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    window = signed_in
    user = window.session.require_user()
    patient = clinic.patients.search(user, "999", limit=1)[0].id
    window.open_screen("patient", clinic.patients.open(user, patient))
    wait_idle(window)
    window.open_screen("contact_note", seen_today(clinic, user, patient))
    wait_idle(window)
    screen = window.screen_by_id("contact_note")
    assert isinstance(screen, ContactNoteScreen)
    type_into(qtbot, screen.view.boxes["subjective"], "Knee easier")
    screen.save_now()
    wait_idle(window)

    offered: list[tuple[str, WindowState]] = []
    screen.pdf_delivery.choose_path = lambda _title, suggested: (
        offered.append((Path(suggested).name, window.state)) or ""
    )
    gate = Gate(monkeypatch, clinic.contact_notes, "printable")
    qtbot.mouseClick(screen.view.print_button, Qt.MouseButton.LeftButton)
    gate.wait_entered(qtbot)

    # The clinician walks away; the screen locks while the PDF is still being made.
    window.lock()
    assert window.state is WindowState.LOCKED
    gate.release()
    settle(qtbot, window)

    # Whoever stands at the locked laptop must not get a save dialog naming the patient.
    assert window.state is WindowState.LOCKED
    assert offered == [], f"save dialog offered while locked: {offered}"
