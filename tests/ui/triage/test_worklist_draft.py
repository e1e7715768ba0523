"""What a clinician types about a referral on the triage worklist is kept until it is recorded.

Reasons typed for a referral were lost on glancing at another referral, on switching user and
on locking: the form started again from nothing. They are the typist's draft of that referral
only: never shown for another referral, nor to another user.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QRadioButton
from pytestqt.qtbot import QtBot

from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, type_into, wait_idle
from ui.app import MainWindow
from ui.shell.window import WindowState

REASONS = "Night pain and weight loss: see within two weeks"


def _worklist(qtbot: QtBot, window: MainWindow) -> Any:
    window.action("worklist").trigger()
    worklist = window.screen_by_id("worklist")
    qtbot.waitUntil(lambda: len(worklist.view_model.items) >= 2, timeout=WAIT_MS)
    wait_idle(window)
    return worklist


def _choose(qtbot: QtBot, window: MainWindow, worklist: Any, referral_id: Any) -> None:
    worklist.view.select(referral_id)
    wait_idle(window)
    qtbot.waitUntil(lambda: worklist.view.panel.item.referral_id == referral_id, timeout=WAIT_MS)
    wait_idle(window)


def _switch_to(qtbot: QtBot, window: MainWindow, username: str) -> None:
    window.switch_user()
    wait_idle(window)
    sign_in(qtbot, window, username)
    assert window.state is WindowState.WORKING


def test_reasons_typed_for_a_referral_come_back_to_it_and_to_nothing_else(
    qtbot: QtBot, signed_in: MainWindow
) -> None:
    window = signed_in
    worklist = _worklist(qtbot, window)
    first, second = worklist.view_model.items[:2]
    _choose(qtbot, window, worklist, first.referral_id)
    appointment = worklist.view.findChild(QRadioButton, "appointment")
    qtbot.mouseClick(
        appointment, Qt.MouseButton.LeftButton, pos=QPoint(12, appointment.height() // 2)
    )
    type_into(qtbot, worklist.view.panel.reason, REASONS)

    _choose(qtbot, window, worklist, second.referral_id)
    panel = worklist.view.panel
    assert panel.reason.toPlainText() == ""
    assert panel.outcome_group.checkedButton() is None

    _choose(qtbot, window, worklist, first.referral_id)
    qtbot.waitUntil(lambda: panel.reason.toPlainText() == REASONS, timeout=WAIT_MS)
    assert panel.outcome_group.checkedButton() is appointment


def test_reasons_typed_stay_the_typists_through_a_switch_of_user(
    qtbot: QtBot, signed_in: MainWindow
) -> None:
    window = signed_in
    worklist = _worklist(qtbot, window)
    first = worklist.view_model.items[0]
    _choose(qtbot, window, worklist, first.referral_id)
    type_into(qtbot, worklist.view.panel.reason, REASONS)

    _switch_to(qtbot, window, "supervisor")
    worklist = _worklist(qtbot, window)
    _choose(qtbot, window, worklist, first.referral_id)
    assert worklist.view.panel.reason.toPlainText() == ""

    _switch_to(qtbot, window, CLINICIAN)
    worklist = _worklist(qtbot, window)
    _choose(qtbot, window, worklist, first.referral_id)
    qtbot.waitUntil(lambda: worklist.view.panel.reason.toPlainText() == REASONS, timeout=WAIT_MS)
