"""The day list after a slow first read at sign-in: it still reads itself again when reopened."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

import clinic_app.domains.appointments.service.core as appointment_service
import ui.shell.window as shell_window
from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.ui.appointments.conftest import CLINIC_ZONE, Day, booking
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, wait_idle
from ui.app import MainWindow, WindowState


def _book_one_more(clinic: Services, day: Day, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reception books the clinician one more patient today (as the day fixture books)."""
    early = datetime.combine(day.today, time(0, 1), tzinfo=CLINIC_ZONE).astimezone(UTC)
    real = appointment_service.utcnow
    monkeypatch.setattr(appointment_service, "utcnow", lambda: early)
    try:
        clinic.appointments.book(
            day.clinician,
            booking(day.patients[5].id, day.clinician.id, day.site_id, day.today, "15:00"),
        )
    finally:
        monkeypatch.setattr(appointment_service, "utcnow", real)


def _away_and_back(qtbot: QtBot, window: MainWindow, clinic: Services, day: Day, mp: Any) -> int:
    today = window.screen_by_id("today")
    qtbot.waitUntil(lambda: today.view.model.rowCount() == len(day.mine), timeout=WAIT_MS)
    wait_idle(window)
    # The clinician goes to the worklist; meanwhile reception books them a patient.
    window.action("worklist").trigger()
    qtbot.waitUntil(lambda: window.showing(window.screen_by_id("worklist")), timeout=WAIT_MS)
    wait_idle(window)
    _book_one_more(clinic, day, mp)
    # Back to "My day list" (Ctrl+D).
    window.action("today").trigger()
    qtbot.waitUntil(lambda: window.showing(today), timeout=WAIT_MS)
    wait_idle(window)
    qtbot.wait(200)
    wait_idle(window)
    return today.view.model.rowCount()


def test_after_a_quick_first_read_the_day_list_reads_itself_again(
    qtbot: QtBot, window: MainWindow, clinic: Services, day: Day, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    assert window.state is WindowState.WORKING
    assert _away_and_back(qtbot, window, clinic, day, monkeypatch) == len(day.mine) + 1


def test_after_a_slow_first_read_the_day_list_still_reads_itself_again(
    qtbot: QtBot, window: MainWindow, clinic: Services, day: Day, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first read is slower than the sign-in screen waits (a busy laptop, a big store).
    monkeypatch.setattr(shell_window, "LANDING_WAIT_MS", 200)
    gate = threading.Event()
    real = clinic.appointments.day
    first = [True]

    def slow_once(actor: Any, **kwargs: Any) -> Any:
        if first[0]:
            first[0] = False
            gate.wait(timeout=WAIT_MS / 1000)
        return real(actor, **kwargs)

    monkeypatch.setattr(clinic.appointments, "day", slow_once)
    window.login_vm.sign_in(CLINICIAN, demo_password(CLINICIAN))
    qtbot.waitUntil(lambda: window.state is WindowState.WORKING, timeout=WAIT_MS)
    gate.set()
    wait_idle(window)

    assert _away_and_back(qtbot, window, clinic, day, monkeypatch) == len(day.mine) + 1
