"""The note's signing time on screen is the clinic's wall-clock time, not UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.records import seal
from tests.ui.appointments.conftest import Day
from tests.ui.appointments.test_day_list import choose, day_screen
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, wait_idle
from ui.app import MainWindow
from ui.domains.contacts.note.screens import ContactNoteScreen


def test_a_note_signed_on_a_summer_morning_shows_the_clinics_time(
    qtbot: QtBot,
    clinic: Services,
    window: MainWindow,
    day: Day,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    patient = day.patients[1]
    notes = clinic.contact_notes
    draft = notes.start(day.clinician, patient.id, day.mine[1].id)
    notes.save_draft(
        day.clinician, patient.id, {"subjective": "Better.", "plan": "Review."}, draft.id
    )
    # Signed at 08:15 UTC in July: 09:15 on the clinic's clock (British Summer Time).
    summer = datetime(2026, 7, 14, 8, 15, tzinfo=UTC)
    monkeypatch.setattr(seal, "utcnow", lambda: summer)
    notes.sign(day.clinician, draft.id, demo_password(CLINICIAN))
    monkeypatch.undo()

    sign_in(qtbot, window, CLINICIAN)
    screen = day_screen(qtbot, window)
    choose(qtbot, screen, patient.id.hex)
    qtbot.keyClick(screen.view.table, Qt.Key.Key_Return)
    note = window.screen_by_id("contact_note")
    assert isinstance(note, ContactNoteScreen)
    qtbot.waitUntil(lambda: window.showing(note), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: note.view_model.is_signed, timeout=WAIT_MS)
    wait_idle(window)

    said = note.view.state.text()
    assert "14-Jul-2026 09:15" in said
    assert "08:15" not in said
