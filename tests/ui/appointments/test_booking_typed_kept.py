"""A booking half-typed for a patient ("next Tuesday" in the date box the form cannot read yet,
a time, a room) is the clinician's typing: looking at another patient and coming back must not
throw it away without a word."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.conftest import WAIT_MS, type_into, wait_idle
from ui.app import MainWindow
from ui.domains.appointments.booking.screens import BookingScreen
from ui.domains.appointments.booking.view import BookingView


def _open_booking(qtbot: QtBot, window: MainWindow) -> BookingScreen:
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    screen = window.screen_by_id("appointments")
    assert isinstance(screen, BookingScreen)
    qtbot.waitUntil(lambda: window.showing(screen), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: screen.view_model.choices is not None, timeout=WAIT_MS)
    wait_idle(window)
    return screen


def _reopen(
    qtbot: QtBot, window: MainWindow, clinic: Services, patient: uuid.UUID
) -> BookingScreen:
    """The patient's record opened as the user signed in now, then their appointments."""
    window.open_screen("patient", clinic.patients.open(window.session.require_user(), patient))
    wait_idle(window)
    return _open_booking(qtbot, window)


def _start_booking(
    qtbot: QtBot, window: MainWindow, clinic: Services, patient: uuid.UUID
) -> BookingView:
    """The patient's appointments opened, and Book an appointment pressed."""
    view = _reopen(qtbot, window, clinic, patient).view
    qtbot.mouseClick(view.book_button, Qt.MouseButton.LeftButton)
    return view


def test_a_half_typed_booking_comes_back_for_its_patient(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    user = window.session.require_user()
    a, b = (p.id for p in clinic.patients.search(user, "999", limit=2))
    view = _start_booking(qtbot, window, clinic, a)
    form = view.form
    assert form.isVisible()
    form.day.clear()
    type_into(qtbot, form.day, "next Tuesday")
    type_into(qtbot, form.time, "2pm")
    type_into(qtbot, form.room, "Room 4, physio gym")

    # B's record for a moment, then back to A's appointments.
    window.open_screen("patient", clinic.patients.open(user, b))
    wait_idle(window)
    _reopen(qtbot, window, clinic, a)

    assert form.isVisible(), "A's half-typed booking is gone: the list shows, the form is shut"
    assert (form.day.text(), form.time.text(), form.room.text()) == (
        "next Tuesday",
        "2pm",
        "Room 4, physio gym",
    )


def test_a_kept_booking_is_its_typists_alone_and_ends_when_closed_on_purpose(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    from tests.ui.conftest import CLINICIAN, SUPERVISOR, switch_user_to

    window = signed_in
    user = window.session.require_user()
    a = next(p.id for p in clinic.patients.search(user, "999", limit=1))
    view = _start_booking(qtbot, window, clinic, a)
    form = view.form
    type_into(qtbot, form.room, "Room 4, physio gym")

    # Another user on the laptop: A's appointments, and no form half-typed by someone else.
    switch_user_to(qtbot, window, SUPERVISOR)
    _reopen(qtbot, window, clinic, a)
    wait_idle(window)
    assert not form.isVisibleTo(view)
    assert form.room.text() != "Room 4, physio gym"

    # Its typist again: the form as they left it; closed on purpose, it is not kept.
    switch_user_to(qtbot, window, CLINICIAN)
    _reopen(qtbot, window, clinic, a)
    qtbot.waitUntil(lambda: form.room.text() == "Room 4, physio gym", timeout=WAIT_MS)
    qtbot.mouseClick(form.back_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert clinic.drafts.load(user, "appointment.booking", str(a)) is None
