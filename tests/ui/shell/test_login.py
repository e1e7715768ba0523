"""Signing in: the right password opens the workspace; a wrong one says so calmly."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.ui.conftest import CLINICIAN, sign_in
from ui.app import MainWindow, WindowState


def test_sign_in_opens_the_workspace(qtbot: QtBot, window: MainWindow) -> None:
    assert window.state is WindowState.SIGNED_OUT
    assert window.login_view.username_edit.hasFocus()

    sign_in(qtbot, window, CLINICIAN)

    assert window.state is WindowState.WORKING
    assert window.top.currentWidget() is window.workspace
    assert "Priya Shah" in window.status_strip.user_label.text()
    assert "Clinician" in window.status_strip.user_label.text()
    qtbot.waitUntil(lambda: window.status_strip.sync_label.text().startswith("Not syncing"))
    assert "Riverside" in window.status_strip.site_label.text()
    # A clinician starts on their own day list, its rows under the keyboard.
    day_list = window.screen_by_id("today")
    assert window.showing(day_list)
    assert day_list.view.table.hasFocus()


def test_wrong_password_says_so_and_stays_on_sign_in(qtbot: QtBot, window: MainWindow) -> None:
    sign_in(qtbot, window, CLINICIAN, "not-my-password")

    view = window.login_view
    assert window.state is WindowState.SIGNED_OUT
    assert window.top.currentWidget() is view
    assert view.message_text() == (
        "The user name or password is not right. Check them and try again."
    )
    assert view.password_edit.text() == ""
    assert view.password_edit.hasFocus()
    assert view.username_edit.text() == CLINICIAN


def test_unknown_user_gets_the_same_message(qtbot: QtBot, window: MainWindow) -> None:
    sign_in(qtbot, window, "nobody-here", "whatever-1234")

    assert window.state is WindowState.SIGNED_OUT
    assert window.login_view.message_text().startswith("The user name or password is not right")


def test_empty_fields_are_asked_for_without_a_round_trip(qtbot: QtBot, window: MainWindow) -> None:
    window.login_view.submit_button.click()

    assert window.login_view.message_text() == "Enter your user name."
    assert window.runner.is_idle()
