"""A questionnaire asked for one patient, answered by the store after the clinician moved on."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.conftest import WAIT_MS
from tests.ui.late_answers import (
    Gate,
    choose_meanwhile,
    in_banner,
    open_record,
    settle,
    two_patients,
)
from ui.app import MainWindow


def test_a_questionnaire_opened_for_one_patient_never_opens_under_the_next_ones_banner(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    a, b = two_patients(clinic, window)
    open_record(qtbot, window, a.id)
    before = {p.id: len(clinic.questionnaires.history(user, p.id, "msk_hq")) for p in (a, b)}

    # MSK-HQ asked for A; the store is slow to answer; the clinician moves on to B.
    gate = Gate(monkeypatch, clinic.questionnaires, "next_timepoint")
    window.action("questionnaire").trigger()
    gate.wait_entered(qtbot)
    choose_meanwhile(window, b.id)
    gate.release()
    settle(qtbot, window)

    assert in_banner(window, b.id)
    screen = window.screen_by_id("questionnaire")
    assert not window.showing(screen)
    assert screen.view_model.timepoint == ""  # holds no patient's questionnaire

    # Opened for B now, answered and recorded: filed for B, and A's record is untouched.
    window.action("questionnaire").trigger()
    qtbot.waitUntil(lambda: window.showing(screen), timeout=WAIT_MS)
    model = screen.view_model
    qtbot.waitUntil(lambda: bool(model.items), timeout=WAIT_MS)
    for item in model.items:
        model.set_answer(item.code, 2)
    with qtbot.waitSignal(model.recorded, timeout=WAIT_MS):
        model.record()
    settle(qtbot, window)
    after = {p.id: len(clinic.questionnaires.history(user, p.id, "msk_hq")) for p in (a, b)}
    assert after == {a.id: before[a.id], b.id: before[b.id] + 1}
