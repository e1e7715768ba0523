"""The MSK-HQ from the patient record: clinician entry, and handing the device to the patient."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, wait_idle
from ui.app import MainWindow, WindowState
from ui.common import formatting
from ui.domains.questionnaires.questionnaire.view_model import Mode

PACK = (
    Path(__file__).parents[2]
    / "core"
    / "questionnaires"
    / "wording_packs"
    / "msk_hq_synthetic.json"
)


def _open_questionnaire(qtbot: QtBot, window: MainWindow, patient: PatientSummary) -> None:
    window.screen_by_id("search").view_model.choose_patient(patient.id)
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("patient").view, timeout=WAIT_MS
    )
    wait_idle(window)
    assert window.action("questionnaire").isEnabled()
    window.action("questionnaire").trigger()
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("questionnaire").page,
        timeout=WAIT_MS,
    )
    wait_idle(window)
    # Always under the banner of the patient it is for.
    assert window.screen_by_id(
        "questionnaire"
    ).banner.nhs_number_label.text() == formatting.nhs_number(patient.nhs_number)


def test_without_the_licensed_wording_it_cannot_be_handed_to_the_patient(
    qtbot: QtBot, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    _open_questionnaire(qtbot, signed_in, seeded_patient)
    assert signed_in.screen_by_id("questionnaire").view_model.mode is Mode.CLINICIAN
    assert not signed_in.screen_by_id("questionnaire").view.hand_over_button.isEnabled()


def test_patient_mode_hides_the_record_and_needs_the_password_to_leave(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    clinic.questionnaires.import_wording_pack(SYSTEM, PACK)
    window = signed_in
    _open_questionnaire(qtbot, window, seeded_patient)
    view = window.screen_by_id("questionnaire").view
    assert view.hand_over_button.isEnabled()

    qtbot.mouseClick(view.hand_over_button, Qt.MouseButton.LeftButton)
    assert window.screen_by_id("questionnaire").view_model.mode is Mode.PATIENT
    assert not window.menuBar().isVisible()
    assert not window.screen_by_id("search").view.isVisible()
    assert not window.screen_by_id("questionnaire").banner.isVisible()
    assert not window.action("lock").isEnabled()
    assert not window.action("search").isEnabled()
    window.lock()  # even a direct call cannot put the sign-in screen behind the patient
    assert window.state is WindowState.WORKING

    qtbot.mouseClick(view.leave_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(view.password_edit, demo_password("clinician"))
    qtbot.mouseClick(view.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.screen_by_id("questionnaire").view_model.mode is Mode.CLINICIAN,
        timeout=WAIT_MS,
    )
    wait_idle(window)
    assert window.menuBar().isVisible()
    assert window.screen_by_id("search").view.isVisible()
    assert window.action("lock").isEnabled()


def test_scores_over_time_show_once_there_is_a_history(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    answers: dict[str, int | None] = {f"mskhq_{n:02d}": 2 for n in range(1, 15)}
    clinic.questionnaires.record(
        user, seeded_patient.id, "msk_hq", answers, "baseline", "clinician"
    )
    _open_questionnaire(qtbot, window, seeded_patient)
    qtbot.waitUntil(window.screen_by_id("questionnaire").score_chart.isVisible, timeout=WAIT_MS)
    assert window.screen_by_id("questionnaire").score_chart.baseline() is not None
    assert window.screen_by_id("questionnaire").score_chart.baseline()[1] == 28  # 14 items scored 2
