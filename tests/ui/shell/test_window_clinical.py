"""Assessment and red-flag screening from the patient record, through the main window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, wait_idle
from ui.app import MainWindow
from ui.common import formatting


def _open(qtbot: QtBot, window: MainWindow, patient: PatientSummary) -> None:
    window.screen_by_id("search").view_model.choose_patient(patient.id)
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("patient").view, timeout=WAIT_MS
    )
    wait_idle(window)


def test_assessment_and_screening_open_for_the_patient(
    qtbot: QtBot, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = signed_in
    _open(qtbot, window, seeded_patient)
    qtbot.keyClick(
        window,
        Qt.Key.Key_A,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.pages.currentWidget() is window.screen_by_id("assessment").page
    nhs = formatting.nhs_number(seeded_patient.nhs_number)
    assert window.screen_by_id("assessment").banner.nhs_number_label.text() == nhs
    wait_idle(window)
    qtbot.keyClick(
        window,
        Qt.Key.Key_R,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.pages.currentWidget() is window.screen_by_id("red_flags").page
    assert window.screen_by_id("red_flags").banner.nhs_number_label.text() == nhs
    wait_idle(window)


def test_an_unresolved_emergency_is_said_on_the_record_when_it_opens(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    answers = {"back_or_leg_pain": "yes", "saddle_numbness": "yes"}
    screening = clinic.red_flags.record(user, seeded_patient.id, "cauda_equina", answers)
    assert screening.unresolved
    _open(qtbot, window, seeded_patient)
    qtbot.waitUntil(window.screen_by_id("patient").view.notice.isVisible, timeout=WAIT_MS)
    assert "red flag" in window.screen_by_id("patient").view.notice.text().lower()
