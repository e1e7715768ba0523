"""The first sight after sign-in: the sign-in screen stays up until the day list is read, so
the workspace appears once, with the list in it; a slow or failed read does not hold the
user back, and a late answer never fills the next user's list."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy.exc import OperationalError

import ui.shell.window as shell_window
from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.ui.appointments.conftest import Day
from tests.ui.conftest import CLINICIAN, SUPERVISOR, WAIT_MS, sign_in, wait_idle
from ui.app import MainWindow, WindowState
from ui.domains.appointments.day.screens import DayScreen


def _today(window: MainWindow) -> DayScreen:
    screen = window.screen_by_id("today")
    assert isinstance(screen, DayScreen)
    return screen


def _count_reads(clinic: Services, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every day list the service is asked for, by whom."""
    asked: list[str] = []
    real = clinic.appointments.day

    def counted(actor: Any, **kwargs: Any) -> Any:
        asked.append(actor.username)
        return real(actor, **kwargs)

    monkeypatch.setattr(clinic.appointments, "day", counted)
    return asked


def _slow_reads(
    clinic: Services, monkeypatch: pytest.MonkeyPatch, gate: threading.Event, who: str
) -> None:
    """``who``'s day list is answered only once ``gate`` is set (everyone else's at once)."""
    real = clinic.appointments.day

    def slow(actor: Any, **kwargs: Any) -> Any:
        if actor.username == who:
            gate.wait(timeout=WAIT_MS / 1000)
        return real(actor, **kwargs)

    monkeypatch.setattr(clinic.appointments, "day", slow)


def _in_before_the_list(
    qtbot: QtBot, window: MainWindow, clinic: Services, monkeypatch: pytest.MonkeyPatch
) -> threading.Event:
    """The clinician signs in and the wait runs out before their list comes (until the
    returned gate is set)."""
    monkeypatch.setattr(shell_window, "LANDING_WAIT_MS", 200)
    gate = threading.Event()
    _slow_reads(clinic, monkeypatch, gate, CLINICIAN)
    window.login_vm.sign_in(CLINICIAN, demo_password(CLINICIAN))
    qtbot.waitUntil(lambda: window.state is WindowState.WORKING, timeout=WAIT_MS)
    return gate


def _when_workspace_appears(window: MainWindow, look: Callable[[], Any]) -> list[Any]:
    """What ``look`` saw at each moment the workspace replaced the sign-in screen."""
    seen: list[Any] = []

    def changed(_index: int) -> None:
        if window.top.currentWidget() is window.workspace:
            seen.append(look())

    window.top.currentChanged.connect(changed)
    return seen


def test_the_workspace_appears_once_with_the_day_list_already_in_it(
    qtbot: QtBot,
    window: MainWindow,
    clinic: Services,
    day: Day,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked = _count_reads(clinic, monkeypatch)
    screen = _today(window)
    seen = _when_workspace_appears(window, screen.view.model.rowCount)

    sign_in(qtbot, window, CLINICIAN)

    assert window.state is WindowState.WORKING
    assert window.showing(screen)
    # The rows were there the moment the workspace was shown: it is never drawn empty.
    assert seen == [len(day.mine)]
    # Read once, behind the sign-in screen; opening the page did not read it again.
    assert asked == [CLINICIAN]
    assert not window.login_vm.busy


def test_a_slow_list_does_not_hold_the_sign_in_screen(
    qtbot: QtBot,
    window: MainWindow,
    clinic: Services,
    day: Day,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gate = _in_before_the_list(qtbot, window, clinic, monkeypatch)
    screen = _today(window)

    # In, on the day list, before the list has come: the page is there, the rows follow.
    assert window.showing(screen)
    assert screen.view.model.rowCount() == 0
    gate.set()
    qtbot.waitUntil(lambda: screen.view.model.rowCount() == len(day.mine), timeout=WAIT_MS)
    wait_idle(window)


def test_the_sign_in_screen_takes_no_second_sign_in_while_the_first_opens(
    qtbot: QtBot,
    window: MainWindow,
    clinic: Services,
    day: Day,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gate = threading.Event()
    _slow_reads(clinic, monkeypatch, gate, CLINICIAN)
    signed: list[str] = []
    window.login_vm.signed_in.connect(lambda user: signed.append(user.username))

    window.login_vm.sign_in(CLINICIAN, demo_password(CLINICIAN))
    qtbot.waitUntil(lambda: signed == [CLINICIAN], timeout=WAIT_MS)
    assert window.state is WindowState.SIGNED_OUT
    assert window.login_vm.busy
    assert not window.login_view.submit_button.isEnabled()
    window.login_vm.sign_in(SUPERVISOR, demo_password(SUPERVISOR))

    gate.set()
    qtbot.waitUntil(lambda: window.state is WindowState.WORKING, timeout=WAIT_MS)
    wait_idle(window)
    assert signed == [CLINICIAN]
    assert window.session.user is not None
    assert window.session.user.username == CLINICIAN
    assert not window.login_vm.busy


def test_a_failed_list_read_opens_the_workspace_with_the_reason(
    qtbot: QtBot,
    window: MainWindow,
    clinic: Services,
    day: Day,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(_actor: Any, **_kwargs: Any) -> Any:
        raise OperationalError("SELECT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(clinic.appointments, "day", broken)
    screen = _today(window)
    started = time.monotonic()

    sign_in(qtbot, window, CLINICIAN)

    assert window.state is WindowState.WORKING
    # Straight in, not after the longest wait.
    assert time.monotonic() - started < shell_window.LANDING_WAIT_MS / 1000
    assert window.showing(screen)
    assert screen.view.notice.isVisible()
    assert screen.view.notice.text()


def test_a_late_list_never_fills_the_next_users_day(
    qtbot: QtBot,
    window: MainWindow,
    clinic: Services,
    day: Day,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gate = _in_before_the_list(qtbot, window, clinic, monkeypatch)
    screen = _today(window)
    # The clinician walks away before their list has come; the supervisor signs in.
    window.switch_user()
    gate.set()
    sign_in(qtbot, window, SUPERVISOR)
    wait_idle(window)

    assert window.session.user is not None
    assert window.session.user.username == SUPERVISOR
    shown = {e.appointment.id for e in screen.view_model.entries}
    assert shown == {a.id for a in day.theirs}
    model_ids = {e.appointment.id for e in screen.view.model_entries()}
    assert model_ids == shown


def test_reception_sees_the_site_day_with_its_rows_as_the_workspace_appears(
    qtbot: QtBot, window: MainWindow, day: Day
) -> None:
    site = window.screen_by_id("site_day")
    assert isinstance(site, DayScreen)
    seen = _when_workspace_appears(window, site.view.model.rowCount)

    sign_in(qtbot, window, "admin")

    assert window.showing(site)
    # The sites were read first, then the site's day: both before the workspace appeared.
    assert seen == [len(day.mine) + len(day.theirs)]
