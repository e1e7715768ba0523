"""The day list away from the server: it says when it has never synced with the one set up,
says when its list is from once it has, and moves day by day from the keyboard."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.local import StoreMeta
from clinic_app.people.sync_service import LAST_SUCCESS_KEY
from clinic_app.people.views import StoreStatus
from tests.ui.appointments.conftest import Day
from tests.ui.appointments.test_day_list import day_screen
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, wait_idle
from ui.app import MainWindow


def _server_set_up(clinic: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """The laptop as one enrolled with a server that it cannot reach now."""
    current = clinic.status.current

    def offline(actor: CurrentUser) -> StoreStatus:
        return replace(current(actor), sync_state="offline")

    monkeypatch.setattr(clinic.status, "current", offline)


def test_a_laptop_that_never_synced_says_so_above_its_day_list(
    qtbot: QtBot, clinic: Services, window: MainWindow, day: Day, monkeypatch: pytest.MonkeyPatch
) -> None:
    _server_set_up(clinic, monkeypatch)
    window.resize(1366, 768)
    sign_in(qtbot, window, CLINICIAN)
    screen = day_screen(qtbot, window)

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
    _server_set_up(clinic, monkeypatch)
    synced = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    with clinic.context.store.sessions.begin() as session:
        session.merge(StoreMeta(key=LAST_SUCCESS_KEY, value=synced.isoformat()))
    sign_in(qtbot, window, CLINICIAN)
    screen = day_screen(qtbot, window)
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
