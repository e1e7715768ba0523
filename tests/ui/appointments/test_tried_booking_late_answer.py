"""A booking's answer that comes back once another patient is in the banner is dropped: a
warning, a "booked" or a refusal about one patient is never shown under another's name."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.ui.appointments.conftest import booking
from tests.ui.conftest import CLINICIAN
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.domains.appointments.booking.view import typed_day
from ui.domains.appointments.booking.view_model import BookingViewModel


def _settle(runner: TaskRunner) -> None:
    runner.wait_idle()
    QApplication.processEvents()


def test_an_answer_for_the_last_patient_never_reaches_the_next(
    qtbot: QtBot, clinic: Services, runner: TaskRunner
) -> None:
    user = clinic.auth.login(CLINICIAN, demo_password(CLINICIAN))
    session = UserSession()
    session.sign_in(user)
    site = clinic.appointments.sites(user)[0]
    first, second, third = [
        p for p in clinic.patients.search(user, "999", limit=60) if p.nhs_number
    ][3:6]
    tomorrow = clinic.appointments.day(user).day + timedelta(days=1)
    clinic.appointments.book(user, booking(third.id, user.id, site.id, tomorrow, "10:00"))
    vm = BookingViewModel(clinic.appointments, runner=runner, session=session)
    heard: list[str] = []
    vm.warned.connect(lambda _check: heard.append("warned"))
    vm.saved.connect(lambda _result, what: heard.append(what))
    vm.problem.connect(lambda _text: heard.append("problem"))
    values: dict[str, object] = {
        "clinician_id": user.id,
        "site_id": site.id,
        "day": typed_day(tomorrow),
        "time": "10:00",
        "minutes": "30",
        "appointment_type": "follow_up",
        "mechanism": "face_to_face",
    }

    # A clash warning asked for the first patient, the second opened before it comes.
    vm.start(first.id)
    _settle(runner)
    vm.check_and_book(values)
    vm.start(second.id)
    _settle(runner)
    assert "warned" not in heard
    assert not vm.busy

    # A booking made for the first patient (at a free time), the second opened before the
    # answer: it is the first's, and nothing says "booked" on the second's screen.
    vm.start(first.id)
    _settle(runner)
    vm.check_and_book({**values, "time": "15:00"})
    vm.start(second.id)
    _settle(runner)
    assert "booked" not in heard
    assert [a.patient_id for a in clinic.appointments.for_patient(user, first.id)] == [first.id]
    assert not clinic.appointments.for_patient(user, second.id)

    # Asked and answered for the same patient: heard as ever.
    vm.check_and_book(values)
    _settle(runner)
    assert heard == ["warned"]
