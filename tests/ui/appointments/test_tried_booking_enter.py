"""A booking made from the keyboard: Enter in the time box books, for the banner's patient."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.appointments.test_booking import _open_booking, _pick
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, type_into, wait_idle
from tests.ui.shell.test_patient_context import open_record
from ui.app import MainWindow
from ui.domains.appointments.booking.view import typed_day


def test_enter_in_the_time_box_books_for_the_banner_patient(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    user = window.session.user
    assert user is not None
    patient = [p for p in clinic.patients.search(user, "999", limit=60) if p.nhs_number][3]
    open_record(qtbot, window, patient.id)
    screen = _open_booking(qtbot, window)
    view = screen.view
    qtbot.mouseClick(view.book_button, Qt.MouseButton.LeftButton)
    form = view.form
    _pick(form.clinician, "Priya Shah")
    _pick(form.site, "Riverside")
    form.day.clear()
    type_into(qtbot, form.day, typed_day(clinic.appointments.day(user).day + timedelta(days=3)))
    type_into(qtbot, form.time, "15:00")

    qtbot.keyClick(form.time, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: bool(clinic.appointments.for_patient(user, patient.id)), timeout=WAIT_MS
    )
    wait_idle(window)
    booked = clinic.appointments.for_patient(user, patient.id)
    assert [a.patient_id for a in booked] == [patient.id]
    assert window.context.patient is not None
    assert window.context.patient.id == patient.id
