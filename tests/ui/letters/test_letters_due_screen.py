"""The letters-due list: days left across the Christmas bank holidays, breaches, no GP."""

from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.people.model import Patient
from tests.support import pictures
from tests.ui.conftest import WAIT_MS, sign_in, wait_idle
from tests.ui.letters.helpers import SMALL_LAPTOP, discharge, patients_with_episodes, set_row
from ui.app import MainWindow
from ui.common.theme import NHS_PALE_RED
from ui.domains.letters.due.screens import LettersDueScreen
from ui.domains.letters.letter.screens import LetterScreen

DISCHARGED = date(2026, 12, 23)  # the Wednesday before Christmas


def _open_due(window: MainWindow, on: date) -> LettersDueScreen:
    screen = window.screen_by_id("letters_due")
    assert isinstance(screen, LettersDueScreen)
    screen.view_model.today = lambda: on
    action = window.action("letters_due")
    assert action.isEnabled()
    action.trigger()
    wait_idle(window)
    assert window.showing(screen)
    return screen


def _row_of(screen: LettersDueScreen, name: str) -> list[str]:
    table = screen.view.table
    for r in range(table.rowCount()):
        cells = [table.item(r, c).text() for c in range(table.columnCount())]
        if cells[0] == name:
            return cells
    raise AssertionError(f"{name} is not listed")


def _open_row(
    qtbot: QtBot,
    window: MainWindow,
    screen: LettersDueScreen,
    r: int,
    *,
    patient: uuid.UUID,
    episode: uuid.UUID,
) -> None:
    """Open row ``r``: its patient in the banner, their letter drafted; then listed as begun."""
    table = screen.view.table
    name = table.item(r, 0).text()
    # Opening the row opens the patient and their discharge letter, drafted from the record.
    table.setCurrentCell(r, 0)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    wait_idle(window)
    letter_screen = window.screen_by_id("letter")
    assert isinstance(letter_screen, LetterScreen)
    qtbot.waitUntil(lambda: letter_screen.view_model.letter is not None, timeout=WAIT_MS)
    assert window.showing(letter_screen)
    assert window.context.patient is not None
    assert window.context.patient.id == patient
    letter = letter_screen.view_model.letter
    assert letter is not None
    assert letter.kind == "gp_discharge"
    assert letter.episode_id == episode
    assert letter.no_gp_practice
    assert "No GP practice is recorded" in letter_screen.view.status.text()

    # The draft is now started; opening the row again continues it.
    screen = _open_due(window, date(2027, 1, 5))
    assert _row_of(screen, name)[7] == "Draft started"


def test_the_letters_due_count_working_days_across_the_bank_holidays(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    window.resize(*SMALL_LAPTOP)
    me = window.session.user
    assert me is not None
    (patient, episode), (other, other_episode) = patients_with_episodes(clinic, 2)
    discharge(clinic, episode, DISCHARGED, me)
    discharge(clinic, other_episode, DISCHARGED)  # another clinician's discharge
    (third, third_episode), *_ = patients_with_episodes(clinic, 3)[2:]
    discharge(clinic, third_episode, date(2026, 12, 31), me)  # a later one, in time
    set_row(clinic, Patient, patient, gp_practice_id=None)
    record = clinic.patients.open(me, patient)
    name = f"{record.family_name.upper()}, {record.given_name}"
    other_record = clinic.patients.open(me, other)
    other_name = f"{other_record.family_name.upper()}, {other_record.given_name}"

    # Christmas Eve: 4 working days left; over Christmas, Boxing Day (its substitute, Monday
    # 28th) and the weekend only one working day passes.
    screen = _open_due(window, date(2026, 12, 24))
    cells = _row_of(screen, name)
    assert cells[2] == "Discharge letter to the GP"
    assert cells[4] == "04-Jan-2027"
    assert cells[5] == "4 working days left"
    assert cells[6] == "No GP practice recorded"
    assert cells[7] == "Not started"
    assert other_name not in [
        screen.view.table.item(r, 0).text() for r in range(screen.view.table.rowCount())
    ]
    assert "Your discharges" in screen.view.whose.text()

    screen = _open_due(window, date(2026, 12, 29))
    assert _row_of(screen, name)[5] == "3 working days left"
    screen = _open_due(window, date(2027, 1, 4))
    assert _row_of(screen, name)[5] == "Due today"

    # The day after the target: a breach, in words and in colour.
    screen = _open_due(window, date(2027, 1, 5))
    assert _row_of(screen, name)[5] == "Overdue by 1 working day"
    table = screen.view.table
    r = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == name)
    assert table.item(r, 5).background().color() == QColor(NHS_PALE_RED)
    third_record = clinic.patients.open(me, third)
    in_time = _row_of(screen, f"{third_record.family_name.upper()}, {third_record.given_name}")
    assert in_time[5] == "3 working days left"
    assert table.item(0, 0).text() == name  # the breach first
    table.clearSelection()
    assert window.minimumSizeHint().width() <= SMALL_LAPTOP[0]
    pictures.keep(window, "letters-due.png")

    _open_row(qtbot, window, screen, r, patient=patient, episode=episode)


def test_the_service_lead_sees_every_clinicians_letters_due(
    qtbot: QtBot, window: MainWindow, clinic: Services
) -> None:
    (_patient, episode), (_other, other_episode) = patients_with_episodes(clinic, 2)
    discharge(clinic, episode, DISCHARGED)
    discharge(clinic, other_episode, DISCHARGED)
    sign_in(qtbot, window, "admin")
    screen = _open_due(window, date(2026, 12, 29))
    assert "Every clinician's" in screen.view.whose.text()
    assert screen.view.table.rowCount() >= 2
    assert not screen.view.open_button.isEnabled()  # the lead reads the list only
