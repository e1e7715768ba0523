"""Waiting-time targets: the service lead changes them in the window; others only read them."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, wait_idle
from ui.app import MainWindow

ADMIN = "admin"


def _open_settings(qtbot: QtBot, window: MainWindow, username: str) -> None:
    sign_in(qtbot, window, username)
    window.action("settings").trigger()
    qtbot.waitUntil(lambda: bool(window.screen_by_id("settings").view.rows), timeout=WAIT_MS)
    wait_idle(window)


def test_service_lead_changes_a_target_and_puts_the_defaults_back(
    qtbot: QtBot, window: MainWindow, clinic: Services
) -> None:
    _open_settings(qtbot, window, ADMIN)
    view = window.screen_by_id("settings").view
    assert window.pages.currentWidget() is view
    routine = view.rows["appointment_routine"]
    assert routine.amount.value() == 28
    assert routine.default.text() == "default 28"
    assert "28 calendar days" in routine.source.text()
    assert view.save_button.isVisibleTo(view)

    routine.amount.setValue(21)
    view.rows["triage_all_referrals"].active.setChecked(True)
    view.near_working.setValue(2)
    with qtbot.waitSignal(window.screen_by_id("settings").view_model.saved, timeout=WAIT_MS):
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert "Saved" in view.notice.text()
    admin = clinic.auth.login(ADMIN, f"{ADMIN}-demo-2026")
    assert clinic.settings.changed_waiting_times(admin) == {
        "amounts": {"appointment_routine": 21},
        "active": {"triage_all_referrals": True},
        "near": {"working_days": 2},
    }

    with qtbot.waitSignal(window.screen_by_id("settings").view_model.saved, timeout=WAIT_MS):
        qtbot.mouseClick(view.reset_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: routine.amount.value() == 28, timeout=WAIT_MS)
    wait_idle(window)
    assert not view.rows["triage_all_referrals"].active.isChecked()
    assert clinic.settings.changed_waiting_times(admin) == {
        "amounts": {},
        "active": {},
        "near": {},
    }


def test_a_refused_value_is_shown_next_to_its_target_and_nothing_is_stored(
    qtbot: QtBot, window: MainWindow, clinic: Services
) -> None:
    _open_settings(qtbot, window, ADMIN)
    view = window.screen_by_id("settings").view
    amounts, active, near = view.values()
    amounts["appointment_priority"] = 0  # below what the spin box offers: the service says no
    error = view.rows["appointment_priority"].error
    with qtbot.waitSignal(window.screen_by_id("settings").view_model.problem, timeout=WAIT_MS):
        window.screen_by_id("settings").view_model.save(amounts, active, near)
    wait_idle(window)
    assert error.isVisibleTo(view)
    assert error.text() == "Use a whole number from 1 to 365."
    admin = clinic.auth.login(ADMIN, f"{ADMIN}-demo-2026")
    assert clinic.settings.changed_waiting_times(admin)["amounts"] == {}


def test_a_clinician_sees_the_targets_but_cannot_change_them(
    qtbot: QtBot, window: MainWindow
) -> None:
    _open_settings(qtbot, window, CLINICIAN)
    view = window.screen_by_id("settings").view
    assert view.read_only_note.isVisibleTo(view)
    assert not view.save_button.isVisibleTo(view)
    assert not view.rows["appointment_routine"].active.isEnabled()
    assert view.rows["appointment_routine"].amount.isReadOnly()


def test_screenshot_of_the_targets(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    """Grab the screen as the service lead sees it when ONESTOP_SHOTS names a folder."""
    folder = os.environ.get("ONESTOP_SHOTS")
    if not folder:
        return
    window.resize(1280, 800)
    _open_settings(qtbot, window, ADMIN)
    window.grab().save(str(Path(folder) / "waiting-time-targets-admin.png"))
    assert tmp_path.exists()
