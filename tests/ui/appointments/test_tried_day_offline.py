"""The day list away from the server: it says when it has never synced with the one set up,
says when its list is from once it has, and moves day by day from the keyboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.kernel.local import StoreMeta
from clinic_app.people.sync_service import LAST_SUCCESS_KEY
from tests.ui.appointments.conftest import Day
from tests.ui.appointments.test_day_list import day_screen
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, wait_idle
from ui.app import MainWindow
from ui.domains.appointments.day.screens import DayScreen


def _server_set_up(clinic: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """The laptop as one enrolled with a server, once its user has signed in.

    (Signing in on an enrolled laptop needs one sign-in while connected: the test signs in
    first, then the laptop is taken to be enrolled, and the list is read again.)
    """
    monkeypatch.setattr(clinic.sync, "configured", lambda: True)


def _read_again(qtbot: QtBot, window: MainWindow) -> DayScreen:
    """Today's list read afresh: a day on, and back to today, from the keyboard."""
    screen = day_screen(qtbot, window)
    today = screen.view_model.day_list.day  # type: ignore[union-attr]
    table = screen.view.table
    qtbot.keyClick(table, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: screen.view_model.day_list.day != today, timeout=WAIT_MS)  # type: ignore[union-attr]
    qtbot.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: screen.view_model.day_list.day == today, timeout=WAIT_MS)  # type: ignore[union-attr]
    wait_idle(window)
    return screen


def test_a_laptop_that_never_synced_says_so_above_its_day_list(
    qtbot: QtBot, clinic: Services, window: MainWindow, day: Day, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.resize(1366, 768)
    sign_in(qtbot, window, CLINICIAN)
    _server_set_up(clinic, monkeypatch)
    screen = _read_again(qtbot, window)

    assert screen.view.synced.isVisibleTo(screen.view)
    assert "Never synced" in screen.view.synced.text()
    assert {e.appointment.id for e in screen.view_model.entries} == {a.id for a in day.mine}


def test_a_standalone_laptop_says_nothing_of_syncing_on_its_day_list(
    qtbot: QtBot, window: MainWindow, day: Day
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    screen = day_screen(qtbot, window)
    assert not screen.view.synced.isVisibleTo(screen.view)


def test_a_synced_list_says_when_it_is_from_and_the_days_move_by_keyboard(
    qtbot: QtBot, clinic: Services, window: MainWindow, day: Day, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    with clinic.context.store.sessions.begin() as session:
        session.merge(StoreMeta(key=LAST_SUCCESS_KEY, value=synced.isoformat()))
    sign_in(qtbot, window, CLINICIAN)
    _server_set_up(clinic, monkeypatch)
    screen = _read_again(qtbot, window)
    assert screen.view.synced.text().startswith("Showing what was synced at")
    assert "Never" not in screen.view.synced.text()

    table = screen.view.table
    qtbot.keyClick(table, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: screen.view_model.day_list.day == day.today + timedelta(days=1))  # type: ignore[union-attr]
    wait_idle(window)
    assert not screen.view_model.entries
    assert screen.view.empty.isVisibleTo(screen.view)
    assert not screen.view.day_label.text().startswith("Today")

    qtbot.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(
        lambda: screen.view_model.day_list.day == day.today,  # type: ignore[union-attr]
        timeout=WAIT_MS,
    )
    wait_idle(window)
    assert screen.view.day_label.text().startswith("Today")
    assert {e.appointment.id for e in screen.view_model.entries} == {a.id for a in day.mine}
