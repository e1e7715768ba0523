"""A list that reads itself again (a sync round) keeps the row the clinician chose: Open
acts on that row's patient, never on the first row's."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.sync.scheduler import SyncState
from tests.ui.conftest import WAIT_MS, wait_idle
from tests.ui.letters.helpers import discharge, patients_with_episodes
from ui.app import MainWindow
from ui.domains.letters.due.screens import LettersDueScreen
from ui.domains.letters.letter.screens import LetterScreen


def test_open_after_a_sync_round_opens_the_letter_of_the_row_chosen(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    me = window.session.user
    assert me is not None
    for n, (_patient, episode) in enumerate(patients_with_episodes(clinic, 3)):
        discharge(clinic, episode, date(2026, 12, 10 + n), me)
    screen = window.screen_by_id("letters_due")
    assert isinstance(screen, LettersDueScreen)
    screen.view_model.today = lambda: date(2026, 12, 24)
    window.action("letters_due").trigger()
    wait_idle(window)
    table = screen.view.table
    assert table.rowCount() >= 3
    # The clinician clicks the last row: the patient whose letter they mean to write.
    last = table.rowCount() - 1
    chosen = screen.view_model.rows[last].item
    first = screen.view_model.rows[0].item
    assert chosen.patient_id != first.patient_id
    rect = table.visualRect(table.model().index(last, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert table.currentRow() == last

    # A sync round finishes (nothing new for this list) and the list reads itself again.
    window.sync_state_changed.emit(SyncState(online=True, running=False, received=True))
    wait_idle(window)
    wait_idle(window)

    qtbot.mouseClick(screen.view.open_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    letter_screen = window.screen_by_id("letter")
    assert isinstance(letter_screen, LetterScreen)
    qtbot.waitUntil(lambda: letter_screen.view_model.letter is not None, timeout=WAIT_MS)
    banner = window.context.patient
    assert banner is not None
    assert banner.id == chosen.patient_id, (
        f"Open after the sync round opened {first.patient_name}'s letter, not the row chosen "
        f"({chosen.patient_name})"
    )


def test_pifu_open_after_a_sync_round_opens_the_row_chosen(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    from tests.ui.care_plans.test_pifu_screen import _open_list, _sign

    window = signed_in
    me = window.session.user
    assert me is not None
    for n, (patient, _episode) in enumerate(patients_with_episodes(clinic, 3)):
        _sign(clinic, me, patient, months=3 + n)
    screen = _open_list(window)
    table = screen.view.table
    assert table.rowCount() >= 3
    last = table.rowCount() - 1
    chosen = screen.view_model.rows[last].item
    first = screen.view_model.rows[0].item
    assert chosen.patient_id != first.patient_id
    rect = table.visualRect(table.model().index(last, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert table.currentRow() == last

    window.sync_state_changed.emit(SyncState(online=True, running=False, received=True))
    wait_idle(window)
    wait_idle(window)

    qtbot.mouseClick(screen.view.open_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    qtbot.waitUntil(lambda: window.context.patient is not None, timeout=WAIT_MS)
    wait_idle(window)
    banner = window.context.patient
    assert banner is not None
    assert banner.id == chosen.patient_id, (
        "Open after the sync round opened the first row's patient, not the row chosen"
    )
