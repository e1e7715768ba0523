"""The Sync screen on a device with no server set up: it says so, and offers nothing to do."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.ui.conftest import WAIT_MS, wait_idle
from ui.app import MainWindow


def test_a_standalone_device_says_it_is_not_syncing(qtbot: QtBot, signed_in: MainWindow) -> None:
    window = signed_in
    window.action("sync").trigger()
    qtbot.waitUntil(lambda: bool(window.screen_by_id("sync").view.summary.text()), timeout=WAIT_MS)
    wait_idle(window)
    view = window.screen_by_id("sync").view
    assert window.pages.currentWidget() is view
    assert view.summary.text().startswith("Not syncing (no server set up)")
    assert "not set up to sync" in view.server.text()
    assert not view.sync_button.isEnabled()
    assert view.choice_buttons == []
    assert window.status_strip.sync_label.text().startswith("Not syncing")
