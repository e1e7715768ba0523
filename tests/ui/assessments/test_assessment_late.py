"""An assessment asked for one patient, answered by the store after the clinician moved on."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.ui.conftest import CLINICIAN, WAIT_MS
from tests.ui.late_answers import (
    Gate,
    choose_meanwhile,
    in_banner,
    open_record,
    settle,
    two_patients,
)
from ui.app import MainWindow


def test_an_assessment_of_one_patient_loaded_late_never_fills_the_next_ones_page(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    a, b = two_patients(clinic, window)
    draft = clinic.assessments.save_draft(
        user, a.id, {"presenting_complaint": "Right knee pain after a fall"}
    )
    signed = clinic.assessments.sign(user, draft.id, demo_password(CLINICIAN))
    open_record(qtbot, window, a.id)

    # A's signed assessment asked for; the store is slow; the clinician clicks B meanwhile
    # (B's record is read after A's assessment), then starts B's assessment.
    gate = Gate(monkeypatch, clinic.assessments, "get")
    window.open_screen("assessment", signed.id)
    gate.wait_entered(qtbot)
    choose_meanwhile(window, b.id)
    gate.release()
    qtbot.waitUntil(lambda: in_banner(window, b.id), timeout=WAIT_MS)
    settle(qtbot, window)
    model = window.screen_by_id("assessment").view_model
    assert model.assessment is None or model.assessment.patient_id == b.id
    window.open_screen("assessment")
    settle(qtbot, window)

    assert in_banner(window, b.id)
    assert model.patient_id == b.id
    assert model.assessment is None or model.assessment.patient_id == b.id
