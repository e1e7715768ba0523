"""A day list appointment booked under a registration since merged into another record."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

import clinic_app.domains.appointments.service.core as appointment_service
from clinic_app.container import Services
from clinic_app.people.views import PatientSummary
from tests.support.merges import merged_by_sync
from tests.ui.appointments.conftest import CLINIC_ZONE, Day, booking
from tests.ui.appointments.test_booking import _open_booking
from tests.ui.appointments.test_day_list import choose, day_screen
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, wait_idle
from tests.ui.late_answers import open_record
from tests.ui.records import second_registration
from ui.app import MainWindow
from ui.domains.appointments.day.screens import DayScreen


def _choose_appointment(qtbot: QtBot, screen: DayScreen, appointment_id: uuid.UUID) -> None:
    """Move down the list with the arrow keys to the row of this appointment."""
    table = screen.view.table
    table.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _ in range(screen.view.model.rowCount()):
        entry = screen.view.chosen()
        if entry is not None and entry.appointment.id == appointment_id:
            return
        qtbot.keyClick(table, Qt.Key.Key_Down)
    raise AssertionError("the appointment is not on the list")


def test_enter_on_a_row_booked_under_a_merged_registration_opens_the_surviving_record(
    qtbot: QtBot, clinic: Services, window: MainWindow, day: Day
) -> None:
    # Patient 1's 09:00 follow-up was booked before the two registrations were merged.
    merged = day.patients[1]
    survivor = second_registration(clinic, merged)
    merged_by_sync(clinic, survivor, merged.id)
    sign_in(qtbot, window, CLINICIAN)
    screen = day_screen(qtbot, window)

    choose(qtbot, screen, merged.id.hex)
    qtbot.keyClick(screen.view.table, Qt.Key.Key_Return)
    wait_idle(window)

    # The record the row's registration now stands as opens, at the appointment's note.
    qtbot.waitUntil(
        lambda: window.context.patient is not None and window.context.patient.id == survivor,
        timeout=WAIT_MS,
    )


def test_the_surviving_records_appointments_list_the_one_booked_under_the_merged_registration(
    qtbot: QtBot, clinic: Services, window: MainWindow, seeded_patient: PatientSummary
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    user = window.session.require_user()
    site = clinic.appointments.sites(user)[0]
    later = clinic.appointments.day(user).day + timedelta(days=2)
    booked = clinic.appointments.book(
        user, booking(seeded_patient.id, user.id, site.id, later, "14:00")
    )
    survivor = second_registration(clinic, seeded_patient)
    merged_by_sync(clinic, survivor, seeded_patient.id)

    open_record(qtbot, window, survivor)
    screen = _open_booking(qtbot, window)
    wait_idle(window)
    # Her appointment in two days' time is hers: listed, to rebook or cancel, not booked twice.
    assert booked.id in {a.id for a in screen.view_model.appointments}


def test_the_note_of_an_appointment_booked_under_the_merged_registration_opens_on_the_survivor(
    qtbot: QtBot, clinic: Services, window: MainWindow, day: Day
) -> None:
    merged = day.patients[1]
    appointment = next(a for a in day.mine if a.patient_id == merged.id)
    survivor = second_registration(clinic, merged)
    merged_by_sync(clinic, survivor, merged.id)
    sign_in(qtbot, window, CLINICIAN)
    day_screen(qtbot, window)
    # Her record (found by search, as the day list row does not open it), then the note of
    # today's appointment, as the day list opens it for a follow-up.
    open_record(qtbot, window, survivor)
    window.open_screen("contact_note", appointment.id)
    wait_idle(window)
    wait_idle(window)
    note = window.screen_by_id("contact_note")
    assert window.showing(note)
    assert note.view_model.note is not None, window.notice.text() or note.view.notice.text()


def test_a_second_dna_on_the_surviving_record_counts_the_first_under_the_merged_registration(
    qtbot: QtBot,
    clinic: Services,
    window: MainWindow,
    day: Day,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    merged = day.patients[1]
    first = next(a for a in day.mine if a.patient_id == merged.id)  # 09:00, before the merge
    clinic.appointments.did_not_attend(day.clinician, first.id)
    survivor = second_registration(clinic, merged)
    merged_by_sync(clinic, survivor, merged.id)
    # Rebooked after the merge, on the surviving record, in the same episode of care.
    early = datetime.combine(day.today, time(0, 1), tzinfo=CLINIC_ZONE).astimezone(UTC)
    monkeypatch.setattr(appointment_service, "utcnow", lambda: early)
    second = clinic.appointments.book(
        day.clinician,
        booking(survivor, day.clinician.id, day.site_id, day.today, "12:00", kind="follow_up"),
    )
    monkeypatch.undo()
    assert second.episode_id == first.episode_id
    sign_in(qtbot, window, CLINICIAN)
    screen = day_screen(qtbot, window)

    _choose_appointment(qtbot, screen, second.id)
    qtbot.mouseClick(screen.view.step_buttons["dna"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.view.dna_dialog is not None, timeout=WAIT_MS)
    dialog = screen.view.dna_dialog
    assert dialog is not None
    # The service's rule: discharge is offered at the second consecutive non-attendance.
    assert dialog.decision_box.isVisible()
