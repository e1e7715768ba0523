"""A booking half-typed for a patient ("next Tuesday" in the date box the form cannot read yet,
a time, a room) is the clinician's typing: looking at another patient and coming back must not
throw it away without a word."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.conftest import WAIT_MS, type_into, wait_idle
from ui.app import MainWindow
from ui.domains.appointments.booking.screens import BookingScreen


def _open_booking(qtbot: QtBot, window: MainWindow) -> BookingScreen:
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    screen = window.screen_by_id("appointments")
    assert isinstance(screen, BookingScreen)
    qtbot.waitUntil(lambda: window.showing(screen), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: screen.view_model.choices is not None, timeout=WAIT_MS)
    wait_idle(window)
    return screen


def test_a_half_typed_booking_comes_back_for_its_patient(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    user = window.session.require_user()
    a, b = (p.id for p in clinic.patients.search(user, "999", limit=2))
    window.open_screen("patient", clinic.patients.open(user, a))
    wait_idle(window)
    screen = _open_booking(qtbot, window)
    view = screen.view
    qtbot.mouseClick(view.book_button, Qt.MouseButton.LeftButton)
    form = view.form
    assert form.isVisible()
    form.day.clear()
    type_into(qtbot, form.day, "next Tuesday")
    type_into(qtbot, form.time, "2pm")
    type_into(qtbot, form.room, "Room 4, physio gym")

    # B's record for a moment, then back to A's appointments.
    window.open_screen("patient", clinic.patients.open(user, b))
    wait_idle(window)
    window.open_screen("patient", clinic.patients.open(user, a))
    wait_idle(window)
    screen = _open_booking(qtbot, window)

    assert form.isVisible(), "A's half-typed booking is gone: the list shows, the form is shut"
    assert (form.day.text(), form.time.text(), form.room.text()) == (
        "next Tuesday",
        "2pm",
        "Room 4, physio gym",
    )
