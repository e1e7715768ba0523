"""The triage worklist while a sync round re-reads it: the referral being triaged, and what
was typed about it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QRadioButton
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.triage.views import TriageInput
from clinic_app.sync.scheduler import SyncState
from tests.ui.conftest import type_into, wait_idle
from tests.ui.triage.test_worklist_draft import REASONS, _choose, _worklist
from ui.app import MainWindow


def _sync_round(window: MainWindow) -> None:
    window.sync_state_changed.emit(SyncState(online=True, running=False, received=True))
    wait_idle(window)
    wait_idle(window)


def test_a_sync_round_keeps_the_referral_and_the_words_typed_about_it(
    qtbot: QtBot, signed_in: MainWindow
) -> None:
    window = signed_in
    worklist = _worklist(qtbot, window)
    _first, second = worklist.view_model.items[:2]
    _choose(qtbot, window, worklist, second.referral_id)
    appointment = worklist.view.findChild(QRadioButton, "appointment")
    qtbot.mouseClick(
        appointment, Qt.MouseButton.LeftButton, pos=QPoint(12, appointment.height() // 2)
    )
    type_into(qtbot, worklist.view.panel.reason, REASONS)

    _sync_round(window)
    qtbot.wait(200)
    wait_idle(window)
    panel = worklist.view.panel
    assert panel.item is not None
    assert panel.item.referral_id == second.referral_id
    assert panel.reason.toPlainText() == REASONS
    assert panel.outcome_group.checkedButton() is appointment


def test_a_referral_triaged_elsewhere_is_said_and_its_words_go_to_no_other(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    worklist = _worklist(qtbot, window)
    chosen, _other = worklist.view_model.items[:2]
    _choose(qtbot, window, worklist, chosen.referral_id)
    type_into(qtbot, worklist.view.panel.reason, REASONS)
    # A colleague triages the same referral on the clinic-room laptop; the round brings it.
    colleague = clinic.auth.login("supervisor", demo_password("supervisor"))
    clinic.triage.triage(
        colleague, chosen.referral_id, TriageInput(outcome="signpost", priority="routine")
    )
    _sync_round(window)
    qtbot.wait(200)
    wait_idle(window)
    panel = worklist.view.panel
    shown = panel.item
    assert shown is None or shown.referral_id != chosen.referral_id
    if shown is not None:
        assert panel.reason.toPlainText() != REASONS, "the words typed went onto another referral"
    said = worklist.view.notice.text() + window.notice.text()
    assert said, (
        "the referral being triaged left the list with nothing said: the clinician's typed "
        "triage is silently dropped and another patient's referral is on the form"
    )
