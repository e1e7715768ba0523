"""A day-list answer that comes after a sign-out is dropped: the next user never gets the last
user's did-not-attend question, nor a step of theirs reported."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.appointments.conftest import Day
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.domains.appointments.day.view_model import DayViewModel


def _settle(runner: TaskRunner) -> None:
    runner.wait_idle()
    QApplication.processEvents()


def test_a_question_asked_before_signing_out_never_reaches_the_next_user(
    qtbot: QtBot, clinic: Services, runner: TaskRunner, day: Day
) -> None:
    session = UserSession()
    session.sign_in(day.clinician)
    vm = DayViewModel(clinic.appointments, clinic.patients, runner=runner, session=session)
    heard: list[str] = []
    vm.dna_asked.connect(lambda _entry, _check: heard.append("dna_asked"))
    vm.stepped.connect(lambda _result, step: heard.append(step))
    vm.refresh()
    _settle(runner)
    assert vm.entries

    # Did not attend asked, and the user switched before the answer.
    vm.ask_dna(day.mine[3].id)
    vm.clear()
    session.sign_in(day.other)
    _settle(runner)
    assert "dna_asked" not in heard
    assert not vm.busy

    # An arrival taken, and the user switched before the answer: it was recorded (for
    # that appointment) but is not reported to the next user.
    vm.refresh()
    _settle(runner)
    vm.take_step("arrive", day.theirs[0].id)
    vm.clear()
    _settle(runner)
    assert "arrive" not in heard
    assert clinic.appointments.get(day.other, day.theirs[0].id).status == "arrived"

    # Asked and answered within one user's session: heard as ever.
    vm.refresh()
    _settle(runner)
    vm.ask_dna(day.theirs[1].id)
    _settle(runner)
    assert heard == ["dna_asked"]
