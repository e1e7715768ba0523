"""Rebooking without saying who asked or why: each is said under its own field, the form keeps
what was typed, and nothing moves."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.appointments.conftest import booking
from tests.ui.appointments.test_booking import _open_booking
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, type_into, wait_idle
from tests.ui.shell.test_patient_context import open_record
from ui.app import MainWindow
from ui.domains.appointments.booking.view import typed_day


def test_rebooking_without_who_or_why_says_both_under_their_fields(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    window.resize(1366, 768)
    sign_in(qtbot, window, CLINICIAN)
    user = window.session.user
    assert user is not None
    site = clinic.appointments.sites(user)[0]
    patient = next(p for p in clinic.patients.search(user, "999", limit=60) if p.nhs_number)
    later = clinic.appointments.day(user).day + timedelta(days=4)
    old = clinic.appointments.book(user, booking(patient.id, user.id, site.id, later, "09:00"))
    open_record(qtbot, window, patient.id)
    screen = _open_booking(qtbot, window)
    view = screen.view
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=WAIT_MS)
    view.table.selectRow(0)
    qtbot.mouseClick(view.rebook_button, Qt.MouseButton.LeftButton)
    form = view.form
    new_day = typed_day(later + timedelta(days=1))
    form.day.clear()
    type_into(qtbot, form.day, new_day)
    type_into(qtbot, form.time, "14:30")

    qtbot.mouseClick(form.book_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(form.fields["cancelled_by"].error()), timeout=WAIT_MS)
    wait_idle(window)

    assert form.fields["cancel_reason"].error()
    assert (form.day.text(), form.time.text()) == (new_day, "14:30")
    assert clinic.appointments.get(user, old.id).status == "booked"
    assert [a.id for a in clinic.appointments.for_patient(user, patient.id)] == [old.id]
