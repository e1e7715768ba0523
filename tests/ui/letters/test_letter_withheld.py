"""A letter's PDF ready while the screen is locked or the user is leaving is never offered."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.ui.conftest import CLINICIAN, wait_idle
from tests.ui.late_answers import Gate, settle
from tests.ui.letters.helpers import open_letter, patients_with_episodes, printing_to
from tests.ui.letters.test_letter_screen import _draft
from tests.ui.shell.test_lock import _unlock
from ui.app import MainWindow, WindowState

WITHHELD = (
    "A document asked for was not saved or printed: the screen was locked or handed to the "
    "patient when it was ready. Print it again from the record."
)


def test_a_pdf_ready_while_locked_is_never_offered_and_said_once_unlocked(
    qtbot: QtBot,
    signed_in: MainWindow,
    clinic: Services,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    window = signed_in
    ((a, _),) = patients_with_episodes(clinic, 1)
    screen = open_letter(window, clinic, a)
    _draft(qtbot, window, screen, "patient")
    printed = printing_to(screen, tmp_path)
    gate = Gate(monkeypatch, clinic.letters, "printable")
    qtbot.mouseClick(screen.view.print_button, Qt.MouseButton.LeftButton)
    gate.wait_entered(qtbot)
    window.lock()
    gate.release()
    settle(qtbot, window)
    assert window.state is WindowState.LOCKED
    assert printed == []

    _unlock(qtbot, window, demo_password(CLINICIAN))
    wait_idle(window)
    assert window.state is WindowState.WORKING
    assert printed == []
    assert window.notice.text() == WITHHELD


def test_a_pdf_ready_as_the_user_switches_offers_no_save_dialog_to_anyone(
    qtbot: QtBot,
    signed_in: MainWindow,
    clinic: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = signed_in
    ((a, _),) = patients_with_episodes(clinic, 1)
    screen = open_letter(window, clinic, a)
    _draft(qtbot, window, screen, "patient")
    offered: list[str] = []
    screen.pdf_delivery.choose_path = lambda _title, suggested: (
        offered.append(Path(suggested).name) or ""
    )
    gate = Gate(monkeypatch, clinic.letters, "printable")
    qtbot.mouseClick(screen.view.print_button, Qt.MouseButton.LeftButton)
    gate.wait_entered(qtbot)
    gate.release()  # the PDF is ready just as the clinician presses Switch user
    window.switch_user()
    settle(qtbot, window)

    # No save dialog naming the patient opened over the record on the way out, and the next
    # person to sign in hears nothing of it.
    assert window.state is WindowState.SIGNED_OUT
    assert offered == []
    assert not window.notice.isVisible()
