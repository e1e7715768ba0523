"""Closing the window: what the store's thread was starting is finished, then stopped."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from tests.ui.conftest import CLINICIAN, sign_in
from ui.app import MainWindow, WindowState

BACKGROUND = ("onestop-sync", "onestop-pacs")


def _background_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name in BACKGROUND and t.is_alive()]


def test_closing_while_the_background_work_is_being_started_leaves_none_running(
    qtbot: QtBot, window: MainWindow
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    assert window.state is WindowState.WORKING
    # The store's thread is busy (a save, say) when the background work is asked to start:
    # its start waits in the queue, and the window is closed before it has run.
    busy = threading.Event()
    window.runner.run_store(lambda: busy.wait(10))
    window.background.stop()  # whatever the sign-in already started
    window.background.sync_started = window.background.imaging_started = False
    assert _background_threads() == []
    window.background.start_sync(lambda _state: None)
    window.background.start_imaging(lambda: None, lambda: None)
    threading.Timer(0.3, busy.set).start()

    window.close()

    assert window.runner.is_idle()
    assert _background_threads() == []
