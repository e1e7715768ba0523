"""The clinic day's pages as a person sees them, full of content, inside a small laptop screen.

Pictures are kept for review when ONESTOP_SCREENSHOTS names a folder.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.domains.appointments.views import SessionInput
from clinic_app.domains.red_flags.content import red_flag_screen
from tests.support import pictures
from tests.ui.appointments.conftest import Day, booking
from tests.ui.appointments.test_day_list import choose, day_screen
from tests.ui.conftest import CLINICIAN, SUPERVISOR, WAIT_MS, sign_in, type_into, wait_idle
from tests.ui.shell.test_patient_context import open_record
from tests.ui.shell.test_window_size import FITS
from ui.app import MainWindow
from ui.domains.appointments.booking.view import typed_day


def _shot(widget: QWidget, name: str) -> None:
    pictures.keep(widget, name)


def _fits(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.wait(50)
    QApplication.processEvents()
    hint = window.minimumSizeHint()
    assert hint.width() <= FITS[0]
    assert hint.height() <= FITS[1]


def test_the_day_list_the_dna_dialog_and_the_booking_warning(
    qtbot: QtBot, clinic: Services, window: MainWindow, day: Day
) -> None:
    window.resize(1366, 700)
    codes = red_flag_screen("cauda_equina").question_codes
    clinic.red_flags.record(
        day.clinician, day.patients[0].id, "cauda_equina", dict.fromkeys(codes, "yes")
    )
    service = clinic.appointments
    seen, waiting = day.mine[1], day.mine[3]
    for step in (service.arrive, service.call_in, service.finish):
        step(day.clinician, seen.id)
    service.arrive(day.clinician, waiting.id)
    sign_in(qtbot, window, CLINICIAN)
    screen = day_screen(qtbot, window)
    statuses = {screen.view.model.text(e, "status") for e in screen.view_model.entries}
    assert {"Seen", "Arrived", "Booked"} <= statuses
    choose(qtbot, screen, day.patients[0].id.hex)
    _fits(qtbot, window)
    _shot(window, "day-list.png")

    qtbot.mouseClick(screen.view.step_buttons["dna"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.view.dna_dialog is not None, timeout=WAIT_MS)
    dialog = screen.view.dna_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    assert dialog.emergency_box.isVisible()
    assert dialog.height() <= FITS[1]
    _shot(dialog, "dna-dialog-emergency.png")
    dialog.reject()

    # Booking over another appointment of the clinician: the warning names its times.
    patient = day.patients[5]
    tomorrow = day.today + timedelta(days=1)
    service.book(
        day.clinician,
        booking(day.patients[4].id, day.clinician.id, day.site_id, tomorrow, "10:00"),
    )
    open_record(qtbot, window, patient.id)
    window.open_screen("appointments")
    booking_screen = window.screen_by_id("appointments")
    qtbot.waitUntil(lambda: booking_screen.view_model.choices is not None, timeout=WAIT_MS)  # type: ignore[attr-defined]
    wait_idle(window)
    view = booking_screen.view  # type: ignore[attr-defined]
    qtbot.mouseClick(view.book_button, Qt.MouseButton.LeftButton)
    form = view.form
    form.clinician.setCurrentIndex(
        next(i for i in range(form.clinician.count()) if "Priya" in form.clinician.itemText(i))
    )
    form.site.setCurrentIndex(1)
    form.day.clear()
    type_into(qtbot, form.day, typed_day(tomorrow))
    form.day.editingFinished.emit()
    type_into(qtbot, form.time, "10:00")
    wait_idle(window)
    qtbot.mouseClick(form.book_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(form.warning.isVisible, timeout=WAIT_MS)
    wait_idle(window)
    _fits(qtbot, window)
    _shot(window, "booking-clash-warning.png")


def test_the_site_day_and_the_sessions_pages(
    qtbot: QtBot, clinic: Services, window: MainWindow, day: Day
) -> None:
    window.resize(1366, 700)
    service = clinic.appointments
    service.arrive(day.other, day.theirs[0].id)
    for who, weekday, starts, ends, kind in (
        (day.clinician, 0, "08:30", "12:30", "follow_up"),
        (day.clinician, 2, "13:30", "17:00", "new"),
        (day.other, 3, "09:00", "12:00", ""),
    ):
        service.save_session(
            day.other,
            None,
            SessionInput(who.id, day.site_id, "Room 2", weekday, starts, ends, "30", kind),
        )
    sign_in(qtbot, window, SUPERVISOR)
    window.open_screen("site_day")
    site = window.screen_by_id("site_day")
    qtbot.waitUntil(lambda: window.showing(site), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: site.view_model.day_list is not None, timeout=WAIT_MS)  # type: ignore[attr-defined]
    wait_idle(window)
    assert site.view.model.rowCount() == len(day.mine) + len(day.theirs)  # type: ignore[attr-defined]
    _fits(qtbot, window)
    _shot(window, "site-day-list.png")

    window.open_screen("sessions")
    sessions = window.screen_by_id("sessions")
    qtbot.waitUntil(lambda: sessions.view_model.on_file is not None, timeout=WAIT_MS)  # type: ignore[attr-defined]
    wait_idle(window)
    sessions.view.table.selectRow(0)  # type: ignore[attr-defined]
    _fits(qtbot, window)
    _shot(window, "sessions.png")
