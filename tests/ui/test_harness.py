"""The UI tests' own harness: one test's failure never carries into the next test's window."""

from __future__ import annotations

import threading

import pytest
import shiboken6
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.conftest import CLINICIAN, WindowFactory, sign_in
from ui.app import WindowState
from ui.common.tasks import TaskRunner


def test_a_window_whose_work_outlasts_the_wait_is_still_shut_down_and_deleted(
    qtbot: QtBot, clinic: Services, make_window: WindowFactory
) -> None:
    """Work still running when the test ends fails that test, and the window goes all the same.

    A window left alive (shown, its timers running, its filters on the application) acted in
    the tests after it, and failed them for a fault that was not theirs.
    """
    first = make_window()
    sign_in(qtbot, first, CLINICIAN)
    release = threading.Event()
    first.runner.run_store(lambda: release.wait(30))
    # Let go just after the harness has stopped waiting (it waits 5 seconds).
    letting_go = threading.Timer(5.5, release.set)
    letting_go.start()
    try:
        with pytest.raises(TimeoutError):
            make_window.close_all()
    finally:
        release.set()
        letting_go.cancel()

    assert not shiboken6.isValid(first)
    # The next test's window, with its own task runner (the first one's stopped with it).
    following = WindowFactory(qtbot, clinic, TaskRunner(), [])
    try:
        second = following()
        sign_in(qtbot, second, CLINICIAN)
        assert second.state is WindowState.WORKING
    finally:
        following.close_all()
