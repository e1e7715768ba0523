"""Booking for the banner's patient: plain words under the fields, and the clash rule."""

from __future__ import annotations

import uuid
from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.domains.appointments import rules
from clinic_app.domains.appointments.model import AppointmentClash
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.uow import UnitOfWork
from tests.ui.appointments.conftest import booking
from tests.ui.appointments.test_clinic_day_pictures import _shot
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, type_into, wait_idle
from tests.ui.shell.test_patient_context import open_record
from ui.app import MainWindow
from ui.domains.appointments.booking.screens import BookingScreen
from ui.domains.appointments.booking.view import typed_day


def _pick(combo: QComboBox, text: str) -> None:
    index = next(i for i in range(combo.count()) if text in combo.itemText(i))
    combo.setCurrentIndex(index)


def _open_booking(qtbot: QtBot, window: MainWindow) -> BookingScreen:
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    screen = window.screen_by_id("appointments")
    assert isinstance(screen, BookingScreen)
    qtbot.waitUntil(lambda: window.showing(screen), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: screen.view_model.choices is not None, timeout=WAIT_MS)
    wait_idle(window)
    return screen


def test_booking_over_another_appointment_asks_for_a_reason_then_books(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    user = window.session.user
    assert user is not None
    site = clinic.appointments.sites(user)[0]
    everyone = [p for p in clinic.patients.search(user, "999", limit=60) if p.nhs_number]
    patient, other = everyone[0], everyone[1]
    tomorrow = typed_day(clinic.appointments.day(user).day + timedelta(days=1))
    taken = clinic.appointments.book(
        user,
        booking(
            other.id,
            user.id,
            site.id,
            clinic.appointments.day(user).day + timedelta(days=1),
            "10:00",
        ),
    )
    open_record(qtbot, window, patient.id)
    screen = _open_booking(qtbot, window)
    view = screen.view
    qtbot.mouseClick(view.book_button, Qt.MouseButton.LeftButton)
    form = view.form
    assert "(preferred)" in form.mechanism.currentText()

    # Nothing chosen: each problem under its field, in words.
    qtbot.mouseClick(form.book_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(form.fields["time"].error()), timeout=WAIT_MS)
    assert form.fields["clinician_id"].error()
    assert not clinic.appointments.for_patient(user, patient.id)

    _pick(form.clinician, "Priya Shah")
    _pick(form.site, site.name)
    form.day.clear()
    type_into(qtbot, form.day, tomorrow)
    type_into(qtbot, form.time, "10:00")
    qtbot.mouseClick(form.book_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(form.warning.isVisible, timeout=WAIT_MS)
    assert "10:00 to 10:30" in form.warning_text.text()
    assert form.book_button.text() == "Book anyway"
    assert not clinic.appointments.for_patient(user, patient.id)

    # Booking anyway without a reason is not enough.
    qtbot.mouseClick(form.book_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(form.fields["overbook_reason"].error()), timeout=WAIT_MS)
    assert not clinic.appointments.for_patient(user, patient.id)

    type_into(qtbot, form.overbook_reason, "Urgent review asked for by the GP.")
    qtbot.mouseClick(form.book_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: bool(clinic.appointments.for_patient(user, patient.id)), timeout=WAIT_MS
    )
    wait_idle(window)
    booked = clinic.appointments.for_patient(user, patient.id)
    assert len(booked) == 1
    assert booked[0].overbooked_reason == "Urgent review asked for by the GP."
    assert booked[0].patient_id == patient.id
    assert clinic.appointments.get(user, taken.id).status == "booked"
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=WAIT_MS)
    assert "Booked" in view.notice.text()


def test_cancelling_asks_who_and_why(qtbot: QtBot, clinic: Services, window: MainWindow) -> None:
    sign_in(qtbot, window, CLINICIAN)
    user = window.session.user
    assert user is not None
    site = clinic.appointments.sites(user)[0]
    patient = next(p for p in clinic.patients.search(user, "999", limit=60) if p.nhs_number)
    later = clinic.appointments.day(user).day + timedelta(days=2)
    booked = clinic.appointments.book(user, booking(patient.id, user.id, site.id, later, "14:00"))
    open_record(qtbot, window, patient.id)
    screen = _open_booking(qtbot, window)
    view = screen.view
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=WAIT_MS)
    view.table.selectRow(0)
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.confirm_cancel, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert clinic.appointments.get(user, booked.id).status == "booked"

    qtbot.mouseClick(view.cancel_by.patient, Qt.MouseButton.LeftButton)
    type_into(qtbot, view.cancel_reason, "Patient is away that week.")
    qtbot.mouseClick(view.confirm_cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: clinic.appointments.get(user, booked.id).status == "cancelled", timeout=WAIT_MS
    )
    wait_idle(window)
    cancelled = clinic.appointments.get(user, booked.id)
    assert cancelled.cancelled_by == "patient"
    assert cancelled.cancel_reason == "Patient is away that week."


def _double_booked(
    clinic: Services, user: CurrentUser, first: uuid.UUID, second: uuid.UUID
) -> None:
    """The double booking a sync finds when two laptops booked the same slot offline."""
    with UnitOfWork(clinic.context)(user, Action.APPOINTMENT_BOOK) as session:
        session.add(
            AppointmentClash(
                id=rules.clash_id(first, second),
                first_appointment_id=first,
                second_appointment_id=second,
                clinician_id=user.id,
            )
        )


def test_a_double_booking_from_two_devices_shows_for_the_patient_and_is_settled(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    user = window.session.user
    assert user is not None
    site = clinic.appointments.sites(user)[0]
    patient, other = [p for p in clinic.patients.search(user, "999", limit=60) if p.nhs_number][:2]
    later = clinic.appointments.day(user).day + timedelta(days=3)
    mine = clinic.appointments.book(user, booking(patient.id, user.id, site.id, later, "11:00"))
    theirs = clinic.appointments.book(
        user, booking(other.id, user.id, site.id, later, "11:00", reason="Booked apart")
    )
    _double_booked(clinic, user, mine.id, theirs.id)

    open_record(qtbot, window, patient.id)
    screen = _open_booking(qtbot, window)
    view = screen.view
    qtbot.waitUntil(view.clash_box.isVisible, timeout=WAIT_MS)
    assert "Double booked" in view.clash_text.text()
    assert "11:00 to 11:30" in view.clash_text.text()
    assert "Double booked" in view.table.item(0, 3).text()
    _shot(window, "appointments-double-booked.png")
    # The other patient is named nowhere on this patient's page.
    assert other.family_name.upper() not in view.clash_text.text().upper()

    type_into(qtbot, view.keep_reason, "Joint session agreed with both patients.")
    qtbot.mouseClick(view.keep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not clinic.appointments.clashes(user), timeout=WAIT_MS)
    wait_idle(window)
    qtbot.waitUntil(lambda: not view.clash_box.isVisible(), timeout=WAIT_MS)
    assert clinic.appointments.get(user, mine.id).status == "booked"
    assert clinic.appointments.get(user, theirs.id).status == "booked"


def test_rebooking_moves_the_appointment_and_keeps_why(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
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
    assert form.rebook_box.isVisible()
    assert "Priya Shah" in form.clinician.currentText()  # the old booking's clinician
    form.day.clear()
    type_into(qtbot, form.day, typed_day(later + timedelta(days=1)))
    type_into(qtbot, form.time, "14:30")
    qtbot.mouseClick(form.cancel_by.service, Qt.MouseButton.LeftButton)
    type_into(qtbot, form.cancel_reason, "Clinician on a course that morning.")
    qtbot.mouseClick(form.book_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: clinic.appointments.get(user, old.id).status == "cancelled", timeout=WAIT_MS
    )
    wait_idle(window)
    moved = [a for a in clinic.appointments.for_patient(user, patient.id) if a.id != old.id]
    assert len(moved) == 1
    assert moved[0].rebooked_from_id == old.id
    assert moved[0].patient_id == patient.id
    cancelled = clinic.appointments.get(user, old.id)
    assert (cancelled.cancelled_by, cancelled.cancel_reason) == (
        "service",
        "Clinician on a course that morning.",
    )
