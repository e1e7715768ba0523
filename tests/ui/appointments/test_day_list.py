"""A clinician's day list: the first page after sign-in, their own, in time order, one key away
from each patient's record; the attendance steps; a non-attendance with an open emergency."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import clinic_app.domains.appointments.service.core as appointment_service
from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.red_flags.content import red_flag_screen
from clinic_app.people.views import PatientSummary
from tests.ui.appointments.conftest import CLINIC_ZONE, Day, booking
from tests.ui.conftest import CLINICIAN, SUPERVISOR, WAIT_MS, sign_in, type_into, wait_idle
from tests.ui.records import submitted_by_trainee
from ui.app import MainWindow, WindowState
from ui.domains.appointments.booking.screens import BookingScreen
from ui.domains.appointments.day.screens import DayScreen


def day_screen(qtbot: QtBot, window: MainWindow) -> DayScreen:
    """The day list, once it is on show with its appointments read."""
    screen = window.screen_by_id("today")
    assert isinstance(screen, DayScreen)
    qtbot.waitUntil(lambda: window.showing(screen), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: screen.view_model.day_list is not None, timeout=WAIT_MS)
    wait_idle(window)
    return screen


def choose(qtbot: QtBot, screen: DayScreen, row_of_patient: str) -> None:
    """Move down the list with the arrow keys to the row naming the patient."""
    table = screen.view.table
    table.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _ in range(screen.view.model.rowCount()):
        entry = screen.view.chosen()
        if entry is not None and entry.appointment.patient_id.hex == row_of_patient:
            return
        qtbot.keyClick(table, Qt.Key.Key_Down)
    raise AssertionError("the patient is not on the list")


def shown_status(screen: DayScreen, patient_hex: str) -> str:
    entry = next(
        e for e in screen.view_model.entries if e.appointment.patient_id.hex == patient_hex
    )
    return screen.view.model.text(entry, "status")


def test_a_clinician_starts_on_their_own_day_list_in_time_order(
    qtbot: QtBot, window: MainWindow, day: Day
) -> None:
    sign_in(qtbot, window, CLINICIAN)

    screen = day_screen(qtbot, window)
    times = [e.appointment.starts_at for e in screen.view_model.entries]
    assert times == sorted(times)
    shown = {e.appointment.id for e in screen.view_model.entries}
    assert shown == {a.id for a in day.mine}
    assert not shown & {a.id for a in day.theirs}
    # What the table shows is the same list, its first row the earliest (09:00, patient 1).
    first = screen.view.model.text(screen.view.model.entry_at(0), "patient")  # type: ignore[arg-type]
    assert day.patients[1].family_name.upper() in first
    assert screen.view.table.hasFocus()
    assert screen.view.day_label.text().startswith("Today")


def test_reception_starts_on_the_site_day_with_every_clinician(
    qtbot: QtBot, clinic: Services, window: MainWindow, day: Day
) -> None:
    sign_in(qtbot, window, "admin")
    site = window.screen_by_id("site_day")
    qtbot.waitUntil(lambda: window.showing(site), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: site.view_model.day_list is not None, timeout=WAIT_MS)  # type: ignore[attr-defined]
    wait_idle(window)
    shown = {e.appointment.id for e in site.view_model.entries}  # type: ignore[attr-defined]
    assert shown == {a.id for a in day.mine + day.theirs}
    assert "clinician" in site.view.model.columns  # type: ignore[attr-defined]
    # Reception marks arrivals, never the contact itself.
    site.view.table.selectRow(0)  # type: ignore[attr-defined]
    buttons = site.view.step_buttons  # type: ignore[attr-defined]
    assert buttons["arrive"].isEnabled()
    assert not buttons["finish"].isEnabled()
    assert not buttons["dna"].isEnabled()


@pytest.mark.parametrize(("index", "opens"), [(1, "contact_note"), (2, "assessment")])
def test_enter_opens_the_chosen_patients_record_at_the_right_place(
    qtbot: QtBot, window: MainWindow, day: Day, index: int, opens: str
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    screen = day_screen(qtbot, window)
    patient = day.patients[index]

    choose(qtbot, screen, patient.id.hex)
    qtbot.keyClick(screen.view.table, Qt.Key.Key_Return)

    qtbot.waitUntil(
        lambda: window.context.patient is not None and window.context.patient.id == patient.id,
        timeout=WAIT_MS,
    )
    wait_idle(window)
    assert patient.family_name.upper() in window.banner.name_label.text().upper()
    target = opens if opens in window.specs else "patient"
    qtbot.waitUntil(lambda: window.showing(window.screen_by_id(target)), timeout=WAIT_MS)


def test_arrived_in_room_seen_moves_the_status_step_by_step(
    qtbot: QtBot, clinic: Services, window: MainWindow, day: Day
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    screen = day_screen(qtbot, window)
    patient = day.patients[3].id.hex
    appointment = day.mine[3]
    choose(qtbot, screen, patient)
    buttons = screen.view.step_buttons
    assert not buttons["finish"].isEnabled()  # not before the patient is there

    for step, status, words in (
        ("arrive", "arrived", "Arrived"),
        ("call_in", "in_room", "In room"),
        ("finish", "finished", "Seen"),
    ):
        assert buttons[step].isEnabled(), step
        qtbot.mouseClick(buttons[step], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda status=status: (
                clinic.appointments.get(day.clinician, appointment.id).status == status
            ),
            timeout=WAIT_MS,
        )
        qtbot.waitUntil(
            lambda words=words: shown_status(screen, patient).startswith(words), timeout=WAIT_MS
        )
        wait_idle(window)
    assert screen.view.chosen() is not None
    assert not any(button.isEnabled() for button in buttons.values())
    # Nobody else's appointment moved.
    others = [a for a in day.mine if a.id != appointment.id]
    assert {clinic.appointments.get(day.clinician, a.id).status for a in others} == {"booked"}


def test_did_not_attend_shows_an_open_emergency_and_asks_what_was_done(
    qtbot: QtBot, clinic: Services, window: MainWindow, day: Day
) -> None:
    patient = day.patients[0]
    codes = red_flag_screen("cauda_equina").question_codes
    clinic.red_flags.record(day.clinician, patient.id, "cauda_equina", dict.fromkeys(codes, "yes"))
    sign_in(qtbot, window, CLINICIAN)
    screen = day_screen(qtbot, window)
    entry = next(e for e in screen.view_model.entries if e.appointment.patient_id == patient.id)
    assert entry.needs.red_flag
    assert "RED FLAG" in screen.view.model.text(entry, "needs")

    choose(qtbot, screen, patient.id.hex)
    qtbot.mouseClick(screen.view.step_buttons["dna"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.view.dna_dialog is not None, timeout=WAIT_MS)
    dialog = screen.view.dna_dialog
    assert dialog is not None
    assert dialog.emergency_box.isVisible()
    assert "cauda equina" in dialog.emergencies.text().lower()

    # Without what was done, nothing is recorded.
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert dialog.isVisible()
    assert dialog.action_field.error()
    assert clinic.appointments.get(day.clinician, entry.appointment.id).status == "booked"

    type_into(qtbot, dialog.action, "Phoned the patient: sent to the emergency department.")
    if dialog.decision_box.isVisible():
        qtbot.mouseClick(dialog.keep_open, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: clinic.appointments.get(day.clinician, entry.appointment.id).status == "dna",
        timeout=WAIT_MS,
    )
    wait_idle(window)
    contacts = clinic.appointments.contacts(day.clinician, patient.id)
    assert contacts[0].outcome == "did_not_attend"
    assert contacts[0].emergency_action == "Phoned the patient: sent to the emergency department."
    qtbot.waitUntil(lambda: shown_status(screen, patient.id.hex) == "Did not attend")


def test_two_patients_interleaved_each_action_reaches_only_the_banners_patient(
    qtbot: QtBot, clinic: Services, window: MainWindow, day: Day
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    screen = day_screen(qtbot, window)
    first, second = day.patients[1], day.patients[3]
    booking = window.screen_by_id("appointments")
    assert isinstance(booking, BookingScreen)

    for patient in (first, second):
        choose(qtbot, screen, patient.id.hex)
        # While the list is up, patient actions are off: the chosen row is not the banner.
        assert not window.action("appointments").isEnabled()
        qtbot.keyClick(screen.view.table, Qt.Key.Key_Return)
        qtbot.waitUntil(
            lambda patient=patient: (
                window.context.patient is not None and window.context.patient.id == patient.id
            ),
            timeout=WAIT_MS,
        )
        wait_idle(window)
        # The patient's appointments: only this patient's.
        window.open_screen("appointments")
        qtbot.waitUntil(lambda: window.showing(booking), timeout=WAIT_MS)
        qtbot.waitUntil(
            lambda patient=patient: (
                booking.view_model.state is not None
                and booking.view_model.state.patient_id == patient.id
            ),
            timeout=WAIT_MS,
        )
        wait_idle(window)
        held = booking.view_model.appointments
        assert held
        assert {a.patient_id for a in held} == {patient.id}
        # Back to the list (one key) for the next one.
        qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: window.showing(screen), timeout=WAIT_MS)
        wait_idle(window)

    # An arrival taken on the list reaches the chosen row's patient, whoever the banner shows.
    choose(qtbot, screen, first.id.hex)
    qtbot.mouseClick(screen.view.step_buttons["arrive"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: clinic.appointments.get(day.clinician, day.mine[1].id).status == "arrived",
        timeout=WAIT_MS,
    )
    wait_idle(window)
    assert clinic.appointments.get(day.clinician, day.mine[3].id).status == "booked"


def test_switching_user_leaves_nothing_of_the_first_users_day(
    qtbot: QtBot, window: MainWindow, day: Day
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    screen = day_screen(qtbot, window)
    choose(qtbot, screen, day.patients[3].id.hex)
    assert screen.view.chosen() is not None

    qtbot.keyClick(
        window,
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.state is WindowState.SIGNED_OUT
    wait_idle(window)
    assert screen.view.model.rowCount() == 0
    assert screen.view.chosen() is None

    sign_in(qtbot, window, SUPERVISOR)
    screen = day_screen(qtbot, window)
    shown = {e.appointment.id for e in screen.view_model.entries}
    assert shown == {a.id for a in day.theirs}
    assert screen.view.chosen() is None or screen.view.chosen().appointment.id in shown  # type: ignore[union-attr]
    QApplication.processEvents()


def test_a_scan_row_with_a_report_waiting_opens_it_chosen_in_the_review_queue(
    qtbot: QtBot,
    clinic: Services,
    window: MainWindow,
    seeded_patient: PatientSummary,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    supervisor = clinic.auth.login(SUPERVISOR, demo_password(SUPERVISOR))
    other = next(
        p
        for p in clinic.patients.search(supervisor, "999", limit=20)
        if p.family_name != seeded_patient.family_name
    )
    submitted_by_trainee(clinic, other)  # first in the queue
    waiting = submitted_by_trainee(clinic, seeded_patient)
    site = clinic.appointments.sites(supervisor)[0].id
    today = datetime.now(CLINIC_ZONE).date()
    early = datetime.combine(today, time(0, 1), tzinfo=CLINIC_ZONE).astimezone(UTC)
    monkeypatch.setattr(appointment_service, "utcnow", lambda: early)
    clinic.appointments.book(
        supervisor, booking(seeded_patient.id, supervisor.id, site, today, "10:00", kind="scan")
    )
    monkeypatch.undo()
    sign_in(qtbot, window, SUPERVISOR)
    screen = day_screen(qtbot, window)
    entry = next(
        e for e in screen.view_model.entries if e.appointment.patient_id == seeded_patient.id
    )
    assert entry.opens == "report"

    choose(qtbot, screen, seeded_patient.id.hex)
    qtbot.keyClick(screen.view.table, Qt.Key.Key_Return)

    queue = window.screen_by_id("review")
    qtbot.waitUntil(lambda: window.showing(queue), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: queue.view.pending.count() == 2, timeout=WAIT_MS)
    wait_idle(window)
    assert window.context.patient is not None
    assert window.context.patient.id == seeded_patient.id
    chosen = queue.view.pending.currentItem().data(Qt.ItemDataRole.UserRole)
    assert chosen.id == waiting.id
