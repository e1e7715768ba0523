"""The letters-due list on show after a sync round brings a discharge."""

from __future__ import annotations

from datetime import date

from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.sync.scheduler import SyncState
from tests.ui.conftest import wait_idle
from tests.ui.letters.helpers import discharge, patients_with_episodes
from ui.app import MainWindow

DISCHARGED = date(2026, 12, 23)


def test_the_letters_due_on_show_list_a_discharge_a_sync_brought(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    me = window.session.user
    assert me is not None
    screen = window.screen_by_id("letters_due")
    screen.view_model.today = lambda: date(2026, 12, 24)
    window.action("letters_due").trigger()
    wait_idle(window)
    assert window.showing(screen)
    before = screen.view.table.rowCount()

    # The episode was closed on the clinic-room laptop, with this clinician as its lead;
    # this round pulls the discharge in.
    (_patient, episode), *_ = patients_with_episodes(clinic, 1)
    discharge(clinic, episode, DISCHARGED, me)
    window.sync_state_changed.emit(SyncState(online=True, running=False, received=True))
    wait_idle(window)
    wait_idle(window)

    assert window.showing(screen)
    assert screen.view.table.rowCount() == before + 1
