"""The appointment chosen in a patient's list, gone after a sync round: nothing else chosen."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot
from sqlalchemy import update

from clinic_app.container import Services
from clinic_app.domains.appointments.model import Appointment
from tests.ui.appointments.conftest import booking
from tests.ui.appointments.test_booking import _open_booking
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, wait_idle
from tests.ui.shell.test_patient_context import open_record
from ui.app import MainWindow


def test_rebook_and_cancel_never_move_to_another_appointment_after_a_sync_round(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    user = window.session.user
    assert user is not None
    site = clinic.appointments.sites(user)[0]
    patient = next(p for p in clinic.patients.search(user, "999", limit=60) if p.nhs_number)
    day = clinic.appointments.day(user).day
    for existing in clinic.appointments.for_patient(user, patient.id):
        with clinic.context.store.sessions.begin() as session:
            session.execute(
                update(Appointment).where(Appointment.id == existing.id).values(deleted=True)
            )
    booked = [
        clinic.appointments.book(
            user, booking(patient.id, user.id, site.id, day + timedelta(days=n), "10:00")
        )
        for n in (3, 5, 7)
    ]
    open_record(qtbot, window, patient.id)
    screen = _open_booking(qtbot, window)
    view = screen.view
    qtbot.waitUntil(lambda: view.table.rowCount() == 3, timeout=WAIT_MS)

    # The clinician chooses the appointment in five days' time to cancel it.
    view.select(booked[1].id)
    assert view.chosen_id() == booked[1].id

    # Meanwhile another device removed that appointment (booked in error); a sync round
    # brings it here and the list is read again.
    with clinic.context.store.sessions.begin() as session:
        session.execute(
            update(Appointment).where(Appointment.id == booked[1].id).values(deleted=True)
        )
    window.context.announce("sync.finished", None)
    qtbot.waitUntil(lambda: view.table.rowCount() == 2, timeout=WAIT_MS)
    wait_idle(window)

    # The appointment chosen has gone: Cancel and Rebook must not now act on another one.
    assert view.chosen_id() != booked[2].id, (
        "the appointment chosen left the list and the one in seven days' time is now chosen: "
        "Cancel and Rebook act on an appointment the clinician never chose"
    )
    assert not view.cancel_button.isEnabled()
