"""The triage worklist from the main window's menu and shortcut."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.conftest import WAIT_MS, wait_idle
from ui.app import MainWindow


def test_ctrl_t_opens_the_worklist_with_the_untriaged_referrals(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("worklist").view,
        timeout=WAIT_MS,
    )
    qtbot.waitUntil(lambda: bool(window.screen_by_id("worklist").view_model.items), timeout=WAIT_MS)
    wait_idle(window)
    user = window.session.user
    assert user is not None
    expected = [item.referral_id for item in clinic.triage.worklist(user)]
    assert [
        item.referral_id for item in window.screen_by_id("worklist").view_model.items
    ] == expected
    # The worklist takes the whole width; the search comes back on other pages.
    assert not window.screen_by_id("search").view.isVisible()
    window.open_screen("register")
    assert window.screen_by_id("search").view.isVisible()


def test_switching_user_empties_the_worklist(qtbot: QtBot, signed_in: MainWindow) -> None:
    window = signed_in
    window.action("worklist").trigger()
    qtbot.waitUntil(lambda: bool(window.screen_by_id("worklist").view_model.items), timeout=WAIT_MS)
    wait_idle(window)
    window.switch_user()
    wait_idle(window)
    assert window.screen_by_id("worklist").view_model.items == []
