"""Clinicians' regular sessions: added, changed and ended from the service menu."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.domains.appointments.views import SessionView
from tests.ui.conftest import CLINICIAN, SUPERVISOR, WAIT_MS, sign_in, type_into, wait_idle
from ui.app import MainWindow
from ui.domains.appointments.sessions.screens import SessionsScreen


def _pick(combo: QComboBox, text: str) -> None:
    index = next(i for i in range(combo.count()) if text in combo.itemText(i))
    combo.setCurrentIndex(index)


def test_a_session_is_added_changed_and_ended(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    sign_in(qtbot, window, SUPERVISOR)
    user = window.session.user
    assert user is not None
    window.action("sessions").trigger()
    screen = window.screen_by_id("sessions")
    assert isinstance(screen, SessionsScreen)
    qtbot.waitUntil(lambda: window.showing(screen), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: screen.view_model.on_file is not None, timeout=WAIT_MS)
    wait_idle(window)
    form = screen.view.form
    # The demo clinic already has its clinicians' sessions; this test adds one more.
    before = {s.id for s in clinic.appointments.sessions(user)}

    def added() -> list[SessionView]:
        return [s for s in clinic.appointments.sessions(user) if s.id not in before]

    def row_of_added() -> int:
        return next(
            row
            for row in range(screen.view.table.rowCount())
            if "08:30"
            in " ".join(
                screen.view.table.item(row, col).text()
                for col in range(screen.view.table.columnCount())
                if screen.view.table.item(row, col) is not None
            )
        )

    # Hours the wrong way round: said under the field, nothing saved.
    _pick(form.clinician, "Priya Shah")
    _pick(form.site, "Riverside")
    _pick(form.weekday, "Tuesday")
    type_into(qtbot, form.starts, "13:00")
    type_into(qtbot, form.ends, "09:00")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(form.summary.isVisible, timeout=WAIT_MS)
    assert any(field.error() for field in form.fields.values())
    assert not added()

    form.starts.clear()
    type_into(qtbot, form.starts, "08:30")
    form.ends.clear()
    type_into(qtbot, form.ends, "12:30")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(added()) == 1, timeout=WAIT_MS)
    wait_idle(window)
    saved = added()[0]
    assert (saved.weekday, saved.starts, saved.ends) == (1, "08:30", "12:30")
    qtbot.waitUntil(lambda: screen.view.table.rowCount() == len(before) + 1, timeout=WAIT_MS)
    assert "Tuesday" in screen.view.table.item(row_of_added(), 1).text()

    # Changed: the chosen row fills the form.
    screen.view.table.selectRow(row_of_added())
    assert form.starts.text() == "08:30"
    form.slot_minutes.clear()
    type_into(qtbot, form.slot_minutes, "45")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: added()[0].slot_minutes == 45, timeout=WAIT_MS)
    wait_idle(window)

    # Ended: it gets its last day.
    screen.view.table.selectRow(row_of_added())
    type_into(qtbot, form.last_day, "31/12/2099")
    qtbot.mouseClick(form.end_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: added()[0].valid_until is not None, timeout=WAIT_MS)
    wait_idle(window)
    assert "Session ended" in screen.view.notice.text()


def test_a_clinician_has_no_sessions_screen(qtbot: QtBot, window: MainWindow) -> None:
    sign_in(qtbot, window, CLINICIAN)
    assert not window.action("sessions").isEnabled()
